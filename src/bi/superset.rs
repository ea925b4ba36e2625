//! Apache Superset beside veche (docs/BI.md, "Superset"): dashboards built
//! on the `mart_*` relations, embedded in veche's pages with Superset's
//! embedded SDK. Superset trusts a *guest token* that veche signs with a
//! secret both share (HS256 JWT, Superset's `GUEST_TOKEN_JWT_SECRET`); the
//! token names the one dashboard it opens and carries the viewer's scope
//! as a row-level-security clause, so a vice-governor's officer sees only
//! their portfolio's rows whatever the dashboard asks for. The token names
//! no person: the user is `veche-<account id>`, with no real name.
//!
//! The signing is written by hand over `hmac` and `sha2` (already used for
//! the integration's signatures): an HS256 JWT is one HMAC over two
//! base64url JSON parts, and a JWT crate would add a second copy of both
//! for no gain. `verify` is here too, for the tests and for anyone
//! checking a token by hand.
//!
//! The settings are read at each request from the environment, then from
//! `<data dir>/superset.env` (`NAME=value` lines), so dashboards can be
//! added without a restart and a test can configure its own app.
//!
//! It also writes the dataset files the provisioning script registers in
//! Superset (`veche bi superset-datasets DIR`), from the same definitions
//! as the views.

use std::path::Path;
use std::time::Duration;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use maud::html;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::MartDef;
use super::scope::Scope;
use crate::app::AppState;
use crate::auth::Core;
use crate::error::{AppError, AppResult, Msg};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};

/// How long a guest token lives; the SDK asks for a new one before it ends.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// The dashboard id that only whole-region readers open.
pub const REGION: &str = "region";

/// One embedded dashboard: veche's id for it (a portfolio's directory id,
/// or `region`) and Superset's embedded UUID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub id: String,
    pub uuid: String,
}

/// Where Superset is and what veche shares with it.
#[derive(Debug, Clone, Default)]
pub struct SupersetConfig {
    /// Superset's address as the viewer's browser reaches it
    /// (`VECHE_SUPERSET_URL`), without a trailing slash.
    pub url: Option<String>,
    /// The shared secret (`VECHE_SUPERSET_GUEST_SECRET`, Superset's
    /// `GUEST_TOKEN_JWT_SECRET`).
    pub secret: Option<String>,
    /// `VECHE_SUPERSET_AUDIENCE`, Superset's `GUEST_TOKEN_JWT_AUDIENCE`.
    pub audience: String,
    /// `VECHE_SUPERSET_DASHBOARDS`: `id=uuid,id=uuid`.
    pub dashboards: Vec<Dashboard>,
}

const KEYS: [&str; 4] = [
    "VECHE_SUPERSET_URL",
    "VECHE_SUPERSET_GUEST_SECRET",
    "VECHE_SUPERSET_AUDIENCE",
    "VECHE_SUPERSET_DASHBOARDS",
];

impl SupersetConfig {
    /// The environment first, then `<data dir>/superset.env`.
    pub fn load(data_dir: &Path) -> SupersetConfig {
        let file = std::fs::read_to_string(data_dir.join("superset.env")).unwrap_or_default();
        let from_file = |key: &str| {
            file.lines()
                .filter_map(|l| l.trim().split_once('='))
                .find(|(k, _)| k.trim() == key)
                .map(|(_, v)| v.trim().to_owned())
        };
        SupersetConfig::from_values(|key| {
            std::env::var(key)
                .ok()
                .or_else(|| from_file(key))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
    }

    /// From a lookup of the `VECHE_SUPERSET_*` names. Malformed dashboard
    /// entries are skipped with a warning rather than stopping the site.
    pub fn from_values(get: impl Fn(&str) -> Option<String>) -> SupersetConfig {
        debug_assert!(KEYS.iter().all(|k| k.starts_with("VECHE_SUPERSET_")));
        let mut dashboards = Vec::new();
        for entry in get("VECHE_SUPERSET_DASHBOARDS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            match entry.split_once('=').and_then(|(id, uuid)| {
                let uuid = uuid::Uuid::parse_str(uuid.trim()).ok()?;
                let id = id.trim();
                is_slug(id).then(|| Dashboard {
                    id: id.to_owned(),
                    uuid: uuid.to_string(),
                })
            }) {
                Some(d) => dashboards.push(d),
                None => tracing::warn!(
                    entry,
                    "VECHE_SUPERSET_DASHBOARDS: an entry is not id=uuid; skipped"
                ),
            }
        }
        SupersetConfig {
            url: get("VECHE_SUPERSET_URL").map(|u| u.trim_end_matches('/').to_owned()),
            secret: get("VECHE_SUPERSET_GUEST_SECRET"),
            audience: get("VECHE_SUPERSET_AUDIENCE").unwrap_or_else(|| "superset".into()),
            dashboards,
        }
    }

