//! Sign-in through an OAuth2 / OpenID Connect provider (authorization-code
//! flow with PKCE, `oauth2` crate).
//!
//! The provider's endpoints come from its discovery document
//! (`{issuer}/.well-known/openid-configuration`), read at the first sign-in
//! and cached, so veche starts even while the provider is down. The person's
//! identity is read from the UserInfo endpoint with the access token, over the
//! TLS connection to the provider, which the OIDC core specification allows
//! in place of validating the ID token's signature.
//!
//! The provider's `sub` is linked to a veche account. An account with the same
//! e-mail is linked only when the provider says the address is verified, so a
//! provider cannot be used to take over someone's account. An unconfirmed
//! account linked that way loses its password and sessions: whoever set them
//! never proved the address (pre-account takeover). A residence claim
//! (OKTMO code or municipality name, see `VECHE_OIDC_MUNICIPALITY_CLAIM`)
//! marks the account's municipality *verified*.
//!
//! ESIA (Gosuslugi) signs its client secret with GOST algorithms per request;
//! see docs/ESIA.md for running it behind a signing gateway.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use subtle::ConstantTimeEq;
use tokio::sync::OnceCell;
use tower_sessions::Session;
use url::Url;

use crate::auth::domain::safe_next;
use crate::auth::handlers::sign_in;
use crate::auth::queries;
use crate::config::{Config, OidcConfig};
use crate::db::Db;
use crate::error::{AppError, AppResult, Msg};
use crate::geo::geography;
use crate::web::extract::Query;

const PENDING_KEY: &str = "oidc_pending";

#[derive(Debug, Clone, Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: Url,
    token_endpoint: Url,
    userinfo_endpoint: Url,
}

/// The configured provider.
pub struct Oidc {
    config: OidcConfig,
    issuer: Url,
    redirect: RedirectUrl,
    http: reqwest::Client,
    metadata: OnceCell<Metadata>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    state: String,
    verifier: String,
    next: String,
}

fn provider_error(detail: impl std::fmt::Display) -> AppError {
    tracing::warn!(error = %detail, "OIDC sign-in failed");
    AppError::client(
        StatusCode::BAD_GATEWAY,
        "identity_provider",
        Msg::new(
            "Не удалось завершить вход через внешний сервис: он недоступен или ответил с ошибкой. Попробуйте ещё раз или войдите по паролю.",
            "Sign-in through the external provider could not be completed: it is unreachable or answered with an error. Try again, or sign in with your password.",
        ),
    )
}

/// Sends a request to the provider and reads its JSON answer; any failure
/// is the provider's.
async fn provider_json<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> AppResult<T> {
    request
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(provider_error)?
        .json()
        .await
        .map_err(provider_error)
}

