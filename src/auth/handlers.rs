//! Handlers of registration, confirmation, sign-in, sign-out, password reset
//! and the account page. Thin: parse the form, run one transaction, render.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use time::Duration;
use tower_sessions::Session;

use crate::app::AppState;
use crate::auth::domain::{DisplayName, Email, NewPassword, safe_next};
use crate::auth::oidc::Oidc;
use crate::auth::views::{self, AccountForm, AuthTexts, LoginView, RegisterForm};
use crate::auth::{CurrentUser, Staff, password, queries, session};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, Msg};
use crate::geo::geography;
use crate::integration::mail::Mailer;
use crate::integration::mail::{self, OutgoingMail};
use crate::web::components::FieldErrors;
use crate::web::extract::{ClientIp, Form, Path, Query};
use crate::web::i18n::Locale;
use crate::web::layout::PageCtx;
use std::sync::Arc;

const CONFIRM: &str = "confirm_email";
const RESET: &str = "reset_password";

fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::Unavailable(anyhow::anyhow!("session store: {e}"))
}

/// Signs the account in on this session. The session id is replaced first,
/// so an id planted before sign-in (session fixation) is worthless after.
pub(crate) async fn sign_in(session: &Session, account_id: i64) -> AppResult<()> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(session::ACCOUNT_KEY, account_id)
        .await
        .map_err(session_error)?;
    Ok(())
}

// ---- registration ------------------------------------------------------

pub async fn register_form(ctx: PageCtx) -> Response {
    views::register_page(&ctx, &RegisterForm::default(), &FieldErrors::new())
}

fn confirm_mail(locale: Locale, base: &str, to: &str, token: &str) -> OutgoingMail {
    let link = format!("{base}/auth/confirm/{token}");
    match locale {
        Locale::Ru => OutgoingMail {
            to: to.to_owned(),
            subject: "Подтвердите адрес на портале «Вече»".into(),
            body: format!(
                "Здравствуйте!\n\nЧтобы завершить регистрацию на портале «Вече», откройте ссылку:\n\n{link}\n\nСсылка действует 48 часов. Если вы не регистрировались, просто удалите это письмо.\n"
            ),
        },
        Locale::En => OutgoingMail {
            to: to.to_owned(),
            subject: "Confirm your address on Veche".into(),
            body: format!(
                "Hello,\n\nTo finish registering on Veche, open this link:\n\n{link}\n\nThe link is valid for 48 hours. If you did not register, simply delete this message.\n"
            ),
        },
    }
}

fn already_registered_mail(locale: Locale, base: &str, to: &str) -> OutgoingMail {
    match locale {
        Locale::Ru => OutgoingMail {
            to: to.to_owned(),
            subject: "Попытка повторной регистрации на портале «Вече»".into(),
            body: format!(
                "Здравствуйте!\n\nКто-то (возможно, вы) пытался зарегистрироваться на портале «Вече» с этим адресом, но учётная запись с ним уже есть.\n\nВойти: {base}/auth/login\nЗабыли пароль: {base}/auth/forgot\n"
            ),
        },
        Locale::En => OutgoingMail {
            to: to.to_owned(),
            subject: "Registration attempt on Veche".into(),
            body: format!(
                "Hello,\n\nSomeone (perhaps you) tried to register on Veche with this address, but an account with it already exists.\n\nSign in: {base}/auth/login\nForgot your password: {base}/auth/forgot\n"
            ),
        },
    }
}

