//! The reporting schema's relation of the core's orders (`bi`): every
//! order with its delegation depth, lateness and portfolio. No names: the
//! executor and the giver appear as organisations only.

use crate::auth::CurrentUser;
use crate::bi::{self, Column, MartDef, Type, sql};
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

const fn l(ru: &'static str, en: &'static str) -> Label {
    Label::new(ru, en)
}

static ORDERS: MartDef = MartDef {
    name: "mart_orders",
    title: l("Поручения", "Orders"),
    about: l(
        "Одна строка на поручение: кому, от кого, глубина делегирования, срок, исполнено ли в срок, просрочка",
        "One row per order: to whom, from whom, how deep it was delegated, its deadline, whether it was done in time, how late it is",
    ),
    columns: &[
        Column::attribute(
            "order_id",
            Type::Integer,
            l("Поручение", "Order"),
            l(
                "Номер поручения (его страница: /pm/orders/<номер>)",
                "The order's number (its page: /pm/orders/<number>)",
            ),
        ),
        Column::dimension(
            "organisation_id",
            Type::Text,
            l("Исполнитель", "Executor organisation"),
            l(
                "Организация, ответственная за исполнение",
                "The organisation responsible for it",
            ),
        )
        .named(bi::ORGANISATION_NAMES),
        Column::dimension(
            "portfolio_id",
            Type::Text,
            l("Портфель", "Portfolio"),
            l(
                "Портфель вице-губернатора (или губернатора), к которому относится исполнитель",
                "The vice-governor's (or the governor's) portfolio of the responsible organisation",
            ),
        )
        .named(bi::ORGANISATION_NAMES),
        Column::dimension(
            "creator_organisation_id",
            Type::Text,
            l("Кто дал", "Given by"),
            l(
                "Организация, давшая поручение",
                "The organisation that gave the order",
            ),
        )
        .named(bi::ORGANISATION_NAMES),
        Column::dimension(
            "source",
            Type::Text,
            l("Источник", "Source"),
            l(
                "Откуда поручение: citizen_report, construction_check, meeting, federal_programme, manual",
                "Where it came from: citizen_report, construction_check, meeting, federal_programme, manual",
            ),
        ),
        Column::dimension(
            "priority",
            Type::Text,
            l("Приоритет", "Priority"),
            l(
                "low, normal, high или critical",
                "low, normal, high or critical",
            ),
        ),
        Column::dimension(
            "state",
            Type::Text,
            l("Состояние", "State"),
            l(
                "new, accepted, in_progress, report_submitted, done, returned или cancelled",
                "new, accepted, in_progress, report_submitted, done, returned or cancelled",
            ),
        ),
        Column::dimension(
            "depth",
            Type::Integer,
            l("Уровень делегирования", "Delegation depth"),
            l(
                "0 — исходное поручение, 1 — передано дальше один раз, …, 3 — три раза и более",
                "0: the original order; 1: delegated once; …; 3: three times or more",
            ),
        ),
        Column::dimension(
            "overdue",
            Type::Flag,
            l("Просрочено", "Overdue"),
            l(
                "1, если открыто после срока или исполнено позже срока",
                "1 when open past its deadline or done after it",
            ),
        ),
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l(
                "День, когда поручение дано (по Москве)",
                "The day the order was given (Moscow time)",
            ),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l(
                "Месяц, когда поручение дано (по Москве)",
                "The month the order was given (Moscow time)",
            ),
        ),
        Column::dimension(
            "deadline_month",
            Type::Month,
            l("Месяц срока", "Deadline month"),
            l(
                "Месяц срока исполнения (по Москве)",
                "The month of the deadline (Moscow time)",
            ),
        ),
        Column::measure(
            "is_open",
            Type::Flag,
            l("Открыто", "Open"),
            l(
                "1, пока поручение не исполнено и не отменено",
                "1 while the order is neither done nor cancelled",
            ),
        ),
        Column::measure(
            "done_on_time",
            Type::Flag,
            l("Исполнено в срок", "Done in time"),
            l(
                "1 — исполнено не позже срока; 0 — позже, или срок прошёл; пусто, пока срок впереди или поручение отменено",
                "1: done by the deadline; 0: after it, or the deadline passed; empty while the deadline is ahead or when cancelled",
            ),
        ),
        Column::measure(
            "days_late",
            Type::Integer,
            l("Дней просрочки", "Days late"),
            l(
                "Полных дней после срока: до исполнения или до сегодня; 0, если в срок",
                "Whole days past the deadline: until done, or until today; 0 when in time",
            ),
        ),
    ],
    period: "day",
    scoped: true,
    record: Some("order_id"),
    on_time: Some("done_on_time"),
    select: orders_sql,
};

fn orders_sql(b: Backend) -> String {
    let open = "o.state not in ('done', 'cancelled')";
    let late_done = sql::before_now(b, "o.deadline");
    let done_late = format!("not {}", sql::not_after(b, "o.done_at", "o.deadline"));
    let on_time = format!(
        "case when o.state = 'cancelled' then null
              when o.state = 'done' and o.done_at is not null then {done}
              when {late_done} then 0 else null end",
        done = sql::flag(&sql::not_after(b, "o.done_at", "o.deadline")),
    );
    let overdue = format!(
        "(o.state not in ('done', 'cancelled') and {late_done})
          or (o.state = 'done' and o.done_at is not null and {done_late})"
    );
    let days_late = format!(
        "case when o.state = 'cancelled' then 0
              when o.state = 'done' and o.done_at is not null then
                   (case when {done_late} then {d_done} else 0 end)
              when {late_done} then {d_now} else 0 end",
        d_done = sql::days_between(b, "o.deadline", "o.done_at"),
        d_now = sql::days_between(b, "o.deadline", sql::now(b)),
    );
    format!(
        "select o.order_id, o.organisation_id, mo.portfolio_id, o.creator_organisation_id,
            o.source, o.priority, o.state,
            (case when o.parent_id is null then 0 when p1.parent_id is null then 1
                  when p2.parent_id is null then 2 else 3 end) as depth,
            {overdue} as overdue, {day} as day, {month} as month, {dmonth} as deadline_month,
            {open} as is_open, {on_time} as done_on_time, {days_late} as days_late
         from pm_order o
         left join pm_order p1 on p1.order_id = o.parent_id
         left join pm_order p2 on p2.order_id = p1.parent_id
         left join mart_organisations mo on mo.organisation_id = o.organisation_id",
        overdue = sql::flag(&overdue),
        day = sql::day(b, "o.created_at"),
        month = sql::month(b, "o.created_at"),
        dmonth = sql::month(b, "o.deadline"),
        open = sql::flag(open),
        days_late = sql::integer(b, &days_late),
    )
}

pub struct Orders;

#[async_trait::async_trait]
impl bi::Mart for Orders {
    fn def(&self) -> &'static MartDef {
        &ORDERS
    }

    /// Everyone in the core reads an order (its files are another matter):
    /// the order page's own rule.
    async fn open(
        &self,
        db: &Db,
        user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        bi::core_pages(user, keys, |k| async move {
            let Ok(id) = k.parse::<i64>() else {
                return Ok(None);
            };
            let found = super::queries::order(db, id).await?;
            Ok(found.map(|_| format!("/pm/orders/{id}")))
        })
        .await
    }
}
