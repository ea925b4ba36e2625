//! The reporting schema's relation of court cases (`bi`): one row per case
//! with the organisation's role, the category, the highest instance
//! reached, the outcome and the sums. Never a party's name: the parties
//! (private persons among them) stay on the case card.

use crate::auth::CurrentUser;
use crate::bi::{self, Column, MartDef, Type, sql};
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

const fn l(ru: &'static str, en: &'static str) -> Label {
    Label::new(ru, en)
}

static CASES: MartDef = MartDef {
    name: "mart_court_cases",
    title: l("Судебные дела", "Court cases"),
    about: l(
        "Одна строка на судебное дело организации: роль, категория, высшая инстанция, исход, суммы требований и присуждённые; без сторон",
        "One row per court case of an organisation: its role, the category, the highest instance reached, the outcome, the sums claimed and awarded; no parties",
    ),
    columns: &[
        Column::attribute(
            "case_id",
            Type::Integer,
            l("Дело", "Case"),
            l(
                "Номер дела в системе (его карточка: /pm/courts/cases/<номер>)",
                "The case's number here (its card: /pm/courts/cases/<number>)",
            ),
        ),
        Column::dimension(
            "organisation_id",
            Type::Text,
            l("Организация", "Organisation"),
            l(
                "Организация — участник дела",
                "The organisation party to the case",
            ),
        )
        .named(bi::ORGANISATION_NAMES),
        Column::dimension(
            "portfolio_id",
            Type::Text,
            l("Портфель", "Portfolio"),
            l(
                "Портфель вице-губернатора, к которому относится организация",
                "The vice-governor's portfolio the organisation belongs to",
            ),
        )
        .named(bi::ORGANISATION_NAMES),
        Column::dimension(
            "role",
            Type::Text,
            l("Роль", "Role"),
            l(
                "Роль организации: plaintiff (истец), defendant (ответчик), third_party",
                "The organisation's role: plaintiff, defendant or third_party",
            ),
        ),
        Column::dimension(
            "category",
            Type::Text,
            l("Категория", "Category"),
            l(
                "contract, property, land, labour, tax, acts, damages или other",
                "contract, property, land, labour, tax, acts, damages or other",
            ),
        ),
        Column::dimension(
            "procedure",
            Type::Text,
            l("Процесс", "Procedure"),
            l(
                "apk (арбитражный), gpk (гражданский), kas (административный)",
                "apk (commercial court), gpk (civil), kas (administrative)",
            ),
        ),
        Column::dimension(
            "level",
            Type::Text,
            l("Инстанция", "Instance"),
            l(
                "Высшая инстанция, до которой дошло дело: first, appeal, cassation, supervisory; none — ещё ни одной",
                "The highest instance the case reached: first, appeal, cassation, supervisory; none before any",
            ),
        ),
        Column::dimension(
            "outcome",
            Type::Text,
            l("Исход", "Outcome"),
            l(
                "pending (идёт), won, lost, partly или settled",
                "pending, won, lost, partly or settled",
            ),
        ),
        Column::dimension(
            "risk",
            Type::Text,
            l("Риск", "Risk"),
            l(
                "Оценка риска проигрыша: probable, possible, remote",
                "The assessed risk of losing: probable, possible, remote",
            ),
        ),
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l(
                "День внесения дела (по Москве)",
                "The day the case was entered (Moscow time)",
            ),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l(
                "Месяц внесения дела (по Москве)",
                "The month the case was entered (Moscow time)",
            ),
        ),
        Column::dimension(
            "final_month",
            Type::Month,
            l("Месяц окончания", "Month closed"),
            l(
                "Месяц, когда решение стало окончательным; пусто, пока дело идёт",
                "The month the decision became final; empty while the case goes on",
            ),
        ),
        Column::measure(
            "is_open",
            Type::Flag,
            l("Идёт", "Open"),
            l(
                "1, пока исход не известен",
                "1 while the outcome is pending",
            ),
        ),
        Column::measure(
            "instances",
            Type::Integer,
            l("Инстанций", "Instances"),
            l(
                "Сколько инстанций рассматривали дело",
                "How many instances heard the case",
            ),
        ),
        Column::measure(
            "claimed",
            Type::Real,
            l("Заявлено, руб.", "Claimed, roubles"),
            l("Сумма требований, рублей", "The amount claimed, roubles"),
        ),
        Column::measure(
            "awarded",
            Type::Real,
            l("Присуждено, руб.", "Awarded, roubles"),
            l(
                "Присуждённая сумма, рублей; пусто, пока не присуждена",
                "The amount awarded, roubles; empty until awarded",
            ),
        ),
    ],
    period: "day",
    scoped: true,
    record: Some("case_id"),
    on_time: None,
    select: cases_sql,
};

fn cases_sql(b: Backend) -> String {
    format!(
        "select c.case_id, c.organisation_id, mo.portfolio_id, c.role, c.category, c.procedure,
            coalesce((select i.level from court_instance i where i.case_id = c.case_id
                      order by case i.level when 'first' then 1 when 'appeal' then 2
                               when 'cassation' then 3 else 4 end desc limit 1), 'none') as level,
            c.outcome, c.risk, {day} as day, {month} as month, {final_month} as final_month,
            {open} as is_open, {instances} as instances, {claimed} as claimed,
            {awarded} as awarded
         from court_case c left join mart_organisations mo on mo.organisation_id = c.organisation_id",
        day = sql::day(b, "c.created_at"),
        month = sql::month(b, "c.created_at"),
        final_month = sql::date_month(b, "c.final_on"),
        open = sql::flag("c.outcome = 'pending'"),
        instances = sql::integer(
            b,
            "(select count(*) from court_instance i where i.case_id = c.case_id)"
        ),
        claimed = sql::real(b, "c.claimed / 100.0"),
        awarded = sql::real(b, "c.awarded / 100.0"),
    )
}

pub struct Cases;

#[async_trait::async_trait]
impl bi::Mart for Cases {
    fn def(&self) -> &'static MartDef {
        &CASES
    }

    /// The case card opens for everyone in the core (the parties' names
    /// show only to those the directory's `access` lets see them).
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
            let found = super::queries::case(db, id).await?;
            Ok(found.map(|_| format!("/pm/courts/cases/{id}")))
        })
        .await
    }
}
