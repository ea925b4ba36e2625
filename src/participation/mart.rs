//! The reporting schema's relations of participation (`bi`): the
//! priorities' supports and ranks by quarter, the service ratings by
//! service and month, and the law-making initiatives. No author, no
//! comment or title text: counts, states and places. Suggestions are
//! requests of the workflow and are in `mart_requests` and
//! `mart_supports` (kind `suggestion`). These are public figures, so none
//! of the relations is scoped.

use crate::auth::CurrentUser;
use crate::bi::{self, Column, MartDef, Type, sql};
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

const fn l(ru: &'static str, en: &'static str) -> Label {
    Label::new(ru, en)
}

const MUNICIPALITY: Column = Column::dimension(
    "municipality_id",
    Type::Text,
    l("Муниципалитет", "Municipality"),
    l(
        "Муниципальное образование; пусто — весь край",
        "The municipality; empty for the whole region",
    ),
)
.named(bi::MUNICIPALITY_NAMES);
const RESPONSIBLE: Column = Column::dimension(
    "organisation_id",
    Type::Text,
    l("Ответственный", "Responsible"),
    l("Ответственная организация", "The responsible organisation"),
)
.named(bi::ORGANISATION_NAMES);

static PRIORITIES: MartDef = MartDef {
    name: "mart_priorities",
    title: l("Приоритеты жителей", "Residents' priorities"),
    about: l(
        "Одна строка на приоритет и квартал, в котором его поддерживали или ранжировали: поддержки и место в крае",
        "One row per priority and quarter in which it was supported or ranked: supports and its place in the region",
    ),
    columns: &[
        Column::attribute(
            "priority_id",
            Type::Integer,
            l("Приоритет", "Priority"),
            l(
                "Номер приоритета (его страница: /participation/priorities/<номер>)",
                "The priority's number (its page: /participation/priorities/<number>)",
            ),
        ),
        Column::dimension(
            "quarter",
            Type::Text,
            l("Квартал", "Quarter"),
            l(
                "Квартал голосования, например 2026Q4",
                "The quarter of support, e.g. 2026Q4",
            ),
        ),
        Column::dimension(
            "topic",
            Type::Text,
            l("Тема", "Topic"),
            l("Тема приоритета", "The priority's topic"),
        ),
        MUNICIPALITY,
        RESPONSIBLE,
        Column::dimension(
            "state",
            Type::Text,
            l("Состояние", "State"),
            l(
                "proposed, published, rejected или frozen",
                "proposed, published, rejected or frozen",
            ),
        ),
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l("Первый день квартала", "The first day of the quarter"),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l("Первый месяц квартала", "The first month of the quarter"),
        ),
        Column::measure(
            "supports",
            Type::Integer,
            l("Поддержки", "Supports"),
            l(
                "Поддержки жителей в квартале (отозванные не считаются)",
                "Residents' supports in the quarter (withdrawn ones do not count)",
            ),
        ),
        Column::measure(
            "verified_supports",
            Type::Integer,
            l("Подтверждённые", "Verified supports"),
            l(
                "Из них — жителей с подтверждённым местом жительства",
                "Of them, by residents whose residence is verified",
            ),
        ),
        Column::measure(
            "region_rank",
            Type::Integer,
            l("Место в крае", "Rank in the region"),
            l(
                "Место в крае по итогам квартала; пусто, пока квартал не закрыт",
                "The place in the region when the quarter closed; empty until then",
            ),
        ),
        Column::measure(
            "score",
            Type::Real,
            l("Балл", "Score"),
            l(
                "Балл ранжирования по итогам квартала",
                "The ranking score when the quarter closed",
            ),
        ),
    ],
    period: "day",
    scoped: false,
    record: Some("priority_id"),
    on_time: None,
    select: priorities_sql,
};

/// The first day (`YYYY-MM-DD`) of a quarter written `2026Q4`.
fn quarter_day(q: &str) -> String {
    format!(
        "(substr({q}, 1, 4) || case substr({q}, 6, 1) when '1' then '-01-01'
             when '2' then '-04-01' when '3' then '-07-01' else '-10-01' end)"
    )
}

fn priorities_sql(b: Backend) -> String {
    let day = quarter_day("k.quarter");
    format!(
        "select k.priority_id, k.quarter, p.topic, p.municipality_id, p.organisation_id, p.state,
            {day} as day, substr({day}, 1, 7) as month,
            {supports} as supports, {verified} as verified_supports,
            {rank} as region_rank, {score} as score
         from (select priority_id, quarter from priority_support
               union select priority_id, quarter from priority_rank where scope = 'region') k
         join priority p on p.priority_id = k.priority_id",
        supports = sql::integer(
            b,
            "(select count(*) from priority_support s where s.priority_id = k.priority_id
              and s.quarter = k.quarter and s.withdrawn_at is null)"
        ),
        verified = sql::integer(
            b,
            "(select count(*) from priority_support s where s.priority_id = k.priority_id
              and s.quarter = k.quarter and s.withdrawn_at is null and s.residence = 'verified')"
        ),
        rank = sql::integer(
            b,
            "(select r.position from priority_rank r where r.priority_id = k.priority_id
              and r.quarter = k.quarter and r.scope = 'region')"
        ),
        score = sql::real(
            b,
            "(select r.score from priority_rank r where r.priority_id = k.priority_id
              and r.quarter = k.quarter and r.scope = 'region')"
        ),
    )
}

