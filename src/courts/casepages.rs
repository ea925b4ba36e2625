//! Handlers of a case: the form of a new one, its card, the officers'
//! changes and the import of a list. Thin: extract, parse once into the
//! service's types, one service call, redirect to the card.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use time::PrimitiveDateTime;

use super::domain::{
    Category, Level, Outcome, PartyKind, Procedure, Risk, Role, parse_inn, parse_ogrn,
};
use super::import;
use super::pages::{day, maybe_day, money, optional, text, word};
use super::queries;
use super::service::{self, DecisionInput, EnforcementInput, EventInput, NewCaseInput, Party};
use super::views::{self, CourtTexts, vocab_options};
use crate::app::AppState;
use crate::auth::Core;
use crate::db::Db;
use crate::directory::queries::OrgRow;
use crate::directory::tree::org_map;
use crate::error::{AppError, AppResult};
use crate::web::extract::{Form, Path, Query};
use crate::web::layout::{Page, PageCtx};

/// The organisations `user` may enter cases for.
fn own_orgs<'a>(
    user: &crate::auth::CurrentUser,
    orgs: &'a BTreeMap<String, OrgRow>,
) -> Vec<&'a OrgRow> {
    orgs.values()
        .filter(|o| user.is_admin() || user.is_officer_of(&o.organisation_id))
        .collect()
}

#[derive(Debug, Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    org: Option<String>,
}

/// `GET /pm/courts/new`: the form of a new case.
pub async fn new_case(
    ctx: PageCtx,
    Core(user): Core,
    State(db): State<Db>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = CourtTexts::get(l);
    let orgs = org_map(&db).await?;
    let mine = own_orgs(&user, &orgs);
    if mine.is_empty() {
        return Err(AppError::forbidden());
    }
    let chosen = q
        .org
        .as_deref()
        .and_then(|o| mine.iter().find(|x| x.organisation_id == o))
        .unwrap_or(&mine[0]);
    let lawyers = queries::officers(&db, &chosen.organisation_id).await?;
    let roles = vocab_options(Role::ALL, Role::as_str, Role::label, l);
    let categories = vocab_options(Category::ALL, Category::as_str, Category::label, l);
    let procedures = vocab_options(Procedure::ALL, Procedure::as_str, Procedure::label, l);
    let risks = vocab_options(Risk::ALL, Risk::as_str, Risk::label, l);
    let levels = vocab_options(Level::ALL, Level::as_str, Level::label, l);
    let kinds = vocab_options(PartyKind::ALL, PartyKind::as_str, PartyKind::label, l);
    let (sel, inp) = (views::select, views::input);
    Ok(Page::new(&ctx, t.new_case)
        .crumb(t.title, "/pm/courts")
        .render(html! {
            h1 { (t.new_case) }
            (views::nav(l))
            form.inline-form method="get" action="/pm/courts/new" {
                div.field {
                    label for="f-choose" { (t.organisation) }
                    select #f-choose name="org" {
                        @for o in &mine { option value=(o.organisation_id) selected[o.organisation_id == chosen.organisation_id] { (l.pick(&o.short_name_ru, &o.short_name_en)) } }
                    }
                }
                button.button type="submit" { (t.show) }
            }
            form method="post" action="/pm/courts/cases" {
                input type="hidden" name="organisation_id" value=(chosen.organisation_id);
                (sel("f", "role", t.role, &roles, Some(t.choose)))
                div.field {
                    label for="f-subject" { (t.subject) }
                    p.hint #h-subject { (t.subject_hint) }
                    input #f-subject name="subject" type="text" required aria-describedby="h-subject";
                }
                (sel("f", "category", t.category, &categories, None))
                (sel("f", "procedure", t.procedure, &procedures, Some(t.choose)))
                (inp("f", "claimed", t.claimed, "text", false))
                (sel("f", "risk", t.risk, &risks, Some(t.choose)))
                div.field {
                    label for="f-lawyer" { (t.lawyer) }
                    select #f-lawyer name="lawyer" {
                        option value="" { (t.nobody) }
                        @for (id, n) in &lawyers { option value=(id) { (n) } }
                    }
                }
                (inp("f", "link", t.link, "url", false))
                (sel("f", "level", t.level, &levels, None))
                (inp("f", "court", t.court, "text", true))
                (inp("f", "number", t.number, "text", true))
                (inp("f", "received_on", t.received, "date", true))
                fieldset {
                    legend { (t.counterparty) }
                    (sel("f", "party_kind", t.kind, &kinds, Some(t.choose)))
                    (inp("f", "party_name", t.name, "text", true))
                    (inp("f", "party_inn", t.inn, "text", false))
                    (inp("f", "party_ogrn", t.ogrn, "text", false))
                }
                button.button type="submit" { (t.create) }
            }
        }))
}

