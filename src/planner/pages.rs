//! The agenda: day, week and month views and the list for phones
//! (`/pm/planner?view=list`, kept offline by the phone app), each merging
//! the person's own items with what the core knows (`workflow::agenda`);
//! and the delegated task control (`/pm/planner/control`).

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use time::{Date, Duration, OffsetDateTime};

use super::domain::Zone;
use super::queries;
use super::service::person_of;
use crate::app::AppState;
use crate::auth::{Core, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::texts;
use crate::web::extract::Query;
use crate::web::i18n::{Locale, iso_date};
use crate::web::layout::{Page, PageCtx};
use crate::workflow::agenda::Standing;

texts!(pub PlannerTexts {
    planner: "Планировщик", "Planner";
    core: "Управление поручениями", "Orders";
    day: "День", "Day";
    week: "Неделя", "Week";
    month: "Месяц", "Month";
    list: "Список", "List";
    views: "Вид", "View";
    previous: "Назад", "Previous";
    next: "Вперёд", "Next";
    today: "Сегодня", "Today";
    new_item: "Новая запись", "New item";
    dictate: "Продиктовать поручение", "Dictate an order";
    control: "Контроль поручений, данных мной", "Delegated task control";
    settings: "Настройки и календарь", "Settings and calendar";
    nothing: "Ничего не запланировано.", "Nothing planned.";
    all_day: "весь день", "all day";
    overdue: "просрочено", "overdue";
    done: "выполнено", "done";
    mine: "Моя запись", "My item";
    meeting: "Совещание", "Meeting";
    task: "Задача", "Task";
    event: "Событие", "Event";
    invited: "приглашение", "invitation";
    accepted: "принято", "accepted";
    declined: "отклонено", "declined";
    pending: "ждёт ответа", "awaiting an answer";
    times_in: "Время — в поясе", "Times are in";
    total: "Всего", "Total";
    in_time: "В работе, в срок", "Open, in time";
    overdue_h: "Просрочено", "Overdue";
    done_h: "Исполнено", "Done";
    on_time: "Исполнено в срок", "Done on time";
    late: "Исполнено с опозданием", "Done late";
    executor: "Исполнитель", "Executor";
    by_executor: "По исполнителям", "By executor";
    control_intro: "Поручения, которые вы дали (без отменённых): кому, как исполняются.",
                   "The orders you gave (cancelled ones left out): to whom, and how they stand.";
    overdue_orders: "Просроченные поручения", "Overdue orders";
    deadline: "Срок", "Deadline";
    order: "Поручение", "Order";
    none_given: "Вы не давали поручений.", "You have given no orders.";
    weekdays: "Пн Вт Ср Чт Пт Сб Вс", "Mon Tue Wed Thu Fri Sat Sun";
});

/// One line of the agenda.
pub struct Entry {
    pub at: OffsetDateTime,
    pub all_day: bool,
    pub title: String,
    pub url: String,
    pub label: String,
    pub note: String,
    pub overdue: bool,
    pub done: bool,
    pub mine: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Day,
    Week,
    Month,
    List,
}

impl View {
    fn parse(s: &str) -> Option<View> {
        match s {
            "" | "week" => Some(View::Week),
            "day" => Some(View::Day),
            "month" => Some(View::Month),
            "list" => Some(View::List),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            View::Day => "day",
            View::Week => "week",
            View::Month => "month",
            View::List => "list",
        }
    }

    /// The first day shown and the first day after, for a date in view.
    fn window(self, d: Date, today: Date) -> (Date, Date) {
        match self {
            View::Day => (d, d + Duration::days(1)),
            View::Week => {
                let monday = d - Duration::days(i64::from(d.weekday().number_days_from_monday()));
                (monday, monday + Duration::days(7))
            }
            View::Month => {
                let first = d.replace_day(1).unwrap_or(d);
                (first, add_months(first, 1))
            }
            // The phone's list: two weeks from the date (today unless asked).
            View::List => {
                let _ = today;
                (d, d + Duration::days(14))
            }
        }
    }

    fn step(self, d: Date, back: bool) -> Date {
        let sign = if back { -1 } else { 1 };
        match self {
            View::Day => d + Duration::days(sign),
            View::Week => d + Duration::weeks(sign),
            View::List => d + Duration::days(14 * sign),
            View::Month => add_months(d.replace_day(1).unwrap_or(d), sign as i32),
        }
    }
}

fn add_months(d: Date, n: i32) -> Date {
    let m = i32::from(u8::from(d.month())) - 1 + n;
    let year = d.year() + m.div_euclid(12);
    let month = time::Month::try_from(u8::try_from(m.rem_euclid(12) + 1).unwrap_or(1))
        .unwrap_or(time::Month::January);
    Date::from_calendar_date(year, month, 1).unwrap_or(d)
}

/// The agenda of a person in `[from, to)`: their items' occurrences and
/// what the registered sources know, by time.
pub async fn entries(
    state: &AppState,
    user: &CurrentUser,
    l: Locale,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> AppResult<Vec<Entry>> {
    let t = PlannerTexts::get(l);
    let now = crate::db::now();
    let mut out = Vec::new();
    for i in queries::items_in(&state.db, user.account_id, from, to).await? {
        let label = match (i.kind(), i.response.as_deref()) {
            (_, Some(r)) => format!(
                "{}, {}: {}",
                t.meeting,
                t.invited,
                match r {
                    "accepted" => t.accepted,
                    "declined" => t.declined,
                    _ => t.pending,
                }
            ),
            (super::domain::Kind::Task, _) => t.task.to_owned(),
            (super::domain::Kind::Event, _) => t.event.to_owned(),
            (super::domain::Kind::Meeting, _) => t.meeting.to_owned(),
        };
        let task = i.kind() == super::domain::Kind::Task;
        for at in i.occurrences(from, to) {
            out.push(Entry {
                at,
                all_day: i.all_day,
                title: i.title.clone(),
                url: format!("/pm/planner/items/{}", i.item_id),
                label: label.clone(),
                note: i.link_title.clone().unwrap_or_default(),
                overdue: task && i.done_at.is_none() && at < now,
                done: i.done_at.is_some(),
                mine: i.response.is_none(),
            });
        }
    }
    for a in state
        .agenda
        .items(&state.db, &person_of(user), from, to)
        .await?
    {
        let (ru, en) = state.agenda.label(a.kind);
        out.push(Entry {
            at: a.at,
            all_day: a.all_day,
            title: a.title,
            url: a.url,
            label: l.pick(ru, en).to_owned(),
            note: l.pick(&a.note.0, &a.note.1).to_owned(),
            overdue: a.overdue,
            done: false,
            mine: false,
        });
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then(b.all_day.cmp(&a.all_day)));
    Ok(out)
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct AgendaQuery {
    #[serde(default)]
    view: String,
    #[serde(default)]
    date: String,
}

fn hm(zone: Zone, t: OffsetDateTime) -> String {
    let l = zone.local(t);
    format!("{:02}:{:02}", l.hour(), l.minute())
}

fn entry_line(l: Locale, zone: Zone, e: &Entry) -> Markup {
    let t = PlannerTexts::get(l);
    html! {
        li.overdue[e.overdue] .done[e.done] .mine[e.mine] {
            span.when { @if e.all_day { (t.all_day) } @else { (hm(zone, e.at)) } }
            " · " span.kind { (e.label) } " · "
            a href=(e.url) { (e.title) }
            @if !e.note.is_empty() { " — " span.note { (e.note) } }
            @if e.overdue { " (" strong { (t.overdue) } ")" }
            @if e.done { " (" (t.done) ")" }
        }
    }
}

/// The links every planner page starts with.
pub fn nav(l: Locale, view: Option<View>, date: Date) -> Markup {
    let t = PlannerTexts::get(l);
    let d = iso_date(date);
    html! {
        nav.pm-nav aria-label=(t.views) {
            ul {
                @for (v, label) in [(View::Day, t.day), (View::Week, t.week), (View::Month, t.month), (View::List, t.list)] {
                    li { a href={ "/pm/planner?view=" (v.as_str()) "&date=" (d) } aria-current=[(view == Some(v)).then_some("page")] { (label) } }
                }
                li { a href="/pm/planner/new" { (t.new_item) } }
                // Voice orders live with the orders (docs/VOICE.md): the
                // same page the order form links to.
                li { a href="/pm/orders/dictate" { (t.dictate) } }
                li { a href="/pm/planner/control" { (t.control) } }
                li { a href="/pm/planner/settings" { (t.settings) } }
            }
        }
    }
}

/// `GET /pm/planner?view=day|week|month|list&date=YYYY-MM-DD`
pub async fn agenda(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Query(q): Query<AgendaQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PlannerTexts::get(l);
    let view = View::parse(q.view.trim()).ok_or_else(|| {
        AppError::invalid(
            "Вид — day, week, month или list.",
            "The view is day, week, month or list.",
        )
    })?;
    let (zone, _) = queries::settings(&state.db, user.account_id).await?;
    let today = zone.today(crate::db::now());
    let date = match q.date.trim() {
        "" => today,
        s => super::domain::parse_date("date", s)?,
    };
    let (first, after) = view.window(date, today);
    let midnight = |d: Date| zone.moment(d.midnight());
    let list = entries(&state, &user, l, midnight(first), midnight(after)).await?;
    let days: Vec<Date> = (0..(after - first).whole_days())
        .map(|n| first + Duration::days(n))
        .collect();
    let on = |d: Date| list.iter().filter(move |e| zone.local(e.at).date() == d);
    let here = |d: Date| format!("/pm/planner?view={}&date={}", view.as_str(), iso_date(d));
    let heading = match view {
        View::Month => format!("{} {}", t.planner, &iso_date(first)[..7]),
        _ if days.len() == 1 => format!("{} {}", t.planner, crate::web::components::date(l, first)),
        _ => format!(
            "{} {} — {}",
            t.planner,
            crate::web::components::date(l, first),
            crate::web::components::date(l, after - Duration::days(1))
        ),
    };
    let weekdays: Vec<&str> = t.weekdays.split(' ').collect();
    Ok(Page::new(&ctx, heading.clone()).crumb(t.core, "/pm").render(html! {
        h1 { (heading) }
        (nav(l, Some(view), date))
        p.pager {
            a href=(here(view.step(date, true))) rel="prev" { "← " (t.previous) } " · "
            a href=(here(today)) { (t.today) } " · "
            a href=(here(view.step(date, false))) rel="next" { (t.next) " →" }
        }
        p.hint { (t.times_in) " " (zone.name()) "." }
        @if view == View::Month {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
            table.planner-month {
                caption.visually-hidden { (heading) }
                thead { tr { @for w in &weekdays { th scope="col" { (w) } } } }
                tbody {
                    @let lead = first.weekday().number_days_from_monday() as i64;
                    @let cells = lead + days.len() as i64;
                    @for week in 0..((cells + 6) / 7) {
                        tr {
                            @for col in 0..7_i64 {
                                @let n = week * 7 + col - lead;
                                @if n < 0 || n >= days.len() as i64 { td {} } @else {
                                    @let d = first + Duration::days(n);
                                    td.today[d == today] {
                                        a.daynum href={ "/pm/planner?view=day&date=" (iso_date(d)) } { (d.day()) }
                                        ul.pm-tasks { @for e in on(d) { (entry_line(l, zone, e)) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            }
        } @else {
            @if list.is_empty() { p { (t.nothing) } }
            @for d in &days {
                @let todays: Vec<&Entry> = on(*d).collect();
                @if !todays.is_empty() || (view != View::List && view != View::Month) {
                    section.planner-day aria-label=(crate::web::components::date(l, *d)) {
                        h2 {
                            (weekdays[d.weekday().number_days_from_monday() as usize]) ", "
                            (crate::web::components::date(l, *d))
                            @if *d == today { " — " (t.today) }
                        }
                        @if todays.is_empty() { p.hint { (t.nothing) } } @else {
                            ul.pm-tasks { @for e in &todays { (entry_line(l, zone, e)) } }
                        }
                    }
                }
            }
        }
    }))
}

/// The delegated task control's figures, from the orders given.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Figures {
    pub total: usize,
    pub in_time: usize,
    pub overdue: usize,
    pub done_on_time: usize,
    pub done_late: usize,
}

impl Figures {
    fn add(&mut self, s: Standing) {
        self.total += 1;
        match s {
            Standing::InTime => self.in_time += 1,
            Standing::Overdue => self.overdue += 1,
            Standing::DoneOnTime => self.done_on_time += 1,
            Standing::DoneLate => self.done_late += 1,
        }
    }
}

fn figure_cells(f: &Figures) -> Markup {
    html! {
        td { (f.total) } td { (f.in_time) } td { (f.overdue) }
        td { (f.done_on_time + f.done_late) } td { (f.done_on_time) } td { (f.done_late) }
    }
}

/// `GET /pm/planner/control`: the orders I gave — total, in time,
/// overdue, done — by executor, and the overdue ones.
pub async fn control(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = PlannerTexts::get(l);
    let now = crate::db::now();
    let given = state
        .agenda
        .given(&state.db, &person_of(&user), now)
        .await?;
    let mut all = Figures::default();
    let mut by: std::collections::BTreeMap<&str, Figures> = Default::default();
    for g in &given {
        all.add(g.standing);
        by.entry(g.executor.as_str()).or_default().add(g.standing);
    }
    let zone = queries::settings(&state.db, user.account_id).await?.0;
    let head = html! {
        th scope="col" { (t.total) } th scope="col" { (t.in_time) } th scope="col" { (t.overdue_h) }
        th scope="col" { (t.done_h) } th scope="col" { (t.on_time) } th scope="col" { (t.late) }
    };
    Ok(Page::new(&ctx, t.control).crumb(t.planner, "/pm/planner").render(html! {
        h1 { (t.control) }
        (nav(l, None, zone.today(now)))
        p { (t.control_intro) }
        @if given.is_empty() { p { (t.none_given) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) {
                table #control-figures {
                    caption { (t.by_executor) }
                    thead { tr { th scope="col" { (t.executor) } (head) } }
                    tbody {
                        @for (who, f) in &by {
                            tr { th scope="row" { (who) } (figure_cells(f)) }
                        }
                    }
                    tfoot { tr #control-total { th scope="row" { (t.total) } (figure_cells(&all)) } }
                }
            }
            @let late: Vec<_> = given.iter().filter(|g| g.standing == Standing::Overdue).collect();
            @if !late.is_empty() {
                h2 { (t.overdue_orders) }
                ul.pm-tasks {
                    @for g in late {
                        li.overdue { a href=(g.url) { (g.title) } " — " (g.executor) ", " (t.deadline) " " (crate::web::components::datetime(l, g.deadline)) }
                    }
                }
            }
        }
    }))
}
