//! Monthly ratings of government services through HTTP: one rating per
//! citizen, service and month; a low score with a comment becomes a
//! request in the provider's queue, owed a public answer within the SLA;
//! results with Student's intervals on a hand-computed fixture, "not enough
//! ratings" below the minimum; a month closed once into its results, the
//! open dataset and its passport.

use axum::http::StatusCode;
use time::macros::datetime;

use crate::both_backends;
use crate::helpers::TestApp;
use crate::problems::{citizen, post_form, set, sign_in_as};

fn roomy(c: &mut veche::config::Config) {
    c.server.login_attempts_per_minute = 1000;
    c.server.account_actions_per_minute = 1000;
    c.server.account_mails_per_minute = 1000;
    c.participation.service_rating_min_n = 3;
    // The tests move the clock up to a month ahead (the next month's
    // ratings); a session must outlive that, or the test passes only in a
    // month's last fortnight.
    c.server.session_days = 62;
}

/// Adds a service to the directory.
async fn service(app: &TestApp, id: &str, grp: &str, org: &str) {
    let mut tx = app.state.db.begin().await.unwrap();
    veche::participation::services::queries::insert_service(
        &mut tx,
        &veche::participation::services::queries::NewService {
            service_id: id,
            grp,
            name_ru: "Выдача справки",
            name_en: "Certificate",
            organisation_id: org,
            municipality_id: None,
            channel: "mfc",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn rate(
    app: &TestApp,
    id: &str,
    (q, c, s): (&str, &str, &str),
    comment: &str,
) -> crate::helpers::TestResponse {
    app.submit(
        &format!("/participation/services/{id}"),
        &format!("/participation/services/{id}/rate"),
        &[
            ("quality", q),
            ("convenience", c),
            ("speed", s),
            ("comment", comment),
        ],
    )
    .await
}

async fn at<F: std::future::Future>(t: time::OffsetDateTime, f: F) -> F::Output {
    veche::db::with_clock(async {
        veche::db::set_clock(t);
        f.await
    })
    .await
}

both_backends!(
    a_citizen_rates_a_service_once_a_month_and_a_low_score_reaches_the_provider,
    config = roomy,
    |app| {
        set(&app, "premoderation", "off").await;
        service(&app, "cert-mfc", "cert", "min-social").await;
        citizen(&app, "rater@krd.example", "Оценщик").await;
        sign_in_as(&app, "rater@krd.example").await;
        let page = app.get("/participation/services/cert-mfc").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("name=\"quality\""), "{}", page.body);

        // Out of range: refused beside the field, nothing written.
        let bad = rate(&app, "cert-mfc", ("7", "4", "4"), "").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("от 1 до 5"));
        assert_eq!(app.scalar("select count(*) from service_rating").await, 0);
        // A comment over 2,000 characters: refused beside the field, and no
        // rating, no feedback request half-written.
        let long = "ж".repeat(2001);
        let bad = rate(&app, "cert-mfc", ("1", "1", "1"), &long).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("id=\"e-comment\""), "{}", bad.body);
        assert_eq!(app.scalar("select count(*) from service_rating").await, 0);
        assert_eq!(
            app.scalar("select count(*) from appeal where kind = 'service_feedback'")
                .await,
            0
        );

        let r = rate(&app, "cert-mfc", ("4", "4", "5"), "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Once a month: the second is refused, and the page says so
        // instead of offering the form.
        let again = rate(&app, "cert-mfc", ("5", "5", "5"), "").await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert!(again.body.contains("уже оценили"), "{}", again.body);
        assert_eq!(app.scalar("select count(*) from service_rating").await, 1);
        let page = app.get("/participation/services/cert-mfc").await.body;
        assert!(page.contains("id=\"my-rating\"") && !page.contains("name=\"quality\""));
        // Next month, again.
        let next_month = veche::participation::services::domain::Month::at(veche::db::now())
            .next()
            .first_day()
            .with_hms(12, 0, 0)
            .unwrap()
            .assume_utc();
        let next = at(next_month, rate(&app, "cert-mfc", ("5", "5", "5"), "")).await;
        assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
        assert_eq!(app.scalar("select count(*) from service_rating").await, 2);

        // A low score without a comment is only a rating.
        citizen(&app, "quiet@krd.example", "Молчун").await;
        sign_in_as(&app, "quiet@krd.example").await;
        let r = rate(&app, "cert-mfc", ("1", "2", "2"), "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!r.location().contains("feedback="));

        // A low score with a comment becomes a request to the provider.
        citizen(&app, "angry@krd.example", "Недовольный").await;
        sign_in_as(&app, "angry@krd.example").await;
        let r = rate(
            &app,
            "cert-mfc",
            ("2", "3", "1"),
            "Ждал три часа, электронная очередь не работала.",
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let feedback: i64 = r
            .location()
            .split("feedback=")
            .nth(1)
            .expect("a feedback request")
            .parse()
            .unwrap();
        let a = veche::workflow::queries::appeal(&app.state.db, feedback)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.kind, "service_feedback");
        assert_eq!(a.organisation_id.as_deref(), Some("min-social"));
        assert!(a.hide_name, "a rating is anonymous, and so its feedback");
        // The same 10-day SLA as problem reports.
        let due = a.due_at.expect("a deadline");
        let days = (due - a.created_at).whole_days();
        assert!((10..=16).contains(&days), "due in {days} days");
        let public = app
            .get(&format!("/participation/services/feedback/{feedback}"))
            .await;
        assert_eq!(public.status, StatusCode::OK);
        assert!(public.body.contains("электронная очередь"));
        assert!(public.body.contains("id=\"feedback-service\""));
        assert!(!public.body.contains("Недовольный"), "the name is hidden");

        // In the provider's queue, answered publicly there.
        let officer = citizen(&app, "officer@krd.example", "Сотрудник").await;
        app.make_officer(officer, "min-social").await;
        sign_in_as(&app, "officer@krd.example").await;
        let queue = app.get("/workspace/problems?kind=service_feedback").await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
        assert!(
            queue
                .body
                .contains(&format!("/participation/services/feedback/{feedback}")),
            "{}",
            queue.body
        );
        let page = format!("/participation/services/feedback/{feedback}");
        let r = post_form(
            &app,
            &page,
            &format!("{page}/action"),
            &[
                ("action", "resolve"),
                ("text", "Терминал очереди заменён, приносим извинения."),
            ],
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let answered = app.get(&page).await.body;
        assert!(answered.contains("Терминал очереди заменён"));
        let feed = app.get("/participation/answers.atom").await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(
            feed.body.contains("Терминал очереди заменён"),
            "{}",
            feed.body
        );
        let rss = app.get("/participation/answers.rss").await;
        assert!(rss.body.contains("<rss") && rss.body.contains("Терминал очереди заменён"));
        // The service's page lists it.
        let service_page = app.get("/participation/services/cert-mfc").await.body;
        assert!(service_page.contains(&format!("/participation/services/feedback/{feedback}")));

        // An account that is no longer confirmed is not offered the form,
        // and a rating sent anyway is refused.
        let fresh = citizen(&app, "fresh@krd.example", "Новичок").await;
        sign_in_as(&app, "fresh@krd.example").await;
        app.scalar(&format!(
            "update account set email_confirmed_at = null where account_id = {fresh} returning account_id"
        ))
        .await;
        let page = app.get("/participation/services/cert-mfc").await;
        assert!(page.body.contains("id=\"rate-refused\""), "{}", page.body);
        assert!(!page.body.contains("name=\"quality\""));
        let r = app
            .post_form_raw(
                "/participation/services/cert-mfc/rate",
                &[
                    ("csrf_token", &page.csrf_token()),
                    ("quality", "5"),
                    ("convenience", "5"),
                    ("speed", "5"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        // Unknown services are 404; the server is still up.
        assert_eq!(
            app.get("/participation/services/no-such").await.status,
            StatusCode::NOT_FOUND
        );
        crate::hostile::still_healthy(&app).await;
    }
);

both_backends!(
    a_month_closes_once_into_results_with_intervals_and_an_open_dataset,
    config = roomy,
    |app| {
        service(&app, "a-mfc", "cert", "min-social").await;
        service(&app, "b-mfc", "cert", "upr-archives").await;
        let september = datetime!(2026-09-15 12:00 UTC);
        // Quality 4, 5, 3: mean 4, sd 1, t(2) = 4.303, half-width 4.303/√3
        // = 2.484, so 1.516..6.484, kept within the scale: 1.516..5.
        for (n, q) in ["4", "5", "3"].iter().enumerate() {
            let email = format!("a{n}@krd.example");
            citizen(&app, &email, "Житель").await;
            sign_in_as(&app, &email).await;
            let r = at(september, rate(&app, "a-mfc", (q, "4", "4"), "")).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        // Two ratings: fewer than the minimum of 3.
        for n in 0..2 {
            let email = format!("b{n}@krd.example");
            citizen(&app, &email, "Житель").await;
            sign_in_as(&app, &email).await;
            let r = at(september, rate(&app, "b-mfc", ("5", "5", "5"), "")).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        // Not closed yet: no results for September.
        assert_eq!(
            app.get("/api/v1/service-results?month=2026-09")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/api/v1/service-results?month=2026-9").await.status,
            StatusCode::BAD_REQUEST
        );
        let closed = veche::participation::services::service::close_months(&app.state)
            .await
            .unwrap();
        assert_eq!(
            closed.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
            vec!["2026-09"]
        );
        let r = app.get("/api/v1/service-results?month=2026-09").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = r.json();
        assert_eq!(v["preliminary"], false);
        assert_eq!(v["min_n"], 3);
        let results = v["results"].as_array().unwrap();
        let a = results.iter().find(|x| x["id"] == "a-mfc").unwrap();
        assert_eq!(a["n"], 3);
        let q = &a["quality"];
        assert!((q["mean"].as_f64().unwrap() - 4.0).abs() < 1e-9, "{a}");
        assert!((q["low"].as_f64().unwrap() - 1.5156).abs() < 1e-3, "{a}");
        assert_eq!(q["high"].as_f64().unwrap(), 5.0);
        assert_eq!(a["position"], 1);
        assert_eq!(a["compared"], 1);
        let b = results.iter().find(|x| x["id"] == "b-mfc").unwrap();
        assert_eq!(b["n"], 2);
        assert_eq!(b["enough"], false);
        assert!(b["overall"].is_null());
        // Organisations too.
        assert!(
            results
                .iter()
                .any(|x| x["kind"] == "organisation" && x["id"] == "min-social")
        );
        // The page says "not enough ratings" rather than a number.
        let page = app.get("/participation/services?month=2026-09").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("мало оценок"), "{}", page.body);
        // Overall: per-rating means 4, 4.33, 3.67; sd of the sums 1, so
        // 4 ± 4.303 / √3 / 3 = 4 ± 0.828.
        assert!(
            page.body.contains("<strong>4.00</strong> (3.17–4.83)"),
            "{}",
            page.body
        );

        // Twice: nothing more; a late change does not move a closed month.
        assert!(
            veche::participation::services::service::close_months(&app.state)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(app.scalar("select count(*) from service_month").await, 1);
        let rows = app.scalar("select count(*) from service_result").await;
        assert_eq!(rows, 4, "two services and two organisations");

        // The open dataset, with its passport; no person in it.
        app.run_workers().await;
        app.state.catalogue.invalidate();
        let data = app
            .get("/opendata/2309189066-service-ratings/table.json?_shape=objects")
            .await;
        assert_eq!(data.status, StatusCode::OK, "{}", data.body);
        let data = data.json();
        let rows = data["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 4, "{data}");
        assert!(
            rows.iter()
                .any(|r| r["month"] == "2026-09" && r["subject_id"] == "a-mfc")
        );
        let pkg = app
            .get("/api/3/action/package_show?id=2309189066-service-ratings")
            .await
            .json();
        assert_eq!(pkg["success"], true, "{pkg}");
        let csv = app
            .get("/opendata/2309189066-service-ratings/table.csv")
            .await;
        assert!(!csv.body.contains("krd.example") && !csv.body.contains("Житель"));
    }
);