#[derive(Debug, Deserialize, Default)]
pub struct CaseForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    claimed: String,
    #[serde(default)]
    risk: String,
    #[serde(default)]
    lawyer: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    court: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    party_kind: String,
    #[serde(default)]
    party_name: String,
    #[serde(default)]
    party_inn: String,
    #[serde(default)]
    party_ogrn: String,
}

impl CaseForm {
    fn parse(&self) -> AppResult<NewCaseInput> {
        let role = word(Role::parse, &self.role)?;
        let inn = match self.party_inn.trim() {
            "" => None,
            s => Some(parse_inn(s).map_err(|m| AppError::unprocessable("invalid_input", m))?),
        };
        let ogrn = match self.party_ogrn.trim() {
            "" => None,
            s => Some(parse_ogrn(s).map_err(|m| AppError::unprocessable("invalid_input", m))?),
        };
        let link = self.link.trim();
        if !link.is_empty() && import::safe_link(link).is_empty() {
            return Err(AppError::invalid(
                "Ссылка — адрес http(s)://.",
                "The link is an http(s):// address.",
            ));
        }
        Ok(NewCaseInput {
            organisation_id: self.organisation_id.trim().to_owned(),
            role,
            subject: text(
                &self.subject,
                1000,
                "Укажите предмет спора (до 1000 знаков).",
                "Give the subject (up to 1000 characters).",
            )?,
            category: word(Category::parse, &self.category)?,
            procedure: word(Procedure::parse, &self.procedure)?,
            claimed: match self.claimed.trim() {
                "" => 0,
                s => money(s)?,
            },
            risk: word(Risk::parse, &self.risk)?,
            lawyer_account_id: match self.lawyer.trim() {
                "" => None,
                s => Some(
                    s.parse()
                        .map_err(|_| AppError::invalid("Нет такого юриста.", "No such lawyer."))?,
                ),
            },
            link: link.to_owned(),
            level: word(Level::parse, &self.level)?,
            court: text(
                &self.court,
                300,
                "Укажите суд (до 300 знаков).",
                "Give the court (up to 300 characters).",
            )?,
            number: text(
                &self.number,
                100,
                "Укажите номер дела (до 100 знаков).",
                "Give the case number (up to 100 characters).",
            )?,
            received_on: day(&self.received_on)?,
            parties: vec![Party {
                kind: super::domain::party_kind(
                    word(PartyKind::parse, &self.party_kind)?,
                    inn.as_deref(),
                    ogrn.as_deref(),
                ),
                role: if role == Role::Plaintiff {
                    Role::Defendant
                } else {
                    Role::Plaintiff
                },
                name: text(
                    &self.party_name,
                    500,
                    "Укажите другую сторону (до 500 знаков).",
                    "Give the other party (up to 500 characters).",
                )?,
                inn,
                ogrn,
            }],
        })
    }
}

fn to_case(id: i64) -> Response {
    Redirect::to(&format!("/pm/courts/cases/{id}")).into_response()
}

/// `POST /pm/courts/cases`
pub async fn create(
    Core(user): Core,
    State(state): State<AppState>,
    Form(f): Form<CaseForm>,
) -> AppResult<Response> {
    let input = f.parse()?;
    let id = service::create_case(&state, &user, &input).await?;
    Ok(to_case(id))
}

fn case_id(s: &str) -> AppResult<i64> {
    s.trim().parse().map_err(|_| AppError::not_found())
}

