//! The reporting schema's relation of the staff (`bi`): each
//! organisation's fill rate as of today, computed as the staff pages do
//! (`domain::positions_at`): a line's filled rates are those held on the
//! day, at most its authorised rates. No names of who holds what.

use crate::auth::CurrentUser;
use crate::bi::{self, Column, MartDef, Type, sql};
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

const fn l(ru: &'static str, en: &'static str) -> Label {
    Label::new(ru, en)
}

static STAFF: MartDef = MartDef {
    name: "mart_staff",
    title: l("Штатная укомплектованность", "Staff fill rates"),
    about: l(
        "Одна строка на организацию со штатным расписанием, действующим сегодня: должности, ставки, занято, вакантно, укомплектованность",
        "One row per organisation with a staff schedule in force today: positions, rates, filled, vacant, the fill rate",
    ),
    columns: &[
        Column::dimension(
            "organisation_id",
            Type::Text,
            l("Организация", "Organisation"),
            l(
                "Организация (её штат: /pm/staff/organisations/<код>)",
                "The organisation (its staff: /pm/staff/organisations/<id>)",
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
        Column::measure(
            "positions",
            Type::Integer,
            l("Должностей", "Positions"),
            l(
                "Должностей в действующем штатном расписании",
                "Positions in the staff schedule in force",
            ),
        ),
        Column::measure(
            "rates",
            Type::Real,
            l("Ставок", "Rates"),
            l("Штатных ставок", "Authorised staff rates"),
        ),
        Column::measure(
            "filled",
            Type::Real,
            l("Занято ставок", "Filled rates"),
            l(
                "Ставок, занятых сегодня (не больше штатных по каждой должности)",
                "Rates held today (at most the authorised rates of each position)",
            ),
        ),
        Column::measure(
            "vacant",
            Type::Real,
            l("Вакантно ставок", "Vacant rates"),
            l(
                "Штатных ставок минус занятые",
                "Authorised rates less those filled",
            ),
        ),
        Column::measure(
            "fill_rate",
            Type::Real,
            l("Укомплектованность", "Fill rate"),
            l(
                "Доля занятых ставок от штатных, от 0 до 1",
                "Filled rates over authorised rates, 0 to 1",
            ),
        ),
        Column::measure(
            "vacant_positions",
            Type::Integer,
            l("Вакантных должностей", "Vacant positions"),
            l(
                "Должностей, где есть хоть одна свободная ставка",
                "Positions with any rate vacant",
            ),
        ),
        Column::measure(
            "key_vacant",
            Type::Integer,
            l("Ключевых вакантно", "Key positions vacant"),
            l(
                "Ключевых должностей со свободной ставкой",
                "Key positions with any rate vacant",
            ),
        ),
    ],
    period: "",
    scoped: true,
    record: Some("organisation_id"),
    on_time: None,
    select: staff_sql,
};

fn staff_sql(b: Backend) -> String {
    let t = sql::today_date(b);
    let filled = sql::least("x.held", "x.rates");
    format!(
        "select x.organisation_id, mo.portfolio_id, {positions} as positions,
            {rates} as rates, {filled_sum} as filled, {vacant} as vacant,
            {fill_rate} as fill_rate, {vacant_positions} as vacant_positions,
            {key_vacant} as key_vacant
         from (select p.organisation_id, l.rates, l.key_position,
                  coalesce((select sum(a.rate) from staff_assignment a
                            where a.position_id = l.position_id and a.starts_on <= {t}
                              and (a.ends_on is null or a.ends_on >= {t})), 0) as held
               from staff_line l join staff_position p on p.position_id = l.position_id
               where l.schedule_id in
                   (select s2.schedule_id from staff_schedule s2
                    where s2.valid_from <= {t} and (s2.valid_to is null or s2.valid_to >= {t})
                      and s2.valid_from = (select max(s3.valid_from) from staff_schedule s3
                                           where s3.organisation_id = s2.organisation_id
                                             and s3.valid_from <= {t}
                                             and (s3.valid_to is null or s3.valid_to >= {t})))) x
         left join mart_organisations mo on mo.organisation_id = x.organisation_id
         group by x.organisation_id, mo.portfolio_id",
        positions = sql::integer(b, "count(*)"),
        rates = sql::real(b, "sum(x.rates) / 100.0"),
        filled_sum = sql::real(b, &format!("sum({filled}) / 100.0")),
        vacant = sql::real(b, &format!("sum(x.rates - {filled}) / 100.0")),
        fill_rate = sql::real(b, &format!("sum({filled}) * 1.0 / nullif(sum(x.rates), 0)")),
        vacant_positions = sql::integer(b, "sum(case when x.held < x.rates then 1 else 0 end)"),
        key_vacant = sql::integer(
            b,
            "sum(case when x.held < x.rates and x.key_position = true then 1 else 0 end)"
        ),
    )
}

pub struct Staff;

#[async_trait::async_trait]
impl bi::Mart for Staff {
    fn def(&self) -> &'static MartDef {
        &STAFF
    }

    /// The organisation's staff page opens for everyone in the core (it
    /// shows names only to those `access` lets see them).
    async fn open(
        &self,
        db: &Db,
        user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        bi::core_pages(user, keys, |k| async move {
            let found = crate::directory::queries::by_id(db, k).await?;
            Ok(found.map(|o| format!("/pm/staff/organisations/{}", o.organisation_id)))
        })
        .await
    }
}
