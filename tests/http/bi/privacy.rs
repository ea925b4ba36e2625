//! No personal data in the reporting schema: a fixture touching every
//! feature with a relation, whose citizens, officers, parties, staff and
//! officials carry marker names and e-mails and whose reports sit at an
//! exact coordinate; then every value of every column of every relation is
//! read as text and searched for the markers.

use axum::http::StatusCode;

use super::fixture::{self, Who, days_ago};
use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, file, set, sign_in_as};

const NAME: &str = "Маркерова Приватия";
const EMAIL: &str = "private-marker@example.ru";
const LAT: &str = "45.0431234";
const LON: &str = "38.9761234";
/// What must never appear: the names (any form), the e-mail's local part,
/// the exact coordinates.
const MARKERS: [&str; 5] = [
    "Маркеров",
    "Приватия",
    "private-marker",
    "0431234",
    "9761234",
];

/// Every value of a relation's column, as text.
async fn values(app: &TestApp, relation: &str, column: &str) -> Vec<Option<String>> {
    let sql = format!("select cast({column} as text) from {relation}");
    veche::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(pool)
            .await
    })
    .unwrap_or_else(|e| panic!("{relation}.{column}: {e}"))
}

both_backends!(no_personal_data_in_any_mart_column, |app| {
    set(&app, "premoderation", "off").await;
    let account = citizen(&app, EMAIL, NAME).await;
    let who = Who {
        account,
        name: NAME,
        email: EMAIL,
    };
    // A real report through the form, at the exact point.
    sign_in_as(&app, EMAIL).await;
    let r = file(
        &app,
        "road-pothole",
        (LAT, LON),
        &format!("Яма у дома, {NAME}, {EMAIL}"),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.clear_cookies();
    let residents = [
        citizen(&app, "private-marker-1@example.ru", "Маркеров Первый").await,
        citizen(&app, "private-marker-2@example.ru", "Маркеров Второй").await,
        citizen(&app, "private-marker-3@example.ru", "Маркеров Третий").await,
    ];
    let a = fixture::appeal(
        &app,
        &who,
        "suggestion",
        "published",
        Some("min-economy"),
        days_ago(3),
        Some(days_ago(-7)),
        None,
    )
    .await;
    fixture::support(&app, a, &residents[..2], days_ago(1)).await;
    let o = fixture::order(
        &app,
        &who,
        "min-economy",
        None,
        "done",
        days_ago(9),
        days_ago(2),
        Some(days_ago(3)),
    )
    .await;
    fixture::order(
        &app,
        &who,
        "min-economy",
        Some(o),
        "in_progress",
        days_ago(5),
        days_ago(1),
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
    // The passport's contact person of an open dataset, and a download.
    veche::exec_db!(
        &app.state.db,
        "update dataset set publisher_name = $1, publisher_mbox = $2, publisher_phone = '+7 900 043 1234'
         where identifier = '2312823003-towns'",
        NAME,
        EMAIL
    )
    .unwrap();
    // A core's order as the Department of Control's replica holds it
    // (`mart_orders_region`), its title naming the marker.
    let at = veche::db::now();
    veche::exec_db!(
        &app.state.db,
        "insert into pm_order_replica (instance, order_id, version, organisation_id, title,
             source, state, priority, deadline, created_at, received_at)
         values ('core-x', 1, 1, 'min-transport', $1, 'citizen_report', 'in_progress',
                 'normal', $2, $2, $2)",
        format!("Поручение по жалобе {NAME}, {EMAIL}"),
        at
    )
    .unwrap();
    let csv = app
        .get("/opendata/2312823003-towns/data-20211011-structure-20261124.csv")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    app.run_workers().await;
    // The markers are in the stores, so a leak would show.
    assert!(
        app.scalar(&format!(
            "select count(*) from appeal where description like '%{NAME}%'"
        ))
        .await
            > 0
    );

    let marts = veche::features::bi_marts();
    for d in veche::bi::install::all_defs(&marts) {
        assert!(
            app.scalar(&format!("select count(*) from {}", d.name))
                .await
                > 0,
            "{} is empty: the fixture does not reach it",
            d.name
        );
        for c in d.columns {
            for v in values(&app, d.name, c.name).await.into_iter().flatten() {
                for m in MARKERS {
                    assert!(!v.contains(m), "{}.{} holds {m:?}: {v:?}", d.name, c.name);
                }
            }
        }
    }
});
