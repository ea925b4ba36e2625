//! The reporting schema's relations of citizens' requests (`bi`): every
//! request of every kind, and every support given to one. No author, no
//! text, no address; coordinates only as the schema's grid cell.

use crate::auth::CurrentUser;
use crate::bi::{self, Column, MartDef, Type, sql};
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

const fn l(ru: &'static str, en: &'static str) -> Label {
    Label::new(ru, en)
}

const REQUEST_ID: Column = Column::attribute(
    "request_id",
    Type::Integer,
    l("Обращение", "Request"),
    l(
        "Номер обращения (его страница: /problems/<номер> и т. п.)",
        "The request's number (its page: /problems/<number> and so on)",
    ),
);
const KIND: Column = Column::dimension(
    "kind",
    Type::Text,
    l("Вид", "Kind"),
    l(
        "Вид обращения: problem (сообщение о проблеме), construction_check, suggestion, service_feedback",
        "The kind of request: problem (a problem report), construction_check, suggestion, service_feedback",
    ),
);
const CATEGORY: Column = Column::dimension(
    "category_id",
    Type::Text,
    l("Категория", "Category"),
    l("Категория обращения", "The request's category"),
)
.named(bi::CATEGORY_NAMES);
const MUNICIPALITY: Column = Column::dimension(
    "municipality_id",
    Type::Text,
    l("Муниципалитет", "Municipality"),
    l(
        "Муниципальное образование, где возникла проблема",
        "The municipality where the problem is",
    ),
)
.named(bi::MUNICIPALITY_NAMES);
const ORGANISATION: Column = Column::dimension(
    "organisation_id",
    Type::Text,
    l("Ведомство", "Department"),
    l(
        "Организация, которой направлено обращение; пусто до маршрутизации",
        "The organisation the request is routed to; empty before routing",
    ),
)
.named(bi::ORGANISATION_NAMES);
const PORTFOLIO: Column = Column::dimension(
    "portfolio_id",
    Type::Text,
    l("Портфель", "Portfolio"),
    l(
        "Портфель вице-губернатора, к которому относится ведомство",
        "The vice-governor's portfolio the department belongs to",
    ),
)
.named(bi::ORGANISATION_NAMES);
const DAY: Column = Column::dimension(
    "day",
    Type::Date,
    l("День", "Day"),
    l(
        "День подачи (по Москве)",
        "The day it was submitted (Moscow time)",
    ),
);
const MONTH: Column = Column::dimension(
    "month",
    Type::Month,
    l("Месяц", "Month"),
    l(
        "Месяц подачи (по Москве)",
        "The month it was submitted (Moscow time)",
    ),
);

static REQUESTS: MartDef = MartDef {
    name: "mart_requests",
    title: l("Обращения граждан", "Citizens' requests"),
    about: l(
        "Одна строка на обращение любого вида: состояние, срок ответа (10 дней) соблюдён или нет, время до реакции, где и кому",
        "One row per request of any kind: its state, whether the answer deadline (10 days) was met, the time to the reaction, where and to whom",
    ),
    columns: &[
        REQUEST_ID,
        KIND,
        Column::dimension(
            "state",
            Type::Text,
            l("Состояние", "State"),
            l(
                "Состояние: submitted, published, in_progress, planned, resolved, reopened, closed, rejected, hidden, needs_clarification",
                "The state: submitted, published, in_progress, planned, resolved, reopened, closed, rejected, hidden, needs_clarification",
            ),
        ),
        CATEGORY,
        MUNICIPALITY,
        ORGANISATION,
        PORTFOLIO,
        DAY,
        MONTH,
        Column::dimension(
            "is_public",
            Type::Flag,
            l("Опубликовано", "Public"),
            l(
                "1, если обращение видно всем",
                "1 when the request is shown to everyone",
            ),
        ),
        Column::measure(
            "reacted",
            Type::Flag,
            l("Есть ответ", "Answered"),
            l(
                "1, если ведомство дало официальную реакцию",
                "1 when the department gave its official reaction",
            ),
        ),
        Column::measure(
            "sla_met",
            Type::Flag,
            l("Ответ в срок", "Answered in time"),
            l(
                "1 — реакция не позже срока, 0 — позже или срок прошёл без реакции; пусто, пока срок не наступил или не назначен",
                "1: the reaction came by the deadline; 0: after it, or the deadline passed without one; empty while the deadline is ahead or not set",
            ),
        ),
        Column::measure(
            "hours_to_reaction",
            Type::Real,
            l("Часы до реакции", "Hours to reaction"),
            l(
                "Часов от публикации (или подачи) до официальной реакции",
                "Hours from publication (or submission) to the official reaction",
            ),
        ),
        Column::measure(
            "resolved",
            Type::Flag,
            l("Решено", "Resolved"),
            l(
                "1, если проблема отмечена решённой",
                "1 when the problem was marked resolved",
            ),
        ),
        Column::measure(
            "supports",
            Type::Integer,
            l("Поддержки", "Supports"),
            l(
                "Сколько жителей поддержали обращение",
                "How many residents supported the request",
            ),
        ),
        bi::LAT_CELL,
        bi::LON_CELL,
    ],
    period: "day",
    scoped: true,
    record: Some("request_id"),
    on_time: Some("sla_met"),
    select: requests_sql,
};

