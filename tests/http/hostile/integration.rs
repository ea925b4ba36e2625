//! Hostile partners and staff around the PM core and the exchange: a partner
//! answering a request it was never sent, a staff member reading another
//! organisation's files by guessing ids, an order naming a project that
//! does not exist, and partner URLs that point inside the network (SSRF).

use axum::http::StatusCode;
use veche::pm::queries as pmq;

use super::still_healthy;
use crate::both_backends;
use crate::helpers::{TestApp, allow_loopback};
use crate::integration::{Received, new_order, now_secs, receiver, retry_until_dead, send};
use crate::problems::{KRASNODAR, appeal, citizen, file, id_from, post_form, set, sign_in_as};

const SECRET_X: &str = "secret-of-core-x-0123456789abcdef0123456789";
const SECRET_Y: &str = "secret-of-core-y-0123456789abcdef0123456789";

fn message(id: &str, kind: &str, data: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": id,
        "sent_at": "2026-11-23T10:00:00Z",
        "type": kind,
        "data": data,
    }))
    .unwrap()
}

async fn signed(app: &TestApp, key: &str, body: &[u8]) -> crate::helpers::TestResponse {
    let secret = if key == "core-x" { SECRET_X } else { SECRET_Y };
    send(app, key, secret, now_secs(), body, body).await
}

async fn add_partner(app: &TestApp, fields: &[(&str, &str)]) -> crate::helpers::TestResponse {
    app.submit("/admin/integration", "/admin/integration", fields)
        .await
}

fn deadline_in_days(n: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(n))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