    /// Both the address and the secret are set.
    pub fn is_ready(&self) -> bool {
        self.url.is_some() && self.secret.is_some()
    }

    pub fn dashboard(&self, id: &str) -> Option<&Dashboard> {
        self.dashboards.iter().find(|d| d.id == id)
    }

    /// Superset's origin, for the page's `frame-src`.
    pub fn origin(&self) -> Option<String> {
        let url = url::Url::parse(self.url.as_deref()?).ok()?;
        matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Whether a viewer in `scope` may open a dashboard: whole-region readers
/// any, others only their own portfolios'.
pub fn may_see(scope: &Scope, d: &Dashboard) -> bool {
    match scope {
        Scope::All => true,
        Scope::Within { portfolios, .. } => portfolios.contains(&d.id),
    }
}

/// The user Superset records for the session: no real name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestUser {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// A row-level-security rule without `dataset`: Superset applies it to
/// every dataset of the dashboard (all of them carry `portfolio_id` and
/// `organisation_id`; the example dashboards use scoped relations only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RlsRule {
    pub clause: String,
}

/// The claims Superset's `SupersetSecurityManager.parse_jwt_guest_token`
/// reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestClaims {
    pub user: GuestUser,
    pub resources: Vec<Resource>,
    pub rls_rules: Vec<RlsRule>,
    pub iat: i64,
    pub exp: i64,
    pub aud: String,
    #[serde(rename = "type")]
    pub kind: String,
}

impl GuestClaims {
    /// The claims for one viewer and one dashboard at `now` (Unix seconds).
    pub fn new(
        account_id: i64,
        dashboard_uuid: &str,
        scope: &Scope,
        audience: &str,
        now: i64,
    ) -> GuestClaims {
        GuestClaims {
            user: GuestUser {
                username: format!("veche-{account_id}"),
                first_name: "veche".into(),
                last_name: "guest".into(),
            },
            resources: vec![Resource {
                kind: "dashboard".into(),
                id: dashboard_uuid.to_owned(),
            }],
            rls_rules: scope
                .clause()
                .map(|clause| vec![RlsRule { clause }])
                .unwrap_or_default(),
            iat: now,
            exp: now + TOKEN_LIFETIME.as_secs() as i64,
            aud: audience.to_owned(),
            kind: "guest".into(),
        }
    }
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

fn mac(secret: &str) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length")
}

/// The signed token (`header.claims.signature`, each base64url).
pub fn sign(claims: &GuestClaims, secret: &str) -> String {
    let body = serde_json::to_vec(claims).expect("the claims are plain data");
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(body)
    );
    let mut m = mac(secret);
    m.update(signed.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{signed}.{sig}")
}

/// Why a token is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("not a JWT")]
    Malformed,
    #[error("not HS256")]
    Algorithm,
    #[error("the signature does not match")]
    Signature,
    #[error("expired")]
    Expired,
    #[error("for another audience")]
    Audience,
    #[error("not a guest token")]
    Kind,
}

/// Checks a token as Superset does (signature, algorithm, expiry,
/// audience, `type`), and returns its claims.
pub fn verify(
    token: &str,
    secret: &str,
    audience: &str,
    now: i64,
) -> Result<GuestClaims, TokenError> {
    let mut parts = token.split('.');
    let (Some(h), Some(b), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or(TokenError::Malformed)?;
    if header["alg"] != "HS256" {
        return Err(TokenError::Algorithm);
    }
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| TokenError::Malformed)?;
    let mut m = mac(secret);
    m.update(format!("{h}.{b}").as_bytes());
    m.verify_slice(&sig).map_err(|_| TokenError::Signature)?;
    let claims: GuestClaims = URL_SAFE_NO_PAD
        .decode(b)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(TokenError::Malformed)?;
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    if claims.aud != audience {
        return Err(TokenError::Audience);
    }
    if claims.kind != "guest" {
        return Err(TokenError::Kind);
    }
    Ok(claims)
}

