//! Every relation of the reporting schema against figures computed by hand
//! from a small fixture (`fixture.rs`), on both backends: the same SQL must
//! give the same values on SQLite and PostgreSQL.

use time::Duration;
use time::macros::datetime;

use super::fixture::{self, Who, days_ago, int, real, text};
use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::citizen;

pub async fn person(app: &TestApp, email: &'static str, name: &'static str) -> Who<'static> {
    Who {
        account: citizen(app, email, name).await,
        name,
        email,
    }
}

async fn i(app: &TestApp, sql: &str) -> i64 {
    int(app, sql)
        .await
        .unwrap_or_else(|| panic!("null from {sql}"))
}

async fn r(app: &TestApp, sql: &str) -> f64 {
    real(app, sql)
        .await
        .unwrap_or_else(|| panic!("null from {sql}"))
}

async fn t(app: &TestApp, sql: &str) -> String {
    text(app, sql)
        .await
        .unwrap_or_else(|| panic!("null from {sql}"))
}

both_backends!(mart_orders_counts_depth_lateness_and_portfolio, |app| {
    let who = person(&app, "orders@example.ru", "Исполнитель").await;
    let econ = "min-economy";
    let o1 = fixture::order(
        &app,
        &who,
        econ,
        None,
        "done",
        datetime!(2026-03-10 22:30 UTC),
        datetime!(2026-03-10 15:00 UTC),
        Some(datetime!(2026-03-12 10:00 UTC)),
    )
    .await;
    let o2 = fixture::order(
        &app,
        &who,
        econ,
        Some(o1),
        "done",
        datetime!(2026-03-11 10:00 UTC),
        datetime!(2026-03-20 15:00 UTC),
        Some(datetime!(2026-03-15 10:00 UTC)),
    )
    .await;
    let o3 = fixture::order(
        &app,
        &who,
        econ,
        Some(o2),
        "in_progress",
        days_ago(30),
        days_ago(5),
        None,
    )
    .await;
    let o4 = fixture::order(
        &app,
        &who,
        econ,
        Some(o3),
        "new",
        days_ago(3),
        days_ago(-10),
        None,
    )
    .await;
    let o5 = fixture::order(
        &app,
        &who,
        econ,
        Some(o4),
        "cancelled",
        days_ago(30),
        days_ago(20),
        None,
    )
    .await;
    let o6 = fixture::order(
        &app,
        &who,
        "min-health",
        None,
        "accepted",
        days_ago(1),
        days_ago(-10),
        None,
    )
    .await;
    let q = |col: &str, id: i64| format!("select {col} from mart_orders where order_id = {id}");
    for (id, depth) in [(o1, 0), (o2, 1), (o3, 2), (o4, 3), (o5, 3), (o6, 0)] {
        assert_eq!(i(&app, &q("depth", id)).await, depth, "depth of {id}");
    }
    for (id, late) in [(o1, 1), (o2, 0), (o3, 5), (o4, 0), (o5, 0)] {
        assert_eq!(
            i(&app, &q("days_late", id)).await,
            late,
            "days late of {id}"
        );
    }
    assert_eq!(int(&app, &q("done_on_time", o1)).await, Some(0));
    assert_eq!(int(&app, &q("done_on_time", o2)).await, Some(1));
    assert_eq!(int(&app, &q("done_on_time", o3)).await, Some(0));
    assert_eq!(
        int(&app, &q("done_on_time", o4)).await,
        None,
        "deadline ahead"
    );
    assert_eq!(int(&app, &q("done_on_time", o5)).await, None, "cancelled");
    assert_eq!(i(&app, "select sum(overdue) from mart_orders").await, 2);
    assert_eq!(i(&app, "select sum(is_open) from mart_orders").await, 3);
    assert_eq!(
        i(
            &app,
            "select count(*) from mart_orders where organisation_id = 'min-economy'"
        )
        .await,
        5
    );
    assert_eq!(t(&app, &q("portfolio_id", o1)).await, "vg-economy");
    assert_eq!(t(&app, &q("portfolio_id", o6)).await, "vg-social");
    assert_eq!(
        t(&app, &q("creator_organisation_id", o1)).await,
        "vg-economy"
    );
    // 22:30 UTC is the next day in Moscow.
    assert_eq!(t(&app, &q("day", o1)).await, "2026-03-11");
    assert_eq!(t(&app, &q("month", o1)).await, "2026-03");
    assert_eq!(t(&app, &q("deadline_month", o2)).await, "2026-03");
});

