//! Handlers of law-making: read, parse the form once, call the service,
//! render.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::domain::{self, Expertise, Initiator, Level, Outcome, Stage, Verdict};
use super::service::{
    self, COMMENT_MAX, CONCEPT_MAX, DOCUMENT_MAX, Input, Proposal, QUOTE_MAX, REASON_MAX, TITLE_MAX,
};
use super::text::Document;
use super::views::{self, FormFields, T};
use super::{comments, drafts, page, queries};
use crate::app::AppState;
use crate::auth::{CurrentUser, Moderator};
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::web::components::FieldErrors;
use crate::web::extract::{Form, Path, Query};
use crate::web::layout::{Page, PageCtx};
use crate::workflow::input::clean_text;

fn participation(l: crate::web::i18n::Locale) -> &'static str {
    crate::participation::priorities::views::T::get(l).participation
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub overdue: String,
}

/// `GET /participation/lawmaking`
pub async fn list(
    ctx: PageCtx,
    State(db): State<Db>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let at = crate::db::now();
    let stage = Stage::parse(&q.stage).map(|s| s.as_str()).unwrap_or("");
    let overdue = !q.overdue.is_empty();
    let rows: Vec<_> = queries::public(&db)
        .await?
        .into_iter()
        .filter(|i| stage.is_empty() || i.stage == stage)
        .filter(|i| !overdue || i.overdue(at))
        .collect();
    let t = T::get(ctx.locale);
    Ok(Page::new(&ctx, t.title)
        .crumb(participation(ctx.locale), "/participation")
        .render(views::list(&ctx, &rows, stage, overdue, at)))
}

async fn organisations(db: &Db, l: crate::web::i18n::Locale) -> AppResult<Vec<(String, String)>> {
    Ok(crate::directory::queries::list(db)
        .await?
        .into_iter()
        .map(|o| (o.organisation_id, l.pick(&o.name_ru, &o.name_en).to_owned()))
        .collect())
}

fn mine(user: &CurrentUser, all: &[(String, String)]) -> Vec<(String, String)> {
    all.iter()
        .filter(|(id, _)| user.is_member_of(id))
        .cloned()
        .collect()
}

async fn form_page(
    ctx: &PageCtx,
    db: &Db,
    f: &FormFields,
    errors: &FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let all = organisations(db, ctx.locale).await?;
    let own = ctx.user.as_ref().map(|u| mine(u, &all)).unwrap_or_default();
    let t = T::get(ctx.locale);
    Ok(Page::new(ctx, t.new)
        .crumb(t.title, "/participation/lawmaking")
        .status(status)
        .render(views::form(ctx, f, errors, &all, &own)))
}

/// `GET /participation/lawmaking/new`
pub async fn new_form(ctx: PageCtx, State(db): State<Db>) -> AppResult<Response> {
    let f = FormFields {
        level: Level::Municipality.as_str().into(),
        initiator: Initiator::Citizen.as_str().into(),
        ..FormFields::default()
    };
    form_page(&ctx, &db, &f, &FieldErrors::new(), StatusCode::OK).await
}

