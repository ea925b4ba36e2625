//! The reporting schema's relations of construction supervision (`bi`):
//! every object of the registry and every citizen's check request. No
//! developer, address or name: an object is its kind, state, municipality
//! and grid cell. Checks are requests of the workflow, so their state and
//! answer deadline are in `mart_requests` already; this relation adds what
//! only a check has: the object and the inspector's outcome.

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
        "Муниципальное образование объекта",
        "The object's municipality",
    ),
)
.named(bi::MUNICIPALITY_NAMES);

static OBJECTS: MartDef = MartDef {
    name: "mart_construction_objects",
    title: l("Объекты строительства", "Construction objects"),
    about: l(
        "Одна строка на объект реестра: состояние, признак самовольной постройки, сроки, проверки; место — только ячейка сетки",
        "One row per object of the registry: its state, the illegal-construction flag, its dates and checks; the place only as a grid cell",
    ),
    columns: &[
        Column::attribute(
            "object_id",
            Type::Integer,
            l("Объект", "Object"),
            l(
                "Номер объекта (его страница: /construction/objects/<номер>)",
                "The object's number (its page: /construction/objects/<number>)",
            ),
        ),
        MUNICIPALITY,
        Column::dimension(
            "status",
            Type::Text,
            l("Состояние", "Status"),
            l(
                "planned, under_construction, suspended, completed, illegal или demolished",
                "planned, under_construction, suspended, completed, illegal or demolished",
            ),
        ),
        Column::dimension(
            "source",
            Type::Text,
            l("Источник", "Source"),
            l(
                "Как объект попал в реестр: officer (внесён сотрудником), import (из таблицы), check (по проверке)",
                "How the object entered the registry: officer (entered by staff), import (a spreadsheet), check (from a check)",
            ),
        ),
        Column::dimension(
            "illegal",
            Type::Flag,
            l("Самовольная постройка", "Illegal construction"),
            l(
                "1, если объект в реестре самовольных построек (нарушение подтверждено)",
                "1 when the object is in the registry of illegal constructions (a confirmed violation)",
            ),
        ),
        Column::dimension(
            "has_permit",
            Type::Flag,
            l("Есть разрешение", "Has a permit"),
            l(
                "1, если указан номер разрешения на строительство",
                "1 when a building permit number is recorded",
            ),
        ),
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l(
                "День внесения в реестр (по Москве)",
                "The day it entered the registry (Moscow time)",
            ),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l(
                "Месяц внесения в реестр (по Москве)",
                "The month it entered the registry (Moscow time)",
            ),
        ),
        Column::dimension(
            "planned_end_month",
            Type::Month,
            l("Плановый месяц окончания", "Planned completion month"),
            l(
                "Месяц планового окончания строительства; пусто, если не указан",
                "The month construction is planned to end; empty when not given",
            ),
        ),
        Column::measure(
            "overdue",
            Type::Flag,
            l("Срок сорван", "Past its planned end"),
            l(
                "1, если плановый срок окончания прошёл, а объект не завершён (planned, under_construction, suspended)",
                "1 when the planned end has passed and the object is not finished (planned, under_construction, suspended)",
            ),
        ),
        Column::measure(
            "floors",
            Type::Integer,
            l("Этажность", "Floors"),
            l(
                "Число этажей, если известно",
                "The number of floors, if known",
            ),
        ),
        Column::measure(
            "checks",
            Type::Integer,
            l("Проверки", "Checks"),
            l(
                "Сколько обращений о проверке связано с объектом",
                "How many check requests concern the object",
            ),
        ),
        bi::LAT_CELL,
        bi::LON_CELL,
    ],
    period: "day",
    scoped: false,
    record: Some("object_id"),
    on_time: None,
    select: objects_sql,
};

fn objects_sql(b: Backend) -> String {
    let overdue = format!(
        "o.status in ('planned', 'under_construction', 'suspended')
         and o.planned_end is not null and o.planned_end <> '' and substr(o.planned_end, 1, 10) < {today}",
        today = sql::today(b),
    );
    format!(
        "select o.object_id, o.municipality_id, o.status, o.source, {illegal} as illegal,
            {permit} as has_permit, {day} as day, {month} as month,
            (case when o.planned_end is null or o.planned_end = '' then null
                  else substr(o.planned_end, 1, 7) end) as planned_end_month,
            {overdue} as overdue, {floors} as floors,
            {checks} as checks, {lat} as lat_cell, {lon} as lon_cell
         from construction_object o",
        illegal = sql::flag("o.illegal = true"),
        permit = sql::flag("o.permit_number is not null and o.permit_number <> ''"),
        day = sql::day(b, "o.created_at"),
        month = sql::month(b, "o.created_at"),
        overdue = sql::flag(&overdue),
        floors = sql::integer(b, "o.floors"),
        checks = sql::integer(
            b,
            "(select count(*) from construction_check c where c.object_id = o.object_id)"
        ),
        lat = sql::grid(b, "o.lat"),
        lon = sql::grid(b, "o.lon"),
    )
}

