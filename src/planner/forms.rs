//! A personal item's pages and forms: new, show and edit, the drag-free
//! rescheduling (a date and time, or «+1 day» / «next week» buttons),
//! done, delete; a meeting's invitees, their answers and its decisions;
//! the planner's settings (time zone, the calendar feed's address).
//! Another person's item is not found.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::domain::{self, Draft, Fields, Kind, ZONES};
use super::pages::{PlannerTexts, nav};
use super::queries::{self, DecisionRow, ItemRow};
use super::service;
use crate::app::AppState;
use crate::auth::{Core, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::texts;
use crate::web::extract::{Form, Path};
use crate::web::i18n::{Locale, iso_date};
use crate::web::layout::{Page, PageCtx};

texts!(FormTexts {
    new_item: "Новая запись", "New item";
    kind: "Вид записи", "Kind";
    task: "Задача (срок)", "Task (due)";
    event: "Событие", "Event";
    meeting: "Совещание (с приглашёнными)", "Meeting (with invitees)";
    title: "Название", "Title";
    notes: "Заметки (видны только вам)", "Notes (only you see them)";
    date: "Дата (начало или срок)", "Date (start or due)";
    time: "Время (пусто — весь день)", "Time (empty: all day)";
    end_time: "Окончание (необязательно)", "Ends at (optional)";
    rrule: "Повторение (RRULE, необязательно)", "Recurrence (RRULE, optional)";
    rrule_hint: "Например: FREQ=DAILY;COUNT=10 · FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20271231 · FREQ=MONTHLY;BYMONTHDAY=31",
                "For example: FREQ=DAILY;COUNT=10 · FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20271231 · FREQ=MONTHLY;BYMONTHDAY=31";
    remind: "Напомнить за, минут (через запятую)", "Remind, minutes before (comma separated)";
    remind_hint: "Например: 15,60. Напоминание придёт на сайт и по почте.", "For example: 15,60. Reminders come in the site and by mail.";
    link: "Связать с", "Link to";
    no_link: "— ни с чем —", "— nothing —";
    invitees: "Пригласить коллег", "Invite colleagues";
    no_colleagues: "В ваших организациях больше никого нет.", "Nobody else is in your organisations.";
    save: "Сохранить", "Save";
    create: "Создать", "Create";
    edit: "Изменить", "Edit";
    reschedule: "Перенести", "Reschedule";
    move_to: "Перенести на эту дату", "Move to this date";
    plus_day: "+1 день", "+1 day";
    minus_day: "−1 день", "−1 day";
    plus_week: "На неделю вперёд", "Next week";
    delete: "Удалить", "Delete";
    mark_done: "Отметить выполненной", "Mark done";
    mark_not_done: "Вернуть в работу", "Mark not done";
    when: "Когда", "When";
    repeats: "Повторяется", "Repeats";
    linked: "Связано с", "Linked to";
    reminders: "Напоминания, минут до", "Reminders, minutes before";
    invited: "Приглашены", "Invited";
    accept: "Принять приглашение", "Accept the invitation";
    decline: "Отклонить приглашение", "Decline the invitation";
    your_answer: "Ваш ответ", "Your answer";
    decisions: "Решения совещания", "The meeting's decisions";
    decisions_hint: "Каждое решение станет поручением организации-исполнителю, одним действием. Пустые строки пропускаются.",
                    "Each decision becomes an order to its organisation, in one step. Empty rows are skipped.";
    decision: "Решение", "Decision";
    organisation: "Организация-исполнитель", "Executing organisation";
    deadline: "Срок", "Deadline";
    send_decisions: "Отправить решения поручениями", "Send the decisions as orders";
    sent: "Отправлены как поручения", "Sent as orders";
    settings: "Настройки планировщика", "Planner settings";
    zone: "Часовой пояс", "Time zone";
    feed: "Календарь по подписке", "Calendar subscription";
    feed_intro: "Секретный адрес вашего календаря (iCalendar) для Google, iOS или Outlook. Кто знает адрес, видит названия и сроки; заметки в него не попадают.",
                "The secret address of your calendar (iCalendar) for Google, iOS or Outlook. Whoever has it sees titles and times; notes are never in it.";
    feed_todo: "Задачи как VTODO", "Tasks as VTODO";
    no_feed: "Адреса нет.", "There is no address.";
    make_feed: "Создать адрес", "Make an address";
    renew_feed: "Создать новый (старый перестанет работать)", "Make a new one (the old one stops working)";
    revoke_feed: "Отозвать адрес", "Revoke the address";
});

fn item_url(id: i64) -> String {
    format!("/pm/planner/items/{id}")
}

/// The item `id` as the person may see it, or 404.
async fn visible(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<ItemRow> {
    queries::item_for(&state.db, user.account_id, id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// The item `id` if it is the person's own, or 404.
async fn own(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<ItemRow> {
    let i = visible(state, user, id).await?;
    if i.account_id != user.account_id {
        return Err(AppError::not_found());
    }
    Ok(i)
}

/// The item form, empty or with an item's values.
async fn item_form(
    ctx: &PageCtx,
    state: &AppState,
    user: &CurrentUser,
    item: Option<&ItemRow>,
) -> AppResult<Markup> {
    let l = ctx.locale;
    let t = FormTexts::get(l);
    let errors = crate::web::components::FieldErrors::new();
    let zone = match item {
        Some(i) => i.zone(),
        None => queries::settings(&state.db, user.account_id).await?.0,
    };
    let start = item.map(|i| i.start());
    let date = start.map_or_else(
        || iso_date(zone.today(crate::db::now())),
        |s| iso_date(s.date()),
    );
    let time = match (item, start) {
        (Some(i), Some(s)) if !i.all_day => format!("{:02}:{:02}", s.hour(), s.minute()),
        _ => String::new(),
    };
    let end = item
        .and_then(|i| i.ends_at.map(|e| zone.local(e)))
        .map(|e| format!("{:02}:{:02}", e.hour(), e.minute()))
        .unwrap_or_default();
    let links = service::linkable(state, user).await?;
    let colleagues = queries::colleagues(&state.db, user.account_id).await?;
    let invited: Vec<i64> = match item {
        Some(i) => queries::invitees(&state.db, i.item_id)
            .await?
            .iter()
            .map(|v| v.account_id)
            .collect(),
        None => Vec::new(),
    };
    let kind = item.map_or("task", |i| i.kind.as_str());
    let link = item.and_then(|i| i.link_key.clone()).unwrap_or_default();
    let mut link_options = vec![(String::new(), t.no_link.to_owned())];
    link_options.extend(links.iter().map(|a| {
        let (ru, en) = state.agenda.label(a.kind);
        (a.key.clone(), format!("{}: {}", l.pick(ru, en), a.title))
    }));
    let action = item.map_or_else(|| "/pm/planner/items".to_owned(), |i| item_url(i.item_id));
    Ok(html! {
        form.planner-form method="post" action=(action) {
            (ctx.csrf_field())
            (crate::web::components::Select {
                name: "kind", label: t.kind,
                options: &[("task".into(), t.task.into()), ("event".into(), t.event.into()), ("meeting".into(), t.meeting.into())],
                selected: kind, placeholder: None, disabled: false,
            }.render(l, &errors))
            (crate::web::components::Input::new("title", t.title, item.map_or("", |i| i.title.as_str())).required().render(l, &errors))
            (crate::web::components::Input::new("date", t.date, &date).kind("date").required().render(l, &errors))
            (crate::web::components::Input::new("time", t.time, &time).kind("time").render(l, &errors))
            (crate::web::components::Input::new("end_time", t.end_time, &end).kind("time").render(l, &errors))
            (crate::web::components::Input::new("rrule", t.rrule, item.and_then(|i| i.rrule.as_deref()).unwrap_or("")).hint(t.rrule_hint).render(l, &errors))
            (crate::web::components::Input::new("remind", t.remind, item.map_or("", |i| i.remind.as_str())).hint(t.remind_hint).render(l, &errors))
            (crate::web::components::Select { name: "link", label: t.link, options: &link_options, selected: &link, placeholder: None, disabled: false }.render(l, &errors))
            (crate::web::components::Input::new("notes", t.notes, item.map_or("", |i| i.notes.as_str())).kind("textarea").render(l, &errors))
            fieldset {
                legend { (t.invitees) }
                @if colleagues.is_empty() { p.hint { (t.no_colleagues) } }
                @for (id, name) in &colleagues {
                    div.field.checkbox {
                        input id={ "inv-" (id) } type="checkbox" name="invitee" value=(id) checked[invited.contains(id)];
                        label for={ "inv-" (id) } { (name) }
                    }
                }
            }
            button.button type="submit" { (if item.is_some() { t.save } else { t.create }) }
        }
    })
}

/// `GET /pm/planner/new`
pub async fn new_item(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let t = FormTexts::get(ctx.locale);
    let form = item_form(&ctx, &state, &user, None).await?;
    let zone = queries::settings(&state.db, user.account_id).await?.0;
    Ok(Page::new(&ctx, t.new_item)
        .crumb(PlannerTexts::get(ctx.locale).planner, "/pm/planner")
        .render(html! {
            h1 { (t.new_item) }
            (nav(ctx.locale, None, zone.today(crate::db::now())))
            (form)
        }))
}

/// `POST /pm/planner/items`
pub async fn create(
    Core(user): Core,
    State(state): State<AppState>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let fields = Fields(&f);
    let zone = queries::settings(&state.db, user.account_id).await?.0;
    let d = Draft::parse(&fields, zone)?;
    let id = service::create(&state, &user, &d, &fields.all("invitee")).await?;
    Ok(Redirect::to(&item_url(id)).into_response())
}

/// `POST /pm/planner/items/{id}`
pub async fn update(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let item = own(&state, &user, id).await?;
    let fields = Fields(&f);
    let d = Draft::parse(&fields, item.zone())?;
    service::update(&state, &user, &item, &d, &fields.all("invitee")).await?;
    Ok(Redirect::to(&item_url(id)).into_response())
}

fn when(l: Locale, i: &ItemRow) -> String {
    let s = i.start();
    let d = crate::web::components::date(l, s.date());
    let mut out = if i.all_day {
        d
    } else {
        format!("{d} {:02}:{:02}", s.hour(), s.minute())
    };
    if let Some(e) = i.ends_at {
        let e = i.zone().local(e);
        out.push_str(&format!("–{:02}:{:02}", e.hour(), e.minute()));
    }
    format!("{out} ({})", i.zone().name())
}

/// `GET /pm/planner/items/{id}`
pub async fn show(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = FormTexts::get(l);
    let item = visible(&state, &user, id).await?;
    let mine = item.account_id == user.account_id;
    let invitees = queries::invitees(&state.db, id).await?;
    let decisions = queries::decisions(&state.db, id).await?;
    let form = if mine {
        Some(item_form(&ctx, &state, &user, Some(&item)).await?)
    } else {
        None
    };
    let orgs = if mine && item.kind() == Kind::Meeting && item.decided_at.is_none() {
        queries::organisations(&state.db).await?
    } else {
        Vec::new()
    };
    let org_options: Vec<(String, String)> = std::iter::once((String::new(), "—".to_owned()))
        .chain(
            orgs.iter()
                .map(|(id, ru, en)| (id.clone(), l.pick(ru, en).to_owned())),
        )
        .collect();
    let errors = crate::web::components::FieldErrors::new();
    let answer = |r: &str| match r {
        "accepted" => PlannerTexts::get(l).accepted,
        "declined" => PlannerTexts::get(l).declined,
        _ => PlannerTexts::get(l).pending,
    };
    let start = item.start();
    let today = item.zone().today(crate::db::now());
    Ok(Page::new(&ctx, item.title.clone()).crumb(PlannerTexts::get(l).planner, "/pm/planner").render(html! {
        h1 { (item.title) }
        (nav(l, None, today))
        dl.facts {
            div { dt { (t.when) } dd #item-when { (when(l, &item)) } }
            @if let Some(r) = &item.rrule { div { dt { (t.repeats) } dd { code { (r) } } } }
            @if let (Some(title), Some(url)) = (&item.link_title, &item.link_url) { div { dt { (t.linked) } dd { a href=(url) { (title) } } } }
            @if !item.remind.is_empty() { div { dt { (t.reminders) } dd { (item.remind) } } }
            @if mine && !item.notes.is_empty() { div { dt { (t.notes) } dd { (item.notes) } } }
            @if !invitees.is_empty() {
                div { dt { (t.invited) } dd { ul #invitees { @for v in &invitees { li { (v.display_name) " — " (answer(&v.response)) } } } } }
            }
        }
        @if let Some(r) = &item.response {
            section aria-labelledby="answer-h" {
                h2 #answer-h { (t.your_answer) ": " (answer(r)) }
                form.inline method="post" action={ (item_url(id)) "/respond" } {
                    (ctx.csrf_field()) input type="hidden" name="answer" value="accept";
                    button.button type="submit" { (t.accept) }
                }
                " "
                form.inline method="post" action={ (item_url(id)) "/respond" } {
                    (ctx.csrf_field()) input type="hidden" name="answer" value="decline";
                    button.button.secondary type="submit" { (t.decline) }
                }
            }
        }
        @if !decisions.is_empty() {
            section aria-labelledby="dec-h" {
                h2 #dec-h { (t.decisions) " — " (t.sent) }
                ol #decisions { @for d in &decisions { li { (d.text) " — " (d.organisation_id) ", " (t.deadline) " " (crate::web::components::shown_date(l, &d.deadline)) } } }
            }
        }
        @if mine {
            section aria-labelledby="move-h" {
                h2 #move-h { (t.reschedule) }
                form method="post" action={ (item_url(id)) "/move" } {
                    (ctx.csrf_field())
                    (crate::web::components::Input::new("date", PlannerTexts::get(l).day, &iso_date(start.date())).kind("date").required().render(l, &errors))
                    (crate::web::components::Input::new("time", t.time, &if item.all_day { String::new() } else { format!("{:02}:{:02}", start.hour(), start.minute()) }).kind("time").render(l, &errors))
                    button.button type="submit" name="step" value="" { (t.move_to) }
                    " " button.button.secondary type="submit" name="step" value="back" { (t.minus_day) }
                    " " button.button.secondary type="submit" name="step" value="day" { (t.plus_day) }
                    " " button.button.secondary type="submit" name="step" value="week" { (t.plus_week) }
                }
                @if item.kind() == Kind::Task && item.rrule.is_none() {
                    form.inline method="post" action={ (item_url(id)) "/done" } {
                        (ctx.csrf_field())
                        input type="hidden" name="done" value=(if item.done_at.is_some() { "0" } else { "1" });
                        button.button.secondary type="submit" { (if item.done_at.is_some() { t.mark_not_done } else { t.mark_done }) }
                    }
                }
            }
            @if item.kind() == Kind::Meeting && item.decided_at.is_none() {
                section aria-labelledby="decide-h" {
                    h2 #decide-h { (t.decisions) }
                    p.hint { (t.decisions_hint) }
                    form method="post" action={ (item_url(id)) "/decisions" } {
                        (ctx.csrf_field())
                        @for n in 1..=3 {
                            fieldset {
                                legend { (t.decision) " " (n) }
                                (decision_fields(l, n, &org_options, today))
                            }
                        }
                        button.button type="submit" { (t.send_decisions) }
                    }
                }
            }
            section aria-labelledby="edit-h" {
                h2 #edit-h { (t.edit) }
                @if let Some(f) = form { (f) }
                form method="post" action={ (item_url(id)) "/delete" } {
                    (ctx.csrf_field())
                    button.button.danger type="submit" { (t.delete) }
                }
            }
        }
    }))
}

fn decision_fields(l: Locale, n: usize, orgs: &[(String, String)], today: time::Date) -> Markup {
    let t = FormTexts::get(l);
    let id = |f: &str| format!("f-{f}_{n}");
    html! {
        div.field { label for=(id("text")) { (t.decision) } textarea id=(id("text")) name={ "text_" (n) } rows="2" {} }
        div.field {
            label for=(id("organisation")) { (t.organisation) }
            select id=(id("organisation")) name={ "organisation_" (n) } data-filter=(crate::web::components::SelectTexts::get(l).find_in) {
                @for (v, label) in orgs { option value=(v) { (label) } }
            }
        }
        div.field {
            label for=(id("deadline")) { (t.deadline) }
            input id=(id("deadline")) type="date" name={ "deadline_" (n) } min=(iso_date(today));
        }
    }
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    step: String,
}

/// `POST /pm/planner/items/{id}/move`: to the date and time given, or a
/// day or a week on (or a day back).
pub async fn move_item(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> AppResult<Response> {
    let item = own(&state, &user, id).await?;
    let (start, all_day) = match f.step.trim() {
        "" => {
            let date = domain::parse_date("date", &f.date)?;
            let time = domain::parse_time("time", &f.time)?;
            (
                date.with_time(time.unwrap_or(time::Time::MIDNIGHT)),
                time.is_none(),
            )
        }
        step => (
            domain::shifted(item.start(), step).ok_or_else(|| {
                AppError::invalid("step: day, week или back.", "step: day, week or back.")
            })?,
            item.all_day,
        ),
    };
    if !(2000..=2100).contains(&start.year()) {
        return Err(AppError::invalid(
            "date: год от 2000 до 2100.",
            "date: a year 2000 to 2100.",
        ));
    }
    service::reschedule_item(&state, &item, start, all_day).await?;
    Ok(Redirect::to(&item_url(id)).into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct DoneForm {
    #[serde(default)]
    done: String,
}

/// `POST /pm/planner/items/{id}/done`
pub async fn done(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<DoneForm>,
) -> AppResult<Response> {
    let item = own(&state, &user, id).await?;
    service::set_done(&state, &item, f.done != "0").await?;
    Ok(Redirect::to(&item_url(id)).into_response())
}

/// `POST /pm/planner/items/{id}/delete`
pub async fn delete(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let item = own(&state, &user, id).await?;
    service::delete(&state, &item).await?;
    Ok(Redirect::to("/pm/planner").into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct RespondForm {
    #[serde(default)]
    answer: String,
}

/// `POST /pm/planner/items/{id}/respond`: an invitee accepts or declines.
pub async fn respond(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<RespondForm>,
) -> AppResult<Response> {
    let item = visible(&state, &user, id).await?;
    if item.response.is_none() {
        return Err(AppError::not_found());
    }
    let accept = match f.answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => {
            return Err(AppError::invalid(
                "answer: accept или decline.",
                "answer: accept or decline.",
            ));
        }
    };
    service::respond(&state, &user, &item, accept).await?;
    Ok(Redirect::to(&item_url(id)).into_response())
}

/// `POST /pm/planner/items/{id}/decisions`: rows `text_n`,
/// `organisation_n`, `deadline_n`; empty rows skipped.
pub async fn decisions(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let item = own(&state, &user, id).await?;
    let fields = Fields(&f);
    let orgs = queries::organisations(&state.db).await?;
    let today = item.zone().today(crate::db::now());
    let mut rows = Vec::new();
    for n in 1..=domain::MAX_DECISIONS {
        let text = fields.get(&format!("text_{n}")).trim().to_owned();
        let org = fields.get(&format!("organisation_{n}")).trim().to_owned();
        let deadline = fields.get(&format!("deadline_{n}")).trim().to_owned();
        if text.is_empty() && org.is_empty() && deadline.is_empty() {
            continue;
        }
        if text.is_empty() || text.chars().count() > 2000 {
            return Err(AppError::invalid(
                format!("text_{n}: решение от 1 до 2000 знаков."),
                format!("text_{n}: a decision of 1 to 2000 characters."),
            ));
        }
        if !orgs.iter().any(|o| o.0 == org) {
            return Err(AppError::invalid(
                format!("organisation_{n}: выберите организацию."),
                format!("organisation_{n}: choose an organisation."),
            ));
        }
        let day = domain::parse_date(&format!("deadline_{n}"), &deadline)?;
        if day < today {
            return Err(AppError::invalid(
                format!("deadline_{n}: срок уже прошёл."),
                format!("deadline_{n}: the deadline has passed."),
            ));
        }
        rows.push(DecisionRow {
            n: n as i64,
            text,
            organisation_id: org,
            deadline: iso_date(day),
        });
    }
    service::decide(&state, &item, rows).await?;
    Ok(Redirect::to(&item_url(id)).into_response())
}

/// `GET /pm/planner/settings`
pub async fn settings(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = FormTexts::get(l);
    let (zone, token) = queries::settings(&state.db, user.account_id).await?;
    let errors = crate::web::components::FieldErrors::new();
    let zones: Vec<(String, String)> = ZONES
        .iter()
        .map(|(z, h)| ((*z).to_owned(), format!("{z} (UTC+{h})")))
        .collect();
    let base = state.config.base_url();
    Ok(Page::new(&ctx, t.settings).crumb(PlannerTexts::get(l).planner, "/pm/planner").render(html! {
        h1 { (t.settings) }
        (nav(l, None, zone.today(crate::db::now())))
        form method="post" action="/pm/planner/settings" {
            (ctx.csrf_field())
            (crate::web::components::Select { name: "tz", label: t.zone, options: &zones, selected: zone.name(), placeholder: None, disabled: false }.render(l, &errors))
            button.button type="submit" { (t.save) }
        }
        section aria-labelledby="feed-h" {
            h2 #feed-h { (t.feed) }
            p { (t.feed_intro) }
            @if let Some(tok) = &token {
                p { code #feed-url { (base) "/pm/planner/feed/" (tok) ".ics" } }
                p { a href={ "/pm/planner/feed/" (tok) ".ics?todo=1" } { (t.feed_todo) } }
            } @else { p { (t.no_feed) } }
            form.inline method="post" action="/pm/planner/settings/feed" {
                (ctx.csrf_field()) input type="hidden" name="action" value="new";
                button.button type="submit" { (if token.is_some() { t.renew_feed } else { t.make_feed }) }
            }
            @if token.is_some() {
                " "
                form.inline method="post" action="/pm/planner/settings/feed" {
                    (ctx.csrf_field()) input type="hidden" name="action" value="revoke";
                    button.button.secondary type="submit" { (t.revoke_feed) }
                }
            }
        }
    }))
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ZoneForm {
    #[serde(default)]
    tz: String,
}

/// `POST /pm/planner/settings`: the person's time zone (their items keep
/// the zone they were written in).
pub async fn save_settings(
    Core(user): Core,
    State(state): State<AppState>,
    Form(f): Form<ZoneForm>,
) -> AppResult<Response> {
    let zone = domain::Zone::parse(&f.tz).ok_or_else(|| {
        AppError::invalid("tz: неизвестный часовой пояс.", "tz: an unknown time zone.")
    })?;
    let (_, token) = queries::settings(&state.db, user.account_id).await?;
    let mut tx = state.db.begin().await?;
    queries::set_settings(&mut tx, user.account_id, zone, token.as_deref()).await?;
    tx.commit().await?;
    Ok(Redirect::to("/pm/planner/settings").into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct FeedForm {
    #[serde(default)]
    action: String,
}

/// `POST /pm/planner/settings/feed`: a new secret address, or none.
pub async fn feed_token(
    Core(user): Core,
    State(state): State<AppState>,
    Form(f): Form<FeedForm>,
) -> AppResult<Response> {
    let token = match f.action.as_str() {
        "new" => Some(super::feed::new_token()),
        "revoke" => None,
        _ => {
            return Err(AppError::invalid(
                "action: new или revoke.",
                "action: new or revoke.",
            ));
        }
    };
    let (zone, _) = queries::settings(&state.db, user.account_id).await?;
    let mut tx = state.db.begin().await?;
    queries::set_settings(&mut tx, user.account_id, zone, token.as_deref()).await?;
    tx.commit().await?;
    Ok(Redirect::to("/pm/planner/settings").into_response())
}