/// Parses the concept form once: every field's problem, beside the field.
async fn parse(
    db: &Db,
    user: &CurrentUser,
    f: &FormFields,
) -> AppResult<Result<Proposal, FieldErrors>> {
    let mut errors = FieldErrors::new();
    let title = errors.check(
        "title",
        clean_text(&f.title, TITLE_MAX, "название", "title", true),
    );
    let problem = errors.check(
        "problem",
        clean_text(&f.problem, CONCEPT_MAX, "проблема", "problem", true),
    );
    let idea = errors.check(
        "idea",
        clean_text(&f.idea, CONCEPT_MAX, "идея", "idea", true),
    );
    let level = Level::parse(&f.level);
    if level.is_none() {
        errors.add("level", Msg::new("Выберите уровень.", "Choose the level."));
    }
    let municipality = match level {
        Some(Level::Municipality) => {
            match crate::geo::geography().by_id(f.municipality_id.trim()) {
                Some(m) => Some(m.id.clone()),
                None => {
                    errors.add(
                        "municipality_id",
                        Msg::new(
                            "Выберите муниципальное образование.",
                            "Choose the municipality.",
                        ),
                    );
                    None
                }
            }
        }
        _ => None,
    };
    let initiator = Initiator::parse(&f.initiator).unwrap_or(Initiator::Citizen);
    let group = clean_text(
        &f.group,
        200,
        "название группы",
        "group's name",
        initiator == Initiator::Group,
    );
    let group = errors.check("group", group).unwrap_or_default();
    let initiator_organisation = match initiator {
        Initiator::Organisation if user.is_member_of(f.initiator_organisation_id.trim()) => {
            Some(f.initiator_organisation_id.trim().to_owned())
        }
        Initiator::Organisation => {
            errors.add(
                "initiator_organisation_id",
                Msg::new(
                    "Выберите организацию, в которой вы работаете.",
                    "Choose an organisation you work in.",
                ),
            );
            None
        }
        _ => None,
    };
    let organisation = f.organisation_id.trim();
    if crate::directory::queries::by_id(db, organisation)
        .await?
        .is_none()
    {
        errors.add(
            "organisation_id",
            Msg::new(
                "Выберите ответственную организацию.",
                "Choose the responsible organisation.",
            ),
        );
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(Proposal {
        title: title.unwrap_or_default(),
        problem: problem.unwrap_or_default(),
        idea: idea.unwrap_or_default(),
        level: level.unwrap_or(Level::Region),
        municipality_id: municipality,
        initiator,
        group,
        initiator_organisation_id: initiator_organisation,
        organisation_id: organisation.to_owned(),
    }))
}

