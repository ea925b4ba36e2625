//! Small fixtures for the reporting schema's tests: rows of every feature
//! that has a relation, written straight into the feature's tables with
//! fixed times, so that each figure a relation shows can be computed by
//! hand (`marts.rs`). Every free text and every person's name in them is
//! `who`'s, so the privacy test (`privacy.rs`) can look for it in the
//! relations.

use time::macros::datetime;
use time::{Date, OffsetDateTime};

use crate::helpers::TestApp;

/// Whose names and e-mail the fixture's texts carry.
pub struct Who<'a> {
    pub account: i64,
    pub name: &'a str,
    pub email: &'a str,
}

/// Runs an insert that returns one id.
macro_rules! id {
    ($app:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        veche::on_db!(&$app.state.db, |pool| sqlx::query_scalar::<_, i64>($sql)
            $(.bind($arg))*
            .fetch_one(pool)
            .await)
        .unwrap()
    };
}

/// Runs a statement.
macro_rules! run {
    ($app:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        veche::exec_db!(&$app.state.db, $sql $(, $arg)*).unwrap()
    };
}

pub fn day(s: &str) -> Date {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}

pub fn days_ago(n: i64) -> OffsetDateTime {
    veche::db::now() - time::Duration::days(n)
}

/// One text value of a query (`None` for null).
pub async fn text(app: &TestApp, sql: &str) -> Option<String> {
    let sql = sql.to_owned();
    veche::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(pool)
            .await
    })
    .unwrap()
}

/// One real value of a query (`None` for null).
pub async fn real(app: &TestApp, sql: &str) -> Option<f64> {
    let sql = sql.to_owned();
    veche::on_db!(&app.state.db, |pool| sqlx::query_scalar::<_, Option<f64>>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .fetch_one(pool)
    .await)
    .unwrap()
}

/// One integer value of a query (`None` for null). Flags are `integer`
/// (32 bits) on PostgreSQL, counts `bigint`: either is read.
pub async fn int(app: &TestApp, sql: &str) -> Option<i64> {
    use sqlx::Row;
    let sql = sql.to_owned();
    match &app.state.db {
        veche::db::Db::Postgres(pool) => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_one(pool)
                .await
                .unwrap();
            row.try_get::<Option<i64>, _>(0)
                .or_else(|_| row.try_get::<Option<i32>, _>(0).map(|v| v.map(i64::from)))
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
        veche::db::Db::Sqlite(pool) => {
            sqlx::query_scalar::<_, Option<i64>>(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool)
                .await
                .unwrap()
        }
    }
}

async fn category(app: &TestApp, kind: &str) -> String {
    text(
        app,
        &format!(
            "select category_id from category where kind = '{kind}' order by category_id limit 1"
        ),
    )
    .await
    .expect("a category of the kind")
}

/// An appeal of `kind` by `who`, at an exact point, with its clocks.
#[allow(clippy::too_many_arguments)]
pub async fn appeal(
    app: &TestApp,
    who: &Who<'_>,
    kind: &str,
    state: &str,
    org: Option<&str>,
    created: OffsetDateTime,
    due: Option<OffsetDateTime>,
    reacted: Option<OffsetDateTime>,
) -> i64 {
    let category = category(app, kind).await;
    id!(
        app,
        "insert into appeal (kind, state, category_id, municipality_id, organisation_id, author_id,
             description, address, lat, lon, support_count, reaction_text, created_at,
             published_at, due_at, reacted_at, updated_at)
         values ($1, $2, $3, 'krasnodar', $4, $5, $6, $7, 45.0431234, 38.9761234, 0, $8, $9, $9,
                 $10, $11, $9)
         returning appeal_id",
        kind,
        state,
        category,
        org,
        who.account,
        format!("{} ({}) пишет о проблеме", who.name, who.email),
        format!("ул. Красная, 1, кв. 5, {}", who.name),
        reacted.map(|_| format!("Ответ для {}", who.name)),
        created,
        due,
        reacted
    )
}

/// Supports of an appeal by the accounts, at `at`.
pub async fn support(app: &TestApp, appeal: i64, accounts: &[i64], at: OffsetDateTime) {
    for a in accounts {
        run!(
            app,
            "insert into appeal_support (appeal_id, account_id, created_at) values ($1, $2, $3)",
            appeal,
            *a,
            at
        );
    }
    run!(
        app,
        "update appeal set support_count = support_count + $2 where appeal_id = $1",
        appeal,
        accounts.len() as i64
    );
}