// Item 1: the portal sends its requests to `core-y`; `core-x` is another
// instance with a valid key. Each may act only on what was sent to it.
both_backends!(
    a_partner_acts_only_on_requests_sent_to_it,
    config = |c: &mut veche::config::Config| c.integration.pm_core = "core-y".into(),
    |app| {
        app.signed_in_admin().await;
        for (id, secret) in [("core-x", SECRET_X), ("core-y", SECRET_Y)] {
            let r = add_partner(
                &app,
                &[
                    ("partner_id", id),
                    ("name", id),
                    ("kind", "instance"),
                    ("secret", secret),
                    ("all_organisations", "on"),
                ],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        set(&app, "premoderation", "off").await;
        citizen(&app, "olga@example.ru", "Ольга").await;
        sign_in_as(&app, "olga@example.ru").await;
        let sent = id_from(&file(&app, "road-pothole", KRASNODAR, "Яма у остановки.", &[]).await);
        set(&app, "premoderation", "on").await;
        let unsent = id_from(
            &file(
                &app,
                "road-pothole",
                KRASNODAR,
                "Ещё яма, на модерации.",
                &[],
            )
            .await,
        );
        app.run_workers().await;
        let before = appeal(&app, sent).await;
        assert_eq!(before.state, "published");

        // core-x answers and refers a request sent to core-y: refused.
        let reported = |id: &str, appeal_id: i64| {
            message(
                id,
                "order.reported",
                serde_json::json!({
                    "appeal_id": appeal_id, "order_id": 1, "outcome": "resolved",
                    "text": "Сделано (не нами)", "planned_date": null, "photos": []
                }),
            )
        };
        let referred = |id: &str, appeal_id: i64| {
            message(
                id,
                "request.referred",
                serde_json::json!({
                    "appeal_id": appeal_id, "organisation_id": "min-health", "reason": "не наше"
                }),
            )
        };
        for body in [reported("x-1", sent), referred("x-2", sent)] {
            let r = signed(&app, "core-x", &body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
            assert_eq!(r.json()["error"]["code"], "not_sent_to_you");
        }
        let after = appeal(&app, sent).await;
        assert_eq!(
            (after.state.as_str(), after.organisation_id.as_deref()),
            ("published", before.organisation_id.as_deref()),
            "the request is unchanged"
        );
        // A request never sent anywhere (still in moderation): refused even
        // to the core the portal uses.
        let r = signed(&app, "core-y", &referred("y-1", unsent)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(appeal(&app, unsent).await.state, "submitted");
        // The core it was sent to answers it.
        let r = signed(&app, "core-y", &reported("y-2", sent)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(appeal(&app, sent).await.state, "resolved");

        // In the core: core-y (a portal, from here) sends a request; core-x
        // may not close or refer its orders.
        let requested = message(
            "y-3",
            "order.requested",
            serde_json::json!({
                "appeal_id": 9001, "round": 0, "kind": "problem", "title": "Обращение № 9001",
                "description": "Яма", "address": "Краснодар", "url": "https://portal-y.example/problems/9001",
                "organisation_id": "admin-krasnodar", "deadline": deadline_in_days(10)
            }),
        );
        let r = signed(&app, "core-y", &requested).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let order_id: i64 = veche::on_db!(&app.state.db, |pool| {
            sqlx::query_scalar::<_, i64>(
                "select order_id from pm_order where origin = 'core-y' and appeal_id = 9001",
            )
            .fetch_one(pool)
            .await
            .unwrap()
        });
        let answered = |id: &str, appeal_id: i64| {
            message(
                id,
                "request.answered",
                serde_json::json!({ "appeal_id": appeal_id, "state": "rejected" }),
            )
        };
        let moved = message(
            "x-5",
            "order.referred",
            serde_json::json!({ "appeal_id": 9001, "organisation_id": "min-health", "reason": "x" }),
        );
        for body in [answered("x-3", 9001), answered("x-4", 424242), moved] {
            let r = signed(&app, "core-x", &body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
            assert_eq!(r.json()["error"]["code"], "not_sent_to_you");
        }
        let o = pmq::order(&app.state.db, order_id).await.unwrap().unwrap();
        assert_eq!(
            (o.state.as_str(), o.organisation_id.as_str()),
            ("new", "admin-krasnodar"),
            "the order is unchanged"
        );
        // Refused messages did not use up their ids; the sender closes it.
        let r = signed(&app, "core-y", &answered("x-3", 9001)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let o = pmq::order(&app.state.db, order_id).await.unwrap().unwrap();
        assert_eq!(o.state, "cancelled");
        still_healthy(&app).await;
    }
);

// Item 2: attachments by sequential id.
both_backends!(
    an_orders_files_are_open_to_its_sides_and_those_above,
    |app| {
        let executor = citizen(&app, "exec@transport.example", "Исполнитель").await;
        app.make_executor(executor, "min-transport").await;
        let stranger = citizen(&app, "head@health.example", "Чужой начальник").await;
        app.make_officer(stranger, "min-health").await;
        // The vice-governor's office above the ministry.
        let above = citizen(&app, "vg@infra.example", "Вице-губернатор").await;
        app.make_officer(above, "vg-infrastructure").await;

        app.clear_cookies();
        app.signed_in_admin().await;
        let id = new_order(&app, "min-transport", "Отчёт о мостах").await;
        let r = app
            .submit(
                &format!("/pm/orders/{id}"),
                &format!("/pm/orders/{id}/assign"),
                &[("executor_id", &executor.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        sign_in_as(&app, "exec@transport.example").await;
        let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
        let r = post_form(
            &app,
            &format!("/pm/orders/{id}"),
            &format!("/pm/orders/{id}/act"),
            &[("action", "comment"), ("text", "Акт осмотра")],
            &[
                ("files", "akt.pdf", pdf.clone()),
                ("files", "site.jpg", crate::problems::jpeg(640, 480)),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let files = pmq::attachments(&app.state.db, id).await.unwrap();
        assert_eq!(files.len(), 2);
        let doc = files.iter().find(|f| !f.is_photo).unwrap();
        let url = format!("/pm/attachments/{}", doc.attachment_id);
        // The photo is served by `/media/` under its random key: the key
        // alone must not open it to staff who may not read the files.
        let photo = files.iter().find(|f| f.is_photo).unwrap();
        let photo_url = veche::media::url(&photo.media_key, "full");
        assert_eq!(app.get(&photo_url).await.status, StatusCode::OK);

        let r = app.get(&url).await;
        assert_eq!(r.status, StatusCode::OK, "the executor reads it");
        assert_eq!(r.bytes, pdf);

        sign_in_as(&app, "head@health.example").await;
        let r = app.get(&url).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert!(!r.bytes.windows(5).any(|w| w == b"%PDF-"));
        let page = app.get(&format!("/pm/orders/{id}")).await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "other staff still read the order"
        );
        assert!(page.body.contains("akt.pdf") && !page.body.contains(&url));
        assert_eq!(
            app.get(&photo_url).await.status,
            StatusCode::NOT_FOUND,
            "the photo is as closed as the document"
        );

        sign_in_as(&app, "vg@infra.example").await;
        assert_eq!(
            app.get(&url).await.status,
            StatusCode::OK,
            "the office above reads it"
        );
        assert_eq!(app.get(&photo_url).await.status, StatusCode::OK);
        app.clear_cookies();
        assert_eq!(app.get(&photo_url).await.status, StatusCode::NOT_FOUND);
        still_healthy(&app).await;
    }
);

// Item 3: an order names a project and stage that exist, and agree.
both_backends!(an_order_names_an_existing_project_and_its_stage, |app| {
    app.signed_in_admin().await;
    let (projects, stages): (Vec<i64>, Vec<(i64, i64)>) = veche::on_db!(&app.state.db, |pool| {
        (
            sqlx::query_scalar::<_, i64>("select project_id from pm_project order by project_id")
                .fetch_all(pool)
                .await
                .unwrap(),
            sqlx::query_as::<_, (i64, i64)>(
                "select stage_id, project_id from pm_stage order by stage_id",
            )
            .fetch_all(pool)
            .await
            .unwrap(),
        )
    });
    let (stage, its_project) = stages[0];
    let other = *projects.iter().find(|p| **p != its_project).unwrap();
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(7)).date();
    let deadline = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let token = app.get("/pm/orders/new").await.csrf_token();
    let post = async |project: &str, stage: &str, accept: &str| {
        let body = serde_urlencoded::to_string([
            ("csrf_token", token.as_str()),
            ("title", "Поручение по проекту"),
            ("organisation_id", "min-transport"),
            ("deadline", deadline.as_str()),
            ("project_id", project),
            ("stage_id", stage),
        ])
        .unwrap();
        app.post_bytes(
            "/pm/orders",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            &[("accept", accept)],
        )
        .await
    };
    let json = "application/json";
    for (project, stage, code, field) in [
        (
            "987654".to_owned(),
            String::new(),
            "unknown_project",
            "project_id",
        ),
        (
            its_project.to_string(),
            "987654".to_owned(),
            "unknown_stage",
            "stage_id",
        ),
        (
            other.to_string(),
            stage.to_string(),
            "stage_not_in_project",
            "stage_id",
        ),
        (
            String::new(),
            stage.to_string(),
            "stage_not_in_project",
            "stage_id",
        ),
    ] {
        let r = post(&project, &stage, json).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{project}/{stage}: {}",
            r.body
        );
        let e = r.json();
        assert_eq!(e["error"]["code"], code);
        assert!(
            e["error"]["message"].as_str().unwrap().starts_with(field),
            "{e}"
        );
    }
    // The HTML form shows the same refusal.
    let r = post("987654", "", "text/html").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("project_id"));
    // A stage of its own project is accepted.
    let r = post(&its_project.to_string(), &stage.to_string(), "text/html").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location()
        .trim_start_matches("/pm/orders/")
        .parse()
        .unwrap();
    let o = pmq::order(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!((o.project_id, o.stage_id), (Some(its_project), Some(stage)));
    still_healthy(&app).await;
});

/// What the integration queue recorded for each message waiting.
async fn queue_errors(app: &TestApp) -> Vec<String> {
    veche::on_db!(&app.state.db, |pool| {
        sqlx::query_scalar::<_, Option<String>>(
            "select last_error from outbox where queue = 'integration' order by outbox_id",
        )
        .fetch_all(pool)
        .await
    })
    .unwrap()
    .into_iter()
    .map(Option::unwrap_or_default)
    .collect()
}

async fn system_at(app: &TestApp, id: &str, url: &str) -> crate::helpers::TestResponse {
    add_partner(
        app,
        &[
            ("partner_id", id),
            ("name", id),
            ("kind", "system"),
            ("url", url),
            ("secret", SECRET_X),
            ("organisations", "min-transport"),
        ],
    )
    .await
}

// Item 4, without an allow-list: loopback, link-local and private targets
// are refused when the partner is saved and when a message is delivered,
// also behind a name that resolves to loopback.
both_backends!(partner_urls_inside_the_network_are_refused, |app| {
    app.signed_in_admin().await;
    let (url, got) = receiver().await;
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let by_name = format!("http://localhost:{port}/hook");
    for bad in [
        url.clone(),
        by_name.clone(),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://10.0.0.7/hook".to_owned(),
        "http://[::1]/hook".to_owned(),
        "http://0.0.0.0/hook".to_owned(),
    ] {
        let r = system_at(&app, "edo-inside", &bad).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
        assert!(
            r.body.contains("VECHE_OUTBOUND_ALLOW_HOSTS"),
            "{bad}: the way out is named"
        );
    }
    assert!(
        veche::integration::partners::get(&app.state.db, "edo-inside")
            .await
            .unwrap()
            .is_none()
    );

    // Saved before the check existed (or the name moved to loopback since):
    // delivery refuses too, after resolving the name.
    for (id, u) in [
        ("edo-literal", url.as_str()),
        ("edo-name", by_name.as_str()),
    ] {
        veche::integration::partners::upsert(
            &app.state.db,
            &veche::integration::partners::NewPartner {
                partner_id: id,
                name: id,
                kind: "system",
                url: Some(u),
                secret: SECRET_X,
                all_organisations: false,
                medo: None,
                organisations: &["min-transport".to_owned()],
            },
        )
        .await
        .unwrap();
    }
    new_order(&app, "min-transport", "Проверить мост").await;
    app.run_workers().await;
    assert!(got.lock().unwrap().is_empty(), "nothing reached loopback");
    let errors = queue_errors(&app).await;
    assert_eq!(errors.len(), 2, "{errors:?}");
    for e in &errors {
        assert!(
            e.contains("loopback") && e.contains("VECHE_OUTBOUND_ALLOW_HOSTS"),
            "{e}"
        );
    }
    assert!(
        errors.iter().any(|e| e.contains("localhost is")),
        "{errors:?}"
    );
    still_healthy(&app).await;
});

/// A receiver on loopback answering every POST with `answer`.
async fn answering(
    answer: impl Fn() -> axum::response::Response + Clone + Send + Sync + 'static,
) -> (String, Received) {
    let got: Received = Default::default();
    let store = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let (store, answer) = (store.clone(), answer.clone());
                async move {
                    store.lock().unwrap().push((headers, body.to_vec()));
                    answer()
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

// Item 4, with 127.0.0.1 allowed: delivery works; a redirect is not
// followed; a failing partner's answer body is never shown.
both_backends!(
    allowed_hosts_are_reached_without_redirects_or_echoed_bodies,
    config = allow_loopback,
    |app| {
        use axum::response::IntoResponse;
        app.signed_in_admin().await;
        let (ok_url, ok_got) = receiver().await;
        let (inner_url, inner_got) = receiver().await;
        let target = inner_url.clone();
        let (redirect_url, redirect_got) = answering(move || {
            (
                StatusCode::TEMPORARY_REDIRECT,
                [("location", target.clone())],
            )
                .into_response()
        })
        .await;
        let (failing_url, _) = answering(|| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "db password=hunter2 at 10.1.2.3",
            )
                .into_response()
        })
        .await;
        for (id, u) in [
            ("edo-ok", &ok_url),
            ("edo-redirect", &redirect_url),
            ("edo-failing", &failing_url),
        ] {
            let r = system_at(&app, id, u).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{id}: {}", r.body);
        }
        // The allow-list names a host: a name for the same address is not
        // on it.
        let port = ok_url
            .trim_start_matches("http://127.0.0.1:")
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let r = system_at(&app, "edo-name", &format!("http://localhost:{port}/hook")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

        new_order(&app, "min-transport", "Проверить мост").await;
        // Every attempt fails for two of them.
        retry_until_dead(&app).await;
        assert_eq!(
            ok_got.lock().unwrap().len(),
            1,
            "the allowed partner got its webhook"
        );
        assert!(!redirect_got.lock().unwrap().is_empty());
        assert!(
            inner_got.lock().unwrap().is_empty(),
            "the redirect was not followed"
        );
        let dead = veche::db::queue::dead_jobs(&app.state.db, 10)
            .await
            .unwrap();
        assert_eq!(dead.len(), 2);
        let errors: Vec<String> = dead
            .iter()
            .map(|d| d.last_error.clone().unwrap_or_default())
            .collect();
        assert!(
            errors
                .iter()
                .any(|e| e.contains("HTTP 307") && e.contains("redirects are not followed")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.contains("HTTP 500")), "{errors:?}");
        let page = app.get("/admin/integration").await;
        assert!(page.body.contains("HTTP 500"), "the status is shown");
        for leaked in ["hunter2", "10.1.2.3"] {
            assert!(
                !page.body.contains(leaked),
                "the partner's body is not shown"
            );
            assert!(!errors.iter().any(|e| e.contains(leaked)), "nor recorded");
        }
        still_healthy(&app).await;
    }
);

// A type veche sends but takes from no one (`order.updated`) has no
// registered handler: refused with 422 `not_accepted`, and not consumed, so
// the same message is refused again rather than called a duplicate.
both_backends!(
    a_message_no_feature_handles_is_refused_and_not_consumed,
    |app| {
        app.signed_in_admin().await;
        let r = add_partner(
            &app,
            &[
                ("partner_id", "core-x"),
                ("name", "core-x"),
                ("kind", "instance"),
                ("secret", SECRET_X),
                ("all_organisations", "on"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let body = message(
            "x-updated-1",
            "order.updated",
            serde_json::json!({
                "order_id": 1, "parent_id": null, "title": "Ямочный ремонт", "description": "",
                "source": "portal", "organisation_id": "min-transport", "state": "new",
                "priority": "normal", "deadline": deadline_in_days(7), "request_url": null,
            }),
        );
        for _ in 0..2 {
            let r = signed(&app, "core-x", &body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert_eq!(r.json()["error"]["code"], "not_accepted", "{}", r.body);
        }
        still_healthy(&app).await;
    }
);