pub async fn register(
    ctx: PageCtx,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<RegisterForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&form.email));
    let name = errors.check("display_name", DisplayName::parse(&form.display_name));
    let password = errors.check("password", NewPassword::parse(&form.password));
    let municipality = if form.municipality_id.is_empty() {
        None
    } else {
        errors.check(
            "municipality_id",
            geography().by_id(&form.municipality_id).ok_or_else(|| {
                Msg::new(
                    "Выберите муниципалитет из списка.",
                    "Choose a municipality from the list.",
                )
            }),
        )
    };
    if form.consent.is_none() {
        errors.add(
            "consent",
            Msg::new(
                "Без согласия на обработку персональных данных зарегистрироваться нельзя.",
                "You cannot register without consenting to the processing of personal data.",
            ),
        );
    }
    let (Some(email), Some(name), Some(password), true) =
        (email, name, password, errors.is_empty())
    else {
        return Ok(views::register_page(&ctx, &form, &errors));
    };
    // Each registration mails the address and hashes a password: limited
    // before either, so nobody floods an inbox or mints accounts in bulk.
    state.account_limiter.check(ip, &email.normalised)?;
    let hash = password::hash(password.0).await?;
    let base = state.config.base_url();
    let mut tx = state.db.begin().await?;
    // The answer is the same whether or not the address is taken, so the form
    // does not reveal who has an account; the owner of the address is told.
    if queries::account_by_email_tx(&mut tx, &email.normalised)
        .await?
        .is_some()
    {
        mail::enqueue(
            &mut tx,
            &already_registered_mail(ctx.locale, &base, &email.address),
        )
        .await?;
    } else {
        let account_id = queries::insert_account(
            &mut tx,
            &queries::NewAccount {
                email: Some((&email.address, &email.normalised)),
                display_name: &name.0,
                password_hash: Some(&hash),
                email_confirmed: false,
                municipality: municipality.map(|m| (m.id.as_str(), "declared")),
                locale: ctx.locale.code(),
            },
        )
        .await?;
        let token = queries::issue_token(
            &mut tx,
            account_id,
            CONFIRM,
            Duration::hours(48),
            queries::Earlier::Keep,
        )
        .await?;
        mail::enqueue(
            &mut tx,
            &confirm_mail(ctx.locale, &base, &email.address, &token),
        )
        .await?;
        tracing::info!(account_id, "account registered");
    }
    let t = AuthTexts::get(ctx.locale);
    mail_sent(tx, &state.mailer, &ctx, t.check_mail_title, t.check_mail).await
}

/// Commits the change with the mail it queued, wakes the mailer and tells
/// the visitor to look in their mailbox (the same whether or not a mail
/// was written, so the page tells nothing about who has an account).
async fn mail_sent(
    tx: Tx,
    mailer: &Mailer,
    ctx: &PageCtx,
    title: &str,
    text: &str,
) -> AppResult<Response> {
    tx.commit().await?;
    mailer.notify();
    Ok(views::message_page(ctx, title, "info", html! { (text) }))
}

pub async fn confirm_email(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let t = AuthTexts::get(ctx.locale);
    let mut tx = db.begin().await?;
    let Some(account_id) = queries::use_token(&mut tx, &token, CONFIRM).await? else {
        drop(tx);
        return Ok(views::bad_link_page(&ctx, "/auth/login", t.login_title));
    };
    queries::confirm_email(&mut tx, account_id).await?;
    // The other links sent to the address have done their work.
    queries::revoke_tokens(&mut tx, account_id, CONFIRM).await?;
    tx.commit().await?;
    tracing::info!(account_id, "e-mail confirmed");
    Ok(views::message_page(
        &ctx,
        t.confirmed_title,
        "success",
        html! {
            (t.confirmed) " " a href="/auth/login" { (t.login_title) }
        },
    ))
}

