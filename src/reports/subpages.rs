//! A report of one organisation for one period,
//! `/pm/reports/{form}/{org}/{period}`: its values with the plan and the
//! deviation, the rules it breaks, its history and audit, and the forms
//! its rights allow (fill in and submit; plan, return, accept, unlock).

use std::collections::BTreeMap;

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::domain::{Band, Period, deviation};
use super::pages::{form_of, org_label};
use super::queries::{self, FormRow, ItemRow};
use super::service::{self, ValueIn};
use super::views::{self, ReportTexts, maybe, number};
use crate::app::AppState;
use crate::auth::Core;
use crate::directory::tree::org_map;
use crate::error::{AppError, AppResult};
use crate::web::components::{datetime, parse_decimal};
use crate::web::extract::{Form, Path};
use crate::web::layout::{Page, PageCtx};

/// The form, the organisation (one that owes it) and the period of a
/// report's address.
pub(super) async fn report_of(
    state: &AppState,
    code: &str,
    org: &str,
    period: &str,
) -> AppResult<(FormRow, Period)> {
    let form = form_of(state, code).await?;
    let p = Period::parse(service::period_type(&form), period).ok_or_else(AppError::not_found)?;
    let owed = queries::owed(&state.db, form.form_id).await?;
    if !owed.iter().any(|(_, o)| o == org) {
        return Err(AppError::not_found());
    }
    Ok((form, p))
}

fn here(form: &FormRow, org: &str, p: Period) -> String {
    format!("/pm/reports/{}/{org}/{p}", form.code)
}

fn back(form: &FormRow, org: &str, p: Period) -> Response {
    Redirect::to(&here(form, org, p)).into_response()
}