crate::texts!(pub SupersetTexts {
    title: "Панели Superset", "Superset dashboards";
    intro: "Панели аналитической платформы Superset, построенные на отношениях mart_*. Каждая показывает только строки вашего портфеля.", "Dashboards of the Superset BI platform, built on the mart_* relations. Each shows only the rows of your portfolio.";
    off: "Superset не подключён: администратор задаёт VECHE_SUPERSET_URL, VECHE_SUPERSET_GUEST_SECRET и VECHE_SUPERSET_DASHBOARDS (docs/BI.md). Те же показатели доступны в конструкторе отчётов.", "Superset is not connected: an administrator sets VECHE_SUPERSET_URL, VECHE_SUPERSET_GUEST_SECRET and VECHE_SUPERSET_DASHBOARDS (docs/BI.md). The same figures are in the report explorer.";
    none: "Вам не открыта ни одна панель.", "No dashboard is open to you.";
    region: "Весь край", "The whole region";
    portfolio: "Портфель", "Portfolio";
    loading: "Панель загружается из Superset. Если она не появилась, Superset недоступен: те же показатели есть в конструкторе отчётов и в словаре данных.", "The dashboard is loading from Superset. If it does not appear, Superset cannot be reached: the same figures are in the report explorer and the data dictionary.";
    dictionary: "Словарь данных", "Data dictionary";
    frame: "Панель Superset", "Superset dashboard";
});

fn name_of(
    id: &str,
    names: &std::collections::BTreeMap<String, String>,
    t: &SupersetTexts,
) -> String {
    if id == REGION {
        return t.region.to_owned();
    }
    names.get(id).cloned().unwrap_or_else(|| id.to_owned())
}

async fn names(
    state: &AppState,
    l: Locale,
) -> AppResult<std::collections::BTreeMap<String, String>> {
    let orgs = crate::directory::tree::org_map(&state.db).await?;
    Ok(orgs
        .into_iter()
        .map(|(id, o)| {
            let name = match l {
                Locale::Ru => o.short_name_ru.clone(),
                Locale::En => o.short_name_en.clone(),
            };
            (id, name)
        })
        .collect())
}

/// `GET /bi/dashboards`: the dashboards the viewer may open.
pub async fn list(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = SupersetTexts::get(l);
    let cfg = SupersetConfig::load(&state.config.data_dir);
    let scope = Scope::of(&state.db, &user).await?;
    let names = names(&state, l).await?;
    let open: Vec<&Dashboard> = cfg
        .dashboards
        .iter()
        .filter(|d| may_see(&scope, d))
        .collect();
    let main = html! {
        h1 { (t.title) }
        p { (t.intro) }
        @if !cfg.is_ready() {
            p.notice #superset-off { (t.off) }
        } @else if open.is_empty() {
            p #superset-none { (t.none) }
        } @else {
            ul #superset-dashboards {
                @for d in &open {
                    li { a href={ "/bi/dashboards/" (d.id) } { (name_of(&d.id, &names, t)) } }
                }
            }
        }
        p { a href="/bi/schema" { (t.dictionary) } }
    };
    Ok(Page::new(&ctx, t.title).render(main))
}

/// The dashboard the viewer asked for, if it exists and they may open it.
async fn allowed(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: &str,
) -> AppResult<(SupersetConfig, Dashboard)> {
    let cfg = SupersetConfig::load(&state.config.data_dir);
    let d = cfg.dashboard(id).cloned().ok_or_else(AppError::not_found)?;
    let scope = Scope::of(&state.db, user).await?;
    if !may_see(&scope, &d) {
        return Err(AppError::forbidden());
    }
    Ok((cfg, d))
}

