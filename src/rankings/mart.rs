//! The reporting schema's relation of indicators (`bi`): the current value
//! of each indicator by territory and year, beside the year's target.

use crate::auth::CurrentUser;
use crate::bi::{self, Column, MartDef, Type, sql};
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

const fn l(ru: &'static str, en: &'static str) -> Label {
    Label::new(ru, en)
}

static INDICATORS: MartDef = MartDef {
    name: "mart_indicators",
    title: l("Показатели", "Indicators"),
    about: l(
        "Одна строка на показатель, территорию и год: текущее значение (последняя редакция) и цель года",
        "One row per indicator, territory and year: the current value (the latest revision) and the year's target",
    ),
    columns: &[
        Column::dimension(
            "indicator",
            Type::Text,
            l("Показатель", "Indicator"),
            l(
                "Код показателя (его карточка: /pm/indicators/<код>)",
                "The indicator's code (its card: /pm/indicators/<code>)",
            ),
        ),
        Column::dimension(
            "organisation_id",
            Type::Text,
            l("Ответственный", "Responsible"),
            l(
                "Организация, отвечающая за показатель; пусто, если не назначена",
                "The organisation responsible for the indicator; empty when none is set",
            ),
        )
        .named(bi::ORGANISATION_NAMES),
        Column::dimension(
            "portfolio_id",
            Type::Text,
            l("Портфель", "Portfolio"),
            l(
                "Портфель вице-губернатора ответственной организации",
                "The vice-governor's portfolio of the responsible organisation",
            ),
        )
        .named(bi::ORGANISATION_NAMES),
        Column::dimension(
            "territory",
            Type::Text,
            l("Территория", "Territory"),
            l(
                "Территория значения: пусто — край целиком, иначе код муниципалитета",
                "The territory of the value: empty for the whole region, else a municipality id",
            ),
        ),
        Column::dimension(
            "year",
            Type::Integer,
            l("Год", "Year"),
            l("Год, за который значение", "The year the value is for"),
        ),
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l(
                "Первый день года значения",
                "The first day of the value's year",
            ),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l("Январь года значения", "January of the value's year"),
        ),
        Column::dimension(
            "status",
            Type::Text,
            l("Статус", "Status"),
            l(
                "preliminary, final или revised",
                "preliminary, final or revised",
            ),
        ),
        Column::dimension(
            "direction",
            Type::Text,
            l("Лучше, если", "Better when"),
            l(
                "up — больше лучше, down — меньше лучше, band — в коридоре",
                "up: higher is better; down: lower is better; band: within a range",
            ),
        ),
        Column::measure(
            "value",
            Type::Real,
            l("Значение", "Value"),
            l("Текущее значение", "The current value"),
        ),
        Column::measure(
            "target",
            Type::Real,
            l("Цель", "Target"),
            l(
                "Целевое значение года; пусто, если не задано",
                "The year's target; empty when not set",
            ),
        ),
        Column::measure(
            "target_met",
            Type::Flag,
            l("Цель достигнута", "Target met"),
            l(
                "1 — значение не хуже цели (или в коридоре), 0 — хуже; пусто без цели",
                "1: the value is no worse than the target (or within the band); 0: worse; empty without a target",
            ),
        ),
    ],
    period: "day",
    scoped: true,
    record: Some("indicator"),
    on_time: None,
    select: indicators_sql,
};

fn indicators_sql(b: Backend) -> String {
    let met =
        "case when i.direction = 'band' and i.band_low is not null and i.band_high is not null
                    then (case when v.value between i.band_low and i.band_high then 1 else 0 end)
               when t.value is null then null
               when i.direction = 'up' then (case when v.value >= t.value then 1 else 0 end)
               when i.direction = 'down' then (case when v.value <= t.value then 1 else 0 end)
               else null end";
    format!(
        "select i.code as indicator, i.organisation_id, mo.portfolio_id, v.territory, {year} as year,
            {day} as day, {month} as month, v.status, i.direction, {value} as value,
            {target} as target, {met} as target_met
         from indicator_value v join indicator i on i.indicator_id = v.indicator_id
         left join indicator_target t on t.indicator_id = v.indicator_id and t.year = v.year
         left join mart_organisations mo on mo.organisation_id = i.organisation_id
         where v.current = true",
        year = sql::integer(b, "v.year"),
        day = "cast(v.year as text) || '-01-01'",
        month = "cast(v.year as text) || '-01'",
        value = sql::real(b, "v.value"),
        target = sql::real(b, "t.value"),
        met = sql::integer(b, met),
    )
}

pub struct Indicators;

#[async_trait::async_trait]
impl bi::Mart for Indicators {
    fn def(&self) -> &'static MartDef {
        &INDICATORS
    }

    /// The indicator's card opens for everyone in the core.
    async fn open(
        &self,
        db: &Db,
        user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        bi::core_pages(user, keys, |k| async move {
            let found = super::queries::indicator(db, k).await?;
            Ok(found.map(|i| format!("/pm/indicators/{}", i.code)))
        })
        .await
    }
}