/// An order of `org`, given by `vg-economy`, under `parent`.
#[allow(clippy::too_many_arguments)]
pub async fn order(
    app: &TestApp,
    who: &Who<'_>,
    org: &str,
    parent: Option<i64>,
    state: &str,
    created: OffsetDateTime,
    deadline: OffsetDateTime,
    done: Option<OffsetDateTime>,
) -> i64 {
    id!(
        app,
        "insert into pm_order (parent_id, title, description, source, creator_id,
             creator_organisation_id, organisation_id, executor_id, deadline, state, report_text,
             created_at, updated_at, done_at)
         values ($1, $2, $3, 'manual', $4, 'vg-economy', $5, $4, $6, $7, $8, $9, $9, $10)
         returning order_id",
        parent,
        format!("Позвонить {}", who.name),
        format!("Связаться по {}", who.email),
        who.account,
        org,
        deadline,
        state,
        format!("Сделано, сообщил {}", who.name),
        created,
        done
    )
}

/// Three construction objects and two checks (`marts.rs` says which).
pub async fn construction(app: &TestApp, who: &Who<'_>) -> (i64, i64, i64, i64, i64) {
    let object = |status: &'static str, illegal: bool, end: &'static str| {
        let name = format!("Дом {}", who.name);
        async move {
            id!(
                app,
                "insert into construction_object (name, address, address_norm, lat, lon,
                     municipality_id, permit_number, developer, floors, planned_end, status,
                     illegal, source, created_at, updated_at)
                 values ($1, $2, $2, 45.0431234, 38.9761234, 'krasnodar', $3, $4, 9, $5, $6, $7,
                         'officer', $8, $8)
                 returning object_id",
                name.clone(),
                format!("ул. Садовая, 5, {}", who.email),
                (!illegal).then_some("RU-23-1"),
                format!("ИП {}", who.name),
                end,
                status,
                illegal,
                datetime!(2026-02-01 10:00 UTC)
            )
        }
    };
    let o1 = object("under_construction", false, "2026-01-31").await;
    let o2 = object("illegal", true, "").await;
    let o3 = object("completed", false, "2026-01-31").await;
    let created = datetime!(2026-03-02 07:00 UTC);
    let k1 = appeal(
        app,
        who,
        "construction_check",
        "resolved",
        Some("dep-construction-supervision"),
        created,
        None,
        None,
    )
    .await;
    run!(
        app,
        "insert into construction_check (appeal_id, object_id, result, result_note, decided_by, decided_at)
         values ($1, $2, 'violation_confirmed', $3, $4, $5)",
        k1,
        o2,
        format!("Проверил {}", who.name),
        who.account,
        created + time::Duration::hours(80)
    );
    let k2 = appeal(
        app,
        who,
        "construction_check",
        "published",
        Some("dep-construction-supervision"),
        created,
        None,
        None,
    )
    .await;
    run!(
        app,
        "insert into construction_check (appeal_id) values ($1)",
        k2
    );
    (o1, o2, o3, k1, k2)
}

