//! The personal planner through HTTP: a monthly series on the 31st across
//! short months; reminders sent once, by mail and in the site, also after
//! a restart, and moved with their item; the calendar feed read back by
//! the `icalendar` crate and by Python's `icalendar`, revoked and made
//! anew; the delegated task control's figures against the orders; a
//! meeting's invitees answering and its decisions becoming orders;
//! hostile input refused with nothing saved; another person's items not
//! found.

use axum::http::StatusCode;
use time::{Date, Duration, OffsetDateTime};

use crate::both_backends;
use crate::helpers::TestApp;
use crate::pm::Sessions;
use crate::problems::{citizen, sign_in_as};

const ORG: &str = "min-transport";

fn msk_today() -> Date {
    (OffsetDateTime::now_utc() + Duration::hours(3)).date()
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A member of `ORG` (an officer, or an executor), signed out; their id.
async fn staff(app: &TestApp, email: &str, name: &str, officer: bool) -> i64 {
    let id = citizen(app, email, name).await;
    if officer {
        app.make_officer(id, ORG).await;
    } else {
        app.make_executor(id, ORG).await;
    }
    id
}

/// Creates an item by the form; its id.
async fn create(app: &TestApp, fields: &[(&str, &str)]) -> i64 {
    let r = app
        .submit("/pm/planner/new", "/pm/planner/items", fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/pm/planner/items/")
        .parse()
        .expect("the new item's address")
}

/// A day as the Russian pages write it.
fn ru(d: Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

both_backends!(a_monthly_series_on_the_31st_skips_short_months, |app| {
    staff(&app, "plan@krasnodar.ru", "Планова Ольга", true).await;
    sign_in_as(&app, "plan@krasnodar.ru").await;
    let year = msk_today().year() + 1;
    let start = format!("{year}-01-31");
    create(
        &app,
        &[
            ("kind", "event"),
            ("title", "Сверка на конец месяца"),
            ("date", &start),
            ("time", "09:00"),
            ("rrule", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=6"),
        ],
    )
    .await;
    // February has no 31st: nothing in its month view, nor on its last day.
    let feb = app
        .get(&format!("/pm/planner?view=month&date={year}-02-10"))
        .await;
    assert_eq!(feb.status, StatusCode::OK, "{}", feb.body);
    assert!(
        !feb.body.contains("Сверка на конец месяца"),
        "February: {}",
        feb.body
    );
    let day = app
        .get(&format!("/pm/planner?view=day&date={year}-02-28"))
        .await;
    assert!(!day.body.contains("Сверка на конец месяца"));
    // Across the month end, the list from 25 February shows 31 March only.
    let list = app
        .get(&format!("/pm/planner?view=list&date={year}-03-20"))
        .await;
    assert_eq!(
        list.body.matches("Сверка на конец месяца").count(),
        1,
        "{}",
        list.body
    );
    assert!(list.body.contains("09:00"));
    // Six occurrences: Jan, Mar, May, Jul, Aug, Oct — none in June.
    for (m, n) in [
        (1, 1),
        (2, 0),
        (3, 1),
        (4, 0),
        (5, 1),
        (6, 0),
        (7, 1),
        (8, 1),
        (9, 0),
        (10, 1),
        (11, 0),
        (12, 0),
    ] {
        let page = app
            .get(&format!("/pm/planner?view=month&date={year}-{m:02}-01"))
            .await;
        assert_eq!(
            page.body.matches("Сверка на конец месяца").count(),
            n,
            "month {m}"
        );
    }
});

both_backends!(reminders_go_out_once_even_after_a_restart, |app| {
    let me = staff(&app, "remind@krasnodar.ru", "Напоминаева Анна", true).await;
    sign_in_as(&app, "remind@krasnodar.ru").await;
    let day = msk_today() + Duration::days(3);
    let item = create(
        &app,
        &[
            ("kind", "task"),
            ("title", "Сдать справку"),
            ("date", &iso(day)),
            ("time", "12:00"),
            ("remind", "60,15"),
        ],
    )
    .await;
    let at = day
        .with_hms(12, 0, 0)
        .unwrap()
        .assume_offset(time::macros::offset!(+3));
    let deliver = |t: OffsetDateTime| veche::planner::reminders::deliver_due(&app.state, t);
    let notes = format!(
        "select count(*) from notification where account_id = {me} and text_ru like '%Сдать справку%'"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from planner_reminder where sent_at is null"
        )
        .await,
        2
    );
    // Nothing before its time.
    assert_eq!(deliver(at - Duration::minutes(61)).await.unwrap(), 0);
    assert_eq!(deliver(at - Duration::minutes(60)).await.unwrap(), 1);
    assert_eq!(deliver(at - Duration::minutes(59)).await.unwrap(), 0);
    assert_eq!(count(&app, &notes).await, 1);
    // The same moment again, after a restart: not again; the second one
    // goes out at its time.
    let app = app.restarted().await;
    let deliver = |t: OffsetDateTime| veche::planner::reminders::deliver_due(&app.state, t);
    assert_eq!(deliver(at - Duration::minutes(30)).await.unwrap(), 0);
    assert_eq!(deliver(at - Duration::minutes(15)).await.unwrap(), 1);
    assert_eq!(deliver(at).await.unwrap(), 0);
    assert_eq!(count(&app, &notes).await, 2);
    app.run_workers().await;
    let mails: Vec<_> = app
        .mailbox()
        .into_iter()
        .filter(|m| {
            m.to == "remind@krasnodar.ru" && m.subject.contains("Напоминание: Сдать справку")
        })
        .collect();
    assert_eq!(mails.len(), 2, "one mail per reminder");
    assert!(mails[0].body.contains("12:00"), "{}", mails[0].body);
    // Rescheduling moves the pending reminder: none is left at the old
    // time, one waits at the new.
    let later = create(
        &app,
        &[
            ("kind", "task"),
            ("title", "Перенести меня"),
            ("date", &iso(day)),
            ("time", "10:00"),
            ("remind", "10"),
        ],
    )
    .await;
    let page = format!("/pm/planner/items/{later}");
    let r = app
        .submit(
            &page,
            &format!("{page}/move"),
            &[("date", &iso(day)), ("time", "10:00"), ("step", "day")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let old = day
        .with_hms(9, 50, 0)
        .unwrap()
        .assume_offset(time::macros::offset!(+3));
    assert_eq!(deliver(old).await.unwrap(), 0);
    assert_eq!(deliver(old + Duration::days(1)).await.unwrap(), 1);
    assert!(
        app.get(&page)
            .await
            .body
            .contains(&ru(day + Duration::days(1)))
    );
    // A daily series: each reminder sent schedules the next occurrence's.
    let daily = create(
        &app,
        &[
            ("kind", "event"),
            ("title", "Утренний обход"),
            ("date", &iso(day)),
            ("time", "08:00"),
            ("remind", "5"),
            ("rrule", "FREQ=DAILY;COUNT=3"),
        ],
    )
    .await;
    let first = day
        .with_hms(7, 55, 0)
        .unwrap()
        .assume_offset(time::macros::offset!(+3));
    for n in 0..3 {
        assert_eq!(
            deliver(first + Duration::days(n)).await.unwrap(),
            1,
            "occurrence {n}"
        );
    }
    assert_eq!(
        deliver(first + Duration::days(3)).await.unwrap(),
        0,
        "COUNT=3 ends it"
    );
    assert_eq!(
        count(&app, &format!("select count(*) from planner_reminder where item_id = {daily} and sent_at is not null")).await,
        3
    );
    let _ = item;
});

/// The feed's address from the settings page.
async fn feed_url(app: &TestApp) -> Option<String> {
    let page = app.get("/pm/planner/settings").await;
    let start = page.body.find("/pm/planner/feed/")?;
    let rest = &page.body[start..];
    Some(rest[..rest.find(".ics")? + 4].to_owned())
}

both_backends!(the_feed_parses_and_its_token_is_revocable, |app| {
    staff(&app, "feed@krasnodar.ru", "Лентова Вера", true).await;
    sign_in_as(&app, "feed@krasnodar.ru").await;
    let day = msk_today() + Duration::days(2);
    let weekly = create(
        &app,
        &[
            ("kind", "event"),
            ("title", "Планёрка"),
            ("date", &iso(day)),
            ("time", "09:30"),
            ("end_time", "10:00"),
            ("notes", "секретная заметка"),
            ("rrule", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=8"),
        ],
    )
    .await;
    let task = create(
        &app,
        &[
            ("kind", "task"),
            ("title", "Позвонить в суд"),
            ("date", &iso(day)),
        ],
    )
    .await;
    assert_eq!(feed_url(&app).await, None, "no address until one is made");
    let r = app
        .submit(
            "/pm/planner/settings",
            "/pm/planner/settings/feed",
            &[("action", "new")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let url = feed_url(&app).await.expect("an address");
    // The feed needs no session: a calendar app fetches it.
    app.clear_cookies();
    let feed = app.get(&url).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    assert!(
        feed.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(
        !feed.body.contains("секретная заметка"),
        "notes stay out of the feed"
    );
    // Read back by the crate's parser.
    let cal: icalendar::Calendar = feed.body.parse().expect("the feed parses");
    use icalendar::Component;
    let events: Vec<_> = cal.events().collect();
    let find = |id: i64| {
        events
            .iter()
            .find(|e| {
                e.get_uid()
                    .is_some_and(|u| u.starts_with(&format!("planner-{id}@")))
            })
            .unwrap_or_else(|| panic!("item {id} in {}", feed.body))
    };
    let w = find(weekly);
    assert_eq!(w.get_summary(), Some("Планёрка"));
    assert_eq!(
        w.property_value("RRULE"),
        Some("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=8")
    );
    assert!(w.property_value("DTSTAMP").is_some());
    let t = find(task);
    assert_eq!(
        t.property_value("DTSTART"),
        Some(iso(day).replace('-', "").as_str())
    );
    // As VTODO on request.
    let todo = app.get(&format!("{url}?todo=1")).await;
    let cal: icalendar::Calendar = todo.body.parse().expect("the VTODO feed parses");
    assert!(cal.todos().any(|t| {
        t.get_uid()
            .is_some_and(|u| u.starts_with(&format!("planner-{task}@")))
    }));
    // And by Python's icalendar, as a calendar application would.
    if let Some(python) = crate::clients::python_with(&["icalendar"]) {
        let file = app.dir.path().join("feed.ics");
        std::fs::write(&file, &feed.body).unwrap();
        let script = r#"
import sys, datetime, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = []
for e in cal.walk('VEVENT'):
    if not str(e['UID']).startswith('planner-'):
        continue
    start = e.decoded('DTSTART')
    rrule = e.get('RRULE')
    off = start.utcoffset() if isinstance(start, datetime.datetime) else None
    out.append('%s|%s|%s|%s' % (e['SUMMARY'], start.isoformat(), off, rrule.to_ical().decode() if rrule else ''))
print('\n'.join(sorted(out)))
"#;
        let o = std::process::Command::new(&python)
            .arg("-c")
            .arg(script)
            .arg(&file)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            stdout.contains(&format!(
                "Планёрка|{}T09:30:00+03:00|3:00:00|FREQ=WEEKLY;COUNT=8;BYDAY=MO,WE",
                iso(day)
            )),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("Позвонить в суд|{}|None|", iso(day))),
            "{stdout}"
        );
    }
    // Revoked: not found. Made anew: the old address stays dead.
    sign_in_as(&app, "feed@krasnodar.ru").await;
    app.submit(
        "/pm/planner/settings",
        "/pm/planner/settings/feed",
        &[("action", "revoke")],
    )
    .await;
    assert_eq!(feed_url(&app).await, None);
    assert_eq!(app.get(&url).await.status, StatusCode::NOT_FOUND);
    app.submit(
        "/pm/planner/settings",
        "/pm/planner/settings/feed",
        &[("action", "new")],
    )
    .await;
    let fresh = feed_url(&app).await.expect("a new address");
    assert_ne!(fresh, url);
    assert_eq!(app.get(&url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&fresh).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/pm/planner/feed/nonsense.ics").await.status,
        StatusCode::NOT_FOUND
    );
});

/// The cells of the control table's row whose header is `who`.
fn row(body: &str, who: &str) -> Vec<i64> {
    let start = body
        .find(&format!("<th scope=\"row\">{who}</th>"))
        .unwrap_or_else(|| panic!("no row {who}: {body}"));
    let rest = &body[start..];
    let rest = &rest[..rest.find("</tr>").unwrap()];
    rest.split("<td>")
        .skip(1)
        .map(|c| c[..c.find("</td>").unwrap()].parse().unwrap())
        .collect()
}

both_backends!(delegated_task_control_counts_the_orders_i_gave, |app| {
    let mut who = Sessions::default();
    let a = staff(&app, "exec-a@krasnodar.ru", "Исполнитель Первый", false).await;
    let b = staff(&app, "exec-b@krasnodar.ru", "Исполнитель Второй", false).await;
    app.clear_cookies();
    let admin = app.signed_in_admin().await;
    let admin_jar = app.jar();
    let mut ids = Vec::new();
    for (title, exec) in [
        ("Первое", a),
        ("Второе", a),
        ("Третье", a),
        ("Четвёртое", b),
        ("Пятое", b),
        ("Шестое", b),
    ] {
        let r = app
            .submit(
                "/pm/orders/new",
                "/pm/orders",
                &[
                    ("title", title),
                    ("organisation_id", ORG),
                    ("executor_id", &exec.to_string()),
                    ("deadline", &iso(msk_today() + Duration::days(5))),
                    ("priority", "normal"),
                    ("source", "manual"),
                    ("required", "on"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        ids.push(
            r.location()
                .trim_start_matches("/pm/orders/")
                .parse::<i64>()
                .unwrap(),
        );
    }
    // Second: overdue. Third: done on time. Fourth: done late. Fifth:
    // cancelled (counted nowhere). First and sixth: open, in time.
    let now = veche::db::now();
    let db = &app.state.db;
    veche::exec_db!(
        db,
        "update pm_order set deadline = $1 where order_id = $2",
        now - Duration::days(1),
        ids[1]
    )
    .unwrap();
    veche::exec_db!(
        db,
        "update pm_order set state = 'done', done_at = $1 where order_id = $2",
        now,
        ids[2]
    )
    .unwrap();
    veche::exec_db!(
        db,
        "update pm_order set state = 'done', deadline = $1, done_at = $2 where order_id = $3",
        now - Duration::days(3),
        now - Duration::days(1),
        ids[3]
    )
    .unwrap();
    veche::exec_db!(
        db,
        "update pm_order set state = 'cancelled' where order_id = $1",
        ids[4]
    )
    .unwrap();
    let page = app.get("/pm/planner/control").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // Total, in time, overdue, done, done on time, done late.
    let given = count(
        &app,
        &format!(
            "select count(*) from pm_order where creator_id = {admin} and state <> 'cancelled'"
        ),
    )
    .await;
    let done = count(
        &app,
        &format!("select count(*) from pm_order where creator_id = {admin} and state = 'done'"),
    )
    .await;
    let total = row(&page.body, "Всего");
    assert_eq!(total, vec![given, 2, 1, done, 1, 1]);
    assert_eq!(
        row(&page.body, "Исполнитель Первый"),
        vec![3, 1, 1, 1, 1, 0]
    );
    assert_eq!(
        row(&page.body, "Исполнитель Второй"),
        vec![2, 1, 0, 1, 0, 1]
    );
    assert!(
        page.body.contains(&format!("/pm/orders/{}", ids[1])),
        "the overdue order is listed"
    );
    // My agenda shows the open orders I gave with their executor; the
    // executor's shows theirs.
    let list = app
        .get(&format!("/pm/planner?view=list&date={}", iso(msk_today())))
        .await;
    assert!(
        list.body.contains("Первое") && list.body.contains("Исполнитель Первый"),
        "{}",
        list.body
    );
    who.be(&app, "exec-b@krasnodar.ru").await;
    let list = app.get("/pm/planner?view=list").await;
    assert!(
        list.body.contains("Шестое") && list.body.contains("Поручение мне"),
        "{}",
        list.body
    );
    assert!(
        !list.body.contains("Пятое"),
        "a cancelled order is off the agenda"
    );
    // A personal task links to an order on my agenda; another key is refused.
    let linked = create(
        &app,
        &[
            ("kind", "task"),
            ("title", "Проверить исполнение"),
            ("date", &iso(msk_today())),
            ("link", &format!("order:{}", ids[5])),
        ],
    )
    .await;
    assert!(
        app.get(&format!("/pm/planner/items/{linked}"))
            .await
            .body
            .contains(&format!("/pm/orders/{}", ids[5]))
    );
    let r = app
        .submit(
            "/pm/planner/new",
            "/pm/planner/items",
            &[
                ("kind", "task"),
                ("title", "Чужое"),
                ("date", &iso(msk_today())),
                ("link", &format!("order:{}", ids[0])),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    app.restore_jar(admin_jar);
});

both_backends!(
    invitees_accept_or_decline_and_decisions_become_orders,
    |app| {
        let mut who = Sessions::default();
        let boss = staff(&app, "boss@krasnodar.ru", "Начальникова Ирина", true).await;
        let one = staff(&app, "one@krasnodar.ru", "Приглашённый Один", false).await;
        let two = staff(&app, "two@krasnodar.ru", "Приглашённая Два", false).await;
        citizen(&app, "outsider@krasnodar.ru", "Посторонний").await;
        app.make_executor(app.account_id("outsider@krasnodar.ru").await, "min-health")
            .await;
        who.be(&app, "boss@krasnodar.ru").await;
        let day = msk_today() + Duration::days(1);
        let (one_s, two_s) = (one.to_string(), two.to_string());
        let meeting = create(
            &app,
            &[
                ("kind", "meeting"),
                ("title", "Совещание по мостам"),
                ("date", &iso(day)),
                ("time", "11:00"),
                ("invitee", &one_s),
                ("invitee", &two_s),
            ],
        )
        .await;
        let page = format!("/pm/planner/items/{meeting}");
        // An outsider may not be invited.
        let r = app
            .submit(
                "/pm/planner/new",
                "/pm/planner/items",
                &[
                    ("kind", "meeting"),
                    ("title", "x"),
                    ("date", &iso(day)),
                    ("invitee", "999999"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        who.be(&app, "one@krasnodar.ru").await;
        let agenda = app
            .get(&format!("/pm/planner?view=day&date={}", iso(day)))
            .await;
        assert!(
            agenda.body.contains("Совещание по мостам") && agenda.body.contains("ждёт ответа"),
            "{}",
            agenda.body
        );
        let r = app
            .submit(&page, &format!("{page}/respond"), &[("answer", "accept")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // An invitee reads it but cannot change it.
        let r = app
            .submit(&page, &format!("{page}/move"), &[("step", "day")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        who.be(&app, "two@krasnodar.ru").await;
        let r = app
            .submit(&page, &format!("{page}/respond"), &[("answer", "decline")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        who.be(&app, "outsider@krasnodar.ru").await;
        assert_eq!(app.get(&page).await.status, StatusCode::NOT_FOUND);
        let token = app.get("/pm/planner").await.csrf_token();
        let r = app
            .post_form_raw(
                &format!("{page}/respond"),
                &[("csrf_token", &token), ("answer", "accept")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        who.be(&app, "boss@krasnodar.ru").await;
        let view = app.get(&page).await;
        assert!(
            view.body.contains("Приглашённый Один — принято"),
            "{}",
            view.body
        );
        assert!(
            view.body.contains("Приглашённая Два — отклонено"),
            "{}",
            view.body
        );
        assert_eq!(
        count(&app, &format!("select count(*) from planner_invitee where item_id = {meeting} and response = 'accepted'")).await,
        1
    );
        // The decisions, in one step, become orders in the core.
        let deadline = iso(msk_today() + Duration::days(10));
        let r = app
            .submit(
                &page,
                &format!("{page}/decisions"),
                &[
                    ("text_1", "Обследовать мост через Кубань"),
                    ("organisation_1", ORG),
                    ("deadline_1", &deadline),
                    ("text_2", "Подготовить смету ремонта"),
                    ("organisation_2", "min-health"),
                    ("deadline_2", &deadline),
                    ("text_3", ""),
                    ("organisation_3", ""),
                    ("deadline_3", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.run_workers().await;
        let orders = format!(
            "select count(*) from pm_order where source = 'meeting' and external_key like '%:meeting:{meeting}:%'"
        );
        assert_eq!(count(&app, &orders).await, 2);
        assert_eq!(
            count(
                &app,
                &format!(
                    "select count(*) from pm_order where source = 'meeting' and creator_id = {boss}"
                )
            )
            .await,
            2,
            "given by the organiser"
        );
        let list = app.get("/pm/orders").await;
        assert!(
            list.body.contains("Обследовать мост через Кубань"),
            "{}",
            list.body
        );
        // Once: a second send is refused, and a redelivery opens nothing new.
        let r = app
            .submit(
                &page,
                &format!("{page}/decisions"),
                &[
                    ("text_1", "Ещё"),
                    ("organisation_1", ORG),
                    ("deadline_1", &deadline),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        app.run_workers().await;
        assert_eq!(count(&app, &orders).await, 2);
    }
);

both_backends!(hostile_input_is_refused_and_nothing_is_saved, |app| {
    staff(&app, "hostile@krasnodar.ru", "Проверкина Ася", true).await;
    sign_in_as(&app, "hostile@krasnodar.ru").await;
    let today = iso(msk_today());
    let long = "д".repeat(301);
    for (field, value) in [
        ("rrule", "FREQ=YEARLY"),
        ("rrule", "FREQ=DAILY;COUNT=1000000"),
        ("rrule", "FREQ=WEEKLY;BYDAY=XX"),
        ("rrule", "FREQ=DAILY;UNTIL=21000101"),
        ("title", long.as_str()),
        ("title", "   "),
        ("date", "2026-02-30"),
        ("time", "25:00"),
        ("remind", "-5"),
        ("remind", "1,2,3,4"),
        ("kind", "party"),
        ("link", "order:999999"),
    ] {
        let mut fields = vec![
            ("kind", "task"),
            ("title", "Задача"),
            ("date", today.as_str()),
        ];
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value));
        let r = app
            .submit("/pm/planner/new", "/pm/planner/items", &fields)
            .await;
        assert!(r.status.is_client_error(), "{field}={value}: {}", r.status);
        assert_ne!(r.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(count(&app, "select count(*) from planner_item").await, 0);
    assert_eq!(
        count(&app, "select count(*) from planner_reminder").await,
        0
    );
    // Views and settings refuse nonsense with 4xx too.
    assert_eq!(
        app.get("/pm/planner?view=year").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/pm/planner?date=tomorrow").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = app
        .submit(
            "/pm/planner/settings",
            "/pm/planner/settings",
            &[("tz", "Europe/London")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The server is still up and serves the person after all that.
    assert_eq!(app.get("/health").await.status, StatusCode::OK);
    assert_eq!(
        app.get("/pm/planner?view=list").await.status,
        StatusCode::OK
    );
});

both_backends!(another_person_cannot_see_or_edit_my_items, |app| {
    let mut who = Sessions::default();
    staff(&app, "mine@krasnodar.ru", "Хозяйкина Мария", true).await;
    staff(&app, "other@krasnodar.ru", "Другой Пётр", true).await;
    citizen(&app, "citizen@example.com", "Житель").await;
    who.be(&app, "mine@krasnodar.ru").await;
    let today = iso(msk_today());
    let id = create(
        &app,
        &[
            ("kind", "task"),
            ("title", "Личная задача"),
            ("date", &today),
            ("notes", "никому"),
        ],
    )
    .await;
    who.be(&app, "other@krasnodar.ru").await;
    let page = format!("/pm/planner/items/{id}");
    assert_eq!(app.get(&page).await.status, StatusCode::NOT_FOUND);
    assert!(
        !app.get("/pm/planner?view=list")
            .await
            .body
            .contains("Личная задача")
    );
    let token = app.get("/pm/planner").await.csrf_token();
    for (action, fields) in [
        (
            page.clone(),
            vec![
                ("kind", "task"),
                ("title", "Захвачено"),
                ("date", today.as_str()),
            ],
        ),
        (format!("{page}/move"), vec![("step", "day")]),
        (format!("{page}/done"), vec![("done", "1")]),
        (format!("{page}/delete"), vec![]),
        (format!("{page}/decisions"), vec![("text_1", "x")]),
    ] {
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend(fields);
        let r = app.post_form_raw(&action, &all).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{action}");
    }
    assert_eq!(
        count(
            &app,
            "select count(*) from planner_item where title = 'Личная задача' and done_at is null"
        )
        .await,
        1
    );
    // Citizens have no planner.
    sign_in_as(&app, "citizen@example.com").await;
    assert_eq!(app.get("/pm/planner").await.status, StatusCode::FORBIDDEN);
});