both_backends!(
    mart_requests_and_supports_count_sla_reaction_and_cells,
    |app| {
        let who = person(&app, "requests@example.ru", "Заявитель").await;
        let r1 = fixture::appeal(
            &app,
            &who,
            "problem",
            "in_progress",
            Some("min-economy"),
            datetime!(2026-03-10 22:30 UTC),
            Some(datetime!(2026-03-20 22:30 UTC)),
            Some(datetime!(2026-03-12 10:30 UTC)),
        )
        .await;
        let r2 = fixture::appeal(
            &app,
            &who,
            "problem",
            "published",
            Some("min-economy"),
            days_ago(20),
            Some(days_ago(10)),
            None,
        )
        .await;
        let r3 = fixture::appeal(
            &app,
            &who,
            "problem",
            "published",
            Some("min-health"),
            days_ago(2),
            Some(days_ago(-8)),
            None,
        )
        .await;
        let r4 = fixture::appeal(
            &app,
            &who,
            "problem",
            "submitted",
            None,
            days_ago(1),
            None,
            None,
        )
        .await;
        let a = citizen(&app, "sup-a@example.ru", "А").await;
        let b = citizen(&app, "sup-b@example.ru", "Б").await;
        fixture::support(&app, r1, &[a, b], datetime!(2026-03-13 21:30 UTC)).await;
        fixture::support(&app, r3, &[a], days_ago(1)).await;
        let q =
            |col: &str, id: i64| format!("select {col} from mart_requests where request_id = {id}");
        assert_eq!(int(&app, &q("sla_met", r1)).await, Some(1));
        assert_eq!(
            int(&app, &q("sla_met", r2)).await,
            Some(0),
            "deadline passed, no reaction"
        );
        assert_eq!(int(&app, &q("sla_met", r3)).await, None, "deadline ahead");
        assert_eq!(int(&app, &q("sla_met", r4)).await, None, "no deadline");
        assert!((r(&app, &q("hours_to_reaction", r1)).await - 36.0).abs() < 1e-6);
        assert_eq!(real(&app, &q("hours_to_reaction", r2)).await, None);
        assert_eq!(i(&app, "select sum(is_public) from mart_requests").await, 3);
        assert_eq!(i(&app, "select sum(reacted) from mart_requests").await, 1);
        assert_eq!(i(&app, &q("supports", r1)).await, 2);
        assert_eq!(t(&app, &q("day", r1)).await, "2026-03-11");
        assert_eq!(t(&app, &q("portfolio_id", r1)).await, "vg-economy");
        assert_eq!(
            text(&app, &q("portfolio_id", r4)).await,
            None,
            "not routed yet"
        );
        assert!((r(&app, &q("lat_cell", r1)).await - 45.04).abs() < 1e-9);
        assert!((r(&app, &q("lon_cell", r1)).await - 38.98).abs() < 1e-9);
        assert_eq!(i(&app, "select count(*) from mart_supports").await, 3);
        assert_eq!(
            i(
                &app,
                &format!("select count(*) from mart_supports where request_id = {r1}")
            )
            .await,
            2
        );
        assert_eq!(
            t(
                &app,
                &format!("select min(day) from mart_supports where request_id = {r1}")
            )
            .await,
            "2026-03-14",
            "21:30 UTC is the next day in Moscow"
        );
        assert_eq!(
            i(
                &app,
                "select count(*) from mart_supports where portfolio_id = 'vg-social'"
            )
            .await,
            1
        );
    }
);

