//! The accessibility audit (issue 13): axe-core, vendored from the npm
//! registry (`tests/vendor/axe-core`), runs in headless Chromium over the
//! main pages of the demo region, in Russian and English, signed out and
//! signed in as each demo role, on a phone's screen. Any serious or critical
//! violation of WCAG 2.1 A/AA fails the test, listed with its page and the
//! elements concerned.

use serde_json::Value;

use crate::cdp::Browser;
use crate::helpers::{Backend, TestApp};

const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

/// Runs axe on the open page; returns the serious and critical violations.
const RUN: &str = r#"
axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
  .then(function (r) {
    return r.violations
      .filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
      .map(function (v) {
        return v.id + " (" + v.impact + "): " + v.help + " — " +
          v.nodes.slice(0, 4).map(function (n) { return n.target.join(" "); }).join(" | ");
      });
  })
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_pages_pass_an_axe_core_audit_in_both_languages_and_every_role() {
    let Some(chromium) = crate::browser::chromium_or_skip() else {
        return;
    };
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.server.demo_region = true;
        c.server.demo_scale = 3;
        c.server.tile_url = String::new();
    })
    .await
    .unwrap();
    let accounts = veche::app::prepare_demo(&app.state, true).await.unwrap();
    app.run_workers().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(veche::app::serve(listener, app.router.clone()));
    let base = format!("http://{addr}");

    let report = app
        .scalar(
            "select min(appeal_id) from appeal where kind = 'problem' and state = 'in_progress'",
        )
        .await;
    let object = app
        .scalar("select min(object_id) from construction_object")
        .await;
    let order = app
        .scalar("select min(order_id) from pm_order where parent_id is null")
        .await;
    let priority = app.scalar("select min(priority_id) from priority").await;
    // The first demo department with a staffing schedule: the officer's.
    let staff_org: String = {
        let mut tx = app.state.db.begin().await.unwrap();
        let (o,): (String,) = veche::fetch_tx!(
            &mut tx,
            fetch_one,
            (String,),
            "select organisation_id from staff_schedule order by schedule_id limit 1"
        )
        .unwrap();
        tx.commit().await.unwrap();
        o
    };
    // The demo officer's department's first case: its forms are theirs.
    let court_case = app
        .scalar(&format!(
            "select min(case_id) from court_case where organisation_id = '{staff_org}'"
        ))
        .await;
    // A demo report: the monthly form's first one.
    let monthly: (String, String) = {
        let mut tx = app.state.db.begin().await.unwrap();
        let row = veche::fetch_tx!(
            &mut tx,
            fetch_one,
            (String, String),
            "select s.organisation_id, s.period from report_submission s
             join report_form f on f.form_id = s.form_id
             where f.code = 'appeals-monthly' order by s.submission_id limit 1"
        )
        .unwrap();
        tx.commit().await.unwrap();
        row
    };
    let story = app.scalar("select min(story_id) from press_story").await;
    let meeting = app
        .scalar("select min(item_id) from planner_item where kind = 'meeting'")
        .await;
    let press_source = app.scalar("select min(source_id) from press_source").await;
    let suggestion = app
        .scalar("select min(appeal_id) from appeal where kind = 'suggestion' and state = 'planned'")
        .await;
    let feedback = app
        .scalar("select min(appeal_id) from appeal where kind = 'service_feedback' and state = 'resolved'")
        .await;
    let regional = app
        .scalar("select min(initiative_id) from initiative where level = 'region'")
        .await;
    let discussed = app
        .scalar("select min(initiative_id) from initiative where stage = 'discussion'")
        .await;
    let publication = app
        .scalar("select min(publication_id) from publication where kind = 'post'")
        .await;
    let album = app.scalar("select min(album_id) from album").await;
    let person = app
        .scalar("select account_id from account where email_norm like 'citizen-1@%'")
        .await;
    let public: Vec<String> = [
        "/",
        "/problems",
        "/problems/map",
        "/problems/stats",
        &format!("/problems/{report}"),
        "/construction",
        &format!("/construction/objects/{object}"),
        "/opendata",
        "/opendata/2309650015-construction",
        "/opendata/2309650015-construction/table",
        "/municipalities",
        "/municipalities/sochi",
        "/organisations",
        "/search?q=дорога",
        "/demo",
        "/participation",
        "/participation/priorities",
        "/participation/priorities?scope=sochi",
        &format!("/participation/priorities/{priority}"),
        "/participation/priorities/archive",
        "/participation/services",
        "/participation/services/child-region-online",
        &format!("/participation/services/feedback/{feedback}"),
        "/participation/suggestions",
        &format!("/participation/suggestions/{suggestion}"),
        "/participation/lawmaking",
        &format!("/participation/lawmaking/{regional}"),
        &format!("/participation/lawmaking/{regional}/diff?from=1&to=2"),
        "/publications",
        &format!("/publications/{publication}"),
        "/galleries",
        &format!("/galleries/{album}"),
        &format!("/people/{person}"),
        "/auth/login",
        "/auth/register",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let by_role: Vec<(&str, Vec<String>)> = vec![
        (
            "Citizen",
            vec![
                "/problems/new".into(),
                "/account".into(),
                "/account/requests".into(),
                "/account/notifications".into(),
                format!("/participation/priorities/{priority}"),
                "/participation/services/kg-krasnodar-online".into(),
                "/participation/suggestions/new".into(),
                format!("/participation/suggestions/{suggestion}"),
                "/participation/lawmaking/new".into(),
                format!("/participation/lawmaking/{discussed}"),
                "/feed".into(),
                "/feed/following".into(),
                "/messages".into(),
                format!("/messages/{person}"),
                "/account/profile".into(),
                "/publications/new".into(),
                format!("/publications/{publication}"),
                "/galleries/new".into(),
                format!("/people/{person}"),
            ],
        ),
        (
            "Moderator",
            vec![
                "/moderation/problems".into(),
                "/moderation/suggestion-comments".into(),
                "/moderation/initiatives".into(),
                "/moderation/social".into(),
                format!("/moderation/social/publication/{publication}"),
                "/workspace".into(),
                "/participation/priorities/review".into(),
            ],
        ),
        (
            "Department officer",
            vec![
                "/workspace/problems".into(),
                "/pm".into(),
                "/pm/tasks".into(),
                "/pm/orders/dictate".into(),
                format!("/problems/{report}"),
                "/pm/staff".into(),
                format!("/pm/staff/organisations/{staff_org}"),
                "/pm/courts".into(),
                "/pm/courts/calendar?days=31".into(),
                "/pm/courts/counterparties".into(),
                "/pm/courts/new".into(),
                format!("/pm/courts/cases/{court_case}"),
                "/pm/rankings".into(),
                "/pm/rankings/quality-of-life".into(),
                "/pm/indicators".into(),
                "/pm/indicators/1014-04".into(),
                "/pm/reports".into(),
                "/pm/reports/appeals-monthly".into(),
                "/pm/reports/appeals-monthly/analysis".into(),
                format!("/pm/reports/appeals-monthly/{}/{}", monthly.0, monthly.1),
                "/pm/press".into(),
                "/pm/press/stories".into(),
                format!("/pm/press/stories/{story}"),
                "/pm/press/entities/region".into(),
                "/pm/press/sources".into(),
                format!("/pm/press/sources/{press_source}"),
                "/pm/press/health".into(),
                "/pm/press/officials".into(),
                "/pm/press/departments".into(),
                format!("/pm/press/departments/{staff_org}"),
                "/pm/planner".into(),
                "/pm/planner?view=month".into(),
                "/pm/planner?view=list".into(),
                "/pm/planner/control".into(),
                "/pm/planner/new".into(),
                "/pm/planner/settings".into(),
                format!("/pm/planner/items/{meeting}"),
                "/bi/schema".into(),
                "/bi/explore".into(),
                "/bi/explore?mart=mart_orders&rows=month&cols=priority&measure=count&chart=stacked"
                    .into(),
                "/bi/explore?mart=mart_requests&rows=organisation_id&measure=on_time&chart=line"
                    .into(),
                "/bi/explorations".into(),
            ],
        ),
        (
            "Executor",
            vec!["/pm/tasks".into(), "/pm/planner?view=list".into()],
        ),
        (
            "Administrator",
            vec![
                "/admin".into(),
                "/admin/accounts".into(),
                "/admin/integration".into(),
                "/admin/integration/medo".into(),
                "/pm".into(),
                format!("/pm/orders/{order}"),
                "/pm/projects".into(),
                "/participation/priorities/review".into(),
                "/participation/priorities/new".into(),
            ],
        ),
    ];

    let browser = Browser::launch(chromium).await;
    let mut page = browser.page().await;
    let mut failures: Vec<String> = Vec::new();
    let mut audited = 0;
    // The region under the map is really drawn, not only present in the
    // DOM (a zero-width SVG hid it once).
    page.goto(&format!("{base}/problems/map")).await;
    let drawn = page
        .eval(
            "new Promise(function (ok) { setTimeout(function () {
               var land = document.querySelector('.leaflet-baseLand-pane svg');
               var lines = document.querySelector('.leaflet-baseLines-pane svg');
               ok([land, lines].map(function (s) { return s ? Math.round(s.getBoundingClientRect().width) : 0; }));
             }, 500); })",
        )
        .await;
    let width = page
        .eval("document.getElementById('problems-map').clientWidth")
        .await;
    for w in drawn.as_array().unwrap() {
        assert!(
            w.as_i64().unwrap() >= width.as_i64().unwrap(),
            "{drawn} vs the map's {width}"
        );
    }
    // «Сообщить о проблеме» stands out in the header (once it was blue on
    // blue: a later rule of the same weight took its white background).
    page.goto(&format!("{base}/")).await;
    let report = page
        .eval(
            "(function () { var b = document.getElementById('header-report');
               var s = getComputedStyle(b); var r = b.getBoundingClientRect();
               return [s.color, s.backgroundColor, r.width > 0 && r.height > 0]; })()",
        )
        .await;
    assert_ne!(report[0], report[1], "text and background differ: {report}");
    assert_eq!(report[1], "rgb(255, 255, 255)", "{report}");
    assert_eq!(report[2], true, "shown on a phone: {report}");
    for path in &public {
        audited += audit(&mut page, &base, path, "signed out", &mut failures).await;
    }
    for (role, paths) in &by_role {
        let account = accounts
            .iter()
            .find(|a| a.role.en == *role)
            .unwrap_or_else(|| panic!("no demo {role}"));
        sign_in(&mut page, &base, &account.email).await;
        for path in paths {
            audited += audit(&mut page, &base, path, role, &mut failures).await;
        }
        page.goto(&format!("{base}/")).await;
        page.eval("document.querySelector('form[action=\"/auth/logout\"]').submit()")
            .await;
        page.settle().await;
    }
    assert!(audited >= 50, "{audited} pages audited");
    assert!(
        failures.is_empty(),
        "{} serious or critical accessibility problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Audits one page in both languages; returns how many runs were made.
async fn audit(
    page: &mut crate::cdp::Page,
    base: &str,
    path: &str,
    who: &str,
    failures: &mut Vec<String>,
) -> usize {
    for lang in ["ru", "en"] {
        page.eval(&format!("document.cookie = 'veche_lang={lang}; path=/'"))
            .await;
        page.goto(&format!("{base}{path}")).await;
        let here = page.eval("location.pathname").await;
        page.eval(AXE).await;
        let found = page.eval(RUN).await;
        for v in found.as_array().cloned().unwrap_or_default() {
            failures.push(format!(
                "{who} {lang} {path} (at {here}): {}",
                v.as_str().unwrap_or("")
            ));
        }
    }
    2
}

async fn sign_in(page: &mut crate::cdp::Page, base: &str, email: &str) {
    page.goto(&format!("{base}/auth/login")).await;
    let js = format!(
        "(function () {{ var f = document.querySelector('form[action=\"/auth/login\"]');
           f.querySelector('[name=email]').value = {email};
           f.querySelector('[name=password]').value = {password};
           f.submit(); }})()",
        email = Value::from(email),
        password = Value::from(veche::demo::accounts::PASSWORD),
    );
    page.eval(&js).await;
    page.settle().await;
    let signed_in = page
        .eval("!!document.querySelector('form[action=\"/auth/logout\"]')")
        .await;
    assert_eq!(signed_in, Value::Bool(true), "{email} signed in");
}