/// `POST /participation/lawmaking/new`
pub async fn create(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Form(f): Form<FormFields>,
) -> AppResult<Response> {
    match parse(&state.db, &user, &f).await? {
        Ok(p) => {
            let id = service::propose(&state, &user, &p).await?;
            Ok(Redirect::to(&format!("/participation/lawmaking/{id}?sent=1")).into_response())
        }
        Err(errors) => {
            form_page(
                &ctx,
                &state.db,
                &f,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub sent: String,
    /// The discussion's page.
    #[serde(default)]
    pub page: String,
}

/// Reads what an initiative's page shows, or 404 for a reader who may
/// not see it.
async fn data(
    db: &Db,
    user: Option<&CurrentUser>,
    id: i64,
    version: Option<i64>,
    comment_page: i64,
) -> AppResult<page::Data> {
    let i = queries::initiative(db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let v = service::viewer(db, &i, user).await?;
    if !service::visible(&i, &v) {
        return Err(AppError::not_found());
    }
    let mut tx = db.read().await?;
    let f = service::facts(&mut tx, &i).await?;
    let pending = drafts::accepted_pending(&mut tx, id).await?;
    tx.commit().await?;
    let versions = drafts::versions(db, id).await?;
    let shown = match version {
        Some(n) => Some(
            versions
                .iter()
                .position(|x| x.number == n)
                .ok_or_else(AppError::not_found)?,
        ),
        None => versions.len().checked_sub(1),
    };
    let mut next = versions.last().map(|v| v.document());
    // Amendments accepted to the latest version are applied to it; one made
    // on an earlier wording is left to the organisation (its paragraph
    // number may point elsewhere now).
    let latest = versions.last().map(|v| v.number);
    for m in pending.iter().filter(|m| Some(m.version_number) == latest) {
        if let Some(d) = next
            .as_ref()
            .and_then(|d| d.with_paragraph(&m.paragraph, &m.proposed))
        {
            next = Some(d);
        }
    }
    // The discussion a page at a time: its threads, then their replies.
    let (comment_total, threads) = comments::counts(db, id).await?;
    let per = page::THREADS_PER_PAGE as i64;
    let comment_pages = ((threads + per - 1) / per).max(1);
    let comment_page = comment_page.clamp(1, comment_pages);
    let mut comments = comments::threads(db, id, per, (comment_page - 1) * per).await?;
    let on_page: std::collections::HashSet<i64> = comments.iter().map(|c| c.comment_id).collect();
    let pinned: Vec<i64> = comments
        .iter()
        .filter(|c| c.pinned)
        .map(|c| c.comment_id)
        .collect();
    let rest: Vec<i64> = comments
        .iter()
        .filter(|c| !c.pinned)
        .map(|c| c.comment_id)
        .collect();
    // Replies by thread: each pinned thread on its own, the others (in id
    // order, so one range) together.
    let mut ranges: Vec<(i64, i64)> = pinned.iter().map(|t| (*t, *t)).collect();
    if let (Some(lo), Some(hi)) = (rest.iter().min(), rest.iter().max()) {
        ranges.push((*lo, *hi));
    }
    let mut seen = std::collections::HashSet::new();
    for (lo, hi) in ranges {
        for r in comments::replies(db, id, lo, hi).await? {
            if r.thread_id.is_some_and(|t| on_page.contains(&t)) && seen.insert(r.comment_id) {
                comments.push(r);
            }
        }
    }
    Ok(page::Data {
        acts: domain::acts(i.stage(), &v, &f),
        supported: v.supported,
        timeline: queries::timeline(db, id).await?,
        comments,
        comment_page,
        comment_pages,
        comment_total,
        shown,
        annotations: drafts::annotations(db, id).await?,
        amendments: drafts::amendments(db, id).await?,
        experts: queries::experts(db, id).await?,
        conclusions: queries::conclusions(db, id).await?,
        next_text: next.map(|d| d.to_text()).unwrap_or_default(),
        versions,
        at: crate::db::now(),
        following: match user {
            Some(u) if i.stage() != Stage::Moderation => Some(
                crate::activity::follows(
                    db,
                    u.account_id,
                    &crate::activity::topic("initiative", id),
                )
                .await?,
            ),
            _ => None,
        },
        i,
    })
}

fn id_of(s: &str) -> AppResult<i64> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(AppError::not_found)
}

/// `GET /participation/lawmaking/{id}`
pub async fn show(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let id = id_of(&id)?;
    let version = if q.version.is_empty() {
        None
    } else {
        Some(id_of(&q.version)?)
    };
    let comment_page = q.page.trim().parse::<i64>().unwrap_or(1).clamp(1, 10_000);
    let d = data(&db, ctx.user.as_ref(), id, version, comment_page).await?;
    let t = T::get(ctx.locale);
    let sent = !q.sent.is_empty() && d.i.stage() == Stage::Moderation;
    Ok(Page::new(&ctx, d.i.title.clone())
        .crumb(t.title, "/participation/lawmaking")
        .script("js/law-text.js")
        .render(maud::html! {
            @if sent { (views::sent_notice(ctx.locale)) }
            (page::render(&ctx, &d))
        }))
}

#[derive(Debug, Default, Deserialize)]
pub struct DiffQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// `GET /participation/lawmaking/{id}/diff?from=1&to=2`
pub async fn diff(
    ctx: PageCtx,
    State(db): State<Db>,
    State(gates): State<crate::web::limits::Gates>,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> AppResult<Response> {
    let id = id_of(&id)?;
    let d = data(&db, ctx.user.as_ref(), id, None, 1).await?;
    // Comparing two long texts takes up to a second: one turn at the gate
    // of expensive work.
    let _permit = gates.expensive.enter().await?;
    let pick = |s: &str| -> AppResult<&drafts::VersionRow> {
        let n = id_of(s)?;
        d.versions
            .iter()
            .find(|v| v.number == n)
            .ok_or_else(AppError::not_found)
    };
    let (a, b) = (pick(&q.from)?, pick(&q.to)?);
    let (old, new) = (a.document(), b.document());
    // Up to a second for two long texts: off the async threads.
    let lines = tokio::task::spawn_blocking(move || super::text::diff(&old, &new))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let t = page::T::get(ctx.locale);
    let title = format!("{}: {} {} → {}", d.i.title, t.version, a.number, b.number);
    Ok(Page::new(&ctx, title.clone())
        .crumb(&d.i.title, format!("/participation/lawmaking/{id}"))
        .render(maud::html! { h1 { (title) } (page::diff(ctx.locale, &lines)) }))
}

/// Every field an act's form may carry.
#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    pub act: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub comment_id: String,
    #[serde(default)]
    pub pinned: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub paragraph: String,
    #[serde(default)]
    pub quote: String,
    #[serde(default)]
    pub proposed: String,
    #[serde(default)]
    pub amendment_id: String,
    #[serde(default)]
    pub accept: String,
    #[serde(default)]
    pub changelog: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub document: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub reasons: String,
}

fn bad(m: Msg) -> AppError {
    AppError::unprocessable("invalid_input", m)
}

fn number(s: &str, ru: &str, en: &str) -> AppResult<i64> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            bad(Msg::new(
                format!("Не указан {ru}."),
                format!("The {en} is missing."),
            ))
        })
}