both_backends!(
    mart_construction_objects_and_checks_show_states_and_outcomes,
    |app| {
        let who = person(&app, "stroy@example.ru", "Застройщик").await;
        let (o1, o2, o3, k1, k2) = fixture::construction(&app, &who).await;
        let q = |col: &str, id: i64| {
            format!("select {col} from mart_construction_objects where object_id = {id}")
        };
        assert_eq!(
            i(&app, "select count(*) from mart_construction_objects").await,
            3
        );
        assert_eq!(
            i(&app, "select sum(overdue) from mart_construction_objects").await,
            1
        );
        assert_eq!(
            i(&app, &q("overdue", o1)).await,
            1,
            "past its planned end, still building"
        );
        assert_eq!(i(&app, &q("overdue", o3)).await, 0, "completed");
        assert_eq!(
            i(&app, "select sum(illegal) from mart_construction_objects").await,
            1
        );
        assert_eq!(i(&app, &q("illegal", o2)).await, 1);
        assert_eq!(
            i(
                &app,
                "select sum(has_permit) from mart_construction_objects"
            )
            .await,
            2
        );
        assert_eq!(i(&app, &q("checks", o2)).await, 1);
        assert_eq!(i(&app, &q("checks", o1)).await, 0);
        assert_eq!(t(&app, &q("planned_end_month", o1)).await, "2026-01");
        assert_eq!(text(&app, &q("planned_end_month", o2)).await, None);
        assert_eq!(t(&app, &q("day", o1)).await, "2026-02-01");
        assert!((r(&app, &q("lat_cell", o1)).await - 45.04).abs() < 1e-9);
        let c = |col: &str, id: i64| {
            format!("select {col} from mart_construction_checks where check_id = {id}")
        };
        assert_eq!(t(&app, &c("result", k1)).await, "violation_confirmed");
        assert_eq!(t(&app, &c("result", k2)).await, "pending");
        assert_eq!(i(&app, &c("object_id", k1)).await, o2);
        assert_eq!(int(&app, &c("object_id", k2)).await, None);
        assert_eq!(i(&app, &c("days_to_decision", k1)).await, 3, "80 hours");
        assert_eq!(int(&app, &c("days_to_decision", k2)).await, None);
        assert_eq!(
            i(&app, "select sum(decided) from mart_construction_checks").await,
            1
        );
        assert_eq!(
            i(&app, "select sum(violation) from mart_construction_checks").await,
            1
        );
        assert_eq!(t(&app, &c("portfolio_id", k1)).await, "vg-construction");
        assert_eq!(t(&app, &c("day", k2)).await, "2026-03-02");
        // The same checks are requests too.
        assert_eq!(
            i(
                &app,
                "select count(*) from mart_requests where kind = 'construction_check'"
            )
            .await,
            2
        );
    }
);

both_backends!(
    mart_staff_computes_fill_rates_of_the_schedule_in_force,
    |app| {
        let who = person(&app, "staff@example.ru", "Кадровик").await;
        fixture::staff(&app, &who).await;
        assert_eq!(i(&app, "select count(*) from mart_staff").await, 1);
        let q = |col: &str| {
            format!("select {col} from mart_staff where organisation_id = 'min-economy'")
        };
        // The old schedule's P5 does not count; P4's holder left in February.
        assert_eq!(i(&app, &q("positions")).await, 4);
        assert!((r(&app, &q("rates")).await - 5.0).abs() < 1e-9);
        assert!((r(&app, &q("filled")).await - 2.0).abs() < 1e-9);
        assert!((r(&app, &q("vacant")).await - 3.0).abs() < 1e-9);
        assert!((r(&app, &q("fill_rate")).await - 0.4).abs() < 1e-9);
        assert_eq!(i(&app, &q("vacant_positions")).await, 3);
        assert_eq!(i(&app, &q("key_vacant")).await, 1);
        assert_eq!(t(&app, &q("portfolio_id")).await, "vg-economy");
    }
);