static RATINGS: MartDef = MartDef {
    name: "mart_service_ratings",
    title: l("Оценки госуслуг", "Service ratings"),
    about: l(
        "Одна строка на услугу и месяц: число оценок и средние баллы (1–5) качества, удобства и скорости; без оценивших и их отзывов",
        "One row per service and month: the number of ratings and mean scores (1 to 5) of quality, convenience and speed; never who rated or what they wrote",
    ),
    columns: &[
        Column::attribute(
            "service_id",
            Type::Text,
            l("Услуга", "Service"),
            l(
                "Код услуги (её страница: /participation/services/<код>)",
                "The service's code (its page: /participation/services/<code>)",
            ),
        ),
        Column::dimension(
            "grp",
            Type::Text,
            l("Группа услуг", "Service group"),
            l("Группа сравнимых услуг", "The group of comparable services"),
        ),
        Column::dimension(
            "channel",
            Type::Text,
            l("Канал", "Channel"),
            l(
                "mfc (МФЦ), office или online",
                "mfc (one-stop centre), office or online",
            ),
        ),
        Column::dimension(
            "organisation_id",
            Type::Text,
            l("Ведомство", "Department"),
            l(
                "Организация, оказывающая услугу",
                "The organisation providing the service",
            ),
        )
        .named(bi::ORGANISATION_NAMES),
        MUNICIPALITY,
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l(
                "Первый день месяца оценок",
                "The first day of the month rated",
            ),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l("Месяц, за который оценки", "The month the ratings are for"),
        ),
        Column::measure(
            "ratings",
            Type::Integer,
            l("Оценок", "Ratings"),
            l(
                "Сколько жителей оценили услугу",
                "How many residents rated the service",
            ),
        ),
        Column::measure(
            "quality",
            Type::Real,
            l("Качество", "Quality"),
            l(
                "Средняя оценка качества (1–5)",
                "The mean quality score (1 to 5)",
            ),
        ),
        Column::measure(
            "convenience",
            Type::Real,
            l("Удобство", "Convenience"),
            l(
                "Средняя оценка удобства (1–5)",
                "The mean convenience score (1 to 5)",
            ),
        ),
        Column::measure(
            "speed",
            Type::Real,
            l("Скорость", "Speed"),
            l(
                "Средняя оценка скорости (1–5)",
                "The mean speed score (1 to 5)",
            ),
        ),
    ],
    period: "day",
    scoped: false,
    record: Some("service_id"),
    on_time: None,
    select: ratings_sql,
};

fn ratings_sql(b: Backend) -> String {
    format!(
        "select r.service_id, g.grp, g.channel, g.organisation_id, g.municipality_id,
            r.month || '-01' as day, r.month, {n} as ratings, {q} as quality,
            {c} as convenience, {s} as speed
         from service_rating r join gov_service g on g.service_id = r.service_id
         group by r.service_id, g.grp, g.channel, g.organisation_id, g.municipality_id, r.month",
        n = sql::integer(b, "count(*)"),
        q = sql::real(b, "avg(r.quality)"),
        c = sql::real(b, "avg(r.convenience)"),
        s = sql::real(b, "avg(r.speed)"),
    )
}