fn requests_sql(b: Backend) -> String {
    let public = "a.state not in ('submitted', 'needs_clarification', 'rejected', 'hidden')";
    let sla = format!(
        "case when a.reacted_at is not null and a.due_at is not null then {met}
              when a.reacted_at is null and a.due_at is not null and {passed} then 0
              else null end",
        met = sql::flag(&sql::not_after(b, "a.reacted_at", "a.due_at")),
        passed = sql::before_now(b, "a.due_at"),
    );
    format!(
        "select a.appeal_id as request_id, a.kind, a.state, a.category_id, a.municipality_id,
            a.organisation_id, mo.portfolio_id, {day} as day, {month} as month,
            {public} as is_public, {reacted} as reacted, {sla} as sla_met,
            {hours} as hours_to_reaction, {resolved} as resolved,
            {supports} as supports, {lat} as lat_cell, {lon} as lon_cell
         from appeal a left join mart_organisations mo on mo.organisation_id = a.organisation_id",
        day = sql::day(b, "a.created_at"),
        month = sql::month(b, "a.created_at"),
        public = sql::flag(public),
        reacted = sql::flag("a.reacted_at is not null"),
        hours = sql::hours_between(b, "coalesce(a.published_at, a.created_at)", "a.reacted_at"),
        resolved = sql::flag("a.resolved_at is not null"),
        supports = sql::integer(b, "a.support_count"),
        lat = sql::grid(b, "a.lat"),
        lon = sql::grid(b, "a.lon"),
    )
}

static SUPPORTS: MartDef = MartDef {
    name: "mart_supports",
    title: l("Поддержки обращений", "Supports of requests"),
    about: l(
        "Одна строка на поддержку обращения жителем — без того, кто поддержал",
        "One row per resident's support of a request, without who gave it",
    ),
    columns: &[
        REQUEST_ID,
        KIND,
        CATEGORY,
        MUNICIPALITY,
        ORGANISATION,
        PORTFOLIO,
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l(
                "День поддержки (по Москве)",
                "The day of the support (Moscow time)",
            ),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l(
                "Месяц поддержки (по Москве)",
                "The month of the support (Moscow time)",
            ),
        ),
    ],
    period: "day",
    scoped: true,
    record: Some("request_id"),
    on_time: None,
    select: supports_sql,
};

fn supports_sql(b: Backend) -> String {
    format!(
        "select s.appeal_id as request_id, a.kind, a.category_id, a.municipality_id,
            a.organisation_id, mo.portfolio_id, {day} as day, {month} as month
         from appeal_support s join appeal a on a.appeal_id = s.appeal_id
         left join mart_organisations mo on mo.organisation_id = a.organisation_id",
        day = sql::day(b, "s.created_at"),
        month = sql::month(b, "s.created_at"),
    )
}

/// The requests' rule decides what a drill-down opens: public requests for
/// everyone in the core, the rest for the request's own staff
/// (`is_staff_of`).
async fn open_requests(
    db: &Db,
    user: &CurrentUser,
    keys: &[String],
) -> AppResult<Vec<Option<String>>> {
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let Ok(id) = k.parse::<i64>() else {
            out.push(None);
            continue;
        };
        out.push(match super::queries::appeal(db, id).await? {
            Some(a) if a.state().is_public() || super::is_staff_of(&a, user) => {
                Some(super::Kind::of(&a.kind).path(id))
            }
            _ => None,
        });
    }
    Ok(out)
}

pub struct Requests;

#[async_trait::async_trait]
impl bi::Mart for Requests {
    fn def(&self) -> &'static MartDef {
        &REQUESTS
    }

    async fn open(
        &self,
        db: &Db,
        user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        open_requests(db, user, keys).await
    }
}

pub struct Supports;

#[async_trait::async_trait]
impl bi::Mart for Supports {
    fn def(&self) -> &'static MartDef {
        &SUPPORTS
    }

    async fn open(
        &self,
        db: &Db,
        user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        open_requests(db, user, keys).await
    }
}