both_backends!(mart_court_cases_show_levels_outcomes_and_sums, |app| {
    let who = person(&app, "court@example.ru", "Истец").await;
    let (c1, c2, c3) = fixture::courts(&app, &who).await;
    let q = |col: &str, id: i64| format!("select {col} from mart_court_cases where case_id = {id}");
    assert_eq!(t(&app, &q("level", c1)).await, "appeal");
    assert_eq!(t(&app, &q("level", c2)).await, "first");
    assert_eq!(t(&app, &q("level", c3)).await, "none");
    assert_eq!(i(&app, &q("instances", c1)).await, 2);
    assert!((r(&app, &q("awarded", c1)).await - 500.0).abs() < 1e-9);
    assert_eq!(real(&app, &q("awarded", c2)).await, None);
    assert!(
        (r(
            &app,
            "select sum(claimed) from mart_court_cases where organisation_id = 'min-economy'"
        )
        .await
            - 11_500.0)
            .abs()
            < 1e-9
    );
    assert_eq!(
        i(&app, "select sum(is_open) from mart_court_cases").await,
        2
    );
    assert_eq!(t(&app, &q("final_month", c1)).await, "2026-05");
    assert_eq!(text(&app, &q("final_month", c2)).await, None);
    assert_eq!(t(&app, &q("day", c1)).await, "2026-04-01");
    assert_eq!(t(&app, &q("portfolio_id", c3)).await, "vg-social");
    assert_eq!(t(&app, &q("outcome", c1)).await, "partly");
});

both_backends!(
    mart_indicators_take_the_current_revision_and_the_target,
    |app| {
        fixture::indicators(&app).await;
        let q = |col: &str, code: &str, year: i64| {
            format!(
                "select {col} from mart_indicators where indicator = '{code}' and year = {year}"
            )
        };
        assert_eq!(
            i(
                &app,
                "select count(*) from mart_indicators where indicator = 'mart-up'"
            )
            .await,
            2,
            "one row per year: the old revision is not current"
        );
        assert!((r(&app, &q("value", "mart-up", 2025)).await - 12.0).abs() < 1e-9);
        assert!((r(&app, &q("target", "mart-up", 2025)).await - 11.0).abs() < 1e-9);
        assert_eq!(i(&app, &q("target_met", "mart-up", 2025)).await, 1);
        assert_eq!(i(&app, &q("target_met", "mart-up", 2026)).await, 0);
        assert_eq!(
            i(&app, &q("target_met", "mart-band", 2025)).await,
            0,
            "5 is above 1..3"
        );
        assert_eq!(real(&app, &q("target", "mart-band", 2025)).await, None);
        assert_eq!(t(&app, &q("day", "mart-up", 2026)).await, "2026-01-01");
        assert_eq!(
            t(&app, &q("portfolio_id", "mart-up", 2025)).await,
            "vg-economy"
        );
        assert_eq!(
            text(&app, &q("organisation_id", "mart-band", 2025)).await,
            None
        );
    }
);

both_backends!(
    mart_report_values_set_fact_against_the_current_plan,
    |app| {
        let who = person(&app, "reports@example.ru", "Отчётник").await;
        fixture::reports(&app, &who).await;
        assert_eq!(i(&app, "select count(*) from mart_report_values").await, 3);
        let q = |col: &str, org: &str, item: &str| {
            format!(
                "select {col} from mart_report_values where organisation_id = '{org}' and item = '{item}'"
            )
        };
        assert!((r(&app, &q("plan", "min-economy", "a")).await - 100.0).abs() < 1e-9);
        assert!((r(&app, &q("fact", "min-economy", "a")).await - 120.0).abs() < 1e-9);
        assert!((r(&app, &q("deviation", "min-economy", "a")).await - 20.0).abs() < 1e-9);
        assert!((r(&app, &q("deviation", "min-health", "a")).await + 20.0).abs() < 1e-9);
        assert_eq!(real(&app, &q("fact", "min-economy", "b")).await, None);
        assert_eq!(real(&app, &q("plan", "min-economy", "b")).await, None);
        assert_eq!(t(&app, &q("day", "min-economy", "a")).await, "2026-07-01");
        assert_eq!(
            t(&app, &q("report", "min-economy", "a")).await,
            "mart-form/min-economy/2026-07"
        );
        assert_eq!(
            t(&app, &q("portfolio_id", "min-health", "a")).await,
            "vg-social"
        );
    }
);