/// `GET /pm/reports/{form}/{org}/{period}`
pub async fn show(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path((code, org, period)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = ReportTexts::get(l);
    let (form, p) = report_of(&state, &code, &org, &period).await?;
    let rights = service::rights(&user, &form, &org);
    let items = queries::items(&state.db, form.form_id).await?;
    let rules = queries::rules(&state.db, form.form_id).await?;
    let s = queries::submission(&state.db, form.form_id, &org, &p.to_string()).await?;
    let values = match &s {
        Some(s) => queries::values(&state.db, form.form_id, s.submission_id).await?,
        None => Vec::new(),
    };
    let plans: BTreeMap<i64, f64> = queries::plans(&state.db, form.form_id, &org)
        .await?
        .into_iter()
        .filter(|x| x.period == p.to_string())
        .map(|x| (x.item_id, x.value))
        .collect();
    let history = queries::plan_history(&state.db, form.form_id, &org, &p.to_string()).await?;
    let (events, audit) = match &s {
        Some(s) => (
            queries::events(&state.db, s.submission_id).await?,
            queries::audit(&state.db, s.submission_id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let broken = service::violations(&items, &rules, &values);
    let now = crate::db::now();
    let locked = service::locked(&form, p, s.as_ref(), now);
    let state_code = s.as_ref().map_or("draft", |s| s.state.as_str());
    let editable = matches!(state_code, "draft" | "returned") && !locked;
    let orgs = org_map(&state.db).await?;
    let item_name = |id: i64| {
        items
            .iter()
            .find(|i| i.item_id == id)
            .map_or(String::new(), |i| i.code.clone())
    };
    let base = here(&form, &org, p);
    let title = format!(
        "{} — {} — {p}",
        l.pick(&form.name_ru, &form.name_en),
        org_label(&orgs, l, &org)
    );
    let msk = time::macros::offset!(+3);
    let values_table = html! {
                div.table-wrap tabindex="0" role="region" aria-label=(t.report) {
                    table #values {
                        thead { tr {
                            th scope="col" { (t.item) } th scope="col" { (t.unit) } th scope="col" { (t.plan) }
                            th scope="col" { (t.value) } th scope="col" { (t.comment) } th scope="col" { (t.follow_up) }
                            th scope="col" { (t.deviation) } th scope="col" { (t.deviation_pct) } th scope="col" { (t.achievement) }
                        } }
                        tbody { @for i in &items {
                            @let v = values.iter().find(|v| v.item_id == i.item_id);
                            @let fact = v.and_then(|v| v.value);
                            @let plan = plans.get(&i.item_id).copied();
                            @let d = plan.zip(fact).map(|(p, f)| deviation(p, f, i.direction == "up"));
                            tr data-item=(i.code) {
                                th scope="row" { label for={ "v_" (i.item_id) } { (i.code) " " (l.pick(&i.name_ru, &i.name_en)) @if i.required { " *" } } }
                                td { (i.unit) }
                                td.num { (maybe(l, plan, i.decimals)) }
                                td { @if editable && rights.fill {
                                    input id={ "v_" (i.item_id) } name={ "v_" (i.item_id) } type="text" inputmode="decimal" value=(fact.map(|f| number(l, f, i.decimals)).unwrap_or_default());
                                } @else { (maybe(l, fact, i.decimals)) } }
                                td { @if editable && rights.fill {
                                    input name={ "c_" (i.item_id) } type="text" aria-label={ (t.comment) ": " (i.code) } value=(v.map_or("", |v| v.comment.as_str()));
                                } @else { (v.map_or("", |v| v.comment.as_str())) } }
                                td { @if editable && rights.fill {
                                    input name={ "f_" (i.item_id) } type="checkbox" value="on" aria-label={ (t.follow_up) ": " (i.code) } checked[v.is_some_and(|v| v.follow_up)];
                                } @else { (if v.is_some_and(|v| v.follow_up) { t.yes } else { "" }) } }
                                td.num { (maybe(l, d.map(|d| d.absolute), i.decimals)) }
                                td.num { (maybe(l, d.and_then(|d| d.percent), 1)) }
                                td.num { @if let Some(a) = d.and_then(|d| d.achievement) {
                                    @let b = Band::of(a, form.band_good, form.band_fair);
                                    (number(l, a, 1)) " " span class={ "badge band-" (b.as_str()) } { (views::band_label(l, b)) }
                                } }
                            }
                        } }
                    }
                }
    };
    Ok(Page::new(&ctx, title.clone())
        .crumb(l.pick(&form.name_ru, &form.name_en), format!("/pm/reports/{}", form.code))
        .render(html! {
            h1 { (title) }
            (views::nav(l))
            dl.pm-summary {
                div { dt { (t.state) } dd #state data-state=(state_code) { (views::state_label(l, state_code)) } }
                div { dt { (t.due) } dd { (datetime(l, service::due_at(&form, p).to_offset(msk))) } }
                div { dt { (t.lock) } dd { (datetime(l, service::lock_at(&form, p).to_offset(msk))) } }
            }
            @if let Some(s) = s.as_ref().filter(|s| s.state == "returned") {
                p.notice.warning #return-note { (t.returned) ": " (s.note) }
            }
            @if locked { p.notice.warning #locked { (t.locked_note) } }
            @if let Some(u) = s.as_ref().and_then(|s| s.unlocked_until).filter(|u| *u > now) {
                p.notice #unlocked { (t.unlocked_until) " " (datetime(l, u.to_offset(msk))) }
            }
            @if !broken.is_empty() {
                h2 { (t.violations) }
                ul #violations { @for b in &broken {
                    li data-importance=(b.rule.importance) { (b.rule.message) " (" (b.rule.left_side) " = " (number(l, b.left, 2)) " " (b.rule.operator) " " (b.rule.right_side) " = " (number(l, b.right, 2)) "; " (t.importance) ": " (b.rule.importance) ")" }
                } }
            }
            @if editable && rights.fill {
                form method="post" action={ (base) "/values" } {
                    (values_table)
                    button.button type="submit" { (t.save) }
                }
            } @else {
                (values_table)
            }
            @if editable && rights.fill {
                form.inline-form method="post" action={ (base) "/submit" } { button.button type="submit" { (t.submit) } }
                p { a href={ (base) "/template.xlsx" } { (t.template) } }
                details.case-form { summary { (t.upload) }
                    form method="post" action={ (base) "/upload" } enctype="multipart/form-data" {
                        div.field { label for="up-file" { (t.file) } input #up-file name="file" type="file" required; }
                        button.button type="submit" { (t.send) }
                    }
                }
            }
            @if rights.own && state_code == "submitted" {
                form.inline-form method="post" action={ (base) "/decision" } {
                    input type="hidden" name="decision" value="accept";
                    button.button type="submit" { (t.accept) }
                }
                details.case-form { summary { (t.return_for_rework) }
                    form method="post" action={ (base) "/decision" } {
                        input type="hidden" name="decision" value="return";
                        div.field { label for="rt-note" { (t.return_note) } textarea #rt-note name="note" required {} }
                        button.button type="submit" { (t.return_for_rework) }
                    }
                }
            }
            @if rights.own && locked {
                form.inline-form method="post" action={ (base) "/unlock" } { button.button type="submit" { (t.unlock) } }
            }
            @if rights.own {
                details.case-form { summary { (t.set_plans) }
                    form method="post" action={ (base) "/plans" } {
                        @for i in &items {
                            div.field {
                                label for={ "p_" (i.item_id) } { (i.code) " " (l.pick(&i.name_ru, &i.name_en)) }
                                input id={ "p_" (i.item_id) } name={ "p_" (i.item_id) } type="text" inputmode="decimal" value=(plans.get(&i.item_id).map(|v| number(l, *v, i.decimals)).unwrap_or_default());
                            }
                        }
                        div.field { label for="pl-basis" { (t.basis) } input #pl-basis name="basis" type="text" required; }
                        button.button type="submit" { (t.save) }
                    }
                }
            }
            @if !history.is_empty() {
                h2 { (t.plan_history) }
                ul #plan-history { @for h in &history {
                    li class=[(!h.current).then_some("superseded")] { (item_name(h.item_id)) ", " (t.version) " " (h.version) ": " (number(l, h.value, 2)) " — " (h.basis) " (" (datetime(l, h.set_at)) ")" }
                } }
            }
            @if !events.is_empty() {
                h2 { (t.history) }
                ul #events { @for e in &events {
                    li { (datetime(l, e.created_at)) " — " (views::state_label(l, &e.kind)) @if e.kind == "unlocked" { (t.unlock) } " " (e.actor.as_deref().unwrap_or("")) @if !e.note.is_empty() { ": " (e.note) } }
                } }
            }
            @if !audit.is_empty() {
                h2 #audit-title { (t.audit) }
                div.table-wrap tabindex="0" role="region" aria-labelledby="audit-title" {
                    table #audit {
                        thead { tr { th scope="col" { (t.when) } th scope="col" { (t.who) } th scope="col" { (t.item) } th scope="col" { (t.was) } th scope="col" { (t.became) } } }
                        tbody { @for a in audit.iter().take(300) {
                            tr { td { (datetime(l, a.changed_at)) } td { (a.who.as_deref().unwrap_or("—")) } td { (item_name(a.item_id)) }
                                td { (maybe(l, a.old_value, 2)) @if !a.old_comment.is_empty() { " (" (a.old_comment) ")" } }
                                td { (maybe(l, a.new_value, 2)) @if !a.new_comment.is_empty() { " (" (a.new_comment) ")" } } }
                        } }
                    }
                }
            }
        }))
}

/// The values a form posts, `v_ID`, `c_ID`, `f_ID`, for the form's items.
pub(super) fn posted_values(
    items: &[ItemRow],
    fields: &[(String, String)],
) -> AppResult<Vec<ValueIn>> {
    let get = |k: String| fields.iter().find(|(n, _)| *n == k).map(|(_, v)| v.trim());
    items
        .iter()
        .map(|i| {
            let value = match get(format!("v_{}", i.item_id)).unwrap_or("") {
                "" => None,
                s => Some(parse_decimal(s).ok_or_else(|| {
                    AppError::invalid(
                        format!("{}: «{s}» не число.", i.code),
                        format!("{}: “{s}” is not a number.", i.code),
                    )
                })?),
            };
            let comment = get(format!("c_{}", i.item_id)).unwrap_or("");
            if comment.chars().count() > 1000 {
                return Err(AppError::invalid(
                    "Комментарий длиннее 1000 знаков.",
                    "A comment over 1,000 characters.",
                ));
            }
            Ok(ValueIn {
                item_id: i.item_id,
                value,
                comment: comment.to_owned(),
                follow_up: get(format!("f_{}", i.item_id)).is_some(),
            })
        })
        .collect()
}

/// `POST …/values`
pub async fn save(
    Core(user): Core,
    State(state): State<AppState>,
    Path((code, org, period)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (form, p) = report_of(&state, &code, &org, &period).await?;
    if fields.len() > 2000 {
        return Err(AppError::invalid(
            "Слишком много полей.",
            "Too many fields.",
        ));
    }
    let items = queries::items(&state.db, form.form_id).await?;
    let values = posted_values(&items, &fields)?;
    service::save(&state, &user, &form, &org, p, &values).await?;
    Ok(back(&form, &org, p))
}

/// `POST …/submit`
pub async fn submit(
    Core(user): Core,
    State(state): State<AppState>,
    Path((code, org, period)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let (form, p) = report_of(&state, &code, &org, &period).await?;
    service::submit(&state, &user, &form, &org, p).await?;
    Ok(back(&form, &org, p))
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST …/decision`: accept, or return with a note.
pub async fn decide(
    Core(user): Core,
    State(state): State<AppState>,
    Path((code, org, period)): Path<(String, String, String)>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let (form, p) = report_of(&state, &code, &org, &period).await?;
    let accept = match f.decision.as_str() {
        "accept" => true,
        "return" => false,
        _ => {
            return Err(AppError::invalid(
                "Решение не из списка.",
                "The decision is not one of the list.",
            ));
        }
    };
    let note = crate::web::extract::optional_field(&f.note, 2000)?;
    service::decide(&state, &user, &form, &org, p, accept, &note).await?;
    Ok(back(&form, &org, p))
}

/// `POST …/unlock`
pub async fn unlock(
    Core(user): Core,
    State(state): State<AppState>,
    Path((code, org, period)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let (form, p) = report_of(&state, &code, &org, &period).await?;
    service::unlock(&state, &user, &form, &org, p).await?;
    Ok(back(&form, &org, p))
}

/// `POST …/plans`: `p_ID` per item and the basis.
pub async fn plans(
    Core(user): Core,
    State(state): State<AppState>,
    Path((code, org, period)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (form, p) = report_of(&state, &code, &org, &period).await?;
    let items = queries::items(&state.db, form.form_id).await?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.trim())
    };
    let basis = crate::web::extract::text_field(
        get("basis"),
        500,
        "Укажите документ-основание плана.",
        "Give the plan's basis document.",
    )?;
    let mut plans = Vec::new();
    for i in &items {
        match get(&format!("p_{}", i.item_id)) {
            "" => {}
            s => plans.push((
                i.item_id,
                parse_decimal(s).ok_or_else(|| {
                    AppError::invalid(
                        format!("{}: «{s}» не число.", i.code),
                        format!("{}: “{s}” is not a number.", i.code),
                    )
                })?,
            )),
        }
    }
    service::set_plans(&state, &user, &form, &org, p, &plans, &basis).await?;
    Ok(back(&form, &org, p))
}

/// `GET …/template.xlsx`: the form pre-filled with the plan and the
/// values, to fill in offline.
pub async fn template(
    Core(user): Core,
    State(state): State<AppState>,
    Path((code, org, period)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let (form, p) = report_of(&state, &code, &org, &period).await?;
    if !service::rights(&user, &form, &org).fill {
        return Err(AppError::forbidden());
    }
    let bytes = super::xlsx::template(&state, &form, &org, p).await?;
    let name = format!("{}-{org}-{p}.xlsx", form.code);
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(crate::web::tables::XLSX),
    );
    h.insert(
        axum::http::header::CONTENT_DISPOSITION,
        crate::web::tables::content_disposition("attachment", &name, &name),
    );
    Ok(r)
}

/// `POST …/upload` (multipart): the filled-in template; every problem by
/// its cell (422, nothing saved), or the values saved.
pub async fn upload(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    Path((code, org, period)): Path<(String, String, String)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (form, p) = report_of(&state, &code, &org, &period).await?;
    if !service::rights(&user, &form, &org).fill {
        return Err(AppError::forbidden());
    }
    let (_, bytes, _) = crate::media::upload::one_file(multipart).await?;
    let _permit = state.gates.expensive.enter().await?;
    let items = queries::items(&state.db, form.form_id).await?;
    let dir = state.config.media_dir().join("imports");
    let read = super::xlsx::read(dir, bytes, &form, &org, p, &items).await?;
    match read {
        Ok(values) => {
            service::save(&state, &user, &form, &org, p, &values).await?;
            Ok(back(&form, &org, p))
        }
        Err(problems) => {
            let l = ctx.locale;
            let t = ReportTexts::get(l);
            Ok(Page::new(&ctx, t.upload_failed)
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .crumb(t.title, "/pm/reports")
                .render(html! {
                    h1 { (t.upload_failed) }
                    (views::nav(l))
                    div.table-wrap tabindex="0" role="region" aria-label=(t.upload_failed) {
                        table #cell-problems {
                            thead { tr { th scope="col" { (t.cell) } th scope="col" { (t.reason) } } }
                            tbody { @for (cell, why) in problems.iter().take(1000) { tr { td { (cell) } td { (why.get(l)) } } } }
                        }
                    }
                    // A sheet of bogus rows is answered in pages a browser
                    // can show: the first thousand and the count.
                    @if problems.len() > 1000 { p #more-problems { (problems.len()) " " (t.problems_in_all) } }
                    p { a href=(here(&form, &org, p)) { (t.report) } }
                }))
        }
    }
}
