//! The reporting schema's relation of media mentions (`bi`): one row per
//! mention of a tracked entity in a story, with its tone. An official
//! appears as the organisation they serve, never by name; the region and
//! municipalities by their ids.

use crate::auth::CurrentUser;
use crate::bi::{self, Column, MartDef, Type, sql};
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

const fn l(ru: &'static str, en: &'static str) -> Label {
    Label::new(ru, en)
}

static MENTIONS: MartDef = MartDef {
    name: "mart_media_mentions",
    title: l("Упоминания в СМИ", "Media mentions"),
    about: l(
        "Одна строка на упоминание в публикации: чего (край, муниципалитет, ведомство, должностное лицо — как его организация, проект), где, когда и с какой тональностью",
        "One row per mention in a story: of what (the region, a municipality, a department, an official as their organisation, a project), where, when and in which tone",
    ),
    columns: &[
        Column::attribute(
            "story_id",
            Type::Integer,
            l("Публикация", "Story"),
            l(
                "Номер публикации (её страница: /pm/press/stories/<номер>)",
                "The story's number (its page: /pm/press/stories/<number>)",
            ),
        ),
        Column::dimension(
            "source_id",
            Type::Integer,
            l("СМИ", "Outlet"),
            l(
                "Издание, опубликовавшее материал первым",
                "The outlet that first published the story",
            ),
        )
        .named("select source_id, name, name from press_source"),
        Column::dimension(
            "source_kind",
            Type::Text,
            l("Уровень СМИ", "Outlet level"),
            l(
                "federal, regional или municipal",
                "federal, regional or municipal",
            ),
        ),
        Column::dimension(
            "entity_kind",
            Type::Text,
            l("Кого упомянули", "Mentioned"),
            l(
                "region, municipality, organisation, official (должностное лицо) или project",
                "region, municipality, organisation, official or project",
            ),
        ),
        Column::dimension(
            "organisation_id",
            Type::Text,
            l("Организация", "Organisation"),
            l(
                "Упомянутое ведомство или организация упомянутого должностного лица",
                "The department mentioned, or the organisation of the official mentioned",
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
            "municipality_id",
            Type::Text,
            l("Муниципалитет", "Municipality"),
            l("Упомянутый муниципалитет", "The municipality mentioned"),
        )
        .named(bi::MUNICIPALITY_NAMES),
        Column::dimension(
            "tone",
            Type::Text,
            l("Тональность", "Tone"),
            l(
                "pos, neg или neu: оценка сотрудника, если он её поправил, иначе автоматическая",
                "pos, neg or neu: the staff's correction if any, else the automatic one",
            ),
        ),
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l(
                "День публикации (по Москве)",
                "The day of publication (Moscow time)",
            ),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l(
                "Месяц публикации (по Москве)",
                "The month of publication (Moscow time)",
            ),
        ),
        Column::measure(
            "negative",
            Type::Flag,
            l("Негатив", "Negative"),
            l(
                "1, если тональность отрицательная",
                "1 when the tone is negative",
            ),
        ),
    ],
    period: "day",
    scoped: true,
    record: Some("story_id"),
    on_time: None,
    select: mentions_sql,
};

fn mentions_sql(b: Backend) -> String {
    let kind = "case when m.entity = 'region' then 'region'
                     when m.entity like 'mun:%' then 'municipality'
                     when m.entity like 'org:%' then 'organisation'
                     when m.entity like 'official:%' then 'official'
                     when m.entity like 'project:%' then 'project' else 'other' end";
    let org = "case when m.entity like 'org:%' then substr(m.entity, 5)
                    when m.entity like 'official:%' then
                        (select o.organisation_id from press_official o
                         where 'official:' || cast(o.official_id as text) = m.entity)
                    else null end";
    let tone = "coalesce(m.tone_override, s.tone)";
    format!(
        "select x.story_id, x.source_id, x.source_kind, x.entity_kind, x.organisation_id,
            mo.portfolio_id, x.municipality_id, x.tone, x.day, x.month,
            {negative} as negative
         from (select m.story_id, s.source_id, ps.kind as source_kind, {kind} as entity_kind,
                  {org} as organisation_id,
                  (case when m.entity like 'mun:%' then substr(m.entity, 5) else null end)
                      as municipality_id,
                  {tone} as tone, {day} as day, {month} as month
               from press_mention m join press_story s on s.story_id = m.story_id
               join press_source ps on ps.source_id = s.source_id) x
         left join mart_organisations mo on mo.organisation_id = x.organisation_id",
        negative = sql::flag("x.tone = 'neg'"),
        day = sql::date(b, "m.day"),
        month = sql::date_month(b, "m.day"),
    )
}

pub struct Mentions;

#[async_trait::async_trait]
impl bi::Mart for Mentions {
    fn def(&self) -> &'static MartDef {
        &MENTIONS
    }

    /// A story's page opens for everyone in the core.
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
            let found = super::queries::story(db, id).await?;
            Ok(found.map(|_| format!("/pm/press/stories/{id}")))
        })
        .await
    }
}