/// `GET /bi/dashboards/{id}`: the dashboard in Superset's frame, with a
/// text fallback when Superset is not connected or cannot be reached.
pub async fn page(
    ctx: PageCtx,
    Core(user): Core,
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let t = SupersetTexts::get(l);
    let (cfg, d) = allowed(&state, &user, &id).await?;
    let names = names(&state, l).await?;
    let title = format!("{} — {}", t.title, name_of(&d.id, &names, t));
    let origin = cfg.origin().filter(|_| cfg.is_ready());
    let main = html! {
        h1 { (title) }
        @match (&origin, &cfg.url) {
            (Some(_), Some(url)) => {
                p #superset-fallback role="status" { (t.loading) " " a href="/bi/schema" { (t.dictionary) } }
                div.superset-dashboard #superset-dashboard
                    data-superset-url=(url)
                    data-dashboard=(d.uuid)
                    data-token-url={ "/bi/dashboards/" (d.id) "/token" }
                    data-frame-title=(t.frame) {}
            }
            _ => { p.notice #superset-off { (t.off) } }
        }
    };
    let mut page = Page::new(&ctx, &title).crumb(t.title, "/bi/dashboards");
    if origin.is_some() {
        page = page
            .script("vendor/superset-embedded-sdk/index.js")
            .script("js/bi-dashboard.js");
    }
    let mut response = page.render(main);
    if let Some(origin) = origin {
        // The site's policy with Superset's origin allowed in a frame
        // (the SDK's iframe); everything else as everywhere.
        let csp = format!(
            "default-src 'self'; img-src 'self' data: blob: https: http:; style-src 'self' 'unsafe-inline'; \
             script-src 'self'; connect-src 'self'; frame-src {origin}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
        );
        if let Ok(v) = HeaderValue::from_str(&csp) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    Ok(response)
}

#[derive(Serialize)]
struct TokenBody {
    token: String,
}

/// `POST /bi/dashboards/{id}/token` (session and CSRF header): a guest
/// token for the viewer's scope, for the page's script.
pub async fn token(
    Core(user): Core,
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
) -> AppResult<Response> {
    let (cfg, d) = allowed(&state, &user, &id).await?;
    let Some(secret) = cfg.secret.as_deref().filter(|_| cfg.is_ready()) else {
        return Err(AppError::conflict(
            "superset_off",
            Msg::new(
                "Superset не подключён к veche.",
                "Superset is not connected to veche.",
            ),
        ));
    };
    let scope = Scope::of(&state.db, &user).await?;
    let now = crate::db::now().unix_timestamp();
    let claims = GuestClaims::new(user.account_id, &d.uuid, &scope, &cfg.audience, now);
    let mut response = axum::Json(TokenBody {
        token: sign(&claims, secret),
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The dashboards' routes, merged into `bi::router`.
pub fn router() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/bi/dashboards", get(list))
        .route("/bi/dashboards/{id}", get(page))
        .route("/bi/dashboards/{id}/token", post(token))
}

/// A JSON string, which is also a YAML double-quoted scalar.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// The dataset file of one relation, for `deploy/bi/provision.py`: the
/// relation, its columns with types and meanings, the time column, and the
/// metrics the explorer offers (count, the on-time share, sums and means of
/// its measures).
pub fn dataset_yaml(d: &MartDef) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let en = |l: &crate::web::i18n::Label| l.get(Locale::En).to_owned();
    let _ = writeln!(
        out,
        "# Generated by `veche bi superset-datasets deploy/bi/datasets` from the\n# relation's definition: do not edit (a test compares it)."
    );
    let _ = writeln!(out, "table_name: {}", d.name);
    let _ = writeln!(out, "schema: public");
    let _ = writeln!(out, "verbose_name: {}", quoted(&en(&d.title)));
    let _ = writeln!(out, "description: {}", quoted(&en(&d.about)));
    let _ = writeln!(out, "scoped: {}", d.scoped);
    if !d.period.is_empty() {
        let _ = writeln!(out, "main_dttm_col: {}", d.period);
    }
    let _ = writeln!(out, "columns:");
    for c in d.columns {
        let ty = match c.ty {
            super::Type::Text | super::Type::Date | super::Type::Month => "STRING",
            super::Type::Integer | super::Type::Flag => "INTEGER",
            super::Type::Real => "FLOAT",
        };
        let _ = writeln!(out, "  - column_name: {}", c.name);
        let _ = writeln!(out, "    verbose_name: {}", quoted(&en(&c.label)));
        let _ = writeln!(out, "    description: {}", quoted(&en(&c.about)));
        let _ = writeln!(out, "    type: {ty}");
        let _ = writeln!(out, "    groupby: {}", c.usage == super::Use::Dimension);
        let _ = writeln!(out, "    filterable: {}", c.usage != super::Use::Measure);
        let _ = writeln!(out, "    is_dttm: {}", c.name == d.period);
        if c.name == d.period {
            // A Moscow date as text: Superset reads it with this format.
            let _ = writeln!(out, "    python_date_format: \"%Y-%m-%d\"");
        }
    }
    let _ = writeln!(out, "metrics:");
    let mut metric = |name: String, expr: String, label: String| {
        let _ = writeln!(out, "  - metric_name: {name}");
        let _ = writeln!(out, "    expression: {}", quoted(&expr));
        let _ = writeln!(out, "    verbose_name: {}", quoted(&label));
    };
    metric("count".into(), "count(*)".into(), "Rows".into());
    if let Some(f) = d.on_time {
        metric(
            "on_time_percent".into(),
            format!("avg({f}) * 100.0"),
            "On time, %".into(),
        );
    }
    for c in d.columns.iter().filter(|c| c.usage == super::Use::Measure) {
        let label = en(&c.label);
        metric(
            format!("sum__{}", c.name),
            format!("sum({})", c.name),
            format!("{label}: sum"),
        );
        metric(
            format!("avg__{}", c.name),
            format!("avg({})", c.name),
            format!("{label}: mean"),
        );
    }
    out
}

/// `veche bi superset-datasets DIR`: one file per relation (but
/// `mart_schema`, which is not data), named `<relation>.yaml`; returns
/// the names written.
pub fn write_datasets(defs: &[&MartDef], dir: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for d in defs.iter().filter(|d| d.name != "mart_schema") {
        let file = dir.join(format!("{}.yaml", d.name));
        std::fs::write(&file, dataset_yaml(d))?;
        written.push(file.display().to_string());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_with_its_secret_audience_and_time() {
        let scope = Scope::Within {
            portfolios: vec!["vg-economy".into()],
            organisations: vec![],
        };
        let c = GuestClaims::new(
            7,
            "0d5c2a3e-3d4f-4c1b-9e55-1f0a7a1b2c3d",
            &scope,
            "superset",
            1_000,
        );
        let t = sign(&c, "secret");
        assert_eq!(verify(&t, "secret", "superset", 1_001), Ok(c.clone()));
        assert_eq!(
            verify(&t, "other", "superset", 1_001),
            Err(TokenError::Signature)
        );
        assert_eq!(
            verify(&t, "secret", "other", 1_001),
            Err(TokenError::Audience)
        );
        assert_eq!(
            verify(&t, "secret", "superset", 1_300),
            Err(TokenError::Expired)
        );
        assert_eq!(
            verify("a.b", "secret", "superset", 0),
            Err(TokenError::Malformed)
        );
        assert_eq!(c.rls_rules[0].clause, "(portfolio_id in ('vg-economy'))");
        assert!(
            GuestClaims::new(7, "x", &Scope::All, "superset", 0)
                .rls_rules
                .is_empty()
        );
    }

    #[test]
    fn dashboards_are_id_equals_uuid() {
        let cfg = SupersetConfig::from_values(|k| {
            match k {
            "VECHE_SUPERSET_DASHBOARDS" => Some(
                "vg-economy=0d5c2a3e-3d4f-4c1b-9e55-1f0a7a1b2c3d, bad, Up=0d5c2a3e-3d4f-4c1b-9e55-1f0a7a1b2c3d,region=nope".into(),
            ),
            "VECHE_SUPERSET_URL" => Some("https://bi.example.ru/".into()),
            _ => None,
        }
        });
        assert_eq!(cfg.dashboards.len(), 1);
        assert_eq!(cfg.url.as_deref(), Some("https://bi.example.ru"));
        assert_eq!(cfg.audience, "superset");
        assert!(!cfg.is_ready());
        assert_eq!(cfg.origin().as_deref(), Some("https://bi.example.ru"));
    }
}