static INITIATIVES: MartDef = MartDef {
    name: "mart_initiatives",
    title: l("Законодательные инициативы", "Law-making initiatives"),
    about: l(
        "Одна строка на инициативу: уровень, этап, итог, поддержки и комментарии; без автора и текстов",
        "One row per initiative: its level, stage, outcome, supports and comments; no author and no texts",
    ),
    columns: &[
        Column::attribute(
            "initiative_id",
            Type::Integer,
            l("Инициатива", "Initiative"),
            l(
                "Номер инициативы (её страница: /participation/lawmaking/<номер>)",
                "The initiative's number (its page: /participation/lawmaking/<number>)",
            ),
        ),
        Column::dimension(
            "level",
            Type::Text,
            l("Уровень", "Level"),
            l("region или municipality", "region or municipality"),
        ),
        MUNICIPALITY,
        RESPONSIBLE,
        Column::dimension(
            "initiator_kind",
            Type::Text,
            l("Инициатор", "Initiator"),
            l(
                "citizen, group или organisation (без имени)",
                "citizen, group or organisation (never a name)",
            ),
        ),
        Column::dimension(
            "stage",
            Type::Text,
            l("Этап", "Stage"),
            l(
                "moderation, concept, discussion, text, expertise, reaction или closed",
                "moderation, concept, discussion, text, expertise, reaction or closed",
            ),
        ),
        Column::dimension(
            "outcome",
            Type::Text,
            l("Итог", "Outcome"),
            l(
                "declined, not_enough_support, adopted, sent_to_assembly, rejected; пусто, пока идёт",
                "declined, not_enough_support, adopted, sent_to_assembly, rejected; empty while under way",
            ),
        ),
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l(
                "День подачи (по Москве)",
                "The day it was submitted (Moscow time)",
            ),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l(
                "Месяц подачи (по Москве)",
                "The month it was submitted (Moscow time)",
            ),
        ),
        Column::measure(
            "supports",
            Type::Integer,
            l("Поддержки", "Supports"),
            l(
                "Сколько жителей поддержали",
                "How many residents supported it",
            ),
        ),
        Column::measure(
            "supports_needed",
            Type::Integer,
            l("Нужно поддержек", "Supports needed"),
            l(
                "Порог поддержек для рассмотрения",
                "The supports needed to proceed",
            ),
        ),
        Column::measure(
            "enough_support",
            Type::Flag,
            l("Порог достигнут", "Threshold reached"),
            l(
                "1, если поддержек не меньше порога",
                "1 when the supports reach the threshold",
            ),
        ),
        Column::measure(
            "comments",
            Type::Integer,
            l("Комментарии", "Comments"),
            l(
                "Видимых комментариев к обсуждению",
                "Visible comments in the discussion",
            ),
        ),
    ],
    period: "day",
    scoped: false,
    record: Some("initiative_id"),
    on_time: None,
    select: initiatives_sql,
};

fn initiatives_sql(b: Backend) -> String {
    format!(
        "select i.initiative_id, i.level, i.municipality_id, i.organisation_id, i.initiator_kind,
            i.stage, i.outcome, {day} as day, {month} as month, {supports} as supports,
            {needed} as supports_needed, {enough} as enough_support, {comments} as comments
         from initiative i",
        day = sql::day(b, "i.created_at"),
        month = sql::month(b, "i.created_at"),
        supports = sql::integer(b, "i.support_count"),
        needed = sql::integer(b, "i.supports_needed"),
        enough = sql::flag("i.support_count >= i.supports_needed"),
        comments = sql::integer(
            b,
            "(select count(*) from initiative_comment c
              where c.initiative_id = i.initiative_id and c.hidden = false)"
        ),
    )
}

pub struct Priorities;

#[async_trait::async_trait]
impl bi::Mart for Priorities {
    fn def(&self) -> &'static MartDef {
        &PRIORITIES
    }

    /// The priority page's rule: public ones for all, the rest for
    /// moderators and whoever proposed it.
    async fn open(
        &self,
        db: &Db,
        user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        bi::pages(keys, |k| async move {
            let Ok(id) = k.parse::<i64>() else {
                return Ok(None);
            };
            let p = super::priorities::queries::priority(db, id).await?;
            Ok(p.filter(|p| {
                p.state().is_public() || user.is_moderator() || user.account_id == p.proposed_by
            })
            .map(|p| format!("/participation/priorities/{}", p.priority_id)))
        })
        .await
    }
}

pub struct ServiceRatings;

#[async_trait::async_trait]
impl bi::Mart for ServiceRatings {
    fn def(&self) -> &'static MartDef {
        &RATINGS
    }

    /// Every service's page is public.
    async fn open(
        &self,
        db: &Db,
        _user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        bi::pages(keys, |k| async move {
            let found = super::services::queries::service(db, k).await?;
            Ok(found.map(|s| format!("/participation/services/{}", s.service_id)))
        })
        .await
    }
}

pub struct Initiatives;

#[async_trait::async_trait]
impl bi::Mart for Initiatives {
    fn def(&self) -> &'static MartDef {
        &INITIATIVES
    }

    /// The initiative page's rule (`lawmaking::service::visible`): not
    /// before moderation, except for its author and the moderators.
    async fn open(
        &self,
        db: &Db,
        user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        use super::lawmaking::{queries, service};
        bi::pages(keys, |k| async move {
            let Ok(id) = k.parse::<i64>() else {
                return Ok(None);
            };
            Ok(match queries::initiative(db, id).await? {
                Some(i) if service::visible(&i, &service::viewer(db, &i, Some(user)).await?) => {
                    Some(format!("/participation/lawmaking/{}", i.initiative_id))
                }
                _ => None,
            })
        })
        .await
    }
}
