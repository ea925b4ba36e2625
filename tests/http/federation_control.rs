//! The directory's master and the Department of Control
//! (docs/FEDERATION-CONTROL.md), through the signed messages endpoint as
//! the instances would send them to each other: each instance is an app
//! of its own with its own store; a message is taken from the sender's
//! outbox, signed with the key the receiver knows the sender by, and
//! posted to the receiver's `/api/v1/integration/messages`.

use std::sync::Arc;

use axum::http::StatusCode;
use veche::federation::{Federation, Instance, Role};
use veche::pm::domain::OrderAction;
use veche::pm::orders::{self, Actor};

use crate::both_backends;
use crate::helpers::TestApp;
use crate::integration::{new_order, now_secs, send};

/// Any valid Ed25519 public key: these tests sign with shared secrets.
const KEY: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

fn instance(id: &str, role: Role, portfolios: &[&str], fallback: bool) -> Instance {
    Instance {
        id: id.into(),
        name: String::new(),
        role,
        url: format!("http://{id}.example"),
        portfolios: portfolios.iter().map(|p| (*p).to_owned()).collect(),
        fallback,
        public_key: KEY.into(),
    }
}

/// The region of these tests: the portal, two cores and the Department of
/// Control.
fn region() -> Vec<Instance> {
    vec![
        instance("portal", Role::Portal, &[], false),
        instance("core-econ", Role::Core, &["vg-economy", "vg-finance"], true),
        instance(
            "core-infra",
            Role::Core,
            &["vg-infrastructure", "vg-construction"],
            false,
        ),
        instance("doc", Role::Control, &[], false),
    ]
}

fn secret(from: &str, to: &str) -> String {
    format!("{from}-to-{to}-0123456789abcdef0123456789abcdef")
}

/// The app as instance `this` of the region, knowing `partners` as veche
/// instances with a shared secret each way.
async fn federated(app: TestApp, this: &str, partners: &[&str]) -> TestApp {
    let mut app = app;
    let f = Federation::new(region(), this).unwrap();
    app.state.federation = Some(Arc::new(f));
    app.router = veche::app::router(app.state.clone());
    for p in partners {
        // What `p` signs with when it sends here.
        let s = secret(p, this);
        veche::integration::partners::upsert(
            &app.state.db,
            &veche::integration::partners::NewPartner {
                partner_id: p,
                name: p,
                kind: "instance",
                url: Some(&format!("http://{p}.example/api/v1/integration/messages")),
                secret: &s,
                all_organisations: false,
                organisations: &[],
                medo: None,
            },
        )
        .await
        .unwrap();
    }
    app
}

/// The messages waiting in `app`'s outbox for `to`, oldest first: (outbox
/// id, the message as JSON).
async fn outbox(app: &TestApp, to: &str) -> Vec<(i64, serde_json::Value)> {
    let sql = match app.state.db.backend() {
        veche::db::Backend::Postgres => {
            "select outbox_id, payload::text from outbox where queue = 'integration' order by outbox_id"
        }
        veche::db::Backend::Sqlite => {
            "select outbox_id, payload from outbox where queue = 'integration' order by outbox_id"
        }
    };
    let rows: Vec<(i64, String)> = veche::on_db!(&app.state.db, |pool| {
        sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap()
    });
    rows.into_iter()
        .map(|(id, p)| (id, serde_json::from_str::<serde_json::Value>(&p).unwrap()))
        .filter(|(_, env)| env["destination"] == to)
        .map(|(id, env)| (id, env["message"].clone()))
        .collect()
}

/// Posts `message` to `to` as `from` would: signed with their secret.
async fn post(to: &TestApp, from: &str, to_id: &str, message: &serde_json::Value) -> StatusCode {
    let body = serde_json::to_vec(message).unwrap();
    let ts = now_secs();
    let r = send(to, from, &secret(from, to_id), ts, &body, &body).await;
    assert!(
        r.status == StatusCode::OK || r.status == StatusCode::CONFLICT,
        "{from} → {to_id}: {} {}",
        r.status,
        r.body
    );
    r.status
}

/// Carries every message waiting in `from`'s outbox for `to`, of the type
/// `kind` (any, when empty), and takes it off the outbox as the delivery
/// worker would. Returns the messages carried.
async fn carry(
    from: &TestApp,
    from_id: &str,
    to: &TestApp,
    to_id: &str,
    kind: &str,
) -> Vec<serde_json::Value> {
    let mut carried = Vec::new();
    for (id, m) in outbox(from, to_id).await {
        if !kind.is_empty() && m["type"] != kind {
            continue;
        }
        post(to, from_id, to_id, &m).await;
        veche::exec_db!(
            &from.state.db,
            "delete from outbox where outbox_id = $1",
            id
        )
        .unwrap();
        carried.push(m);
    }
    carried
}

