//! A federated installation on loopback (docs/FEDERATION.md): the portal,
//! two portfolio cores and the Department of Control, four `veche`
//! processes with their own databases and keys, one file naming them. A
//! citizen's report routed to a department of core A's portfolio reaches
//! core A (not B); core A delegates it across portfolios to an
//! organisation core B owns, with core B killed (SIGKILL) and started
//! again meanwhile; core B's answer comes back to core A, whose report is
//! the official reaction on the portal. Every database is checked
//! afterwards: nothing lost, nothing doubled.

use std::time::Duration;

use reqwest::StatusCode;

use crate::two_processes::{Browser, Node, core_orders, count, free_port, wait_for};

fn node(root: &std::path::Path, id: &'static str, core: &'static str) -> Node {
    Node {
        dir: root.join(id),
        port: free_port(),
        id,
        core,
        child: None,
        env: Vec::new(),
    }
}

async fn scalar(pool: &sqlx::SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_crosses_portfolios_between_five_processes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut portal = node(tmp.path(), "portal", "core-a");
    let mut core_a = node(tmp.path(), "core-a", "local");
    let mut core_b = node(tmp.path(), "core-b", "local");
    let mut control = node(tmp.path(), "dep-control", "local");
    let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/organisations.csv");

    // Each instance makes its own key; the file gets the public halves.
    let mut keys = Vec::new();
    for n in [&portal, &core_a, &core_b, &control] {
        std::fs::create_dir_all(&n.dir).unwrap();
        let key = n.dir.join("federation.key");
        let public = n
            .output(&["federation", "keygen", "--out", key.to_str().unwrap()])
            .await;
        keys.push((key, public.trim().to_owned()));
    }
    // Core A: the infrastructure portfolio (the Ministry of Transport);
    // core B: the economy, and the municipalities (fallback).
    let file = tmp.path().join("federation.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[[instance]]
id = "portal"
role = "portal"
url = "{}"
public_key = "{}"

[[instance]]
id = "core-a"
role = "core"
url = "{}"
portfolios = ["vg-infrastructure"]
public_key = "{}"

[[instance]]
id = "core-b"
role = "core"
url = "{}"
portfolios = ["vg-economy"]
fallback = true
public_key = "{}"

[[instance]]
id = "dep-control"
role = "control"
url = "{}"
public_key = "{}"
"#,
            portal.base(),
            keys[0].1,
            core_a.base(),
            keys[1].1,
            core_b.base(),
            keys[2].1,
            control.base(),
            keys[3].1,
        ),
    )
    .unwrap();
    for (n, (key, _)) in [&mut portal, &mut core_a, &mut core_b, &mut control]
        .into_iter()
        .zip(&keys)
    {
        n.env.push(("VECHE_FEDERATION", file.display().to_string()));
        n.env
            .push(("VECHE_FEDERATION_KEY", key.display().to_string()));
        n.run(&[
            "create-admin",
            "--email",
            &format!("admin@{}.test", n.id),
            "--name",
            &format!("Admin {}", n.id),
        ])
        .await;
        // The portal alone (the directory's master) imports the directory;
        // the others get it as `directory.updated` once they run.
        if n.id == "portal" {
            n.run(&["import-directory", directory]).await;
        }
    }
    // Potholes in Krasnodar go to the Ministry of Transport (core A's).
    let routing = tmp.path().join("routing.csv");
    std::fs::write(
        &routing,
        "category_id,municipality,organisation_id\nroad-pothole,krasnodar,min-transport\n\
         bus-stop,krasnodar,min-digital\n",
    )
    .unwrap();
    portal
        .run(&["import-directory", routing.to_str().unwrap()])
        .await;
    for n in [&mut portal, &mut core_a, &mut core_b, &mut control] {
        n.start().await;
    }
    // The four nodes' logs, shown when a wait times out.
    macro_rules! all {
        () => {
            [&portal, &core_a, &core_b, &control]
        };
    }

    let directory_at = async |n: &Node| {
        scalar(
            &n.db().await,
            "select coalesce(max(version), 0) from directory_version",
        )
        .await
    };
    let master = directory_at(&portal).await;
    assert!(master >= 1, "the import raised the directory's version");
    for n in [&core_a, &core_b, &control] {
        wait_for("the directory at every instance", &all!(), async || {
            (directory_at(n).await == master).then_some(())
        })
        .await;
    }

    // A citizen's report, published on the portal.
    let p = Browser::new(portal.base());
    p.sign_in("admin@portal.test").await;
    let id = publish(
        &p,
        &[
            ("category", "road-pothole"),
            ("lat", "45.0355"),
            ("lon", "38.9753"),
            ("address", "Краснодар, ул. Красная, 122"),
            ("description", "Яма на проезжей части у остановки."),
        ],
    )
    .await;
    let page = format!("/problems/{id}");

    // It reaches core A, the owner of the Ministry of Transport's portfolio.
    let a = Browser::new(core_a.base());
    a.sign_in("admin@core-a.test").await;
    let title = format!("Обращение № {id}");
    let root = wait_for("the order in core A", &all!(), async || {
        core_orders(&a)
            .await
            .into_iter()
            .find(|o| o.1.starts_with(&title))
            .map(|o| o.0)
    })
    .await;
    let adb = core_a.db().await;
    let bdb = core_b.db().await;
    assert_eq!(
        count(
            &bdb,
            "select count(*) from pm_order where appeal_id = $1",
            id
        )
        .await,
        0,
        "core B never hears of the request itself"
    );

    // Core B goes down; core A delegates across portfolios to the city of
    // Krasnodar, which core B owns: the order waits for core B.
    core_b.kill().await;
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(2)).date();
    let deadline = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let r = a
        .post(
            &format!("/pm/orders/{root}"),
            &format!("/pm/orders/{root}/delegate"),
            &[
                ("title", "Заделать яму на ул. Красной"),
                ("organisation_id", "admin-krasnodar"),
                ("deadline", &deadline),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sub: i64 = r
        .location
        .trim_start_matches("/pm/orders/")
        .parse()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    core_b.start().await;

    // Core B opens it once and answers it.
    let b = Browser::new(core_b.base());
    b.sign_in("admin@core-b.test").await;
    let there = wait_for("the delegated order in core B", &all!(), async || {
        core_orders(&b)
            .await
            .into_iter()
            .find(|o| o.1 == "Заделать яму на ул. Красной")
            .map(|o| o.0)
    })
    .await;
    let r = b
        .post_multipart(
            &format!("/pm/orders/{there}"),
            &format!("/pm/orders/{there}/act"),
            &[("action", "report"), ("text", "Яму заделали 1 декабря.")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Its report comes back to core A's sub-order, which core A accepts,
    // then reports the whole request.
    wait_for("the report back in core A", &all!(), async || {
        let state: String = sqlx::query_scalar("select state from pm_order where order_id = $1")
            .bind(sub)
            .fetch_one(&adb)
            .await
            .unwrap();
        (state == "report_submitted").then_some(())
    })
    .await;
    for (order, fields) in [
        (sub, vec![("action", "accept_report")]),
        (
            root,
            vec![
                ("action", "report"),
                ("text", "Яма заделана администрацией Краснодара."),
                ("outcome", "resolved"),
            ],
        ),
    ] {
        let r = a
            .post_multipart(
                &format!("/pm/orders/{order}"),
                &format!("/pm/orders/{order}/act"),
                &fields,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }

    // The official reaction on the portal.
    let public = Browser::new(portal.base());
    wait_for("the reaction on the portal", &all!(), async || {
        public
            .get(&page)
            .await
            .body
            .contains("Яма заделана администрацией Краснодара.")
            .then_some(())
    })
    .await;

    // The Department of Control was told of the orders of both cores.
    let pdb = portal.db().await;
    let cdb = control.db().await;
    wait_for("order.updated from both cores", &all!(), async || {
        let from = |core: &'static str| {
            let cdb = &cdb;
            async move {
                sqlx::query_scalar::<_, i64>(
                    "select count(*) from pm_order_replica where instance = $1",
                )
                .bind(core)
                .fetch_one(cdb)
                .await
                .unwrap()
            }
        };
        (from("core-a").await > 0 && from("core-b").await > 0).then_some(())
    })
    .await;

    // A second report, on a stop's arrivals board: routed to the Ministry of
    // Digital Development, whose department core B owns (for now).
    let id2 = publish(
        &p,
        &[
            ("category", "bus-stop"),
            ("lat", "45.0400"),
            ("lon", "38.9760"),
            ("address", "Краснодар, ул. Северная, 320"),
            (
                "description",
                "Не работает электронное табло прибытия автобусов.",
            ),
        ],
    )
    .await;
    let page2 = format!("/problems/{id2}");
    let title2 = format!("Обращение № {id2}");
    wait_for(
        "the second request's order in core B",
        &all!(),
        async || {
            core_orders(&b)
                .await
                .into_iter()
                .find(|o| o.1.starts_with(&title2))
                .map(|o| o.0)
        },
    )
    .await;

    // An open order of the Ministry of Digital Development at core B, with
    // a step of history, before its department moves.
    let r = b
        .post(
            "/pm/orders/new",
            "/pm/orders",
            &[
                ("title", "Перевести запись в МФЦ в электронный вид"),
                ("organisation_id", "min-digital"),
                ("deadline", &deadline),
                ("priority", "high"),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let digital: i64 = r
        .location
        .trim_start_matches("/pm/orders/")
        .parse()
        .unwrap();
    let r = b
        .post_multipart(
            &format!("/pm/orders/{digital}"),
            &format!("/pm/orders/{digital}/act"),
            &[("action", "comment"), ("text", "Запрошены данные у МФЦ.")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let history_at_b = count(
        &bdb,
        "select count(*) from pm_order_event where order_id = $1",
        digital,
    )
    .await;
    assert!(history_at_b >= 2, "created and commented");

    // A department moves portfolios: the Ministry of Digital Development
    // goes from the economy (core B) to infrastructure (core A). Every
    // instance applies the new directory version.
    portal
        .run(&[
            "federation",
            "move-department",
            "min-digital",
            "--to",
            "vg-infrastructure",
        ])
        .await;
    let moved = directory_at(&portal).await;
    assert!(moved > master, "the move is a new directory version");
    for n in [&core_a, &core_b, &control] {
        wait_for("the move at every instance", &all!(), async || {
            let parent: Option<String> = sqlx::query_scalar(
                "select parent_id from organisation where organisation_id = 'min-digital'",
            )
            .fetch_optional(&n.db().await)
            .await
            .unwrap()
            .flatten();
            (directory_at(n).await == moved && parent.as_deref() == Some("vg-infrastructure"))
                .then_some(())
        })
        .await;
    }

    // Its open order went to core A with its history, once; core B keeps
    // it read-only, pointing there.
    let at_a = wait_for("the moved order in core A", &all!(), async || {
        core_orders(&a)
            .await
            .into_iter()
            .find(|o| o.1 == "Перевести запись в МФЦ в электронный вид")
            .map(|o| o.0)
    })
    .await;
    assert_eq!(
        count(
            &adb,
            "select count(*) from pm_order where external_key = 'moved:core-b:' || $1",
            digital,
        )
        .await,
        1,
        "opened once, keyed by where it came from"
    );
    let history_at_a = count(
        &adb,
        "select count(*) from pm_order_event where order_id = $1",
        at_a,
    )
    .await;
    assert_eq!(
        history_at_a,
        history_at_b + 1,
        "its history, and where it came from"
    );
    assert!(
        a.get(&format!("/pm/orders/{at_a}"))
            .await
            .body
            .contains("Запрошены данные у МФЦ."),
        "the history shows at core A"
    );
    assert_eq!(
        count(
            &bdb,
            "select count(*) from pm_order_moved where order_id = $1 and to_instance = 'core-a'",
            digital,
        )
        .await,
        1
    );
    let there = b.get(&format!("/pm/orders/{digital}")).await.body;
    assert!(there.contains("id=\"order-moved\""), "says where it went");
    assert!(!there.contains("/act\""), "offers no action");
    let r = b
        .post_multipart(
            &format!("/pm/orders/{digital}"),
            &format!("/pm/orders/{digital}/act"),
            &[("action", "comment"), ("text", "Ещё одно.")],
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a moved order is read-only: {}",
        r.body
    );

    // The request's order moved too, and the portal now takes its answer
    // from core A: core A reports it, and the citizen sees the reaction.
    let answer2 = wait_for(
        "the second request's order in core A",
        &all!(),
        async || {
            core_orders(&a)
                .await
                .into_iter()
                .find(|o| o.1.starts_with(&title2))
                .map(|o| o.0)
        },
    )
    .await;
    wait_for("the portal told of the move", &all!(), async || {
        let to: Vec<String> = sqlx::query_scalar(
            "select partner_id from integration_request_partner where appeal_id = $1",
        )
        .bind(id2)
        .fetch_all(&portal.db().await)
        .await
        .unwrap();
        (to == ["core-a"]).then_some(())
    })
    .await;
    let r = a
        .post_multipart(
            &format!("/pm/orders/{answer2}"),
            &format!("/pm/orders/{answer2}/act"),
            &[
                ("action", "report"),
                ("text", "Табло на остановке заменено."),
                ("outcome", "resolved"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    wait_for("the second reaction on the portal", &all!(), async || {
        public
            .get(&page2)
            .await
            .body
            .contains("Табло на остановке заменено.")
            .then_some(())
    })
    .await;

    // Nothing lost, nothing doubled: every message but those for the
    // Department of Control delivered, each applied once.
    wait_for("the outboxes empty", &all!(), async || {
        let mut pending = 0;
        for db in [&pdb, &adb, &bdb, &cdb] {
            pending += scalar(
                db,
                "select count(*) from outbox where queue = 'integration'",
            )
            .await;
        }
        (pending == 0).then_some(())
    })
    .await;
    let one = |n: i64, what: &str| assert_eq!(n, 1, "{what}");
    one(
        count(
            &pdb,
            "select count(*) from appeal_event where appeal_id = $1 and kind = 'resolved'",
            id,
        )
        .await,
        "one reaction on the portal",
    );
    one(
        count(
            &adb,
            "select count(*) from pm_order where appeal_id = $1 and parent_id is null",
            id,
        )
        .await,
        "one order in core A",
    );
    one(
        count(
            &adb,
            "select count(*) from pm_order_remote where order_id = $1",
            sub,
        )
        .await,
        "core A's sub-order is carried out at core B",
    );
    one(
        scalar(
            &bdb,
            "select count(*) from pm_order where external_key like 'core-a:order:%'",
        )
        .await,
        "one order in core B",
    );
    one(
        scalar(
            &bdb,
            "select count(*) from integration_inbox where partner_id = 'core-a'
              and message_type = 'order.delegated'",
        )
        .await,
        "order.delegated applied once",
    );
    assert_eq!(
        scalar(
            &pdb,
            "select count(*) from integration_inbox where partner_id = 'core-a'
              and message_type = 'order.reported'",
        )
        .await,
        2,
        "each request's reaction came from core A (the second after its move), once"
    );
    one(
        scalar(
            &pdb,
            "select count(*) from integration_inbox where partner_id = 'core-a'
              and message_type = 'request.moved'",
        )
        .await,
        "the portal heard of the move once",
    );
    one(
        scalar(
            &adb,
            "select count(*) from integration_inbox where message_type = 'order.requested'",
        )
        .await,
        "order.requested applied once, in core A",
    );
    assert_eq!(
        scalar(
            &bdb,
            "select count(*) from integration_inbox where message_type = 'order.requested'"
        )
        .await,
        1,
        "core B got the second request only"
    );
    one(
        count(
            &pdb,
            "select count(*) from appeal_event where appeal_id = $1 and kind = 'resolved'",
            id2,
        )
        .await,
        "one reaction to the moved request",
    );
    let done: String = sqlx::query_scalar("select state from pm_order where order_id = $1")
        .bind(sub)
        .fetch_one(&adb)
        .await
        .unwrap();
    assert_eq!(done, "done");
    // The control dashboard equals the sum of the cores: each order counted
    // once, where it is carried out (a giver's record of an order carried
    // out at another core is not an order of its own).
    let live = "select count(*) from pm_order where state <> 'cancelled'
                  and order_id not in (select order_id from pm_order_moved)
                  and order_id not in (select order_id from pm_order_remote)";
    let sum = scalar(&adb, live).await + scalar(&bdb, live).await;
    assert!(sum >= 2, "both cores have orders");
    let c = Browser::new(control.base());
    c.sign_in("admin@dep-control.test").await;
    let body = c.get("/pm").await.body;
    assert_eq!(figure(&body, "total-orders"), sum, "the control dashboard");
    assert!(
        !core_a.log().contains("clock_skew") && !core_b.log().contains("clock_skew"),
        "no clock is off on one machine"
    );
    for n in [&mut portal, &mut core_a, &mut core_b, &mut control] {
        n.kill().await;
    }
}

/// Files a report on the portal with `fields` and approves it (the
/// administrator moderates): its number.
async fn publish(p: &Browser, fields: &[(&str, &str)]) -> i64 {
    let mut all = fields.to_vec();
    all.push(("not_duplicate", "on"));
    let r = p
        .post_multipart("/problems/new", "/problems/new", &all, None)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location
        .trim_start_matches("/problems/")
        .split(['?', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let r = p
        .post_multipart(
            &format!("/problems/{id}"),
            &format!("/problems/{id}/action"),
            &[("action", "approve")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id
}

/// The number on a dashboard's summary (`<dd id="...">N ...`).
fn figure(body: &str, id: &str) -> i64 {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &body[at..];
    let start = rest.find('>').expect("a tag") + 1;
    rest[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .expect("a number")
}