/// `GET /pm/courts/cases/{id}`
pub async fn card(
    ctx: PageCtx,
    Core(user): Core,
    State(db): State<Db>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = CourtTexts::get(l);
    let id = case_id(&id)?;
    let c = queries::case(&db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let access = service::access(&db, &user, &c.organisation_id).await?;
    let parties = queries::parties(&db, id).await?;
    let instances = queries::instances(&db, id).await?;
    let hearings = queries::hearings_of_case(&db, id).await?;
    let events = queries::events(&db, id).await?;
    let enforcements = queries::enforcements(&db, id).await?;
    let rules = queries::rules(&db).await?;
    let deadlines = queries::alerts_of_case(&db, id)
        .await?
        .into_iter()
        .map(|a| {
            let article = rules
                .iter()
                .find(|r| r.rule_code == a.rule_code)
                .map_or(a.rule_code.clone(), |r| r.article.clone());
            (article, a.due_on)
        })
        .collect();
    let org = crate::directory::queries::by_id(&db, &c.organisation_id).await?;
    let title = format!(
        "{} {} {}: {}",
        t.case,
        t.no,
        id,
        c.subject.chars().take(80).collect::<String>()
    );
    Ok(Page::new(&ctx, title.clone())
        .crumb(t.title, "/pm/courts")
        .render(html! {
            h1 { (title) }
            (views::nav(l))
            (views::card(l, &views::Card {
                case: &c,
                org_name: org.map_or(c.organisation_id.clone(), |o| l.pick(&o.name_ru, &o.name_en).to_owned()),
                parties: &parties,
                instances: &instances,
                hearings: &hearings,
                events: &events,
                enforcements: &enforcements,
                deadlines,
                see_internal: access.see_internal,
                edit: access.edit,
            }))
        }))
}

#[derive(Debug, Deserialize, Default)]
pub struct InstanceForm {
    #[serde(default)]
    level: String,
    #[serde(default)]
    court: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    received_on: String,
}

/// `POST /pm/courts/cases/{id}/instances`
pub async fn add_instance(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<InstanceForm>,
) -> AppResult<Response> {
    let id = case_id(&id)?;
    service::add_instance(
        &state,
        &user,
        id,
        word(Level::parse, &f.level)?,
        &text(
            &f.court,
            300,
            "Укажите суд (до 300 знаков).",
            "Give the court (up to 300 characters).",
        )?,
        &text(
            &f.number,
            100,
            "Укажите номер дела (до 100 знаков).",
            "Give the case number (up to 100 characters).",
        )?,
        day(&f.received_on)?,
    )
    .await?;
    Ok(to_case(id))
}

#[derive(Debug, Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    instance_id: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    full_text_on: String,
    #[serde(default)]
    in_force_on: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    awarded: String,
}

/// `POST /pm/courts/cases/{id}/decision`
pub async fn decision(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let id = case_id(&id)?;
    let d = DecisionInput {
        decided_on: day(&f.decided_on)?,
        full_text_on: maybe_day(&f.full_text_on)?,
        in_force_on: maybe_day(&f.in_force_on)?,
        outcome: word(Outcome::parse, &f.outcome)?,
        awarded: match f.awarded.trim() {
            "" => None,
            s => Some(money(s)?),
        },
    };
    service::record_decision(&state, &user, id, case_id(&f.instance_id)?, &d).await?;
    Ok(to_case(id))
}

#[derive(Debug, Deserialize, Default)]
pub struct HearingForm {
    #[serde(default)]
    instance_id: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    courtroom: String,
}

/// A local time in the krai as a browser's `datetime-local` sends it.
fn moscow_time(s: &str) -> AppResult<time::OffsetDateTime> {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let f2 = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let s = s.trim();
    PrimitiveDateTime::parse(s, &f)
        .or_else(|_| PrimitiveDateTime::parse(s, &f2))
        .ok()
        .filter(|t| (1990..=2200).contains(&t.year()))
        .map(|t| t.assume_offset(time::macros::offset!(+3)))
        .ok_or_else(|| {
            AppError::invalid(
                "Укажите дату и время заседания.",
                "Give the hearing's date and time.",
            )
        })
}

/// `POST /pm/courts/cases/{id}/hearings`
pub async fn hearing(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<HearingForm>,
) -> AppResult<Response> {
    let id = case_id(&id)?;
    service::add_hearing(
        &state,
        &user,
        id,
        case_id(&f.instance_id)?,
        moscow_time(&f.starts_at)?,
        &optional(&f.courtroom, 50)?,
    )
    .await?;
    Ok(to_case(id))
}

#[derive(Debug, Deserialize, Default)]
pub struct ResultForm {
    #[serde(default)]
    result: String,
}

/// `POST /pm/courts/cases/{id}/hearings/{h}/result`
pub async fn hearing_result(
    Core(user): Core,
    State(state): State<AppState>,
    Path((id, h)): Path<(String, String)>,
    Form(f): Form<ResultForm>,
) -> AppResult<Response> {
    let id = case_id(&id)?;
    let result = text(
        &f.result,
        500,
        "Укажите результат (до 500 знаков).",
        "Give the result (up to 500 characters).",
    )?;
    service::hearing_result(&state, &user, id, case_id(&h)?, &result).await?;
    Ok(to_case(id))
}

#[derive(Debug, Deserialize, Default)]
pub struct EventForm {
    #[serde(default)]
    instance_id: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    document: String,
}

/// `POST /pm/courts/cases/{id}/events`
pub async fn event(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<EventForm>,
) -> AppResult<Response> {
    let id = case_id(&id)?;
    let e = EventInput {
        instance_id: case_id(&f.instance_id)?,
        day: day(&f.day)?,
        kind: text(
            &f.kind,
            300,
            "Укажите событие (до 300 знаков).",
            "Give the event (up to 300 characters).",
        )?,
        result: optional(&f.result, 500)?,
        document: optional(&f.document, 300)?,
    };
    service::add_event(&state, &user, id, &e).await?;
    Ok(to_case(id))
}

