//! Priority ranks through HTTP: staff propose, moderators publish, confirmed
//! residents support within their limits; the municipality of residence at
//! the time of the vote is what counts; the regional formula on a
//! hand-computed fixture; the quarterly snapshot, immutable and written
//! once; the open dataset; the burst review and the freeze.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use time::macros::datetime;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, sign_in_as};

/// Many people sign in and register here within a minute.
fn roomy(c: &mut veche::config::Config) {
    c.server.login_attempts_per_minute = 1000;
    c.server.account_actions_per_minute = 1000;
    c.server.account_mails_per_minute = 1000;
}

/// The shipped population of a municipality, and of the krai.
fn population() -> BTreeMap<String, f64> {
    let text = include_str!("../../src/participation/priorities/population.csv");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let (id, n) = l.split_once(',')?;
            Some((id.to_owned(), n.parse().ok()?))
        })
        .collect()
}

async fn grant(app: &TestApp, id: i64, role: veche::auth::domain::GlobalRole) {
    let mut tx = app.state.db.begin().await.unwrap();
    veche::auth::queries::grant_role(&mut tx, id, role)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Sets a residence as the identity provider would (verified) or as the
/// person typed it (declared).
async fn reside(app: &TestApp, id: i64, municipality: &str, verified: bool) {
    let mut tx = app.state.db.begin().await.unwrap();
    veche::auth::queries::set_municipality(
        &mut tx,
        id,
        municipality,
        if verified { "verified" } else { "declared" },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Proposes a priority as an officer of `org` and publishes it as a
/// moderator, through the forms; returns its number.
async fn published(app: &TestApp, title: &str, municipality: &str, org: &str) -> i64 {
    let email = format!("officer-{org}@krd.example");
    if app
        .scalar(&format!(
            "select count(*) from account where email_norm = '{email}'"
        ))
        .await
        == 0
    {
        let id = citizen(app, &email, "Сотрудник").await;
        app.make_officer(id, org).await;
    }
    sign_in_as(app, &email).await;
    let r = app
        .submit(
            "/participation/priorities/new",
            "/participation/priorities/new",
            &[
                ("title", title),
                (
                    "description",
                    "Описание приоритета для проверки рейтинга, достаточно длинное.",
                ),
                ("municipality_id", municipality),
                ("topic", "roads"),
                ("organisation_id", org),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location()
        .trim_start_matches("/participation/priorities/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    if app
        .scalar("select count(*) from account where email_norm = 'moder@krd.example'")
        .await
        == 0
    {
        let m = citizen(app, "moder@krd.example", "Модератор").await;
        grant(app, m, veche::auth::domain::GlobalRole::Moderator).await;
    }
    sign_in_as(app, "moder@krd.example").await;
    let r = act(app, id, "publish", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id
}

async fn act(app: &TestApp, id: i64, action: &str, note: &str) -> crate::helpers::TestResponse {
    let page = format!("/participation/priorities/{id}");
    let target = format!("/participation/priorities/{id}/act");
    app.submit(&page, &target, &[("action", action), ("note", note)])
        .await
}

/// A confirmed citizen living in `municipality`, signed in.
async fn resident(app: &TestApp, email: &str, municipality: &str, verified: bool) -> i64 {
    let id = citizen(app, email, "Житель").await;
    reside(app, id, municipality, verified).await;
    sign_in_as(app, email).await;
    id
}

async fn ranks(app: &TestApp, query: &str) -> serde_json::Value {
    let r = app.get(&format!("/api/v1/priority-ranks?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn line(ranks: &serde_json::Value, id: i64) -> serde_json::Value {
    ranks["ranks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["priority_id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("priority {id} not in {ranks}"))
}

both_backends!(
    staff_propose_moderators_publish_and_residents_support_within_limits,
    config = |c| {
        roomy(c);
        c.participation.priority_supports_per_quarter = 2;
    },
    |app| {
        let a = published(&app, "Дороги края", "", "min-transport").await;
        let b = published(&app, "Школы края", "", "min-education").await;
        let c = published(&app, "Больницы края", "", "min-health").await;
        // A proposal is not public until a moderator publishes it.
        let id = citizen(&app, "officer2@krd.example", "Сотрудник").await;
        app.make_officer(id, "min-sport").await;
        sign_in_as(&app, "officer2@krd.example").await;
        let r = app
            .submit(
                "/participation/priorities/new",
                "/participation/priorities/new",
                &[
                    ("title", "Стадионы"),
                    ("description", "Короткое"),
                    ("municipality_id", ""),
                    ("topic", "nope"),
                    ("organisation_id", "min-health"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("error-summary") && r.body.contains("Выберите тему"));
        // Too long, control characters, an unknown municipality: a 422 that
        // names the field, nothing written, the server still up.
        let long_title = "Д".repeat(201);
        let long_text = "я".repeat(4001);
        for (title, description, place) in [
            (
                long_title.as_str(),
                "Описание приоритета достаточной длины.",
                "",
            ),
            ("Стадионы", long_text.as_str(), ""),
            (
                "Стади\u{0}оны",
                "Описание приоритета достаточной длины.",
                "",
            ),
            (
                "Стадионы",
                "Описание приоритета достаточной длины.",
                "atlantis",
            ),
        ] {
            let r = app
                .submit(
                    "/participation/priorities/new",
                    "/participation/priorities/new",
                    &[
                        ("title", title),
                        ("description", description),
                        ("municipality_id", place),
                        ("topic", "culture_sport"),
                        ("organisation_id", "min-sport"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{title:.20}");
            assert!(r.body.contains("error-summary"));
        }
        assert_eq!(app.scalar("select count(*) from priority").await, 3);
        crate::hostile::still_healthy(&app).await;
        app.clear_cookies();
        let list = app.get("/api/v1/priorities").await.json();
        assert_eq!(list["priorities"].as_array().unwrap().len(), 3, "{list}");

        // An account that is not (or no longer) confirmed may not support:
        // password accounts cannot sign in unconfirmed, so the confirmation
        // is taken away after signing in.
        let fresh = resident(&app, "fresh@krd.example", "krasnodar", false).await;
        app.scalar(&format!(
            "update account set email_confirmed_at = null where account_id = {fresh} returning account_id"
        ))
        .await;
        let page = app.get(&format!("/participation/priorities/{a}")).await;
        assert!(
            page.body.contains("подтверждённые учётные записи"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("data-action=\"support\""));
        let r = app
            .post_form_raw(
                &format!("/participation/priorities/{a}/act"),
                &[("csrf_token", &page.csrf_token()), ("action", "support")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        // A confirmed resident: one support per priority, two a quarter.
        resident(&app, "anna@krd.example", "sochi", true).await;
        let page = app.get(&format!("/participation/priorities/{a}")).await;
        assert!(page.body.contains("data-action=\"support\""));
        assert_eq!(
            act(&app, a, "support", "").await.status,
            StatusCode::SEE_OTHER
        );
        let again = act(&app, a, "support", "").await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert_eq!(
            act(&app, b, "support", "").await.status,
            StatusCode::SEE_OTHER
        );
        let third = act(&app, c, "support", "").await;
        assert_eq!(third.status, StatusCode::CONFLICT);
        assert!(third.body.contains("2 приоритетов"), "{}", third.body);
        let page = app.get(&format!("/participation/priorities/{c}")).await;
        assert!(!page.body.contains("data-action=\"support\""));
        // Withdrawing frees a support for another priority.
        assert_eq!(
            act(&app, a, "withdraw", "").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            act(&app, c, "support", "").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.scalar(&format!(
                "select count(*) from priority_support where priority_id = {a} and withdrawn_at is null"
            ))
            .await,
            0
        );
        let r = ranks(&app, "scope=sochi").await;
        assert_eq!(line(&r, a)["supporters"]["verified"], 0);
        assert_eq!(line(&r, c)["supporters"]["verified"], 1);
        assert_eq!(r["preliminary"], true);

        // Hostile input: clear 4xx.
        assert_eq!(
            app.get("/api/v1/priority-ranks?quarter=2026Q9")
                .await
                .status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            app.get("/api/v1/priority-ranks?scope=atlantis")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/api/v1/priority-ranks?quarter=2001Q1")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/api/v1/priorities?topic=%00").await.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            act(&app, a, "explode", "").await.status,
            StatusCode::BAD_REQUEST
        );
        // A citizen cannot publish or freeze.
        assert_eq!(
            act(&app, a, "freeze", "потому что").await.status,
            StatusCode::FORBIDDEN
        );
    }
);

both_backends!(
    the_residence_at_the_time_of_the_vote_counts,
    config = |c| {
        roomy(c);
        c.participation.priority_declared_weight = 0.5;
    },
    |app| {
        let a = published(&app, "Вода", "", "min-energy-housing").await;
        let local = published(&app, "Набережная Сочи", "sochi", "admin-sochi").await;
        // Verified in Sochi, declared in Sochi, declared in Anapa.
        resident(&app, "v@krd.example", "sochi", true).await;
        assert_eq!(
            act(&app, a, "support", "").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            act(&app, local, "support", "").await.status,
            StatusCode::SEE_OTHER
        );
        resident(&app, "d@krd.example", "sochi", false).await;
        assert_eq!(
            act(&app, a, "support", "").await.status,
            StatusCode::SEE_OTHER
        );
        resident(&app, "mover@krd.example", "anapa", false).await;
        // A municipal priority is for its residents.
        let r = act(&app, local, "support", "").await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(
            act(&app, a, "support", "").await.status,
            StatusCode::SEE_OTHER
        );
        // The mover declares a new residence: the vote stays in Anapa.
        let r = app
            .submit(
                "/account",
                "/account",
                &[
                    ("display_name", "Житель"),
                    ("municipality_id", "krasnodar"),
                    ("locale", "ru"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let p = app.get(&format!("/api/v1/priorities/{a}")).await.json();
        assert_eq!(p["supporters"]["sochi"]["verified"], 1, "{p}");
        assert_eq!(p["supporters"]["sochi"]["declared"], 1, "{p}");
        assert_eq!(p["supporters"]["anapa"]["declared"], 1, "{p}");
        assert!(p["supporters"].get("krasnodar").is_none(), "{p}");
        // Sochi: the priority of the krai has 1 verified + 1 declared of
        // participants 1 verified + 1 declared: share 1; the local one 1 of
        // (1 + 0.5) = 2/3.
        let r = ranks(&app, "scope=sochi").await;
        let share = line(&r, local)["score"].as_f64().unwrap();
        assert!((share - 2.0 / 3.0).abs() < 1e-9, "{r}");
        assert_eq!(line(&r, a)["position"], 1);
        // The weight is published with the results.
        assert_eq!(r["declared_weight"], 0.5);
        let page = app.get("/participation/priorities?scope=sochi").await;
        assert!(
            page.body.contains("id=\"declared-weight\">0.5<"),
            "{}",
            page.body
        );
        app.set_cookie("veche_lang", "en");
        let en = app.get("/participation/priorities?scope=sochi").await;
        assert!(en.body.contains("population-weighted share"), "{}", en.body);
    }
);

both_backends!(
    the_regional_rank_is_the_population_weighted_mean_of_local_shares,
    config = roomy,
    |app| {
        let x = published(&app, "Первый", "", "min-transport").await;
        let y = published(&app, "Второй", "", "min-transport").await;
        // Krasnodar: 3 participants, 2 support x, 1 supports y.
        // Sochi: 2 participants, both support y.
        // Armavir: 1 participant, supports x.
        let crowd = [
            ("k1", "krasnodar", vec![x]),
            ("k2", "krasnodar", vec![x]),
            ("k3", "krasnodar", vec![y]),
            ("s1", "sochi", vec![y]),
            ("s2", "sochi", vec![y]),
            ("a1", "armavir", vec![x]),
        ];
        for (who, m, picks) in &crowd {
            resident(&app, &format!("{who}@krd.example"), m, true).await;
            for p in picks {
                assert_eq!(
                    act(&app, *p, "support", "").await.status,
                    StatusCode::SEE_OTHER
                );
            }
        }
        // By hand: score = Σ (N_m / N) · (v_m / P_m).
        let pop = population();
        let n: f64 = pop.values().sum();
        let w = |m: &str| pop[m] / n;
        let expected_x = w("krasnodar") * 2.0 / 3.0 + w("armavir") * 1.0;
        let expected_y = w("krasnodar") * 1.0 / 3.0 + w("sochi") * 1.0;
        let r = ranks(&app, "").await;
        let (lx, ly) = (line(&r, x), line(&r, y));
        assert!(
            (lx["score"].as_f64().unwrap() - expected_x).abs() < 1e-9,
            "{r}"
        );
        assert!(
            (ly["score"].as_f64().unwrap() - expected_y).abs() < 1e-9,
            "{r}"
        );
        let x_first = expected_x > expected_y;
        assert_eq!(lx["position"], if x_first { 1 } else { 2 });
        assert_eq!(r["population"]["total"].as_f64().unwrap(), n);
        assert_eq!(lx["supporters"]["verified"], 3);
        // The page publishes the formula beside the results.
        let page = app.get("/participation/priorities").await;
        assert!(page.body.contains("Σ (Nₘ / N) · (vₘ / Pₘ)"));
        assert!(page.body.contains("id=\"ranking\""));
    }
);

/// Runs `f` on a clock set by hand (as the demo does).
async fn at<F: std::future::Future>(t: time::OffsetDateTime, f: F) -> F::Output {
    veche::db::with_clock(async {
        veche::db::set_clock(t);
        f.await
    })
    .await
}

/// Supports given in the third quarter of 2026.
async fn in_q3<F: std::future::Future>(f: F) -> F::Output {
    at(datetime!(2026-08-15 12:00 UTC), f).await
}

both_backends!(
    a_closed_quarter_becomes_an_immutable_snapshot_once,
    config = roomy,
    |app| {
        // Published in the quarter, and one published only after it, which
        // that quarter's snapshot leaves out.
        let x = in_q3(published(&app, "Первый", "", "min-transport")).await;
        let y = in_q3(published(&app, "Второй", "", "min-transport")).await;
        let later = published(&app, "Позже", "", "min-transport").await;
        for (who, m, p) in [
            ("q1", "krasnodar", x),
            ("q2", "sochi", y),
            ("q3", "sochi", x),
        ] {
            resident(&app, &format!("{who}@krd.example"), m, true).await;
            let r = in_q3(act(&app, p, "support", "")).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        // Before the job: no snapshot of 2026Q3.
        assert_eq!(
            app.get("/api/v1/priority-ranks?quarter=2026Q3")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let closed = veche::participation::priorities::service::close_quarters(&app.state)
            .await
            .unwrap();
        assert_eq!(closed.len(), 1);
        let first = ranks(&app, "quarter=2026Q3").await;
        assert_eq!(first["preliminary"], false);
        assert!(
            first["ranks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["priority_id"] != later),
            "{first}"
        );
        assert_eq!(line(&first, x)["supporters"]["verified"], 2);
        let sochi_before = ranks(&app, "quarter=2026Q3&scope=sochi").await;
        // Twice: nothing more is written.
        let again = veche::participation::priorities::service::close_quarters(&app.state)
            .await
            .unwrap();
        assert!(again.is_empty());
        assert_eq!(
            app.scalar("select count(*) from priority_snapshot").await,
            1
        );
        let rows = app.scalar("select count(*) from priority_rank").await;
        // 2 regional priorities × (the krai + 44 municipalities).
        assert_eq!(rows, 2 * 45);
        // What would change a computation does not change the snapshot: an
        // administrator freezes x, and a late support of the quarter arrives.
        let admin = app.signed_in_admin().await;
        let _ = admin;
        assert_eq!(
            act(&app, x, "freeze", "проверка всплеска").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            act(&app, x, "unfreeze", "").await.status,
            StatusCode::SEE_OTHER
        );
        resident(&app, "late@krd.example", "sochi", true).await;
        let r = in_q3(act(&app, y, "support", "")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            veche::participation::priorities::service::close_quarters(&app.state)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(ranks(&app, "quarter=2026Q3").await, first);
        assert_eq!(
            ranks(&app, "quarter=2026Q3&scope=sochi").await,
            sochi_before
        );

        // The archive lists it; the open dataset carries it with its passport.
        let archive = app.get("/participation/priorities/archive").await;
        assert!(
            archive.body.contains("III квартал 2026"),
            "{}",
            archive.body
        );
        app.run_workers().await;
        app.state.catalogue.invalidate();
        let data = app
            .get("/opendata/2309189066-priority-ranks/table.json?_shape=objects")
            .await;
        assert_eq!(data.status, StatusCode::OK, "{}", data.body);
        let data = data.json();
        let rows = data["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 90, "{data}");
        assert!(
            rows.iter().any(|r| r["quarter"] == "2026Q3"
                && r["scope"] == "region"
                && r["priority_id"] == x)
        );
        let pkg = app
            .get("/api/3/action/package_show?id=2309189066-priority-ranks")
            .await
            .json();
        assert_eq!(pkg["success"], true, "{pkg}");
        let dcat = app.get("/catalog.ttl").await;
        assert!(dcat.body.contains("2309189066-priority-ranks"));
        // No person in it.
        let csv = app
            .get("/opendata/2309189066-priority-ranks/table.csv")
            .await;
        assert!(!csv.body.contains("krd.example") && !csv.body.contains("Житель"));
    }
);

both_backends!(
    an_administrator_sees_a_burst_and_freezes_the_priority,
    config = |c| {
        roomy(c);
        c.participation.priority_burst = 3;
    },
    |app| {
        let x = published(&app, "Накрученный", "", "min-sport").await;
        let other = published(&app, "Обычный", "", "min-sport").await;
        // Within one hour (the previous one, so the test cannot straddle
        // an hour's end).
        let now = time::OffsetDateTime::now_utc();
        let hour = now.replace_time(time::Time::from_hms(now.hour(), 0, 0).unwrap())
            - time::Duration::hours(1);
        for n in 0..3 {
            resident(&app, &format!("bot{n}@krd.example"), "krasnodar", false).await;
            let t = hour + time::Duration::minutes(10 * n);
            assert_eq!(
                at(t, act(&app, x, "support", "")).await.status,
                StatusCode::SEE_OTHER
            );
        }
        resident(&app, "human@krd.example", "krasnodar", false).await;
        assert_eq!(
            act(&app, other, "support", "").await.status,
            StatusCode::SEE_OTHER
        );
        // A moderator reviews proposals but does not see bursts.
        let m = citizen(&app, "mod2@krd.example", "Модератор").await;
        grant(&app, m, veche::auth::domain::GlobalRole::Moderator).await;
        sign_in_as(&app, "mod2@krd.example").await;
        let review = app.get("/participation/priorities/review").await;
        assert_eq!(review.status, StatusCode::OK);
        assert!(!review.body.contains("id=\"bursts\""));
        app.signed_in_admin().await;
        let review = app.get("/participation/priorities/review").await;
        assert!(
            review.body.contains(&format!("tr data-priority=\"{x}\"")),
            "{}",
            review.body
        );
        assert!(
            !review
                .body
                .contains(&format!("tr data-priority=\"{other}\""))
        );
        // A freeze needs a reason.
        assert_eq!(
            act(&app, x, "freeze", "").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            act(&app, x, "freeze", "всплеск с новых учётных записей")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        // Frozen: marked on its page, out of the ranks, no new supports.
        sign_in_as(&app, "human@krd.example").await;
        let page = app.get(&format!("/participation/priorities/{x}")).await;
        assert!(page.body.contains("заморожен"), "{}", page.body);
        assert!(!page.body.contains("data-action=\"support\""));
        assert_eq!(
            act(&app, x, "support", "").await.status,
            StatusCode::CONFLICT
        );
        let r = ranks(&app, "").await;
        assert!(
            r["ranks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["priority_id"] != x)
        );
        // Unfrozen after the review, it is back.
        app.signed_in_admin().await;
        assert_eq!(
            act(&app, x, "unfreeze", "").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(line(&ranks(&app, "").await, x)["supporters"]["declared"], 3);
    }
);

both_backends!(
    priorities_are_searchable_and_in_the_feed_and_api_document,
    config = roomy,
    |app| {
        let x = published(
            &app,
            "Ливневая канализация Краснодара",
            "krasnodar",
            "admin-krasnodar",
        )
        .await;
        app.run_workers().await;
        let found = app.get("/search?q=ливневая").await;
        assert!(
            found
                .body
                .contains(&format!("/participation/priorities/{x}")),
            "{}",
            found.body
        );
        let feed = app.get("/participation/priorities/feed.atom").await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(feed.body.contains("Ливневая канализация Краснодара"));
        let rss = app.get("/participation/priorities/feed.rss").await;
        assert_eq!(rss.status, StatusCode::OK);
        assert!(rss.body.contains("<rss") && rss.body.contains("Ливневая канализация Краснодара"));
        let doc = app.get("/api/openapi.json").await.json();
        assert!(doc["paths"].get("/api/v1/priority-ranks").is_some());
        let landing = app.get("/participation").await;
        assert!(landing.body.contains("/participation/priorities"));
    }
);
