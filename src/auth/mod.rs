//! Accounts, sign-in and roles.
//!
//! - Registration with e-mail and password (Argon2id), confirmation by mail,
//!   password reset, sign-in and sign-out with a server-side session.
//! - Sign-in through an OpenID Connect provider (`oidc.rs`).
//! - Roles: every account is a citizen; moderators and administrators hold a
//!   global role; department officers and executors are members of one or
//!   more organisations. Extractors ([`CurrentUser`], [`Admin`], [`Staff`],
//!   [`Officer`], [`Moderator`]) protect handlers declaratively.

pub mod admin;
pub mod domain;
mod handlers;
pub mod oidc;
pub mod password;
pub mod queries;
pub mod ratelimit;
pub mod session;
pub mod tokens;
mod views;

use axum::Router;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::routing::{get, post};
use tower_sessions::Session;

use crate::app::AppState;
use crate::auth::domain::{Email, GlobalRole, MembershipKind, NewPassword};
use crate::error::AppError;
use crate::web::i18n::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/auth/register",
            get(handlers::register_form).post(handlers::register),
        )
        .route("/auth/confirm/{token}", get(handlers::confirm_email))
        .route(
            "/auth/login",
            get(handlers::login_form).post(handlers::login),
        )
        .route("/auth/logout", post(handlers::logout))
        .route(
            "/auth/forgot",
            get(handlers::forgot_form).post(handlers::forgot),
        )
        .route(
            "/auth/reset/{token}",
            get(handlers::reset_form).post(handlers::reset),
        )
        .route("/auth/oidc/start", get(oidc::start))
        .route("/auth/oidc/callback", get(oidc::callback))
        .route(
            "/account",
            get(handlers::account_page).post(handlers::update_account),
        )
        .route("/account/password", post(handlers::change_password))
        .route("/workspace", get(handlers::workspace))
        .merge(admin::router())
}

/// A membership of the signed-in account.
#[derive(Debug, Clone)]
pub struct Membership {
    pub organisation_id: String,
    pub kind: MembershipKind,
    pub name_ru: String,
    pub name_en: String,
}

/// The signed-in account, loaded once per request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account_id: i64,
    pub display_name: String,
    pub email: Option<String>,
    pub locale: Locale,
    pub roles: Vec<GlobalRole>,
    pub memberships: Vec<Membership>,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.roles.contains(&GlobalRole::Administrator)
    }

    pub fn is_moderator(&self) -> bool {
        self.roles.contains(&GlobalRole::Moderator) || self.is_admin()
    }

    pub fn is_officer_of(&self, organisation_id: &str) -> bool {
        self.memberships
            .iter()
            .any(|m| m.kind == MembershipKind::Officer && m.organisation_id == organisation_id)
    }

    /// An officer or an executor of the organisation.
    pub fn is_member_of(&self, organisation_id: &str) -> bool {
        self.memberships
            .iter()
            .any(|m| m.organisation_id == organisation_id)
    }

    pub fn is_officer(&self) -> bool {
        self.memberships
            .iter()
            .any(|m| m.kind == MembershipKind::Officer)
    }

    pub fn is_executor(&self) -> bool {
        self.memberships
            .iter()
            .any(|m| m.kind == MembershipKind::Executor)
    }

    /// Whether the person works in the internal core (orders, projects,
    /// the dashboard): administrators and members of an organisation.
    /// Moderators of the portal alone do not.
    pub fn works_in_core(&self) -> bool {
        self.is_admin() || !self.memberships.is_empty()
    }

    /// Any role beyond citizen.
    pub fn is_staff(&self) -> bool {
        !self.roles.is_empty() || !self.memberships.is_empty()
    }

    /// The account as a user (API tokens); `None` when missing or disabled.
    pub async fn for_account(
        db: &crate::db::Db,
        account_id: i64,
    ) -> Result<Option<CurrentUser>, AppError> {
        CurrentUser::load(db, account_id).await
    }

    async fn load(db: &crate::db::Db, account_id: i64) -> Result<Option<CurrentUser>, AppError> {
        let Some(account) = queries::account_by_id(db, account_id).await? else {
            return Ok(None);
        };
        if account.disabled_at.is_some() {
            return Ok(None);
        }
        let roles = queries::global_roles(db, account_id)
            .await?
            .iter()
            .filter_map(|r| GlobalRole::parse(r))
            .collect();
        let memberships = queries::memberships(db, account_id)
            .await?
            .into_iter()
            .filter_map(|m| {
                Some(Membership {
                    kind: MembershipKind::parse(&m.kind)?,
                    organisation_id: m.organisation_id,
                    name_ru: m.name_ru,
                    name_en: m.name_en,
                })
            })
            .collect();
        Ok(Some(CurrentUser {
            account_id,
            display_name: account.display_name,
            email: account.email,
            locale: Locale::parse(&account.locale).unwrap_or_default(),
            roles,
            memberships,
        }))
    }
}