/// Staff of `min-economy`: an old schedule (replaced) and the one in force
/// with four positions (`marts.rs` computes the figures).
pub async fn staff(app: &TestApp, who: &Who<'_>) {
    let unit = id!(
        app,
        "insert into staff_unit (organisation_id, code, name) values ('min-economy', 'U1', 'Отдел')
         returning unit_id"
    );
    let schedule = |from: &'static str| async move {
        id!(
            app,
            "insert into staff_schedule (organisation_id, order_number, order_date, valid_from, created_at)
             values ('min-economy', '1-ш', $1, $1, $2) returning schedule_id",
            day(from),
            datetime!(2025-01-01 10:00 UTC)
        )
    };
    let old = schedule("2025-01-01").await;
    let now = schedule("2026-01-01").await;
    for (code, rates, key, schedule) in [
        ("P1", 100_i64, true, now),
        ("P2", 200, false, now),
        ("P3", 100, true, now),
        ("P4", 100, false, now),
        ("P5", 300, false, old),
    ] {
        let position = id!(
            app,
            "insert into staff_position (organisation_id, code) values ('min-economy', $1)
             on conflict (organisation_id, code) do update set code = excluded.code
             returning position_id",
            code
        );
        run!(
            app,
            "insert into staff_line (schedule_id, position_id, unit_id, title, category, grade,
                 key_position, rates)
             values ($1, $2, $3, 'Специалист', 'specialists', 'leading', $4, $5)",
            schedule,
            position,
            unit,
            key,
            rates
        );
        let held: &[(i64, &str, Option<&str>)] = match code {
            "P1" => &[(100, "2026-01-01", None)],
            "P2" => &[(100, "2026-01-01", None)],
            "P4" => &[(100, "2026-01-01", Some("2026-02-01"))],
            "P5" => &[(300, "2025-01-01", None)],
            _ => &[],
        };
        for (rate, from, to) in held {
            run!(
                app,
                "insert into staff_assignment (position_id, person_name, rate, acting, starts_on,
                     ends_on, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7)",
                position,
                format!("{} {code}", who.name),
                *rate,
                false,
                day(from),
                to.map(day),
                datetime!(2026-01-01 10:00 UTC)
            );
        }
    }
}

/// Three court cases with a private person as the other party.
pub async fn courts(app: &TestApp, who: &Who<'_>) -> (i64, i64, i64) {
    let case = |org: &'static str,
                role: &'static str,
                category: &'static str,
                claimed: i64,
                awarded: Option<i64>,
                outcome: &'static str,
                final_on: Option<&'static str>| {
        let subject = format!("Иск {} ({})", who.name, who.email);
        async move {
            let id = id!(
                app,
                "insert into court_case (organisation_id, role, subject, category, procedure,
                     claimed, awarded, risk, outcome, final_on, created_at, updated_at)
                 values ($1, $2, $3, $4, 'gpk', $5, $6, 'possible', $7, $8, $9, $9)
                 returning case_id",
                org,
                role,
                subject,
                category,
                claimed,
                awarded,
                outcome,
                final_on.map(day),
                datetime!(2026-04-01 06:00 UTC)
            );
            run!(
                app,
                "insert into court_party (case_id, kind, role, name) values ($1, 'person', 'plaintiff', $2)",
                id,
                who.name
            );
            id
        }
    };
    let c1 = case(
        "min-economy",
        "defendant",
        "contract",
        150_000,
        Some(50_000),
        "partly",
        Some("2026-05-20"),
    )
    .await;
    let c2 = case(
        "min-economy",
        "plaintiff",
        "land",
        1_000_000,
        None,
        "pending",
        None,
    )
    .await;
    let c3 = case(
        "min-health",
        "defendant",
        "labour",
        0,
        None,
        "pending",
        None,
    )
    .await;
    for (case, level) in [(c1, "first"), (c1, "appeal"), (c2, "first")] {
        run!(
            app,
            "insert into court_instance (case_id, level, court, number, dedup_key, received_on)
             values ($1, $2, 'Краснодарский краевой суд', $3, $3, $4)",
            case,
            level,
            format!("2-{case}-{level}"),
            day("2026-04-02")
        );
    }
    (c1, c2, c3)
}

/// Two indicators: one with two revisions and targets, one in a band.
pub async fn indicators(app: &TestApp) {
    let up = id!(
        app,
        "insert into indicator (code, name_ru, name_en, direction, organisation_id, created_at)
         values ('mart-up', 'Рост', 'Growth', 'up', 'min-economy', $1) returning indicator_id",
        datetime!(2025-01-01 10:00 UTC)
    );
    let band = id!(
        app,
        "insert into indicator (code, name_ru, name_en, direction, band_low, band_high, created_at)
         values ('mart-band', 'Коридор', 'Band', 'band', 1.0, 3.0, $1) returning indicator_id",
        datetime!(2025-01-01 10:00 UTC)
    );
    for (ind, year, value, revision, current) in [
        (up, 2025_i64, 10.0_f64, 1_i64, false),
        (up, 2025, 12.0, 2, true),
        (up, 2026, 8.0, 1, true),
        (band, 2025, 5.0, 1, true),
    ] {
        run!(
            app,
            "insert into indicator_value (indicator_id, territory, year, value, status, revision,
                 current, recorded_at)
             values ($1, '', $2, $3, 'final', $4, $5, $6)",
            ind,
            year,
            value,
            revision,
            current,
            datetime!(2026-02-01 10:00 UTC)
        );
    }
    for (year, value) in [(2025_i64, 11.0_f64), (2026, 9.0)] {
        run!(
            app,
            "insert into indicator_target (indicator_id, year, value, basis, set_at)
             values ($1, $2, $3, 'Указ', $4)",
            up,
            year,
            value,
            datetime!(2025-01-01 10:00 UTC)
        );
    }
}