both_backends!(
    mart_media_mentions_name_organisations_never_officials,
    |app| {
        let who = person(&app, "press@example.ru", "Министр").await;
        fixture::press(&app, &who).await;
        assert_eq!(i(&app, "select count(*) from mart_media_mentions").await, 5);
        assert_eq!(
            i(
                &app,
                "select count(*) from mart_media_mentions where organisation_id = 'min-economy'"
            )
            .await,
            2,
            "the ministry and its official"
        );
        assert_eq!(
            t(
                &app,
                "select organisation_id from mart_media_mentions where entity_kind = 'official'"
            )
            .await,
            "min-economy"
        );
        assert_eq!(
            t(
                &app,
                "select municipality_id from mart_media_mentions where entity_kind = 'municipality'"
            )
            .await,
            "krasnodar"
        );
        assert_eq!(
            i(&app, "select sum(negative) from mart_media_mentions").await,
            5
        );
        assert_eq!(
            t(
                &app,
                "select tone from mart_media_mentions where organisation_id = 'min-health'"
            )
            .await,
            "neg",
            "the officer's correction wins"
        );
        assert_eq!(
            t(&app, "select min(day) from mart_media_mentions").await,
            "2026-06-11"
        );
        assert_eq!(
            t(&app, "select min(month) from mart_media_mentions").await,
            "2026-06"
        );
        assert_eq!(
            t(&app, "select min(source_kind) from mart_media_mentions").await,
            "regional"
        );
        assert_eq!(
        t(&app, "select min(portfolio_id) from mart_media_mentions where organisation_id = 'min-economy'")
            .await,
        "vg-economy"
    );
    }
);

both_backends!(
    mart_participation_counts_supports_ranks_ratings_and_comments,
    |app| {
        let who = person(&app, "part@example.ru", "Активист").await;
        let residents = [
            citizen(&app, "res-1@example.ru", "Р1").await,
            citizen(&app, "res-2@example.ru", "Р2").await,
            citizen(&app, "res-3@example.ru", "Р3").await,
        ];
        let (priority, initiative) = fixture::participation(&app, &who, &residents).await;
        let p = |col: &str, quarter: &str| {
            format!(
                "select {col} from mart_priorities where priority_id = {priority} and quarter = '{quarter}'"
            )
        };
        assert_eq!(i(&app, "select count(*) from mart_priorities").await, 2);
        assert_eq!(
            i(&app, &p("supports", "2026Q3")).await,
            2,
            "the withdrawn one does not count"
        );
        assert_eq!(i(&app, &p("verified_supports", "2026Q3")).await, 1);
        assert_eq!(i(&app, &p("region_rank", "2026Q3")).await, 1);
        assert!((r(&app, &p("score", "2026Q3")).await - 0.75).abs() < 1e-9);
        assert_eq!(t(&app, &p("day", "2026Q3")).await, "2026-07-01");
        assert_eq!(i(&app, &p("supports", "2026Q4")).await, 1);
        assert_eq!(
            int(&app, &p("region_rank", "2026Q4")).await,
            None,
            "quarter open"
        );
        assert_eq!(t(&app, &p("month", "2026Q4")).await, "2026-10");
        let s = |col: &str, month: &str| {
            format!(
                "select {col} from mart_service_ratings where service_id = 'mart-svc' and month = '{month}'"
            )
        };
        assert_eq!(i(&app, &s("ratings", "2026-10")).await, 2);
        assert!((r(&app, &s("quality", "2026-10")).await - 4.0).abs() < 1e-9);
        assert!((r(&app, &s("speed", "2026-10")).await - 4.0).abs() < 1e-9);
        assert_eq!(i(&app, &s("ratings", "2026-11")).await, 1);
        assert!((r(&app, &s("convenience", "2026-11")).await - 1.0).abs() < 1e-9);
        assert_eq!(t(&app, &s("day", "2026-11")).await, "2026-11-01");
        let n = |col: &str| {
            format!("select {col} from mart_initiatives where initiative_id = {initiative}")
        };
        assert_eq!(i(&app, &n("supports")).await, 5);
        assert_eq!(i(&app, &n("enough_support")).await, 1);
        assert_eq!(
            i(&app, &n("comments")).await,
            2,
            "the hidden one does not count"
        );
        assert_eq!(t(&app, &n("day")).await, "2026-05-06");
        assert_eq!(t(&app, &n("stage")).await, "discussion");
    }
);

