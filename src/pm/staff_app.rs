//! The staff's phone app (docs/STAFF_APP.md): its manifest (installed from
//! the task list, `start_url` `/pm/tasks`, scope `/pm/`), the "last synced"
//! line of the pages a phone keeps, and the endpoint the phone sends actions
//! queued without a signal to.
//!
//! `POST /pm/api/orders/{id}/actions` applies one action (accept, start,
//! comment, report of execution with photos) exactly once: each carries a
//! one-time key made by the phone and the order's version it was made
//! against. The key is recorded with the answer in the transaction of the
//! action (`pm_client_action`), so a replay gets the first answer and
//! changes nothing; an order changed meanwhile (another version, or the
//! action no longer allowed) refuses it with 409 and a conflict body, and
//! nothing is applied. The rule is the pages' own (`orders::may` and
//! `orders::act_in`).

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use super::domain::{OrderAction, Outcome, Refusal};
use super::orders::{self, Actor};
use super::queries::{self, OrderRow};
use crate::app::AppState;
use crate::auth::{Core, CurrentUser};
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, Msg};
use crate::web::extract::Path;
use crate::web::layout::PageCtx;
use crate::{exec_tx, fetch_db, fetch_tx, texts};

texts!(StaffAppTexts {
    name: "Вече — поручения", "Veche — orders";
    short_name: "Поручения", "Orders";
    description: "Мои поручения и задачи, в том числе без связи.", "My orders and tasks, also without a signal.";
    my_tasks: "Мои задачи", "My tasks";
    synced: "Нет связи: страница сохранена", "Offline: this page was saved";
    push_on: "Уведомлять на этом устройстве", "Notify me on this device";
    push_off: "Не уведомлять на этом устройстве", "Stop notifications on this device";
});

/// `GET /pm/manifest.webmanifest`: the staff's app, in the visitor's language.
pub async fn manifest(ctx: PageCtx) -> Response {
    let t = StaffAppTexts::get(ctx.locale);
    let icon = |size: u32| {
        json!({
            "src": crate::web::assets::url(&format!("img/icon-{size}.png")),
            "sizes": format!("{size}x{size}"),
            "type": "image/png",
            "purpose": "any maskable",
        })
    };
    let body = json!({
        "id": "/pm/tasks",
        "name": t.name,
        "short_name": t.short_name,
        "description": t.description,
        "lang": ctx.locale.code(),
        "start_url": "/pm/tasks",
        "scope": "/pm/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": [icon(192), icon(512)],
        "shortcuts": [{ "name": t.my_tasks, "url": "/pm/tasks" }],
    });
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/manifest+json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body.to_string(),
    )
        .into_response()
}

/// What a staff page the phone keeps carries: when it was made (shown when
/// the page comes from the phone's cache without a signal) and the
/// notifications button (shown by the script where Web Push works).
pub fn app_bar(ctx: &PageCtx) -> Markup {
    let t = StaffAppTexts::get(ctx.locale);
    let at = now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    html! {
        p.notice #synced hidden data-at=(at) data-label=(t.synced) role="status" {}
        p #push-optin hidden {
            button.button.secondary type="button" #push-on { (t.push_on) }
            button.button.secondary type="button" #push-off hidden { (t.push_off) }
        }
    }
}

/// The order's version: one more with every change written
/// (`queries::save_order`).
pub async fn order_version(db: &Db, id: i64) -> AppResult<i64> {
    let v: Option<(i64,)> = fetch_db!(
        db,
        fetch_optional,
        (i64,),
        "select version from pm_order where order_id = $1",
        id
    )?;
    Ok(v.map(|v| v.0).unwrap_or(0))
}

/// One queued action as the phone sends it.
#[derive(Debug, Default, Deserialize)]
struct Queued {
    #[serde(default)]
    key: String,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    planned_date: String,
    #[serde(skip)]
    files: Vec<(String, Vec<u8>)>,
}