#[derive(Debug, Deserialize, Default)]
pub struct EnforcementForm {
    #[serde(default)]
    writ_number: String,
    #[serde(default)]
    writ_date: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    amount: String,
}

/// `POST /pm/courts/cases/{id}/enforcements`
pub async fn enforcement(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<EnforcementForm>,
) -> AppResult<Response> {
    let id = case_id(&id)?;
    let e = EnforcementInput {
        writ_number: text(
            &f.writ_number,
            100,
            "Укажите номер листа (до 100 знаков).",
            "Give the writ's number (up to 100 characters).",
        )?,
        writ_date: day(&f.writ_date)?,
        body: text(
            &f.body,
            300,
            "Укажите, куда направлен лист (до 300 знаков).",
            "Give where the writ was sent (up to 300 characters).",
        )?,
        received_on: day(&f.received_on)?,
        amount: money(&f.amount)?,
    };
    service::add_enforcement(&state, &user, id, &e).await?;
    Ok(to_case(id))
}

#[derive(Debug, Deserialize, Default)]
pub struct PaymentForm {
    #[serde(default)]
    amount: String,
}

/// `POST /pm/courts/cases/{id}/enforcements/{e}/payments`
pub async fn payment(
    Core(user): Core,
    State(state): State<AppState>,
    Path((id, e)): Path<(String, String)>,
    Form(f): Form<PaymentForm>,
) -> AppResult<Response> {
    let id = case_id(&id)?;
    let amount = money(&f.amount)?;
    if amount == 0 {
        return Err(AppError::invalid(
            "Платёж больше нуля.",
            "A payment is more than zero.",
        ));
    }
    service::add_payment(&state, &user, id, case_id(&e)?, amount).await?;
    Ok(to_case(id))
}

#[derive(Debug, Deserialize, Default)]
pub struct RiskForm {
    #[serde(default)]
    risk: String,
}

/// `POST /pm/courts/cases/{id}/risk`
pub async fn risk(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<RiskForm>,
) -> AppResult<Response> {
    let id = case_id(&id)?;
    service::set_risk(&state, &user, id, word(Risk::parse, &f.risk)?).await?;
    Ok(to_case(id))
}

/// `POST /pm/courts/import` (multipart): a list of cases; on any bad row,
/// the list of them (422) and nothing written.
pub async fn import_cases(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    multipart: Multipart,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = CourtTexts::get(l);
    if !(user.is_admin() || user.is_officer()) {
        return Err(AppError::forbidden());
    }
    let (name, bytes, _) = crate::media::upload::one_file(multipart).await?;
    let _permit = state.gates.expensive.enter().await?;
    let rows =
        crate::media::sheet::read_upload(state.config.media_dir().join("imports"), &name, bytes)
            .await?;
    let orgs = org_map(&state.db).await?;
    let by_inn: BTreeMap<String, String> = orgs
        .values()
        .filter_map(|o| o.inn.clone().map(|i| (i, o.organisation_id.clone())))
        .collect();
    let codes: BTreeSet<String> = orgs.keys().cloned().collect();
    let checked = import::check(&rows, &by_inn, &codes)
        .map_err(|m| AppError::unprocessable("invalid_spreadsheet", m))?;
    if checked.rejected_rows > 0 {
        return Ok(Page::new(&ctx, t.import_failed)
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .crumb(t.title, "/pm/courts")
            .render(html! {
                h1 { (t.import_failed) }
                (views::nav(l))
                p #rejected { (t.rejected) ": " (checked.rejected_rows) }
                div.table-wrap tabindex="0" role="region" aria-label=(t.import_failed) {
                    table #import-problems {
                        thead { tr { th scope="col" { (t.row) } th scope="col" { (t.column) } th scope="col" { (t.reason) } } }
                        tbody { @for p in &checked.problems { tr { td { (p.row) } td { (p.column) } td { (p.reason.get(l)) } } } }
                    }
                }
            }));
    }
    let (created, skipped) = service::import_cases(&state, &user, &checked.rows).await?;
    Ok(Page::new(&ctx, t.import)
        .crumb(t.title, "/pm/courts")
        .render(html! {
            h1 { (t.import) }
            (views::nav(l))
            dl.pm-summary {
                div { dt { (t.imported) } dd #imported { (created) } }
                div { dt { (t.skipped) } dd #skipped { (skipped) } }
            }
            p { a href="/pm/courts" { (t.cases) } }
        }))
}