static CHECKS: MartDef = MartDef {
    name: "mart_construction_checks",
    title: l("Проверки строек", "Construction checks"),
    about: l(
        "Одна строка на обращение о проверке стройки: объект, итог проверки и когда он получен. Состояние и срок ответа — в mart_requests (kind = construction_check)",
        "One row per request to check a construction site: the object, the check's outcome and when it came. The state and answer deadline are in mart_requests (kind = construction_check)",
    ),
    columns: &[
        Column::attribute(
            "check_id",
            Type::Integer,
            l("Проверка", "Check"),
            l(
                "Номер обращения (его страница: /construction/checks/<номер>; тот же номер, что request_id в mart_requests)",
                "The request's number (its page: /construction/checks/<number>; the same as request_id in mart_requests)",
            ),
        ),
        Column::attribute(
            "object_id",
            Type::Integer,
            l("Объект", "Object"),
            l(
                "Объект реестра, к которому относится проверка; пусто, пока не сопоставлен",
                "The registry object the check concerns; empty until matched",
            ),
        ),
        Column::dimension(
            "municipality_id",
            Type::Text,
            l("Муниципалитет", "Municipality"),
            l(
                "Муниципальное образование обращения",
                "The request's municipality",
            ),
        )
        .named(bi::MUNICIPALITY_NAMES),
        Column::dimension(
            "organisation_id",
            Type::Text,
            l("Ведомство", "Department"),
            l(
                "Организация, проводящая проверку",
                "The organisation carrying out the check",
            ),
        )
        .named(bi::ORGANISATION_NAMES),
        Column::dimension(
            "portfolio_id",
            Type::Text,
            l("Портфель", "Portfolio"),
            l(
                "Портфель вице-губернатора, к которому относится ведомство",
                "The vice-governor's portfolio the department belongs to",
            ),
        )
        .named(bi::ORGANISATION_NAMES),
        Column::dimension(
            "result",
            Type::Text,
            l("Итог", "Outcome"),
            l(
                "permit_found_legal (разрешение есть), violation_confirmed (нарушение подтверждено), not_confirmed; pending — пока не проверено",
                "permit_found_legal, violation_confirmed, not_confirmed; pending until checked",
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
            "decided",
            Type::Flag,
            l("Проверено", "Checked"),
            l(
                "1, если итог проверки внесён",
                "1 when the outcome is recorded",
            ),
        ),
        Column::measure(
            "violation",
            Type::Flag,
            l("Нарушение", "Violation"),
            l(
                "1, если нарушение подтверждено",
                "1 when a violation was confirmed",
            ),
        ),
        Column::measure(
            "days_to_decision",
            Type::Integer,
            l("Дней до итога", "Days to outcome"),
            l(
                "Полных дней от подачи до итога проверки",
                "Whole days from submission to the outcome",
            ),
        ),
    ],
    period: "day",
    scoped: true,
    record: Some("check_id"),
    on_time: None,
    select: checks_sql,
};

fn checks_sql(b: Backend) -> String {
    format!(
        "select c.appeal_id as check_id, c.object_id, a.municipality_id, a.organisation_id,
            mo.portfolio_id, coalesce(c.result, 'pending') as result,
            {day} as day, {month} as month, {decided} as decided, {violation} as violation,
            {days} as days_to_decision
         from construction_check c join appeal a on a.appeal_id = c.appeal_id
         left join mart_organisations mo on mo.organisation_id = a.organisation_id",
        day = sql::day(b, "a.created_at"),
        month = sql::month(b, "a.created_at"),
        decided = sql::flag("c.result is not null"),
        violation = sql::flag("c.result = 'violation_confirmed'"),
        days = sql::days_between(b, "a.created_at", "c.decided_at"),
    )
}

pub struct Objects;

#[async_trait::async_trait]
impl bi::Mart for Objects {
    fn def(&self) -> &'static MartDef {
        &OBJECTS
    }

    /// The registry is public: every object's page opens for everyone.
    async fn open(
        &self,
        db: &Db,
        _user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let found = match k.parse::<i64>() {
                Ok(id) => super::queries::object(db, id).await?.map(|_| id),
                Err(_) => None,
            };
            out.push(found.map(|id| format!("/construction/objects/{id}")));
        }
        Ok(out)
    }
}

pub struct Checks;

#[async_trait::async_trait]
impl bi::Mart for Checks {
    fn def(&self) -> &'static MartDef {
        &CHECKS
    }

    /// A check is a request: its page's own rule (public once published,
    /// else its staff) decides.
    async fn open(
        &self,
        db: &Db,
        user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let seen = crate::workflow::page::visible_kind(db, super::CHECK, k, Some(user)).await;
            out.push(
                seen.ok()
                    .map(|a| format!("/construction/checks/{}", a.appeal_id)),
            );
        }
        Ok(out)
    }
}