impl Queued {
    async fn read(state: &AppState, request: Request) -> AppResult<Queued> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let crate::web::extract::Json(q) =
                crate::web::extract::Json::<Queued>::from_request(request, state).await?;
            return Ok(q);
        }
        let form = Multipart::from_request(request, state).await.map_err(|e| {
            AppError::bad_request("invalid_form", Msg::new(e.body_text(), e.body_text()))
        })?;
        let mut q = Queued::default();
        let mut version = String::new();
        let upload =
            crate::media::upload::read_multipart(form, "files", |name, value| match name {
                "key" => q.key = value,
                "version" => version = value,
                "action" => q.action = value,
                "text" => q.text = value,
                "outcome" => q.outcome = value,
                "planned_date" => q.planned_date = value,
                _ => {}
            })
            .await?;
        if let Some(m) = upload.error {
            return Err(AppError::unprocessable("too_large", m));
        }
        q.version = version.trim().parse().ok();
        q.files = upload.files;
        Ok(q)
    }

    /// The key (a UUID), the version, and the action, or why not.
    fn parse(&self) -> AppResult<(String, i64, OrderAction)> {
        let key = uuid::Uuid::parse_str(self.key.trim())
            .map_err(|_| {
                AppError::invalid(
                    "Нет ключа действия (UUID).",
                    "The action's key (a UUID) is missing.",
                )
            })?
            .to_string();
        let version = self.version.ok_or_else(|| {
            AppError::invalid("Нет версии поручения.", "The order's version is missing.")
        })?;
        let action = match self.action.as_str() {
            "accept" => OrderAction::Accept,
            "start" => OrderAction::Start,
            "comment" => OrderAction::Comment {
                text: self.text.clone(),
            },
            "report" => {
                let outcome = match self.outcome.as_str() {
                    "" => None,
                    o => Some(Outcome::parse(o).ok_or_else(|| {
                        AppError::invalid(
                            "Выберите: решено или запланировано.",
                            "Choose: resolved or planned.",
                        )
                    })?),
                };
                let planned_date = match outcome {
                    Some(Outcome::Planned) => Some(
                        crate::web::i18n::parse_iso_date(self.planned_date.trim()).ok_or_else(
                            || {
                                AppError::invalid(
                                    "Укажите планируемую дату в формате ГГГГ-ММ-ДД.",
                                    "Give the planned date as YYYY-MM-DD.",
                                )
                            },
                        )?,
                    ),
                    _ => None,
                };
                OrderAction::SubmitReport {
                    text: self.text.clone(),
                    outcome,
                    planned_date,
                }
            }
            _ => {
                return Err(AppError::invalid(
                    "Без связи можно принять поручение, начать работу, оставить комментарий или представить отчёт.",
                    "Offline you may accept an order, start work, comment or submit a report.",
                ));
            }
        };
        Ok((key, version, action))
    }
}

/// The first answer given for a key, if any: `(order, status, body)`.
async fn recorded_db(db: &Db, account: i64, key: &str) -> AppResult<Option<(i64, i64, String)>> {
    Ok(fetch_db!(
        db,
        fetch_optional,
        (i64, i64, String),
        "select order_id, status, answer from pm_client_action
         where account_id = $1 and client_key = $2 and status > 0",
        account,
        key
    )?)
}

async fn recorded_tx(
    tx: &mut Tx,
    account: i64,
    key: &str,
) -> AppResult<Option<(i64, i64, String)>> {
    Ok(fetch_tx!(
        tx,
        fetch_optional,
        (i64, i64, String),
        "select order_id, status, answer from pm_client_action
         where account_id = $1 and client_key = $2",
        account,
        key
    )?)
}

/// The first answer again, marked as a replay; a key used for another
/// order is refused.
fn replay(order_id: i64, (on, status, body): (i64, i64, String)) -> AppResult<Response> {
    if on != order_id {
        return Err(AppError::invalid(
            "Этот ключ действия уже использован для другого поручения.",
            "This action's key was already used for another order.",
        ));
    }
    let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
    let mut r = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    r.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(r)
}

/// 409: the order is not as the phone saw it; nothing was applied, and the
/// person's text comes back with what the order is now.
fn conflict(o: &OrderRow, version: i64, reason: &str, msg: Msg, q: &Queued) -> Response {
    let body = json!({
        "error": "conflict",
        "reason": reason,
        "message": { "ru": msg.ru, "en": msg.en },
        "order": {
            "id": o.order_id,
            "version": version,
            "state": o.state,
            "state_label": {
                "ru": o.state().label(crate::web::i18n::Locale::Ru),
                "en": o.state().label(crate::web::i18n::Locale::En),
            },
        },
        "kept": { "action": q.action, "text": q.text },
    });
    (StatusCode::CONFLICT, axum::Json(body)).into_response()
}

