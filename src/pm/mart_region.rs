//! The reporting schema's relation of the whole region's orders on the
//! Department of Control (`bi`): one row per order of every core, from the
//! replica (`replica.rs`), with the columns of `mart_orders` the replica
//! can give. Empty on every other instance.

use crate::auth::CurrentUser;
use crate::bi::{self, Column, MartDef, Type, sql};
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

const fn l(ru: &'static str, en: &'static str) -> Label {
    Label::new(ru, en)
}

static ORDERS_REGION: MartDef = MartDef {
    name: "mart_orders_region",
    title: l("Поручения края (все ядра)", "The region's orders (every core)"),
    about: l(
        "Одна строка на поручение каждого ядра края, из копии Департамента контроля; перенесённое в другое ядро поручение считается там",
        "One row per order of every core of the region, from the Department of Control's replica; an order moved to another core is counted there",
    ),
    columns: &[
        Column::dimension(
            "instance",
            Type::Text,
            l("Ядро", "Core"),
            l(
                "Экземпляр veche, в котором ведётся поручение",
                "The veche instance that keeps the order",
            ),
        ),
        Column::attribute(
            "order_id",
            Type::Integer,
            l("Поручение", "Order"),
            l("Номер поручения в его ядре", "The order's number in its core"),
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
                "Портфель вице-губернатора (или губернатора) исполнителя по справочнику",
                "The vice-governor's (or the governor's) portfolio of the responsible organisation, by the directory",
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
            l("Откуда поручение", "Where it came from"),
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
    ],
    period: "day",
    scoped: true,
    record: None,
    on_time: Some("done_on_time"),
    select: region_sql,
};

fn region_sql(b: Backend) -> String {
    let late = sql::before_now(b, "o.deadline");
    let done_late = format!("not {}", sql::not_after(b, "o.done_at", "o.deadline"));
    let on_time = format!(
        "case when o.state = 'cancelled' then null
              when o.state = 'done' and o.done_at is not null then {done}
              when {late} then 0 else null end",
        done = sql::flag(&sql::not_after(b, "o.done_at", "o.deadline")),
    );
    let overdue = format!(
        "(o.state not in ('done', 'cancelled') and {late})
          or (o.state = 'done' and o.done_at is not null and {done_late})"
    );
    format!(
        "select o.instance, o.order_id, o.organisation_id, mo.portfolio_id,
            o.creator_organisation_id, o.source, o.priority, o.state,
            {overdue} as overdue, {day} as day, {month} as month,
            {open} as is_open, {on_time} as done_on_time
         from pm_order_replica o
         left join mart_organisations mo on mo.organisation_id = o.organisation_id
         where o.moved_to is null",
        overdue = sql::flag(&overdue),
        day = sql::day(b, "coalesce(o.created_at, o.deadline)"),
        month = sql::month(b, "coalesce(o.created_at, o.deadline)"),
        open = sql::flag("o.state not in ('done', 'cancelled')"),
    )
}

pub struct OrdersRegion;

#[async_trait::async_trait]
impl bi::Mart for OrdersRegion {
    fn def(&self) -> &'static MartDef {
        &ORDERS_REGION
    }

    /// The records live in the cores: no page here to open.
    async fn open(
        &self,
        _db: &Db,
        _user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        Ok(vec![None; keys.len()])
    }
}