const TOWNS: &str = "2312823003-towns";
const TOWNS_CSV: &str = "/opendata/2312823003-towns/data-20211011-structure-20261124.csv";

both_backends!(
    mart_datasets_and_downloads_count_full_downloads_only,
    |app| {
        use axum::http::StatusCode;
        // Two downloads of the data file, one export of the table: three.
        let first = app.get(TOWNS_CSV).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(app.get(TOWNS_CSV).await.status, StatusCode::OK);
        assert_eq!(
            app.get(&format!("/opendata/{TOWNS}/table.csv"))
                .await
                .status,
            StatusCode::OK
        );
        // A revalidation and the passport page are not downloads.
        let etag = first
            .headers
            .get("etag")
            .expect("an ETag")
            .to_str()
            .unwrap()
            .to_owned();
        let again = app.get_with(TOWNS_CSV, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert_eq!(
            app.get(&format!("/opendata/{TOWNS}")).await.status,
            StatusCode::OK
        );
        app.run_workers().await;
        let month = {
            let d = (veche::db::now() + Duration::hours(3)).date();
            format!("{:04}-{:02}", d.year(), u8::from(d.month()))
        };
        let id = i(
            &app,
            &format!("select dataset_id from mart_datasets where identifier = '{TOWNS}'"),
        )
        .await;
        assert_eq!(
        i(&app, &format!("select downloads from mart_dataset_downloads where dataset_id = {id} and month = '{month}'")).await,
        3
    );
        assert_eq!(
            t(
                &app,
                &format!("select day from mart_dataset_downloads where dataset_id = {id}")
            )
            .await,
            format!("{month}-01")
        );
        assert_eq!(
            i(&app, "select count(*) from mart_dataset_downloads").await,
            1
        );
        assert_eq!(
            i(
                &app,
                &format!("select downloads from mart_datasets where dataset_id = {id}")
            )
            .await,
            3
        );
        // Counted in memory until flushed: another download shows after the next flush.
        assert_eq!(app.get(TOWNS_CSV).await.status, StatusCode::OK);
        assert_eq!(
            i(
                &app,
                &format!("select downloads from mart_datasets where dataset_id = {id}")
            )
            .await,
            3
        );
        app.run_workers().await;
        assert_eq!(
            i(
                &app,
                &format!("select downloads from mart_datasets where dataset_id = {id}")
            )
            .await,
            4
        );
        // The demo catalogue: twelve datasets, each with its published versions.
        assert_eq!(i(&app, "select count(*) from mart_datasets").await, 12);
        assert_eq!(
            i(
                &app,
                "select count(*) from mart_datasets m where versions <>
                 (select count(*) from dataset_version v where v.dataset_id = m.dataset_id
                  and v.state = 'published')"
            )
            .await,
            0
        );
        assert!(
            i(
                &app,
                &format!("select versions from mart_datasets where dataset_id = {id}")
            )
            .await
                >= 1
        );
        assert_eq!(
            t(
                &app,
                &format!("select organisation_id from mart_datasets where dataset_id = {id}")
            )
            .await,
            t(
                &app,
                &format!("select organisation_id from dataset where dataset_id = {id}")
            )
            .await
        );
    }
);