/// A monthly form of two items reported by two organisations.
pub async fn reports(app: &TestApp, who: &Who<'_>) {
    let form = id!(
        app,
        "insert into report_form (code, name_ru, name_en, period_type, organisation_id, due_days,
             lock_days, approval, starts, created_at)
         values ('mart-form', 'Форма', 'Form', 'month', 'min-economy', 5, 30, $1, '2026-01', $2)
         returning form_id",
        false,
        datetime!(2026-01-01 10:00 UTC)
    );
    let item = |code: &'static str, sort: i64| async move {
        id!(
            app,
            "insert into report_item (form_id, code, name_ru, name_en, required, direction,
                 aggregation, sort)
             values ($1, $2, $2, $2, $3, 'up', 'sum', $4) returning item_id",
            form,
            code,
            true,
            sort
        )
    };
    let a = item("a", 1).await;
    let b = item("b", 2).await;
    for (org, values) in [
        ("min-economy", vec![(a, Some(120.0_f64)), (b, None)]),
        ("min-health", vec![(a, Some(80.0))]),
    ] {
        run!(
            app,
            "insert into report_owed (form_id, organisation_id) values ($1, $2)",
            form,
            org
        );
        let s = id!(
            app,
            "insert into report_submission (form_id, organisation_id, period, state, note, updated_at)
             values ($1, $2, '2026-07', 'accepted', $3, $4) returning submission_id",
            form,
            org,
            format!("Заполнил {}", who.name),
            datetime!(2026-08-03 10:00 UTC)
        );
        for (item, value) in values {
            run!(
                app,
                "insert into report_value (submission_id, item_id, value, comment) values ($1, $2, $3, $4)",
                s,
                item,
                value,
                format!("Пояснение {} {}", who.name, who.email)
            );
        }
        for (version, value, current) in [(1_i64, 90.0_f64, false), (2, 100.0, true)] {
            run!(
                app,
                "insert into report_plan (item_id, organisation_id, period, value, version, basis,
                     current, set_at)
                 values ($1, $2, '2026-07', $3, $4, 'План', $5, $6)",
                a,
                org,
                value,
                version,
                current,
                datetime!(2026-01-01 10:00 UTC)
            );
        }
    }
}

/// Two stories: one negative about the ministry, its official (`who`), a
/// municipality and the region; one positive about another ministry that
/// an officer marked negative.
pub async fn press(app: &TestApp, who: &Who<'_>) {
    let source = id!(
        app,
        "insert into press_source (name, kind, created_at, updated_at)
         values ('Кубанские новости', 'regional', $1, $1) returning source_id",
        datetime!(2026-01-01 10:00 UTC)
    );
    let official = id!(
        app,
        "insert into press_official (name, role, organisation_id, created_at)
         values ($1, 'министр', 'min-economy', $2) returning official_id",
        who.name,
        datetime!(2026-01-01 10:00 UTC)
    );
    let story = |n: i64, tone: &'static str| {
        let title = format!("{} ответил журналистам, пишите {}", who.name, who.email);
        async move {
            id!(
                app,
                "insert into press_story (url, url_key, title, title_hash, snippet, published_at, day,
                     first_seen_at, source_id, tone)
                 values ($1, $1, $2, $1, $2, $3, $4, $3, $5, $6) returning story_id",
                format!("https://kuban.example/{n}"),
                title,
                datetime!(2026-06-10 21:30 UTC),
                day("2026-06-11"),
                source,
                tone
            )
        }
    };
    let s1 = story(1, "neg").await;
    let s2 = story(2, "pos").await;
    for (s, entity, tone) in [
        (s1, "org:min-economy".to_owned(), None),
        (s1, format!("official:{official}"), None),
        (s1, "mun:krasnodar".to_owned(), None),
        (s1, "region".to_owned(), None),
        (s2, "org:min-health".to_owned(), Some("neg")),
    ] {
        run!(
            app,
            "insert into press_mention (story_id, entity, day, tone_override) values ($1, $2, $3, $4)",
            s,
            entity,
            day("2026-06-11"),
            tone
        );
    }
}