// ---- sign-in / sign-out -----------------------------------------------

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(
    ctx: PageCtx,
    State(oidc): State<Option<Arc<Oidc>>>,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    views::login_page(
        &ctx,
        LoginView {
            email: "",
            next: &next,
            error: None,
            oidc_name: oidc.as_ref().map(|o| o.display_name()),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn login(
    ctx: PageCtx,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    session: Session,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref());
    let oidc_name = state.oidc.as_ref().map(|o| o.display_name());
    let fail = |msg: Msg| {
        views::login_page(
            &ctx,
            LoginView {
                email: &form.email,
                next: &next,
                error: Some(msg),
                oidc_name,
            },
        )
    };
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(m) => return Ok(fail(m)),
    };
    state.login_limiter.check(ip, &email.normalised)?;
    let account = queries::account_by_email(&state.db, &email.normalised).await?;
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let ok = password::verify(form.password.clone(), stored).await;
    let account = match account {
        Some(a) if ok && a.disabled_at.is_none() => a,
        _ => {
            return Ok(fail(Msg::new(
                "Неверный адрес или пароль. Проверьте раскладку клавиатуры и Caps Lock.",
                "Wrong e-mail or password. Check your keyboard layout and Caps Lock.",
            )));
        }
    };
    if account.email_confirmed_at.is_none() {
        // The password was right, so it is safe to send a fresh link; each
        // one is a mail to the address, limited like registration.
        state.account_limiter.check(ip, &email.normalised)?;
        let base = state.config.base_url();
        let mut tx = state.db.begin().await?;
        let token = queries::issue_token(
            &mut tx,
            account.account_id,
            CONFIRM,
            Duration::hours(48),
            queries::Earlier::Keep,
        )
        .await?;
        let to = account.email.clone().unwrap_or_default();
        mail::enqueue(&mut tx, &confirm_mail(ctx.locale, &base, &to, &token)).await?;
        tx.commit().await?;
        state.mailer.notify();
        return Ok(fail(Msg::new(
            "Сначала подтвердите адрес электронной почты: мы отправили новую ссылку.",
            "Please confirm your e-mail address first: we have sent you a new link.",
        )));
    }
    sign_in(&session, account.account_id).await?;
    tracing::info!(account_id = account.account_id, "signed in");
    Ok(Redirect::to(&next).into_response())
}

pub async fn logout(session: Session) -> AppResult<Response> {
    session.flush().await.map_err(session_error)?;
    Ok(Redirect::to("/").into_response())
}

// ---- password reset ---------------------------------------------------

pub async fn forgot_form(ctx: PageCtx) -> Response {
    views::forgot_page(&ctx, "", &FieldErrors::new())
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    ctx: PageCtx,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let Some(email) = errors.check("email", Email::parse(&form.email)) else {
        return Ok(views::forgot_page(&ctx, &form.email, &errors));
    };
    // Reset mails go to the owner only, but each one costs a delivery and
    // lands in someone's inbox: limit them.
    state.account_limiter.check(ip, &email.normalised)?;
    let mut tx = state.db.begin().await?;
    if let Some(account) = queries::account_by_email_tx(&mut tx, &email.normalised).await?
        && account.disabled_at.is_none()
    {
        {
            let token = queries::issue_token(
                &mut tx,
                account.account_id,
                RESET,
                Duration::hours(1),
                queries::Earlier::Revoke,
            )
            .await?;
            let link = format!("{}/auth/reset/{token}", state.config.base_url());
            let locale = Locale::parse(&account.locale).unwrap_or(ctx.locale);
            let mail = match locale {
                Locale::Ru => OutgoingMail {
                    to: email.address.clone(),
                    subject: "Смена пароля на портале «Вече»".into(),
                    body: format!(
                        "Здравствуйте!\n\nЧтобы задать новый пароль, откройте ссылку:\n\n{link}\n\nСсылка действует один час. Если вы не просили сменить пароль, ничего не делайте: пароль останется прежним.\n"
                    ),
                },
                Locale::En => OutgoingMail {
                    to: email.address.clone(),
                    subject: "Reset your Veche password".into(),
                    body: format!(
                        "Hello,\n\nTo set a new password, open this link:\n\n{link}\n\nThe link is valid for one hour. If you did not ask for this, do nothing: your password stays the same.\n"
                    ),
                },
            };
            mail::enqueue(&mut tx, &mail).await?;
        }
    }
    let t = AuthTexts::get(ctx.locale);
    mail_sent(tx, &state.mailer, &ctx, t.forgot_title, t.forgot_sent).await
}

pub async fn reset_form(
    ctx: PageCtx,
    State(db): State<Db>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    if !queries::token_is_valid(&db, &token, RESET).await? {
        let t = AuthTexts::get(ctx.locale);
        return Ok(views::bad_link_page(&ctx, "/auth/forgot", t.forgot_title));
    }
    Ok(views::reset_page(&ctx, &token, &FieldErrors::new()))
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

pub async fn reset(
    ctx: PageCtx,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    session: Session,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let t = AuthTexts::get(ctx.locale);
    state.account_limiter.check_ip(ip)?;
    // The token first: hashing (Argon2, 19 MiB) is for real links only, so
    // made-up tokens cost a lookup, not a hash.
    if !queries::token_is_valid(&state.db, &token, RESET).await? {
        return Ok(views::bad_link_page(&ctx, "/auth/forgot", t.forgot_title));
    }
    let mut errors = FieldErrors::new();
    let Some(password) = errors.check("password", NewPassword::parse(&form.password)) else {
        return Ok(views::reset_page(&ctx, &token, &errors));
    };
    let hash = password::hash(password.0).await?;
    let mut tx = state.db.begin().await?;
    // Used here, atomically: a link used meanwhile in another tab fails now.
    let Some(account_id) = queries::use_token(&mut tx, &token, RESET).await? else {
        drop(tx);
        return Ok(views::bad_link_page(&ctx, "/auth/forgot", t.forgot_title));
    };
    queries::set_password(&mut tx, account_id, &hash).await?;
    // Whoever knew the old password is signed out everywhere; opening the
    // link also proves the address.
    queries::delete_sessions(&mut tx, account_id).await?;
    queries::confirm_email(&mut tx, account_id).await?;
    tx.commit().await?;
    sign_in(&session, account_id).await?;
    tracing::info!(account_id, "password reset");
    Ok(views::message_page(
        &ctx,
        t.reset_title,
        "success",
        html! { (t.reset_done) },
    ))
}

// ---- account ------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn account_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let account = queries::account_by_id(&db, user.account_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let form = AccountForm::of(&account);
    Ok(views::account_page(
        &ctx,
        &user,
        &account,
        &form,
        &FieldErrors::new(),
        q.saved.as_deref(),
    ))
}

pub async fn update_account(
    ctx: PageCtx,
    user: CurrentUser,
    State(db): State<Db>,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    let account = queries::account_by_id(&db, user.account_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let mut errors = FieldErrors::new();
    let name = errors.check("display_name", DisplayName::parse(&form.display_name));
    let locale = errors.check(
        "locale",
        Locale::parse(&form.locale).ok_or_else(|| Msg::new("Выберите язык.", "Choose a language.")),
    );
    let verified = account.municipality_status.as_deref() == Some("verified");
    let municipality = if verified || form.municipality_id.is_empty() {
        None
    } else {
        errors.check(
            "municipality_id",
            geography().by_id(&form.municipality_id).ok_or_else(|| {
                Msg::new(
                    "Выберите муниципалитет из списка.",
                    "Choose a municipality from the list.",
                )
            }),
        )
    };
    let (Some(name), Some(locale), true) = (name, locale, errors.is_empty()) else {
        return Ok(views::account_page(
            &ctx, &user, &account, &form, &errors, None,
        ));
    };
    let mut tx = db.begin().await?;
    queries::update_profile(
        &mut tx,
        user.account_id,
        &name.0,
        form.hide_name.is_some(),
        locale.code(),
    )
    .await?;
    // A residence vouched for by the identity provider is not overridden by hand.
    if let Some(m) = municipality {
        queries::set_municipality(&mut tx, user.account_id, &m.id, "declared").await?;
    }
    tx.commit().await?;
    Ok(Redirect::to("/account?saved=1").into_response())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `POST /account/password`: a new password, the current one proven first
/// (an account made through Gosuslugi has none yet and sets one). Every
/// other session ends, as after a reset; this one is renewed.
pub async fn change_password(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    // Each try costs an Argon2 hash: limited like the other account forms.
    state.account_limiter.check_ip(ip)?;
    let account = queries::account_by_id(&state.db, user.account_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let mut errors = FieldErrors::new();
    if account.password_hash.is_some()
        && !password::verify(form.current_password.clone(), account.password_hash.clone()).await
    {
        errors.add(
            "current_password",
            Msg::new(
                "Текущий пароль введён неверно.",
                "The current password is wrong.",
            ),
        );
    }
    let new = errors.check("new_password", NewPassword::parse(&form.new_password));
    let (Some(new), true) = (new, errors.is_empty()) else {
        let profile = AccountForm::of(&account);
        return Ok(views::account_page(
            &ctx, &user, &account, &profile, &errors, None,
        ));
    };
    let hash = password::hash(new.0).await?;
    let mut tx = state.db.begin().await?;
    queries::set_password(&mut tx, user.account_id, &hash).await?;
    queries::delete_sessions(&mut tx, user.account_id).await?;
    // A reset link asked for before the change must not undo it.
    queries::revoke_tokens(&mut tx, user.account_id, RESET).await?;
    tx.commit().await?;
    sign_in(&session, user.account_id).await?;
    tracing::info!(account_id = user.account_id, "password changed");
    Ok(Redirect::to("/account?saved=password").into_response())
}

pub async fn workspace(ctx: PageCtx, Staff(user): Staff) -> Response {
    views::workspace_page(&ctx, &user)
}