async fn org_parent(app: &TestApp, id: &str) -> Option<String> {
    veche::directory::queries::by_id(&app.state.db, id)
        .await
        .unwrap()
        .unwrap()
        .parent_id
}

async fn directory_version(app: &TestApp) -> i64 {
    app.scalar("select coalesce(max(version), 0) from directory_version")
        .await
}

both_backends!(
    the_portal_broadcasts_the_directory_and_instances_apply_each_version_once,
    |portal| {
        let portal = federated(portal, "portal", &["core-econ"]).await;
        let core = TestApp::spawn(portal.backend).await.unwrap();
        let core = federated(core, "core-econ", &["portal"]).await;
        portal.signed_in_admin().await;
        core.signed_in_admin().await;

        // An administrator moves the ministry of digital development under
        // another portfolio on the portal: version 1, for the core.
        let page = "/admin/organisations/min-digital/edit";
        let form = portal.get(page).await;
        assert_eq!(form.status, StatusCode::OK);
        let org = veche::directory::queries::by_id(&portal.state.db, "min-digital")
            .await
            .unwrap()
            .unwrap();
        let r = portal
            .submit(
                page,
                page,
                &[
                    ("kind", "department"),
                    ("parent_id", "vg-infrastructure"),
                    ("name_ru", &org.name_ru),
                    ("name_en", &org.name_en),
                    ("short_name_ru", &org.short_name_ru),
                    ("short_name_en", "Digital (moved)"),
                    ("inn", org.inn.as_deref().unwrap_or("")),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(directory_version(&portal).await, 1);
        let sent = outbox(&portal, "core-econ").await;
        assert_eq!(sent.len(), 1);
        let v1 = sent[0].1.clone();
        assert_eq!(v1["type"], "directory.updated");
        assert_eq!(v1["data"]["version"], 1);
        assert_eq!(v1["data"]["full"], true);
        let n = v1["data"]["organisations"].as_array().unwrap().len() as i64;
        assert_eq!(n, portal.scalar("select count(*) from organisation").await);

        // The core applies it: the move and the name, version 1.
        assert_eq!(
            org_parent(&core, "min-digital").await.as_deref(),
            Some("vg-economy")
        );
        assert_eq!(
            post(&core, "portal", "core-econ", &v1).await,
            StatusCode::OK
        );
        assert_eq!(
            org_parent(&core, "min-digital").await.as_deref(),
            Some("vg-infrastructure")
        );
        assert_eq!(directory_version(&core).await, 1);
        let stamp = "select count(*) from organisation where short_name_en = 'Digital (moved)'";
        assert_eq!(core.scalar(stamp).await, 1);

        // The same message again: refused as a duplicate, nothing changed.
        assert_eq!(
            post(&core, "portal", "core-econ", &v1).await,
            StatusCode::CONFLICT
        );
        // The same version under a new id (a resend): applied, ignored.
        let mut again = v1.clone();
        again["id"] = "resend-of-v1".into();
        again["data"]["organisations"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .filter(|o| o["organisation_id"] == "min-digital")
            .for_each(|o| o["short_name_en"] = "Not applied".into());
        assert_eq!(
            post(&core, "portal", "core-econ", &again).await,
            StatusCode::OK
        );
        assert_eq!(core.scalar(stamp).await, 1);

        // Out of order: version 3 arrives before version 2; 2 is ignored.
        let version = |v: i64, name: &str, id: &str| {
            let mut m = v1.clone();
            m["id"] = id.into();
            m["data"]["version"] = v.into();
            m["data"]["organisations"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .filter(|o| o["organisation_id"] == "min-digital")
                .for_each(|o| o["short_name_en"] = name.into());
            m
        };
        post(&core, "portal", "core-econ", &version(3, "Third", "v3")).await;
        post(&core, "portal", "core-econ", &version(2, "Second", "v2")).await;
        assert_eq!(directory_version(&core).await, 3);
        let name = veche::directory::queries::by_id(&core.state.db, "min-digital")
            .await
            .unwrap()
            .unwrap()
            .short_name_en;
        assert_eq!(name, "Third");

        // Only the portal sends the directory.
        let forged = version(9, "Forged", "forged");
        let body = serde_json::to_vec(&forged).unwrap();
        veche::integration::partners::upsert(
            &core.state.db,
            &veche::integration::partners::NewPartner {
                partner_id: "core-infra",
                name: "core-infra",
                kind: "instance",
                url: None,
                secret: &secret("core-infra", "core-econ"),
                all_organisations: false,
                organisations: &[],
                medo: None,
            },
        )
        .await
        .unwrap();
        let r = send(
            &core,
            "core-infra",
            &secret("core-infra", "core-econ"),
            now_secs(),
            &body,
            &body,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(directory_version(&core).await, 3);

        // Both messages are described in the OpenAPI document.
        let schemas =
            core.get("/api/openapi.json").await.json()["components"]["schemas"].to_string();
        for t in [
            "directory.updated",
            "orders.transferred",
            "request.moved",
            "moved_to",
        ] {
            assert!(schemas.contains(t), "{t} in the OpenAPI schemas");
        }

        // The core's own directory pages refuse edits and say where.
        let r = core.get("/admin/organisations/new").await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(
            r.body.contains("http://portal.example/admin/organisations"),
            "{}",
            r.body
        );
        assert_eq!(
            core.get("/admin/organisations/min-digital/edit")
                .await
                .status,
            StatusCode::CONFLICT
        );
    }
);

/// Open orders of the core, not moved away, for `org`.
async fn open_here(app: &TestApp, org: &str) -> i64 {
    app.scalar(&format!(
        "select count(*) from pm_order where organisation_id = '{org}'
           and state not in ('done', 'cancelled')
           and order_id not in (select order_id from pm_order_moved)"
    ))
    .await
}

/// The number on a dashboard's summary (`<dd id="...">N ...`).
fn figure(body: &str, id: &str) -> i64 {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &body[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap()
}

both_backends!(
    a_department_moves_with_its_open_orders_once_and_the_control_sums_the_cores,
    |portal| {
        let backend = portal.backend;
        let portal = federated(portal, "portal", &["core-econ", "core-infra", "doc"]).await;
        let econ = TestApp::spawn(backend).await.unwrap();
        let econ = federated(econ, "core-econ", &["portal", "core-infra", "doc"]).await;
        let infra = TestApp::spawn(backend).await.unwrap();
        let infra = federated(infra, "core-infra", &["portal", "core-econ", "doc"]).await;
        let doc = TestApp::spawn(backend).await.unwrap();
        let doc = federated(doc, "doc", &["portal", "core-econ", "core-infra"]).await;
        for app in [&portal, &econ, &infra, &doc] {
            app.signed_in_admin().await;
        }

        // The economy core: two open orders of the ministry of digital
        // development (one delegated to the ministry itself, with a
        // comment and a sub-order), one done, and one of the ministry of
        // economy that stays. The infrastructure core: one of transport.
        let digital = new_order(&econ, "min-digital", "Цифровая платформа").await;
        orders::act(
            &econ.state,
            digital,
            Actor::System,
            OrderAction::Accept,
            &[],
        )
        .await
        .unwrap();
        orders::act(
            &econ.state,
            digital,
            Actor::System,
            OrderAction::Comment {
                text: "Ход работ: закуплены серверы".into(),
            },
            &[],
        )
        .await
        .unwrap();
        let second = new_order(&econ, "min-digital", "Портал услуг").await;
        let done = new_order(&econ, "min-digital", "Отчёт за квартал").await;
        for a in [OrderAction::Accept, OrderAction::Start] {
            orders::act(&econ.state, done, Actor::System, a, &[])
                .await
                .unwrap();
        }
        orders::act(
            &econ.state,
            done,
            Actor::System,
            OrderAction::SubmitReport {
                text: "Готово".into(),
                outcome: None,
                planned_date: None,
            },
            &[],
        )
        .await
        .unwrap();
        orders::act(
            &econ.state,
            done,
            Actor::System,
            OrderAction::AcceptReport,
            &[],
        )
        .await
        .unwrap();
        new_order(&econ, "min-economy", "Инвестпослание").await;
        new_order(&infra, "min-transport", "Дорожная карта").await;
        let events_before = econ
            .scalar(&format!(
                "select count(*) from pm_order_event where order_id = {digital}"
            ))
            .await;

        // The cores keep the Department of Control's replica.
        carry(&econ, "core-econ", &doc, "doc", "order.updated").await;
        carry(&infra, "core-infra", &doc, "doc", "order.updated").await;
        let total_before = figure(&doc.get("/pm").await.body, "total-orders");
        assert_eq!(total_before, 5);

        // The reorganisation, on the portal: the ministry of digital
        // development goes to the infrastructure portfolio.
        let moved = veche::directory::master::move_department(
            &portal.state.db,
            "min-digital",
            "vg-infrastructure",
        )
        .await
        .unwrap();
        assert_eq!(moved.from_portfolio.as_deref(), Some("vg-economy"));
        let mut to_econ = Vec::new();
        for (app, id) in [(&econ, "core-econ"), (&infra, "core-infra"), (&doc, "doc")] {
            let got = carry(&portal, "portal", app, id, "directory.updated").await;
            assert_eq!(got.len(), 1, "{id}");
            if id == "core-econ" {
                to_econ = got;
            }
            assert_eq!(
                org_parent(app, "min-digital").await.as_deref(),
                Some("vg-infrastructure")
            );
        }

        // The economy core sent its two open orders of the ministry to the
        // infrastructure core, and keeps them read-only.
        assert_eq!(open_here(&econ, "min-digital").await, 0);
        assert_eq!(econ.scalar("select count(*) from pm_order_moved").await, 2);
        let page = econ.get(&format!("/pm/orders/{digital}")).await;
        assert!(page.body.contains("id=\"order-moved\""), "{}", page.body);
        assert!(
            page.body
                .contains("http://core-infra.example/pm/orders/moved/core-econ/")
        );
        let refused = crate::problems::post_form(
            &econ,
            &format!("/pm/orders/{second}"),
            &format!("/pm/orders/{second}/act"),
            &[("action", "accept")],
            &[],
        )
        .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        assert!(refused.body.contains("core-infra"), "{}", refused.body);
        let transfers = outbox(&econ, "core-infra").await;
        assert_eq!(transfers.len(), 1);
        let transfer = transfers[0].1.clone();
        assert_eq!(transfer["type"], "orders.transferred");
        assert_eq!(transfer["data"]["orders"].as_array().unwrap().len(), 2);

        // The infrastructure core opens them once, with their history.
        carry(
            &econ,
            "core-econ",
            &infra,
            "core-infra",
            "orders.transferred",
        )
        .await;
        assert_eq!(open_here(&infra, "min-digital").await, 2);
        let here = infra
            .scalar(&format!(
                "select order_id from pm_order where external_key = 'moved:core-econ:{digital}'"
            ))
            .await;
        let o = veche::pm::queries::order(&infra.state.db, here)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.state, "accepted");
        let events_after = infra
            .scalar(&format!(
                "select count(*) from pm_order_event where order_id = {here}"
            ))
            .await;
        // Every event it had, and the one saying where it came from.
        assert_eq!(events_after, events_before + 1);
        let comment = infra
            .scalar(&format!(
                "select count(*) from pm_order_event where order_id = {here}
                   and kind = 'comment' and note like '%серверы%'"
            ))
            .await;
        assert_eq!(comment, 1);
        let link = infra
            .get(&format!("/pm/orders/moved/core-econ/{digital}"))
            .await;
        assert_eq!(link.status, StatusCode::SEE_OTHER);
        assert_eq!(link.location(), format!("/pm/orders/{here}"));

        // A replay of the transfer under a new id (a resend after a crash)
        // opens nothing twice.
        let mut replay = transfer.clone();
        replay["id"] = "transfer-resent".into();
        assert_eq!(
            post(&infra, "core-econ", "core-infra", &replay).await,
            StatusCode::OK
        );
        assert_eq!(open_here(&infra, "min-digital").await, 2);
        assert_eq!(
            infra
                .scalar("select count(*) from pm_order where external_key like 'moved:%'")
                .await,
            2
        );
        // The directory's version again (resent) moves nothing twice.
        let mut resent = to_econ[0].clone();
        resent["id"] = "directory-resent".into();
        assert_eq!(
            post(&econ, "portal", "core-econ", &resent).await,
            StatusCode::OK
        );
        assert_eq!(econ.scalar("select count(*) from pm_order_moved").await, 2);
        assert!(outbox(&econ, "core-infra").await.is_empty());

        // Every snapshot reaches the Department of Control: the moved
        // orders are counted where they are now, once.
        carry(&econ, "core-econ", &doc, "doc", "order.updated").await;
        carry(&infra, "core-infra", &doc, "doc", "order.updated").await;
        let live = "select count(*) from pm_order where state <> 'cancelled'
                   and order_id not in (select order_id from pm_order_moved)";
        let sum = econ.scalar(live).await + infra.scalar(live).await;
        assert_eq!(sum, 5, "nothing lost, nothing doubled");
        let body = doc.get("/pm").await.body;
        assert_eq!(figure(&body, "total-orders"), sum);
        let done_sum = econ
            .scalar("select count(*) from pm_order where state = 'done'")
            .await
            + infra
                .scalar("select count(*) from pm_order where state = 'done'")
                .await;
        assert_eq!(figure(&body, "done-orders"), done_sum);
        assert!(body.contains("id=\"replica-note\""));
        // By portfolio, as the directory has it now: the ministry's three
        // (two moved, one done that stayed in its old core's books) and
        // transport's one; the economy portfolio keeps the ministry of
        // economy's.
        let infra_page = doc.get("/pm/portfolios/vg-infrastructure").await;
        assert_eq!(figure(&infra_page.body, "total-orders"), 4);
        let econ_page = doc.get("/pm/portfolios/vg-economy").await;
        assert_eq!(figure(&econ_page.body, "total-orders"), 1);
        // The reporting relation over the replica says the same.
        assert_eq!(
            doc.scalar("select count(*) from mart_orders_region").await,
            sum
        );

        // A late, older snapshot changes nothing.
        let stale = serde_json::json!({
            "id": "stale-snapshot",
            "sent_at": "2026-11-23T10:00:00Z",
            "type": "order.updated",
            "data": {
                "order_id": here, "parent_id": null, "title": "old", "description": "",
                "source": "manual", "organisation_id": "min-digital", "state": "cancelled",
                "priority": "normal", "deadline": "2026-01-01T00:00:00Z", "request_url": null,
                "version": 0
            }
        });
        post(&doc, "core-infra", "doc", &stale).await;
        assert_eq!(figure(&doc.get("/pm").await.body, "total-orders"), sum);

        // The Department of Control writes to no instance: nothing waits
        // in its outbox, and its directory is not edited there.
        assert_eq!(
            doc.scalar("select count(*) from outbox where queue = 'integration'")
                .await,
            0
        );
        assert_eq!(
            doc.get("/admin/organisations/new").await.status,
            StatusCode::CONFLICT
        );
        // A core does not keep a replica.
        let r = send(
            &econ,
            "core-infra",
            &secret("core-infra", "core-econ"),
            now_secs(),
            &serde_json::to_vec(&stale).unwrap(),
            &serde_json::to_vec(&stale).unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
);

both_backends!(
    a_request_follows_its_order_to_the_core_it_moved_to,
    |portal| {
        use crate::problems::{KRASNODAR, citizen, file, id_from, set, sign_in_as};
        let portal = federated(portal, "portal", &["core-econ", "core-infra"]).await;
        set(&portal, "premoderation", "off").await;
        citizen(&portal, "author@example.ru", "Автор").await;
        sign_in_as(&portal, "author@example.ru").await;
        let id = id_from(&file(&portal, "road-pothole", KRASNODAR, "Яма на дороге.", &[]).await);
        // Potholes go to the Ministry of Transport (core-infra's portfolio
        // now); say routing sent it to the economy core before a move.
        let mut tx = portal.state.db.begin().await.unwrap();
        veche::integration::partners::record_request_sent(&mut tx, id, "core-econ")
            .await
            .unwrap();
        veche::exec_tx!(
            &mut tx,
            "update appeal set organisation_id = 'min-transport' where appeal_id = $1",
            id
        )
        .unwrap();
        tx.commit().await.unwrap();
        let sent_to = async || {
            let mut tx = portal.state.db.begin().await.unwrap();
            let to = veche::integration::partners::request_sent_to(&mut tx, id)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            to
        };
        let moved = |msg: &str, from: &str| {
            serde_json::json!({
                "id": msg,
                "sent_at": "2026-12-01T10:00:00Z",
                "type": "request.moved",
                "data": { "appeal_id": id, "from": from }
            })
        };
        let signed = |msg: &serde_json::Value| serde_json::to_vec(msg).unwrap();

        // A core naming a core the request never went to is refused, and
        // nothing changes.
        let wrong = moved("moved-wrong", "doc");
        let body = signed(&wrong);
        let r = send(
            &portal,
            "core-infra",
            &secret("core-infra", "portal"),
            now_secs(),
            &body,
            &body,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert!(r.body.contains("not_sent_to_you"), "{}", r.body);
        assert_eq!(sent_to().await, ["core-econ"]);

        // The core it moved to: the request's messages go there now, and
        // a resend under a new id changes nothing.
        let status = post(
            &portal,
            "core-infra",
            "portal",
            &moved("moved-1", "core-econ"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sent_to().await, ["core-infra"]);
        let status = post(
            &portal,
            "core-infra",
            "portal",
            &moved("moved-2", "core-econ"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sent_to().await, ["core-infra"]);
        // The old core, which does not own the ministry, may not claim it.
        let r = send(
            &portal,
            "core-econ",
            &secret("core-econ", "portal"),
            now_secs(),
            &signed(&moved("moved-back", "core-infra")),
            &signed(&moved("moved-back", "core-infra")),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(sent_to().await, ["core-infra"]);
    }
);