/// A priority with supports in two quarters, a service with ratings in two
/// months, and an initiative with comments. `residents` support and rate.
pub async fn participation(app: &TestApp, who: &Who<'_>, residents: &[i64; 3]) -> (i64, i64) {
    let priority = id!(
        app,
        "insert into priority (title, description, municipality_id, topic, organisation_id, state,
             proposed_by, created_at, published_at, updated_at)
         values ($1, $2, 'krasnodar', 'roads', 'min-economy', 'published', $3, $4, $4, $4)
         returning priority_id",
        format!("Дорога к дому {}", who.name),
        format!("Предложил {} ({})", who.name, who.email),
        who.account,
        datetime!(2026-07-01 10:00 UTC)
    );
    for (account, quarter, residence, withdrawn) in [
        (residents[0], "2026Q3", "verified", false),
        (residents[1], "2026Q3", "declared", false),
        (residents[2], "2026Q3", "verified", true),
        (residents[0], "2026Q4", "verified", false),
    ] {
        run!(
            app,
            "insert into priority_support (priority_id, account_id, quarter, municipality_id,
                 residence, created_at, withdrawn_at)
             values ($1, $2, $3, 'krasnodar', $4, $5, $6)",
            priority,
            account,
            quarter,
            residence,
            datetime!(2026-08-01 10:00 UTC),
            withdrawn.then_some(datetime!(2026-08-02 10:00 UTC))
        );
    }
    run!(
        app,
        "insert into priority_snapshot (quarter, computed_at, declared_weight, population_source,
             population_year, priorities, supports)
         values ('2026Q3', $1, 0.5, 'Росстат', 2025, 1, 2)",
        datetime!(2026-10-01 10:00 UTC)
    );
    run!(
        app,
        "insert into priority_rank (quarter, scope, priority_id, position, score, supporters_verified,
             supporters_declared, participants_verified, participants_declared, wilson_lower)
         values ('2026Q3', 'region', $1, 1, 0.75, 1, 1, 1, 1, 0.1)",
        priority
    );
    run!(
        app,
        "insert into gov_service (service_id, grp, name_ru, name_en, organisation_id, channel, created_at)
         values ('mart-svc', 'permits', 'Услуга', 'Service', 'min-economy', 'mfc', $1)",
        datetime!(2026-01-01 10:00 UTC)
    );
    for (account, month, q, c, s) in [
        (residents[0], "2026-10", 5_i64, 4_i64, 3_i64),
        (residents[1], "2026-10", 3, 4, 5),
        (residents[0], "2026-11", 1, 1, 1),
    ] {
        run!(
            app,
            "insert into service_rating (service_id, account_id, month, quality, convenience, speed,
                 comment, created_at)
             values ('mart-svc', $1, $2, $3, $4, $5, $6, $7)",
            account,
            month,
            q,
            c,
            s,
            format!("Спасибо, {}", who.name),
            datetime!(2026-10-15 10:00 UTC)
        );
    }
    let initiative = id!(
        app,
        "insert into initiative (title, problem, idea, level, initiator_kind, author_id,
             organisation_id, stage, supports_needed, support_count, stage_started_at, created_at,
             updated_at)
         values ($1, $2, $2, 'region', 'citizen', $3, 'min-economy', 'discussion', 3, 5, $4, $4, $4)
         returning initiative_id",
        format!("Закон {}", who.name),
        format!("Пишите {}", who.email),
        who.account,
        datetime!(2026-05-05 22:00 UTC)
    );
    for hidden in [false, false, true] {
        run!(
            app,
            "insert into initiative_comment (initiative_id, author_id, body, hidden, created_at)
             values ($1, $2, $3, $4, $5)",
            initiative,
            who.account,
            format!("Согласен, {}", who.name),
            hidden,
            datetime!(2026-05-06 10:00 UTC)
        );
    }
    (priority, initiative)
}