fn text(s: &str, max: usize, ru: &str, en: &str, required: bool) -> AppResult<String> {
    clean_text(s, max, ru, en, required).map_err(bad)
}

/// A paragraph's wording or a quote from one is one line: line breaks typed
/// or pasted into it are spaces (a new line would start a new paragraph).
fn one_line(s: String) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses an act's form into the one `Input` it stands for.
pub fn parse_act(f: &ActForm) -> AppResult<Input> {
    Ok(match f.act.as_str() {
        "publish" => Input::Publish,
        "decline" => Input::Decline {
            reason: text(&f.reason, REASON_MAX, "причина", "reason", false)?,
        },
        "support" => Input::Support,
        "comment" => Input::Comment {
            parent: if f.parent.trim().is_empty() {
                None
            } else {
                Some(number(&f.parent, "комментарий", "comment")?)
            },
            body: text(&f.body, COMMENT_MAX, "комментарий", "comment", true)?,
        },
        "pin" => Input::Pin {
            comment_id: number(&f.comment_id, "комментарий", "comment")?,
            pinned: f.pinned != "0",
        },
        "support_comment" => Input::SupportComment {
            comment_id: number(&f.comment_id, "комментарий", "comment")?,
        },
        "flag_comment" => Input::FlagComment {
            comment_id: number(&f.comment_id, "комментарий", "comment")?,
            reason: text(&f.reason, REASON_MAX, "причина", "reason", false)?,
        },
        "annotate" => Input::Annotate {
            version: number(&f.version, "номер редакции", "version")?,
            paragraph: text(&f.paragraph, 10, "абзац", "paragraph", true)?,
            quote: one_line(text(&f.quote, QUOTE_MAX, "фрагмент", "passage", true)?),
            body: text(&f.body, COMMENT_MAX, "комментарий", "comment", true)?,
        },
        "amend" => Input::Amend {
            version: number(&f.version, "номер редакции", "version")?,
            paragraph: text(&f.paragraph, 10, "абзац", "paragraph", true)?,
            proposed: one_line(text(
                &f.proposed,
                super::text::PARAGRAPH_MAX,
                "новая редакция",
                "new wording",
                true,
            )?),
        },
        "decide_amendment" => Input::DecideAmendment {
            amendment_id: number(&f.amendment_id, "номер поправки", "amendment")?,
            accept: f.accept == "1",
            reason: text(&f.reason, REASON_MAX, "причина", "reason", true)?,
        },
        "publish_version" => Input::PublishVersion {
            text: Document::parse(&f.body).map_err(bad)?,
            changelog: text(
                &f.changelog,
                REASON_MAX,
                "что изменено",
                "change log",
                false,
            )?,
        },
        "appoint_expert" => Input::AppointExpert {
            email: f.email.trim().to_owned(),
        },
        "conclude" => Input::Conclude {
            kind: Expertise::parse(&f.kind).ok_or_else(|| {
                bad(Msg::new(
                    "Выберите вид экспертизы.",
                    "Choose the kind of expertise.",
                ))
            })?,
            verdict: Verdict::parse(&f.verdict)
                .ok_or_else(|| bad(Msg::new("Выберите вывод.", "Choose the verdict.")))?,
            summary: text(&f.summary, REASON_MAX, "кратко", "summary", true)?,
            document: text(
                &f.document,
                DOCUMENT_MAX,
                "текст заключения",
                "conclusion's text",
                true,
            )?,
        },
        "to_expertise" => Input::ToExpertise,
        "to_reaction" => Input::ToReaction,
        "decide" => {
            let outcome = Outcome::parse(&f.outcome)
                .filter(|o| Outcome::DECISIONS.contains(o))
                .ok_or_else(|| bad(Msg::new("Выберите решение.", "Choose the decision.")))?;
            let date = if f.date.trim().is_empty() {
                None
            } else {
                Some(crate::web::i18n::parse_iso_date(&f.date).ok_or_else(|| {
                    bad(Msg::new(
                        "Дата акта — в виде ГГГГ-ММ-ДД.",
                        "The act's date is YYYY-MM-DD.",
                    ))
                })?)
            };
            let link = f.link.trim();
            let web = |u: url::Url| matches!(u.scheme(), "http" | "https");
            if !link.is_empty() && !url::Url::parse(link).is_ok_and(web) {
                return Err(bad(Msg::new(
                    "Ссылка начинается с https://.",
                    "The link begins with https://.",
                )));
            }
            let number = text(&f.number, 100, "номер акта", "act's number", false)?;
            let reasons = text(
                &f.reasons,
                4000,
                "обоснование",
                "reasons",
                outcome == Outcome::Rejected,
            )?;
            if outcome == Outcome::Adopted && (number.is_empty() || date.is_none()) {
                return Err(bad(Msg::new(
                    "Для принятого акта укажите его номер и дату.",
                    "An adopted act needs its number and date.",
                )));
            }
            Input::Decide {
                outcome,
                number,
                date,
                link: link.to_owned(),
                reasons,
            }
        }
        _ => return Err(bad(Msg::new("Неизвестное действие.", "Unknown action."))),
    })
}

