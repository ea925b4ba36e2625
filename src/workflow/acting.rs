//! Actions on a request from its page: the form read once, turned into an
//! action of the lifecycle, performed; what the person can fix comes back
//! to the page (`page::request_page_kept`) with what they typed.

use axum::extract::Multipart;
use axum::response::Response;

use super::input::{clean_text, photo_count};
use super::lifecycle::{Action, CloseReason};
use super::page::visible_kind;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, Msg};
use crate::media;
use crate::media::upload::store_photos;
use crate::workflow::{self, Kind};

/// An action that failed: what the person typed and why it failed.
pub struct Kept {
    pub(super) form: ActionForm,
    pub(super) error: AppError,
}

impl Kept {
    pub(super) fn value<'a>(
        &'a self,
        action: &str,
        f: impl Fn(&'a ActionForm) -> &'a str,
    ) -> &'a str {
        if self.form.action == action {
            f(&self.form)
        } else {
            ""
        }
    }
}

/// What `action_of` ends with: done (a redirect), or kept for the page.
pub enum Acted {
    Done(Response),
    Kept(Kept),
}

/// The fields of an action form.
#[derive(Default)]
pub(super) struct ActionForm {
    pub(super) action: String,
    pub(super) text: String,
    pub(super) organisation_id: String,
    pub(super) date: String,
    pub(super) budget: String,
    pub(super) reason: String,
    pub(super) photos: Vec<(String, Vec<u8>)>,
    pub(super) photo_error: Option<Msg>,
    /// Photos came with the form: a page that comes back says plainly that
    /// they must be attached again (files cannot be put back in a form).
    pub(super) photos_sent: bool,
}

async fn read_action(multipart: Multipart) -> AppResult<ActionForm> {
    let mut f = ActionForm::default();
    let upload =
        crate::media::upload::read_multipart(multipart, "photos", |name, value| match name {
            "action" => f.action = value,
            "text" => f.text = value,
            "organisation_id" => f.organisation_id = value,
            "date" => f.date = value,
            "budget" => f.budget = value,
            "reason" => f.reason = value,
            _ => {}
        })
        .await?;
    f.photos = upload.files;
    f.photo_error = upload.error;
    f.photos_sent = !f.photos.is_empty() || f.photo_error.is_some();
    Ok(f)
}

/// Turns the form into an action of the lifecycle.
pub fn parse_action(
    name: &str,
    text: &str,
    organisation_id: &str,
    date: &str,
    budget: &str,
    reason: &str,
) -> AppResult<Action> {
    // Length and emptiness are the lifecycle's rules; here only the shape.
    let text = clean_text(text, 10_000, "текст", "text", false)
        .map_err(|m| AppError::unprocessable("invalid_input", m))?;
    Ok(match name {
        "approve" => Action::Approve,
        "ask" => Action::AskClarification { question: text },
        "answer" => Action::AnswerClarification { answer: text },
        "reject" => Action::Reject { reason: text },
        "accept" => Action::Accept,
        "refer" => {
            if organisation_id.is_empty() {
                return Err(AppError::invalid(
                    "Выберите организацию, которой передаётся обращение.",
                    "Choose the organisation to refer the report to.",
                ));
            }
            Action::Refer {
                organisation_id: organisation_id.to_owned(),
                reason: text,
            }
        }
        "resolve" => Action::Resolve { text },
        "plan" => {
            let date = crate::web::i18n::parse_iso_date(date).ok_or_else(|| {
                AppError::invalid(
                    "Укажите дату выполнения в формате ГГГГ-ММ-ДД.",
                    "Give the date of completion as YYYY-MM-DD.",
                )
            })?;
            let budget = clean_text(budget, 300, "источник финансирования", "budget line", false)
                .map_err(|m| AppError::unprocessable("invalid_input", m))?;
            Action::Plan {
                date,
                budget: (!budget.is_empty()).then_some(budget),
                text,
            }
        }
        "close" => {
            let reason = CloseReason::parse(reason)
                .filter(|r| *r != CloseReason::Fixed)
                .ok_or_else(|| {
                    AppError::invalid(
                        "Выберите причину закрытия из списка.",
                        "Choose the reason for closing from the list.",
                    )
                })?;
            Action::Close { reason, text }
        }
        "dispute" => Action::Dispute { text },
        "confirm" => Action::ConfirmFixed,
        "hide" => Action::Hide { reason: text },
        "unhide" => Action::Unhide,
        _ => {
            return Err(AppError::bad_request(
                "unknown_action",
                Msg::new("Неизвестное действие.", "Unknown action."),
            ));
        }
    })
}

/// A lifecycle action on a request of any kind. What the person can fix
/// (a date in the past, an empty text, a state that changed meanwhile)
/// comes back as `Acted::Kept`, for the page to show with what was typed.
pub async fn action_of(
    kind: Kind,
    user: CurrentUser,
    state: AppState,
    id: String,
    multipart: Multipart,
) -> AppResult<Acted> {
    let a = visible_kind(&state.db, kind, &id, Some(&user)).await?;
    let mut form = read_action(multipart).await?;
    let photos = std::mem::take(&mut form.photos);
    let result = async {
        if let Some(m) = form.photo_error.clone() {
            return Err(AppError::unprocessable("photo", m));
        }
        photo_count(photos.len()).map_err(|m| AppError::unprocessable("invalid_input", m))?;
        let act = parse_action(
            &form.action,
            &form.text,
            &form.organisation_id,
            &form.date,
            &form.budget,
            &form.reason,
        )?;
        // The page offers «Решено» only where the kind is answered so
        // (`Kind::resolved_on_page`); a hand-made request is refused the same.
        if matches!(act, workflow::Action::Resolve { .. }) && !kind.resolved_on_page() {
            return Err(AppError::client(
                axum::http::StatusCode::CONFLICT,
                "transition_not_allowed",
                crate::error::Msg::new(
                    "Такое обращение не отмечают решённым на его странице: ответ приходит другим путём.",
                    "This kind of request is not marked resolved on its page: its answer comes another way.",
                ),
            ));
        }
        let role = workflow::role_for(&a, &user, &act);
        let stored = match store_photos(&state.media, &state.gates, photos).await? {
            Ok(p) => p,
            Err(m) => return Err(AppError::unprocessable("photo", m)),
        };
        let keys: Vec<String> = stored.iter().map(|p| p.key.clone()).collect();
        match workflow::perform(&state, a.appeal_id, Some(&user), role, act, &stored).await {
            Ok(_) => Ok(()),
            Err(e) => {
                media::discard(&state.media, &keys).await;
                Err(e)
            }
        }
    }
    .await;
    match result {
        Ok(()) => Ok(Acted::Done(kind.redirect(a.appeal_id, "#timeline"))),
        // Input the person can correct, or a state that moved on: back to
        // the page. Anything else (no right, a failure) is the error page.
        Err(e)
            if matches!(
                e.status(),
                axum::http::StatusCode::UNPROCESSABLE_ENTITY
                    | axum::http::StatusCode::CONFLICT
                    | axum::http::StatusCode::BAD_REQUEST
            ) =>
        {
            Ok(Acted::Kept(Kept { form, error: e }))
        }
        Err(e) => Err(e),
    }
}