impl Oidc {
    /// The provider from configuration, or `None` when no issuer is set.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Oidc>> {
        let Some(issuer) = config.oidc.oidc_issuer.clone() else {
            return Ok(None);
        };
        anyhow::ensure!(
            !config.oidc.oidc_client_id.is_empty(),
            "VECHE_OIDC_CLIENT_ID is required when VECHE_OIDC_ISSUER is set"
        );
        let redirect = RedirectUrl::new(format!("{}/auth/oidc/callback", config.base_url()))?;
        // No redirects: a token endpoint that redirects is misconfigured or
        // hostile (the oauth2 crate's advice).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .build()?;
        Ok(Some(Oidc {
            config: config.oidc.clone(),
            issuer,
            redirect,
            http,
            metadata: OnceCell::new(),
        }))
    }

    pub fn display_name(&self) -> &str {
        &self.config.oidc_name
    }

    async fn metadata(&self) -> AppResult<&Metadata> {
        self.metadata
            .get_or_try_init(|| async {
                let url = format!(
                    "{}/.well-known/openid-configuration",
                    self.issuer.as_str().trim_end_matches('/')
                );
                let md: Metadata = provider_json(self.http.get(&url)).await?;
                if md.issuer.trim_end_matches('/') != self.issuer.as_str().trim_end_matches('/') {
                    return Err(provider_error(format!("issuer mismatch: {}", md.issuer)));
                }
                Ok(md)
            })
            .await
    }
}

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// `GET /auth/oidc/start`: sends the browser to the provider.
pub async fn start(
    State(oidc): State<Option<Arc<Oidc>>>,
    session: Session,
    Query(q): Query<StartQuery>,
) -> AppResult<Response> {
    let oidc = oidc.as_ref().ok_or_else(AppError::not_found)?;
    let md = oidc.metadata().await?;
    let client = BasicClient::new(ClientId::new(oidc.config.oidc_client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(md.authorization_endpoint.clone()))
        .set_redirect_uri(oidc.redirect.clone());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(
            oidc.config
                .oidc_scopes
                .split_whitespace()
                .map(|s| Scope::new(s.to_owned())),
        )
        .add_extra_param("nonce", nonce.secret())
        .set_pkce_challenge(challenge)
        .url();
    session
        .insert(
            PENDING_KEY,
            Pending {
                state: csrf.secret().clone(),
                verifier: verifier.secret().clone(),
                next: safe_next(q.next.as_deref()),
            },
        )
        .await
        .map_err(|e| AppError::Unavailable(anyhow::anyhow!("session store: {e}")))?;
    Ok(Redirect::to(url.as_str()).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn expired() -> AppError {
    AppError::bad_request(
        "oidc_state",
        Msg::new(
            "Попытка входа устарела или была начата в другом окне. Начните вход заново.",
            "This sign-in attempt has expired or was started in another window. Please start again.",
        ),
    )
}

/// `GET /auth/oidc/callback`: the provider sends the browser back here.
pub async fn callback(
    State(oidc): State<Option<Arc<Oidc>>>,
    State(db): State<Db>,
    session: Session,
    Query(q): Query<CallbackQuery>,
) -> AppResult<Response> {
    let oidc = oidc.as_ref().ok_or_else(AppError::not_found)?;
    let pending: Pending = session
        .remove(PENDING_KEY)
        .await
        .map_err(|e| AppError::Unavailable(anyhow::anyhow!("session store: {e}")))?
        .ok_or_else(expired)?;
    if let Some(error) = q.error {
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        return Err(AppError::client(
            StatusCode::UNAUTHORIZED,
            "oidc_denied",
            Msg::new(
                format!(
                    "Внешний сервис не подтвердил вход ({error}). Вы можете попробовать снова или войти по паролю."
                ),
                format!(
                    "The provider did not confirm the sign-in ({error}). You can try again or sign in with your password."
                ),
            ),
        ));
    }
    let (Some(code), Some(returned_state)) = (q.code, q.state) else {
        return Err(expired());
    };
    if !bool::from(returned_state.as_bytes().ct_eq(pending.state.as_bytes())) {
        return Err(expired());
    }
    let md = oidc.metadata().await?;
    let mut client = BasicClient::new(ClientId::new(oidc.config.oidc_client_id.clone()))
        .set_token_uri(TokenUrl::from_url(md.token_endpoint.clone()))
        .set_redirect_uri(oidc.redirect.clone());
    if let Some(secret) = &oidc.config.oidc_client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
    }
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&oidc.http)
        .await
        .map_err(provider_error)?;
    let claims: Value = provider_json(
        oidc.http
            .get(md.userinfo_endpoint.clone())
            .bearer_auth(token.access_token().secret()),
    )
    .await?;
    let account_id = resolve_account(&db, &md.issuer, &oidc.config, &claims).await?;
    sign_in(&session, account_id).await?;
    tracing::info!(account_id, "signed in through OIDC");
    Ok(Redirect::to(&pending.next).into_response())
}

/// Finds or creates the account of the provider's subject, in one transaction.
async fn resolve_account(
    db: &Db,
    issuer: &str,
    config: &OidcConfig,
    claims: &Value,
) -> AppResult<i64> {
    let str_claim = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let subject = str_claim("sub").ok_or_else(|| provider_error("userinfo without sub"))?;
    let verified_email = match (str_claim("email"), claims.get("email_verified")) {
        (Some(e), Some(Value::Bool(true))) => crate::auth::domain::Email::parse(e).ok(),
        _ => None,
    };
    let name = str_claim("name")
        .map(str::to_owned)
        .or_else(|| {
            let parts: Vec<&str> = ["given_name", "family_name"]
                .iter()
                .filter_map(|k| str_claim(k))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
        .unwrap_or_else(|| "Житель".to_owned());
    let name: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
    let municipality = claims
        .get(&config.oidc_municipality_claim)
        .and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .and_then(|v| geography().find(&v));

    let mut tx = db.begin().await?;
    let account_id = match queries::account_by_identity(&mut tx, issuer, subject).await? {
        Some(id) => id,
        None => {
            let existing = match &verified_email {
                Some(e) => queries::account_by_email_tx(&mut tx, &e.normalised).await?,
                None => None,
            };
            let id = match existing {
                Some(a) => {
                    if a.email_confirmed_at.is_none() {
                        // Nobody proved this address before the provider did:
                        // whoever registered it (perhaps to wait for its owner,
                        // a pre-account takeover) loses the password, the name
                        // and every session they set; the owner keeps the rest.
                        queries::reset_unproven_account(&mut tx, a.account_id, &name).await?;
                        queries::delete_sessions(&mut tx, a.account_id).await?;
                        tracing::warn!(
                            account_id = a.account_id,
                            "unconfirmed account claimed through the provider: password and sessions dropped"
                        );
                    }
                    queries::confirm_email(&mut tx, a.account_id).await?;
                    a.account_id
                }
                None => {
                    queries::insert_account(
                        &mut tx,
                        &queries::NewAccount {
                            email: verified_email
                                .as_ref()
                                .map(|e| (e.address.as_str(), e.normalised.as_str())),
                            display_name: &name,
                            password_hash: None,
                            email_confirmed: verified_email.is_some(),
                            municipality: None,
                            locale: "ru",
                        },
                    )
                    .await?
                }
            };
            queries::link_identity(&mut tx, issuer, subject, id).await?;
            id
        }
    };
    if let Some(account) = queries::account_by_id_tx(&mut tx, account_id).await?
        && account.disabled_at.is_some()
    {
        return Err(AppError::forbidden());
    }
    if let Some(m) = municipality {
        queries::set_municipality(&mut tx, account_id, &m.id, "verified").await?;
    }
    tx.commit().await?;
    Ok(account_id)
}