/// `POST /participation/lawmaking/{id}/act`
pub async fn act(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(f): Form<ActForm>,
) -> AppResult<Response> {
    let id = id_of(&id)?;
    let input = parse_act(&f)?;
    service::act(&state, &user, id, &input).await?;
    let anchor = match &input {
        Input::Comment { .. }
        | Input::Pin { .. }
        | Input::SupportComment { .. }
        | Input::FlagComment { .. } => "#discussion",
        Input::Annotate { .. }
        | Input::Amend { .. }
        | Input::DecideAmendment { .. }
        | Input::PublishVersion { .. }
        | Input::ToExpertise => "#text",
        Input::AppointExpert { .. } | Input::Conclude { .. } | Input::ToReaction => "#expertise",
        Input::Decide { .. } => "#reaction",
        Input::Publish | Input::Decline { .. } if user.is_moderator() => {
            return Ok(Redirect::to("/moderation/initiatives").into_response());
        }
        _ => "",
    };
    Ok(Redirect::to(&format!("/participation/lawmaking/{id}{anchor}")).into_response())
}

/// `GET /moderation/initiatives`
pub async fn moderation(
    ctx: PageCtx,
    Moderator(_): Moderator,
    State(db): State<Db>,
) -> AppResult<Response> {
    let concepts = queries::awaiting_moderation(&db).await?;
    let flagged = comments::flagged(&db).await?;
    let t = T::get(ctx.locale);
    Ok(Page::new(&ctx, t.moderation).render(views::moderation(&ctx, &concepts, &flagged)))
}

#[derive(Debug, Default, Deserialize)]
pub struct HideForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

/// `POST /moderation/initiative-comments/{id}`: hide or restore, with the
/// reason shown in the comment's place.
pub async fn moderate_comment(
    Moderator(user): Moderator,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<HideForm>,
) -> AppResult<Response> {
    let hide = crate::participation::decision(&f.decision, "hide", "restore", "invalid_input")?;
    let reason = text(&f.reason, REASON_MAX, "причина", "reason", hide)?;
    super::sweep::moderate_comment(&state, &user, id, hide, &reason).await?;
    Ok(Redirect::to("/moderation/initiatives").into_response())
}

/// `GET /participation/lawmaking/{id}/export.pdf` and `.docx`: the final
/// text with its history. Building a file is expensive work: one turn at
/// the gate.
async fn export(ctx: PageCtx, state: AppState, id: String, pdf: bool) -> AppResult<Response> {
    let id = id_of(&id)?;
    let d = data(&state.db, ctx.user.as_ref(), id, None, 1).await?;
    let _permit = state.gates.expensive.enter().await?;
    let l = ctx.locale;
    let blocks = super::export::report(l, &d);
    let title = d.i.title.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        if pdf {
            super::export::pdf(&title, &blocks)
        } else {
            super::export::docx(&blocks)
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(AppError::Internal)?;
    Ok(if pdf {
        super::export::download(bytes, "application/pdf", &format!("initiative-{id}.pdf"))
    } else {
        super::export::download(
            bytes,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &format!("initiative-{id}.docx"),
        )
    })
}

pub async fn export_pdf(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    export(ctx, state, id, true).await
}

pub async fn export_docx(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    export(ctx, state, id, false).await
}
