//! Drill-down: each relation's `open` answers a record's page only when the
//! person may open it by the feature's own rule, and the page it answers
//! opens for them.

use axum::http::StatusCode;

use super::fixture::{self, Who, days_ago, text};
use crate::both_backends;
use crate::problems::{citizen, sign_in_as};

both_backends!(drill_down_links_open_for_whom_the_feature_allows, |app| {
    let officer = citizen(&app, "drill-officer@krasnodar.ru", "Аналитик").await;
    app.make_officer(officer, "min-economy").await;
    let resident = citizen(&app, "drill-citizen@example.ru", "Житель").await;
    let who = Who {
        account: resident,
        name: "Житель",
        email: "drill-citizen@example.ru",
    };
    let residents = [
        resident,
        citizen(&app, "drill-2@example.ru", "Второй").await,
        citizen(&app, "drill-3@example.ru", "Третий").await,
    ];
    let a = fixture::appeal(
        &app,
        &who,
        "problem",
        "published",
        Some("min-economy"),
        days_ago(3),
        Some(days_ago(-7)),
        None,
    )
    .await;
    fixture::support(&app, a, &residents[1..], days_ago(1)).await;
    fixture::order(
        &app,
        &who,
        "min-economy",
        None,
        "in_progress",
        days_ago(5),
        days_ago(-1),
        None,
    )
    .await;
    fixture::construction(&app, &who).await;
    fixture::staff(&app, &who).await;
    fixture::courts(&app, &who).await;
    fixture::indicators(&app).await;
    fixture::reports(&app, &who).await;
    fixture::press(&app, &who).await;
    fixture::participation(&app, &who, &residents).await;
    assert_eq!(
        app.get("/opendata/2312823003-towns/data-20211011-structure-20261124.csv")
            .await
            .status,
        StatusCode::OK
    );
    app.run_workers().await;

    let db = &app.state.db;
    let as_officer = veche::auth::CurrentUser::for_account(db, officer)
        .await
        .unwrap()
        .unwrap();
    let as_citizen = veche::auth::CurrentUser::for_account(db, resident)
        .await
        .unwrap()
        .unwrap();
    // Pages of the internal core: a citizen gets no link to them.
    let core_only = [
        "mart_orders",
        "mart_staff",
        "mart_court_cases",
        "mart_indicators",
        "mart_report_values",
        "mart_media_mentions",
    ];
    let marts = veche::features::bi_marts();
    // Each relation's first record, and the links for both people.
    let mut cases = Vec::new();
    for m in marts.all() {
        let d = m.def();
        // The region's replica of orders has no records here to open:
        // they are carried out, and opened, at their cores.
        let Some(record) = d.record else {
            assert_eq!(
                d.name, "mart_orders_region",
                "only the replica has no record key"
            );
            continue;
        };
        let key = text(
            &app,
            &format!(
                "select cast({record} as text) from {} order by 1 limit 1",
                d.name
            ),
        )
        .await
        .unwrap_or_else(|| panic!("{} has no row", d.name));
        let keys = [key.clone(), "no-such-record".to_owned()];
        let links = m.open(db, &as_officer, &keys).await.unwrap();
        assert_eq!(links.len(), 2);
        assert_eq!(links[1], None, "{}: an unknown key opens nothing", d.name);
        let officer_link = links[0]
            .clone()
            .unwrap_or_else(|| panic!("{} {key}: no link for the officer", d.name));
        let citizen_link = m.open(db, &as_citizen, &keys).await.unwrap()[0].clone();
        if core_only.contains(&d.name) {
            assert_eq!(citizen_link, None, "{}: a citizen gets no link", d.name);
        }
        cases.push((d.name, officer_link, citizen_link));
    }
    // The links open for whom they were given.
    sign_in_as(&app, "drill-officer@krasnodar.ru").await;
    for (name, link, _) in &cases {
        let page = app.get(link).await;
        assert_eq!(page.status, StatusCode::OK, "{name} {link} for the officer");
    }
    sign_in_as(&app, "drill-citizen@example.ru").await;
    for (name, _, link) in &cases {
        if let Some(link) = link {
            let page = app.get(link).await;
            assert_eq!(page.status, StatusCode::OK, "{name} {link} for the citizen");
        }
    }
    // A request not yet published opens for its staff, not for a stranger.
    let hidden = fixture::appeal(
        &app,
        &who,
        "problem",
        "submitted",
        Some("min-economy"),
        days_ago(1),
        None,
        None,
    )
    .await;
    let stranger = citizen(&app, "drill-stranger@example.ru", "Чужой").await;
    let as_stranger = veche::auth::CurrentUser::for_account(db, stranger)
        .await
        .unwrap()
        .unwrap();
    let requests = marts.get("mart_requests").unwrap();
    assert_eq!(
        requests
            .open(db, &as_stranger, &[hidden.to_string()])
            .await
            .unwrap(),
        vec![None]
    );
});
