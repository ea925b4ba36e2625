//! The living demo region (issue 13): generated on the first start through
//! the features' own services, in every state, idempotent on restart, with
//! one account per role that signs in only on a loopback address.

use axum::http::StatusCode;

use crate::both_backends;
use crate::helpers::TestApp;

const PASSWORD: &str = veche::demo::accounts::PASSWORD;

async fn states(app: &TestApp, table: &str) -> Vec<String> {
    let mut tx = app.state.db.begin().await.unwrap();
    let sql = format!("select distinct state from {table} order by state");
    let v = veche::on_tx!(&mut tx, |conn| sqlx::query_scalar::<_, String>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .fetch_all(conn)
    .await)
    .unwrap();
    tx.commit().await.unwrap();
    v
}

/// The text of the element with `id` (a figure's value).
fn figure(html: &str, id: &str) -> String {
    let after = html
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no #{id}"));
    let text = after.split_once('>').unwrap().1;
    text.split('<').next().unwrap().trim().to_owned()
}

both_backends!(
    the_demo_region_is_alive_after_the_first_start,
    config = |c| {
        c.server.demo_region = true;
        // A tenth of the full size: every story still appears once.
        c.server.demo_scale = 10;
    },
    |app| {
        let accounts = veche::app::prepare_demo(&app.state, true).await.unwrap();
        // The core took the portal's requests while the demo was written,
        // dated when they were sent, not when a worker came by.
        assert!(
            app.scalar(
                "select count(*) from pm_order o join appeal a on a.appeal_id = o.appeal_id
                 where o.created_at < (select min(loaded_at) from demo_part)"
            )
            .await
                > 10
        );
        app.run_workers().await;
        veche::workflow::sweeper::sweep(&app.state).await.unwrap();
        app.run_workers().await;
        app.state.catalogue.invalidate();

        // Reports in every state of the lifecycle, over several
        // municipalities, with supports and generated photos.
        let reports = app
            .scalar("select count(*) from appeal where kind = 'problem'")
            .await;
        assert!(reports >= 60, "{reports} reports");
        let all = states(&app, "appeal").await;
        for s in [
            "submitted",
            "needs_clarification",
            "published",
            "in_progress",
            "planned",
            "resolved",
            "reopened",
            "closed",
            "rejected",
            "hidden",
        ] {
            assert!(all.iter().any(|x| x == s), "no request is {s}: {all:?}");
        }
        assert!(
            app.scalar("select count(distinct municipality_id) from appeal")
                .await
                >= 8
        );
        assert!(app.scalar("select count(*) from appeal_support").await > 0);
        assert!(
            app.scalar("select count(*) from appeal where escalated_at is not null")
                .await
                > 0,
            "some overdue reports are escalated"
        );
        // Dated over the past weeks, none in the future.
        assert!(
            app.scalar(
                "select count(*) from appeal where created_at < (select min(loaded_at) from demo_part)"
            )
            .await
                > reports / 2
        );

        // The public list and map show them; a photo is served stripped.
        let list = app.get("/problems").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(!list.body.contains("Обращений не найдено"), "{}", list.body);
        let key = {
            let mut tx = app.state.db.begin().await.unwrap();
            let k = veche::on_tx!(&mut tx, |conn| {
                sqlx::query_scalar::<_, String>(
                "select p.media_key from appeal_photo p join appeal a on a.appeal_id = p.appeal_id
                 where a.state in ('published', 'in_progress', 'planned', 'resolved', 'closed')
                 order by p.appeal_id limit 1"
            )
            .fetch_one(conn)
            .await
            })
            .unwrap();
            tx.commit().await.unwrap();
            k
        };
        let photo = app.get(&veche::media::url(&key, "thumb")).await;
        assert_eq!(photo.status, StatusCode::OK);
        assert_eq!(photo.headers.get("content-type").unwrap(), "image/jpeg");

        // The registry, with illegal objects and published check results.
        let objects = app.scalar("select count(*) from construction_object").await;
        assert!(objects >= 20, "{objects} objects");
        assert!(
            app.scalar("select count(*) from construction_object where illegal")
                .await
                > 0
        );
        assert!(
            app.scalar("select count(*) from construction_check where result is not null")
                .await
                > 0
        );
        let geo = app.get("/api/v1/construction.geojson").await.json();
        // A point and a footprint per object.
        let ids: std::collections::BTreeSet<i64> = geo["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids.len() as i64, objects);
        assert!(geo.to_string().contains("\"Polygon\""));

        // The core: the orders given by the governor and vice-governors,
        // delegated and reported, plus the copies of the portal's requests;
        // some are overdue.
        let orders = app.scalar("select count(*) from pm_order").await;
        assert!(orders >= 100, "{orders} orders");
        let order_states = states(&app, "pm_order").await;
        for s in [
            "new",
            "accepted",
            "in_progress",
            "report_submitted",
            "done",
            "returned",
            "cancelled",
        ] {
            assert!(
                order_states.iter().any(|x| x == s),
                "no order is {s}: {order_states:?}"
            );
        }
        assert!(
            app.scalar("select count(*) from pm_order where parent_id is not null")
                .await
                > 0
        );
        assert!(
            app.scalar("select count(*) from pm_order where appeal_id is not null")
                .await
                > 0
        );

        // Priority ranks: the previous quarter closed into its snapshot, the
        // current one live with its changes against it, and a burst waiting
        // for the administrators.
        let current = veche::participation::priorities::service::current_quarter();
        let closed = app
            .get(&format!(
                "/api/v1/priority-ranks?quarter={}",
                current.previous()
            ))
            .await
            .json();
        assert_eq!(closed["preliminary"], false, "{closed}");
        assert_eq!(closed["ranks"].as_array().unwrap().len(), 12, "{closed}");
        let live = app
            .get("/api/v1/priority-ranks?scope=krasnodar")
            .await
            .json();
        let lines = live["ranks"].as_array().unwrap();
        assert_eq!(lines.len(), 15, "the krai's 12 and Krasnodar's 3");
        assert!(lines[0]["supporters"]["verified"].as_i64().unwrap() > 0);
        assert!(lines.iter().any(|l| l["change"] != "new"), "{live}");
        let archive = app.get("/participation/priorities/archive").await;
        assert!(
            archive
                .body
                .contains(&format!("quarter={}", current.previous()))
        );

        // Service ratings: the three months before this one closed, with
        // positions among comparable services and some "not enough"; the
        // current month live; feedback answered by providers.
        let month = veche::participation::services::service::current_month();
        // A month closes an hour after it ends: in the first hour of a
        // month, the one before it is still open.
        let settled = veche::participation::services::domain::Month::at(
            veche::db::now() - time::Duration::hours(1),
        );
        let closed = app
            .get(&format!(
                "/api/v1/service-results?month={}",
                settled.previous()
            ))
            .await
            .json();
        assert_eq!(closed["preliminary"], false, "{closed}");
        let results = closed["results"].as_array().unwrap();
        assert!(results.iter().any(|r| r["position"] == 1), "{closed}");
        let expected = if settled == month { 3 } else { 2 };
        assert_eq!(
            app.scalar("select count(*) from service_month").await,
            expected,
            "the three months before this one closed"
        );
        assert!(
            app.scalar("select count(distinct service_id) from gov_service")
                .await
                >= 40
        );
        let live = app.get("/api/v1/service-results").await.json();
        assert_eq!(live["preliminary"], true);
        assert!(
            app.scalar(
                // Answered: resolved, or closed after the citizen's days to
                // answer back (all of them, early in a month).
                "select count(*) from appeal where kind = 'service_feedback' and state in ('resolved', 'closed')"
            )
            .await
                > 0
        );
        // Suggestions linked to demo reports, some accepted into a plan with
        // an order in the core.
        let suggestions = app.get("/api/v1/suggestions").await.json();
        let list = suggestions["suggestions"].as_array().unwrap();
        assert!(
            list.iter()
                .filter(|s| s["target"]["kind"] == "problem")
                .count()
                >= 5
        );
        assert!(
            list.iter().any(|s| s["state"] == "planned"),
            "{suggestions}"
        );
        app.run_workers().await;
        assert!(
            app.scalar(
                "select count(*) from pm_order o join appeal a on a.appeal_id = o.appeal_id
                 where a.kind = 'suggestion'"
            )
            .await
                > 0,
            "an accepted suggestion is an order"
        );

        // Law-making: an initiative in every stage; the regional one owes
        // its decision after two versions, amendments both ways and three
        // conclusions; a late draft is overdue in public.
        let initiatives = app.get("/api/v1/initiatives").await.json();
        let list = initiatives["initiatives"].as_array().unwrap();
        for stage in [
            "concept",
            "discussion",
            "text",
            "expertise",
            "reaction",
            "closed",
        ] {
            assert!(
                list.iter().any(|i| i["stage"] == stage),
                "no initiative in {stage}"
            );
        }
        for outcome in ["adopted", "not_enough_support"] {
            assert!(
                list.iter().any(|i| i["outcome"] == outcome),
                "none {outcome}"
            );
        }
        assert!(list.iter().any(|i| i["overdue"] == true));
        let regional = list
            .iter()
            .find(|i| i["level"] == "region")
            .expect("a regional initiative");
        assert_eq!(regional["stage"], "reaction");
        assert_eq!(regional["overdue"], false);
        assert_eq!(regional["conclusions"].as_array().unwrap().len(), 3);
        let id = regional["id"].as_i64().unwrap();
        let page = app
            .get(&format!("/participation/lawmaking/{id}"))
            .await
            .body;
        assert!(page.contains("Редакция 2") && page.contains("id=\"earlier-annotations\""));
        assert!(page.contains("принята") && page.contains("отклонена"));
        assert_eq!(
            app.scalar("select count(*) from initiative where stage = 'moderation'")
                .await,
            1
        );

        // Every open dataset has rows.
        let list = app.get("/api/3/action/package_list").await.json();
        for id in list["result"].as_array().unwrap() {
            let id = id.as_str().unwrap();
            let t = app
                .get(&format!("/opendata/{id}/table.json?_extra=count&_size=1"))
                .await;
            assert_eq!(t.status, StatusCode::OK, "{id}: {}", t.body);
            let n = t.json()["count"].as_i64().unwrap_or(0);
            assert!(n > 0, "the dataset {id} is empty");
        }

        // The home page shows the region's live figures and the latest
        // reports on a map and in a list.
        let home = app.get("/").await.body;
        assert_eq!(figure(&home, "fig-objects"), objects.to_string());
        let stats = app.get("/problems/stats").await.body;
        assert_eq!(figure(&home, "fig-overdue"), figure(&stats, "fig-overdue"));
        assert_ne!(figure(&home, "fig-overdue"), "0");
        assert!(figure(&home, "fig-on-time").ends_with('%'));
        assert_ne!(figure(&home, "fig-datasets"), "0");
        assert_ne!(figure(&home, "fig-month"), "");
        let latest = home
            .split("id=\"latest-reports\"")
            .nth(1)
            .expect("the latest reports");
        let latest = latest.split("</ul>").next().unwrap();
        assert_eq!(latest.matches("<li").count(), 6, "{latest}");
        assert!(home.contains("data-geojson-inline=\"latest-geojson\""));

        // One account per role, printed at start and on /demo.
        assert_eq!(accounts.len(), 5, "{accounts:?}");
        let page = app.get("/demo").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(PASSWORD));
        for a in &accounts {
            assert!(page.body.contains(&a.email), "{} not on /demo", a.email);
        }
        // Every page says it is a demo.
        assert!(app.get("/").await.body.contains("id=\"demo-banner\""));
        // The citizen sees their own reports; the officer their queue.
        let citizen = accounts.iter().find(|a| a.role.en == "Citizen").unwrap();
        let r = app.login(&citizen.email, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mine = app.get("/account/requests").await;
        assert!(mine.body.contains("/problems/"), "{}", mine.body);
        app.clear_cookies();
        let officer = accounts
            .iter()
            .find(|a| a.role.en == "Department officer")
            .unwrap();
        assert_eq!(
            app.login(&officer.email, PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        let queue = app.get("/workspace/problems").await;
        assert!(queue.body.contains("/problems/"), "{}", queue.body);
        let tasks = app.get("/pm/tasks").await;
        assert_eq!(tasks.status, StatusCode::OK);
        app.clear_cookies();
        // The citizen supports priorities of the krai and of Krasnodar; the
        // administrator sees the burst.
        let r = app.login(&citizen.email, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mine = app.get("/api/v1/priorities").await.json();
        let first = mine["priorities"].as_array().unwrap().last().unwrap()["id"]
            .as_i64()
            .unwrap();
        let page = app.get(&format!("/participation/priorities/{first}")).await;
        assert!(page.body.contains("id=\"you-support\""), "{}", page.body);
        app.clear_cookies();
        let admin = accounts
            .iter()
            .find(|a| a.role.en == "Administrator")
            .unwrap();
        assert_eq!(
            app.login(&admin.email, PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        let review = app.get("/participation/priorities/review").await;
        assert!(
            review.body.contains("id=\"bursts\"") && review.body.contains("tr data-priority"),
            "{}",
            review.body
        );
        assert!(
            review.body.contains("Дома культуры в сёлах"),
            "the proposal waits"
        );
        app.clear_cookies();

        // Staff completeness: four departments with two versions of their
        // schedules, every kind of risk raised, each an order in the core;
        // the demo officer's department is one of them, with its forms.
        assert_eq!(
            app.scalar("select count(distinct organisation_id) from staff_schedule")
                .await,
            4
        );
        assert_eq!(
            app.scalar("select count(distinct kind) from staff_flag where cleared_at is null")
                .await,
            3
        );
        let risks = app
            .scalar("select count(*) from staff_flag where cleared_at is null")
            .await;
        assert_eq!(
            app.scalar("select count(*) from pm_order where source = 'control' and state = 'new' and title like 'Укомплектованность:%'")
                .await,
            risks
        );
        assert_eq!(
            app.login(&officer.email, PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        let region = app.get("/pm/staff").await;
        assert_eq!(region.status, StatusCode::OK);
        assert!(region.body.contains("id=\"longest-vacancies\""));
        let org: String = {
            let mut tx = app.state.db.begin().await.unwrap();
            let (o,): (String,) = veche::fetch_tx!(
                &mut tx,
                fetch_one,
                (String,),
                "select m.organisation_id from membership m join account a on a.account_id = m.account_id
                 where a.email_norm = $1",
                officer.email.to_lowercase()
            )
            .unwrap();
            tx.commit().await.unwrap();
            o
        };
        let page = app.get(&format!("/pm/staff/organisations/{org}")).await;
        assert!(
            page.body.contains("/import\"") && page.body.contains("Ключевая должность вакантна"),
            "{}",
            page.body
        );
        // Voice orders show in the demo with a sample transcript, labelled,
        // which reads into a draft without a recogniser.
        let dictate = app.get("/pm/orders/dictate").await;
        assert_eq!(dictate.status, StatusCode::OK);
        assert!(
            dictate.body.contains("Демо: пример расшифровки")
                && dictate.body.contains("Департаменту контроля"),
            "{}",
            dictate.body
        );
        // The explorer: the officer's saved explorations (one mailed
        // monthly, one shared with the core), each answering with figures;
        // the workspace and the core's navigation link to it.
        let saved = app.get("/bi/explorations").await;
        assert_eq!(saved.status, StatusCode::OK);
        assert!(saved.body.contains("id=\"exploration-"), "{}", saved.body);
        assert!(
            app.scalar("select count(*) from bi_exploration where monthly = 1")
                .await
                >= 1
        );
        assert!(
            app.scalar("select count(*) from bi_exploration where shared_with = 'core'")
                .await
                >= 1
        );
        let first = app
            .scalar("select min(exploration_id) from bi_exploration")
            .await;
        let open = app.get(&format!("/bi/explorations/{first}")).await;
        let answer = app.get(open.location()).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert!(answer.body.contains("id=\"pivot\""), "{}", answer.body);
        assert!(
            app.get("/workspace")
                .await
                .body
                .contains("href=\"/bi/explore\"")
        );
        assert!(app.get("/pm").await.body.contains("href=\"/bi/explore\""));
        // The officer's court cases: the overview, the fortnight's hearings,
        // their first card with its forms (the counts follow below).
        let courts = app.get("/pm/courts").await;
        assert_eq!(courts.status, StatusCode::OK);
        assert!(
            courts
                .body
                .contains("Пятнадцатый арбитражный апелляционный суд"),
            "{}",
            courts.body
        );
        let calendar = app.get("/pm/courts/calendar").await.body;
        assert_eq!(
            calendar.matches("class=\"hearing\"").count(),
            6,
            "{calendar}"
        );
        let mine = app
            .scalar(&format!(
                "select min(case_id) from court_case where organisation_id = '{org}'"
            ))
            .await;
        let card = app.get(&format!("/pm/courts/cases/{mine}")).await.body;
        assert!(
            card.contains("/decision\"") && card.contains("Сроки обжалования"),
            "{card}"
        );
        // Rankings: three demo rankings with five editions each, the
        // krai's row highlighted with its change; every indicator of the
        // decree's list with a status, an order for each one off track.
        assert_eq!(app.scalar("select count(*) from ranking_edition").await, 15);
        let rankings = app.get("/pm/rankings").await.body;
        assert!(
            rankings.contains("6 / 89") && rankings.contains("▲ 1") && rankings.contains("▼ 3"),
            "{rankings}"
        );
        let life = app.get("/pm/rankings/quality-of-life").await.body;
        assert!(
            life.contains("class=\"ours\"") && life.contains("<svg"),
            "{life}"
        );
        let dashboard = app.get("/pm/indicators").await.body;
        let count = |status: &str| -> i64 {
            let at = dashboard
                .find(&format!("data-status=\"{status}\">"))
                .unwrap_or_else(|| panic!("no count of {status}"));
            let rest = &dashboard[at..];
            rest[rest.find('>').unwrap() + 1..rest.find('<').unwrap()]
                .parse()
                .unwrap()
        };
        for s in [
            "achieved",
            "on_track",
            "needs_acceleration",
            "limited_progress",
            "deterioration",
        ] {
            assert!(count(s) > 0, "no indicator {s}: {dashboard}");
        }
        let off = count("limited_progress") + count("deterioration");
        assert_eq!(
            app.scalar("select count(*) from pm_order where source = 'control' and title like 'Отставание по показателю%'")
                .await,
            off
        );
        let linked = app
            .scalar("select min(indicator_id) from indicator where project_id is not null")
            .await;
        let code: String = {
            let mut tx = app.state.db.begin().await.unwrap();
            let (c,): (String,) = veche::fetch_tx!(
                &mut tx,
                fetch_one,
                (String,),
                "select code from indicator where indicator_id = $1",
                linked
            )
            .unwrap();
            tx.commit().await.unwrap();
            c
        };
        let card = app.get(&format!("/pm/indicators/{code}")).await.body;
        assert!(
            card.contains("уточнённое") && card.contains("Дорожная карта"),
            "{card}"
        );
        // Periodic reports: two forms with a year of history, one report
        // returned for rework (an order), the missing ones with theirs, the
        // public form's accepted values published.
        let forms = app.get("/pm/reports").await.body;
        assert!(
            forms.contains("Работа с обращениями граждан (демо)"),
            "{forms}"
        );
        let grid = app.get("/pm/reports/appeals-monthly").await.body;
        assert!(
            grid.contains("с опозданием") && grid.contains("не сдан") && grid.contains("возвращён"),
            "{grid}"
        );
        assert_eq!(
            app.scalar("select count(*) from pm_order where source = 'control' and title like 'Доработать отчёт%'").await,
            1
        );
        assert!(
            app.scalar("select count(*) from pm_order where source = 'control' and title like 'Сдать отчёт%'").await >= 2
        );
        let analysis = app.get("/pm/reports/appeals-monthly/analysis").await.body;
        assert!(analysis.contains("badge band-"), "{analysis}");
        let town = app.get("/pm/indicators?territory=sochi").await.body;
        assert!(town.contains("data-code=\"1014-05\""));
        // The officer's planner: a weekly series of their own, tomorrow's
        // meeting, hearings and orders from the core on the same list; the
        // meeting held three days ago gave the core two orders.
        let planner = app.get("/pm/planner?view=list").await.body;
        for what in [
            "Планёрка отдела (демо)",
            "Совещание по ремонту дорог (демо)",
            "Судебное заседание",
        ] {
            assert!(planner.contains(what), "no {what}: {planner}");
        }
        assert_eq!(
            app.scalar("select count(*) from pm_order where source = 'meeting' and external_key like '%:meeting:%'").await,
            2
        );
        app.clear_cookies();

        // Court cases: a dozen in four departments, the officer's among
        // them; the appeal period of the one lost opened an order, the
        // lawyer of tomorrow's hearing was reminded; the calendar, the
        // overview and a card show them.
        assert_eq!(app.scalar("select count(*) from court_case").await, 12);
        assert_eq!(
            app.scalar("select count(*) from court_alert where closed_at is null")
                .await,
            1
        );
        assert_eq!(
            app.scalar("select count(*) from pm_order where source = 'control' and title like 'Подготовить жалобу%'")
                .await,
            1
        );
        assert!(
            app.mailbox()
                .iter()
                .any(|m| m.subject.starts_with("Судебное заседание")),
            "a reminder of tomorrow's hearing"
        );
        app.clear_cookies();

        // The media: thirty demo sources never polled, stories carried by
        // several of them, the officer's department spiking today (its
        // officer was mailed), tones corrected by hand.
        assert_eq!(
            app.scalar("select count(*) from press_source where demo")
                .await,
            30
        );
        assert!(app.scalar("select count(*) from press_story").await >= 40);
        assert!(
            app.scalar("select count(*) from press_story s where (select count(*) from press_appearance a where a.story_id = s.story_id) > 1")
                .await
                > 0
        );
        assert_eq!(app.scalar("select count(*) from press_spike").await, 1);
        assert!(
            app.mailbox()
                .iter()
                .any(|m| m.subject.starts_with("Всплеск упоминаний в СМИ")),
            "the spike's mail"
        );
        assert!(
            app.scalar("select count(*) from press_mention where tone_override is not null")
                .await
                > 0
        );
        let fetcher = veche::press::fetch::Fetcher::new(&app.state.config);
        assert_eq!(
            veche::press::poller::poll_due(&app.state, &fetcher)
                .await
                .unwrap(),
            0,
            "demo feeds are never polled"
        );

        // МЭДО: the demo «Дело»'s protocol in its inbound folder, read on
        // the gateway's first round: two clauses as orders with the
        // protocol attached, the third waiting for an administrator, the
        // receipt and the registration written back.
        let round =
            veche::integration::medo::gateway::poll_settled(&app.state, std::time::Duration::ZERO)
                .await
                .unwrap();
        assert_eq!(round.registered, 1, "{round:?}");
        app.run_workers().await;
        assert_eq!(
            app.scalar(
                "select count(*) from pm_order where source = 'document' and parent_id is null"
            )
            .await,
            2
        );
        assert_eq!(
            app.scalar("select count(*) from integration_medo_pending where resolved_at is null")
                .await,
            1
        );
        let out = app.dir.path().join("medo/demo-delo/out");
        assert_eq!(
            std::fs::read_dir(&out).unwrap().count(),
            2,
            "receipt and registration"
        );

        // A restart writes nothing twice.
        let again = veche::demo::ensure(&app.state, &veche::features::demo_parts())
            .await
            .unwrap();
        assert!(again.parts.is_empty(), "{:?}", again.parts);
        assert_eq!(
            app.scalar("select count(*) from appeal where kind = 'problem'")
                .await,
            reports
        );

        // Started on a public address, the demo accounts cannot sign in.
        let open = veche::app::prepare_demo(&app.state, false).await.unwrap();
        assert!(open.is_empty());
        let r = app.login(&citizen.email, PASSWORD).await;
        assert_ne!(r.status, StatusCode::SEE_OTHER);
        assert!(app.get("/demo").await.body.contains("127.0.0.1"));
    }
);

/// `veche demo --reset` writes the demo anew in the embedded data folder,
/// and refuses a folder that holds anyone's real account.
#[test]
fn demo_reset_recreates_the_demo_and_spares_real_data() {
    let dir = tempfile::tempdir().unwrap();
    let veche = |args: &[&str]| {
        crate::helpers::output_of(
            std::process::Command::new(env!("CARGO_BIN_EXE_veche"))
                .args(["--data-dir", dir.path().to_str().unwrap()])
                .args(args)
                .env("VECHE_LOG", "warn")
                .env("VECHE_DEMO_SCALE", "2")
                .env("VECHE_ADMIN_PASSWORD", "a real administrator's password")
                .env_remove("DATABASE_URL"),
        )
    };
    let (ok, out) = veche(&["demo"]);
    assert!(ok && out.contains("citizen-0@demo.veche.invalid"), "{out}");
    let photos = || walk(&dir.path().join("media"));
    assert!(photos() > 0, "the demo wrote photos");
    // A marker file of the administrator's own stays: only veche's store,
    // index, media and mailbox are deleted.
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let (ok, out) = veche(&["demo", "--reset"]);
    assert!(ok, "{out}");
    assert!(dir.path().join("notes.txt").exists());
    assert!(photos() > 0);
    // Someone's real account: the folder is not the demo's to delete.
    let (ok, out) = veche(&["create-admin", "--email", "real@example.ru"]);
    assert!(ok, "{out}");
    let (ok, out) = veche(&["demo", "--reset"]);
    assert!(!ok && out.contains("not demo accounts"), "{out}");
    let (ok, out) = veche(&["create-admin", "--email", "real@example.ru"]);
    assert!(
        ok && out.contains("already existed"),
        "the account is still there: {out}"
    );
}

/// Files below `dir`, counted.
fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