fn is_unique(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// `POST /pm/api/orders/{id}/actions`: JSON (`X-CSRF-Token`) or multipart
/// (the token first, photos in `files`).
pub async fn actions(
    Core(user): Core,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    request: Request,
) -> AppResult<Response> {
    let mut q = Queued::read(&state, request).await?;
    let (key, version, action) = q.parse()?;
    if q.files.len() > super::pages::MAX_FILES {
        return Err(AppError::invalid(
            "Можно приложить не больше 10 файлов.",
            "You can attach at most 10 files.",
        ));
    }
    // A replay, the common case after a lost answer: no file is stored.
    if let Some(first) = recorded_db(&state.db, user.account_id, &key).await? {
        return replay(id, first);
    }
    let files = super::pages::store_files(&state, std::mem::take(&mut q.files)).await?;
    let result = apply(&state, &user, id, &key, version, action, &files, &q).await;
    match result {
        Ok(Applied::Done(r)) => Ok(r),
        Ok(Applied::Refused(r)) => {
            super::pages::discard_files(&state, &files).await;
            Ok(r)
        }
        Ok(Applied::Raced) => {
            // The same key, sent twice at once: the other one applied it.
            super::pages::discard_files(&state, &files).await;
            match recorded_db(&state.db, user.account_id, &key).await? {
                Some(first) => replay(id, first),
                None => Err(AppError::conflict(
                    "in_progress",
                    Msg::new(
                        "Это действие уже отправляется; повторите позже.",
                        "This action is being sent already; try again later.",
                    ),
                )),
            }
        }
        Err(e) => {
            super::pages::discard_files(&state, &files).await;
            Err(e)
        }
    }
}

enum Applied {
    Done(Response),
    /// Refused with a response (the conflict); nothing written.
    Refused(Response),
    /// Another request with the same key holds or wrote the key.
    Raced,
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    key: &str,
    version: i64,
    action: OrderAction,
    files: &[orders::Attached],
    q: &Queued,
) -> AppResult<Applied> {
    let mut tx = state.db.begin().await?;
    if let Some(first) = recorded_tx(&mut tx, user.account_id, key).await? {
        return replay(id, first).map(Applied::Done);
    }
    let kind = action.event_kind();
    // The key first: a second request with it waits here (PostgreSQL) or
    // for the write lock (SQLite), then finds it taken.
    let claimed = exec_tx!(
        &mut tx,
        "insert into pm_client_action (account_id, client_key, order_id, status, answer, created_at)
         values ($1, $2, $3, 0, '', $4)",
        user.account_id,
        key,
        id,
        now()
    );
    match claimed {
        Ok(_) => {}
        Err(e) if is_unique(&e) => return Ok(Applied::Raced),
        // Unknown order (the foreign key): as the pages say.
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_foreign_key_violation()) =>
        {
            return Err(AppError::not_found());
        }
        Err(e) => return Err(e.into()),
    }
    let o = queries::order_tx(&mut tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let open_children = queries::children_tx(&mut tx, id)
        .await?
        .iter()
        .filter(|c| c.required && !c.state().is_final())
        .count() as i64;
    // Not theirs to do: refused before anything about the order is said.
    if let Err(Refusal::Role(m)) = orders::may(&o, user, open_children, &action) {
        return Err(orders::refusal(Refusal::Role(m)));
    }
    // The version the phone saw, checked under the row's lock: a change
    // committed meanwhile makes this match nothing.
    let same = exec_tx!(
        &mut tx,
        "update pm_order set version = version where order_id = $1 and version = $2",
        id,
        version
    )?;
    let current = order_version_tx(&mut tx, id).await?;
    if same == 0 {
        let msg = Msg::new(
            "Поручение изменилось, пока вы были без связи; действие не выполнено. Ваш текст сохранён.",
            "The order changed while you were offline; the action was not applied. Your text is kept.",
        );
        return Ok(Applied::Refused(conflict(&o, current, "changed", msg, q)));
    }
    match orders::may(&o, user, open_children, &action) {
        Ok(()) => {}
        Err(Refusal::State(m)) => {
            return Ok(Applied::Refused(conflict(&o, current, "not_allowed", m, q)));
        }
        Err(r) => return Err(orders::refusal(r)),
    }
    let after = orders::act_in(&mut tx, state, id, Actor::Person(user), action, files).await?;
    let version = order_version_tx(&mut tx, id).await?;
    let answer = json!({
        "status": "applied",
        "order_id": id,
        "action": kind,
        "state": after.state,
        "version": version,
        "files": files.len(),
    })
    .to_string();
    exec_tx!(
        &mut tx,
        "update pm_client_action set status = 200, answer = $3 where account_id = $1 and client_key = $2",
        user.account_id,
        key,
        &answer
    )?;
    tx.commit().await?;
    state.exchange.notify();
    Ok(Applied::Done(
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            answer,
        )
            .into_response(),
    ))
}

async fn order_version_tx(tx: &mut Tx, id: i64) -> AppResult<i64> {
    let v: Option<(i64,)> = fetch_tx!(
        tx,
        fetch_optional,
        (i64,),
        "select version from pm_order where order_id = $1",
        id
    )?;
    Ok(v.map(|v| v.0).unwrap_or(0))
}