/// Cached in the request extensions so the layout and the handler share one load.
#[derive(Clone)]
struct LoadedUser(Option<CurrentUser>);

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        if let Some(LoadedUser(user)) = parts.extensions.get::<LoadedUser>() {
            return Ok(user.clone());
        }
        // Requests outside the session layer (none today) have no user.
        let Ok(session) = Session::from_request_parts(parts, state).await else {
            return Ok(None);
        };
        let account_id = session
            .get::<i64>(session::ACCOUNT_KEY)
            .await
            .map_err(|e| AppError::Unavailable(anyhow::anyhow!("session store: {e}")))?;
        let user = match account_id {
            Some(id) => CurrentUser::load(&state.db, id).await?,
            None => None,
        };
        parts.extensions.insert(LoadedUser(user.clone()));
        Ok(user)
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        <CurrentUser as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
            .ok_or(AppError::Unauthorized)
    }
}

/// Declares an extractor that requires a signed-in user passing `$check`:
/// signed-out visitors get 401 (browsers: the sign-in page), others 403.
macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        pub struct $name(pub CurrentUser);

        impl FromRequestParts<AppState> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
                let user = <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
                let check: fn(&CurrentUser) -> bool = $check;
                if check(&user) { Ok($name(user)) } else { Err(AppError::forbidden()) }
            }
        }
    };
}

role_guard!(
    /// An administrator.
    Admin,
    |u| u.is_admin()
);
role_guard!(
    /// A moderator (administrators moderate too).
    Moderator,
    |u| u.is_moderator()
);
role_guard!(
    /// A department officer of at least one organisation, or an administrator.
    Officer,
    |u| u.is_officer() || u.is_admin()
);
role_guard!(
    /// Anyone with a role beyond citizen.
    Staff,
    |u| u.is_staff()
);
role_guard!(
    /// Someone who works in the internal core (orders, projects, the
    /// dashboard): an administrator or a member of an organisation.
    Core,
    |u| u.works_in_core()
);

/// `veche create-admin`: creates a confirmed administrator, or grants the role
/// to an existing account (its password is then left unchanged).
pub async fn create_admin(
    db: &crate::db::Db,
    email: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<String> {
    let email = Email::parse(email).map_err(|m| anyhow::anyhow!(m.en.into_owned()))?;
    let name = domain::DisplayName::parse(name).map_err(|m| anyhow::anyhow!(m.en.into_owned()))?;
    let mut tx = db.begin().await?;
    let outcome = match queries::account_by_email_tx(&mut tx, &email.normalised).await? {
        Some(existing) => {
            queries::grant_role(&mut tx, existing.account_id, GlobalRole::Administrator).await?;
            queries::confirm_email(&mut tx, existing.account_id).await?;
            format!(
                "account {} already existed: administrator role granted",
                existing.account_id
            )
        }
        None => {
            let password =
                NewPassword::parse(password).map_err(|m| anyhow::anyhow!(m.en.into_owned()))?;
            let hash = password::hash(password.0).await?;
            let id = queries::insert_account(
                &mut tx,
                &queries::NewAccount {
                    email: Some((&email.address, &email.normalised)),
                    display_name: &name.0,
                    password_hash: Some(&hash),
                    email_confirmed: true,
                    municipality: None,
                    locale: "ru",
                },
            )
            .await?;
            queries::grant_role(&mut tx, id, GlobalRole::Administrator).await?;
            format!("administrator account {id} created")
        }
    };
    tx.commit().await?;
    Ok(outcome)
}
