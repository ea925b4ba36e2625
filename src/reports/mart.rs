//! The reporting schema's relation of report forms (`bi`): every value an
//! organisation reported, beside its current plan and the deviation.

use crate::auth::CurrentUser;
use crate::bi::{self, Column, MartDef, Type, sql};
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

const fn l(ru: &'static str, en: &'static str) -> Label {
    Label::new(ru, en)
}

static VALUES: MartDef = MartDef {
    name: "mart_report_values",
    title: l("Отчётные показатели", "Report values"),
    about: l(
        "Одна строка на показатель формы в отчёте организации за период: план, факт, отклонение",
        "One row per item of a form in an organisation's report for a period: plan, fact, deviation",
    ),
    columns: &[
        Column::attribute(
            "report",
            Type::Text,
            l("Отчёт", "Report"),
            l(
                "Форма/организация/период (страница отчёта: /pm/reports/<форма>/<организация>/<период>)",
                "Form/organisation/period (the report's page: /pm/reports/<form>/<organisation>/<period>)",
            ),
        ),
        Column::dimension(
            "form",
            Type::Text,
            l("Форма", "Form"),
            l("Код отчётной формы", "The report form's code"),
        ),
        Column::dimension(
            "item",
            Type::Text,
            l("Показатель формы", "Item"),
            l("Код показателя в форме", "The item's code in the form"),
        ),
        Column::dimension(
            "organisation_id",
            Type::Text,
            l("Организация", "Organisation"),
            l(
                "Организация, которая отчитывается",
                "The reporting organisation",
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
            "period",
            Type::Text,
            l("Период", "Period"),
            l(
                "Отчётный период: 2026-07, 2026-Q3 или 2026",
                "The period: 2026-07, 2026-Q3 or 2026",
            ),
        ),
        Column::dimension(
            "state",
            Type::Text,
            l("Состояние отчёта", "Report state"),
            l(
                "draft, submitted, returned или accepted",
                "draft, submitted, returned or accepted",
            ),
        ),
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l(
                "Первый день отчётного периода",
                "The first day of the period",
            ),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l(
                "Первый месяц отчётного периода",
                "The first month of the period",
            ),
        ),
        Column::measure(
            "plan",
            Type::Real,
            l("План", "Plan"),
            l(
                "Текущий план; пусто, если не задан",
                "The current plan; empty when none is set",
            ),
        ),
        Column::measure(
            "fact",
            Type::Real,
            l("Факт", "Fact"),
            l(
                "Отчётное значение; пусто, если не заполнено",
                "The reported value; empty when not filled in",
            ),
        ),
        Column::measure(
            "deviation",
            Type::Real,
            l("Отклонение", "Deviation"),
            l("Факт минус план", "Fact less plan"),
        ),
    ],
    period: "day",
    scoped: true,
    record: Some("report"),
    on_time: None,
    select: values_sql,
};

fn values_sql(b: Backend) -> String {
    let p = "s.period";
    let day = format!(
        "(case when length({p}) = 4 then {p} || '-01-01'
               when substr({p}, 6, 1) = 'Q' then substr({p}, 1, 4) ||
                   (case substr({p}, 7, 1) when '1' then '-01-01' when '2' then '-04-01'
                         when '3' then '-07-01' else '-10-01' end)
               else {p} || '-01' end)"
    );
    let plan = "(select pl.value from report_plan pl where pl.item_id = v.item_id
                 and pl.organisation_id = s.organisation_id and pl.period = s.period
                 and pl.current = true)";
    format!(
        "select f.code || '/' || s.organisation_id || '/' || s.period as report, f.code as form,
            it.code as item, s.organisation_id, mo.portfolio_id, s.period, s.state,
            {day} as day, substr({day}, 1, 7) as month, {plan_r} as plan, {fact} as fact,
            {deviation} as deviation
         from report_value v
         join report_submission s on s.submission_id = v.submission_id
         join report_form f on f.form_id = s.form_id
         join report_item it on it.item_id = v.item_id
         left join mart_organisations mo on mo.organisation_id = s.organisation_id",
        plan_r = sql::real(b, plan),
        fact = sql::real(b, "v.value"),
        deviation = sql::real(b, &format!("v.value - {plan}")),
    )
}

pub struct Values;

#[async_trait::async_trait]
impl bi::Mart for Values {
    fn def(&self) -> &'static MartDef {
        &VALUES
    }

    /// A report's page opens for everyone in the core (`subpages::show`).
    async fn open(
        &self,
        _db: &Db,
        user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        Ok(keys
            .iter()
            .map(|k| {
                let ok = user.works_in_core()
                    && k.split('/').count() == 3
                    && k.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"-_/".contains(&c));
                ok.then(|| format!("/pm/reports/{k}"))
            })
            .collect())
    }
}
