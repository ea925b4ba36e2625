//! Wiring: the application state, the router with its middleware, and the
//! server with its background workers. Tests build the same state and router.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::auth::oidc::Oidc;
use crate::auth::ratelimit::Limiter;
use crate::auth::session::DbSessionStore;
use crate::config::Config;
use crate::db::Db;
use crate::integration::mail::Mailer;
use crate::opendata::adaptive::AdaptiveIndexes;
use crate::opendata::catalogue::Catalogue;
use crate::search::SearchIndex;
use crate::{auth, directory, geo, opendata, search, web};

/// Everything a handler may need. Cloning is cheap (pools and `Arc`s).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub search: SearchIndex,
    pub mailer: Mailer,
    pub oidc: Option<Arc<Oidc>>,
    // Two fields of one type: neither is a `FromRef` sub-state.
    #[from_ref(skip)]
    pub login_limiter: Limiter,
    /// Registration, password resets and confirmation links (see
    /// `auth::ratelimit`).
    #[from_ref(skip)]
    pub account_limiter: Limiter,
    pub sessions: DbSessionStore,
    pub catalogue: Catalogue,
    pub adaptive: AdaptiveIndexes,
    /// Keeps the SQLite read pool of version tables alive (see
    /// `opendata::sqlite_read`).
    pub sqlite_reads: Option<Arc<opendata::sqlite_read::Readers>>,
    /// Wakes the integration delivery worker (`integration::exchange`).
    pub exchange: crate::integration::exchange::Exchange,
    /// How many expensive requests run at once (web/limits.rs).
    pub gates: web::limits::Gates,
    /// Who may see which stored photo: one rule per feature that stores
    /// photos (`media::access`).
    pub photo_rules: crate::media::PhotoRules,
    /// The registries published as open data (`datasets`).
    pub live_datasets: crate::datasets::LiveDatasets,
    /// Who applies which integration message (`integration::inbound`).
    pub message_handlers: crate::integration::inbound::Handlers,
    /// What features show on the home page (`web::home`).
    pub home: Arc<web::home::HomeSections>,
    /// The priority ranks' live computation and per-account limit.
    pub priorities: crate::participation::priorities::Runtime,
    /// What features add to the pages of requests (`workflow::sections`).
    pub request_sections: crate::workflow::sections::RequestSections,
    /// Requests' pages as those not signed in see them, kept until the next
    /// commit (`workflow::page_cache`).
    pub request_pages: Arc<crate::workflow::page_cache::AnonymousPages>,
    /// The core's projects as roadmaps (`workflow::roadmaps`).
    pub roadmaps: crate::workflow::roadmaps::RoadmapRegistry,
    /// What the personal agenda gathers (`workflow::agenda`).
    pub agenda: crate::workflow::agenda::AgendaRegistry,
    /// The service ratings' current month, computed once for many readers.
    pub services: crate::participation::services::service::Runtime,
    /// The group commit of supports (`workflow::batch`, docs/SCALE.md).
    pub supports: crate::workflow::batch::Supports,
    /// The suggestions' per-account limit of comments.
    #[from_ref(skip)]
    pub suggestions: crate::participation::CommentLimiter,
    /// Law-making's per-account limit of comments.
    #[from_ref(skip)]
    pub lawmaking_comments: crate::participation::CommentLimiter,
    /// The social layer's per-account limit of comments.
    #[from_ref(skip)]
    pub social_comments: crate::participation::CommentLimiter,
    /// The speech recogniser the administrator chose (`speech`).
    pub speech: crate::speech::Speech,
    /// The reporting schema's relations (`bi`).
    pub marts: crate::bi::Marts,
    /// Where photos are kept: a folder or a bucket (`media::store`).
    pub media: crate::media::MediaStore,
    /// A streaming replica for reads that tolerate lag (`db::replica`).
    #[from_ref(skip)]
    pub replica: Option<Db>,
    /// The region's instances when this process is one of several
    /// (`federation`, docs/FEDERATION.md); `None`: one process does it all.
    pub federation: Option<Arc<crate::federation::Federation>>,
}

impl AppState {
    /// Connects to the store (creating the data folder), migrates, loads the
    /// municipalities and, in demo mode, the demo content, and opens the index.
    pub async fn build(config: Config) -> anyhow::Result<AppState> {
        let db = Db::connect(&config).await?;
        AppState::build_with_db(config, db, true).await
    }

    /// For command-line tools: works beside a running server, which then
    /// indexes what the tool enqueues.
    pub async fn build_shared(config: Config) -> anyhow::Result<AppState> {
        let db = Db::connect(&config).await?;
        AppState::build_with_db(config, db, false).await
    }

    pub async fn build_with_db(
        config: Config,
        db: Db,
        own_index: bool,
    ) -> anyhow::Result<AppState> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data folder {}",
                config.data_dir.display()
            )
        })?;
        crate::workflow::kind::install(crate::features::request_kinds());
        let marts = crate::features::bi_marts();
        if config.server.migrate_on_start {
            crate::bi::install::migrate(&db, &marts)
                .await
                .context("database migrations failed")?;
        }
        let search = if own_index {
            SearchIndex::open(&config.index_dir(), crate::features::search_sources())?
        } else {
            SearchIndex::open_shared(&config.index_dir(), crate::features::search_sources())?
        };
        let mut tx = db.begin().await?;
        geo::seed(&mut tx).await?;
        if config.server.demo {
            let added = directory::seed_demo(&mut tx).await?;
            if added > 0 {
                tracing::info!(added, "demo organisations loaded");
            }
        }
        // Categories name organisations, so they come after the directory.
        let added = crate::workflow::routing::seed_categories(&mut tx).await?;
        if added > 0 {
            tracing::info!(added, "problem categories loaded");
        }
        if config.server.demo {
            let added = crate::pm::seed::seed_demo(&mut tx).await?;
            if added > 0 {
                tracing::info!(added, "demo projects loaded");
            }
        }
        tx.commit().await?;
        // A new index, or one behind the search log, is built from the
        // database; otherwise the writer catches up from its cursor.
        if let Some(n) = search.prepare(&db).await? {
            tracing::info!(documents = n, "search index built");
        }
        let federation =
            crate::federation::Federation::from_env(&config.integration.instance_id)?.map(Arc::new);
        if let Some(f) = &federation {
            let joined = crate::federation::keys::register_partners(&db, f).await?;
            if f.portal().id == f.this().id && !joined.is_empty() {
                let mut tx = db.begin().await?;
                for id in &joined {
                    directory::master::introduce(&mut tx, id).await?;
                }
                tx.commit().await?;
            }
        }
        let mailer = Mailer::from_config(&config)?;
        let oidc = Oidc::from_config(&config)?.map(Arc::new);
        let db_for_reads = db.clone();
        let config_limits = config.limits.clone();
        let exchange = crate::integration::exchange::Exchange::new(
            config.integration.outbound_allow_hosts.clone(),
        );
        let speech = crate::speech::Speech::from_env(
            &config.data_dir,
            config.integration.outbound_allow_hosts.clone(),
        )?;
        let media = crate::media::MediaStore::from_env(&config.media_dir())?;
        let replica = crate::db::replica::connect_from_env(config.db_max_connections).await?;
        let state = AppState {
            media,
            replica,
            speech,
            login_limiter: Limiter::new(
                config.server.login_attempts_per_minute,
                config.server.login_attempts_per_minute,
            ),
            account_limiter: Limiter::new(
                config.server.account_actions_per_minute,
                config.server.account_mails_per_minute,
            ),
            sessions: DbSessionStore::new(db.clone()),
            config: Arc::new(config),
            db,
            search,
            mailer,
            oidc,
            catalogue: Catalogue::default(),
            adaptive: AdaptiveIndexes::default(),
            sqlite_reads: match &db_for_reads {
                Db::Sqlite(pool) => opendata::store::sqlite_readers(pool),
                Db::Postgres(_) => None,
            },
            exchange,
            gates: web::limits::Gates::from_config(&config_limits),
            photo_rules: crate::features::photo_rules(),
            live_datasets: crate::features::live_datasets(),
            message_handlers: crate::features::message_handlers(),
            home: Arc::new(crate::features::home_sections()),
            priorities: Default::default(),
            services: Default::default(),
            supports: crate::workflow::batch::Supports::from_env(),
            suggestions: Default::default(),
            lawmaking_comments: Default::default(),
            social_comments: Default::default(),
            request_sections: crate::features::request_sections(),
            request_pages: Arc::new(
                crate::workflow::page_cache::AnonymousPages::new(&db_for_reads).await,
            ),
            roadmaps: crate::features::roadmaps(),
            agenda: crate::features::agenda_sources(),
            marts,
            federation,
        };
        opendata::start(&state).await?;
        // What loading enqueued for the index is indexed before serving.
        state.search.drain(&state.db).await?;
        Ok(state)
    }
}

/// The whole application: every feature's routes and the middleware stack.
pub fn router(state: AppState) -> Router {
    // The metrics recorder must exist before the first request is counted.
    web::ops::prometheus();
    let config = state.config.clone();
    let secure = config.secure_cookies();
    // HSTS only when the site is reached over HTTPS: sent over plain HTTP it
    // is ignored by browsers at best, and would pin a misconfigured site.
    let hsts = config
        .serves_https()
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    let sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name("veche_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(
            config.server.session_days,
        )));

    let x_request_id = HeaderName::from_static("x-request-id");
    // Outermost first: request id, trace span, security headers, error
    // rendering (inside the span, so errors are logged with their request;
    // inside the headers, so error pages get them), compression, CSRF,
    // sessions.
    let stack = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(x_request_id.clone(), MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                // The route pattern, never the raw path or query: those may
                // carry tokens, e-mails or a citizen's coordinates.
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                tracing::info_span!("request", method = %request.method(), route, request_id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(x_request_id))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data: blob: https: http:; style-src 'self' 'unsafe-inline'; \
                 script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
            ),
        ))
        .option_layer(hsts.map(|v| {
            SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, v)
        }))
        // Inside the security headers, so error pages carry them too.
        .layer(middleware::from_fn(web::errors::render_errors))
        // A panic in a handler becomes a 500 for that request (rendered and
        // logged by the layer above) instead of a dropped connection. Aborts
        // (stack overflow, failed allocation) cannot be caught: those are
        // made impossible by the parsers' limits (web/limits.rs).
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(move |req, next| web::csrf::protect(secure, req, next)))
        // Read-your-writes with a replica (db/replica.rs).
        .option_layer(state.replica.is_some().then(|| {
            middleware::from_fn(move |req, next| crate::db::replica::mark_writes(secure, req, next))
        }))
        .layer(sessions);

    Router::new()
        .merge(web::router(api_doc()))
        .merge(auth::router())
        .merge(geo::router())
        .merge(directory::router())
        .merge(search::router())
        .merge(opendata::router())
        .merge(crate::workflow::router())
        .merge(crate::issues::router())
        .merge(crate::media::router())
        .merge(crate::pm::router())
        .merge(crate::integration::push::router())
        .merge(crate::construction::router())
        .merge(crate::participation::router())
        .merge(crate::staffing::router())
        .merge(crate::courts::router())
        .merge(crate::planner::router())
        .merge(crate::rankings::router())
        .merge(crate::reports::router())
        .merge(crate::press::router())
        .merge(crate::demo::pages::router())
        .merge(crate::bi::router())
        .route(
            "/api/v1/integration/messages",
            axum::routing::post(crate::integration::inbound::receive),
        )
        .route(
            "/admin/integration",
            axum::routing::get(crate::integration::admin::show)
                .post(crate::integration::admin::create),
        )
        .route(
            "/admin/integration/toggle",
            axum::routing::post(crate::integration::admin::toggle),
        )
        .route(
            "/admin/integration/retry",
            axum::routing::post(crate::integration::admin::retry),
        )
        .route(
            "/admin/integration/medo",
            axum::routing::get(crate::integration::medo::admin::show),
        )
        .route(
            "/admin/integration/medo/pending/{id}",
            axum::routing::post(crate::integration::medo::admin::resolve),
        )
        .route(
            "/admin/integration/medo/organisations",
            axum::routing::post(crate::integration::medo::admin::set_uid),
        )
        .route_layer(middleware::from_fn(web::ops::track))
        .fallback(|| async { crate::error::AppError::not_found() })
        .layer(DefaultBodyLimit::max(
            config.server.max_body_mb * 1024 * 1024,
        ))
        .layer(stack)
        .with_state(state)
}

/// `/api/openapi.json`: the shared part with every feature's fragment; the
/// list lives here, where the features are wired, so `web` names none.
fn api_doc() -> utoipa::openapi::OpenApi {
    web::api_docs::document([
        geo::openapi::fragment(),
        directory::openapi::fragment(),
        crate::issues::openapi::fragment(),
        opendata::openapi::fragment(),
        crate::construction::openapi::fragment(),
        crate::integration::openapi::fragment(),
        crate::participation::priorities::api::fragment(),
        crate::participation::services::api::fragment(),
        crate::participation::suggestions::api::fragment(),
        crate::participation::lawmaking::api::fragment(),
        crate::participation::social::galleries::api::fragment(),
        crate::participation::social::publications::api::fragment(),
    ])
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: TcpListener, router: Router) -> anyhow::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}

/// Starts the background workers of a serving process: search indexing, mail
/// delivery and periodic housekeeping.
pub fn spawn_workers(state: &AppState) {
    tokio::spawn(state.search.clone().run_writer(state.db.clone()));
    tokio::spawn(state.mailer.clone().run(state.db.clone()));
    tokio::spawn(state.exchange.clone().run(state.clone()));
    // The scheduled work below runs on one node of several at a time, under
    // a lease each (db/lease.rs, docs/NODES.md).
    use crate::db::lease;
    // The planner's reminders, due every few seconds (docs/PLANNER.md).
    let reminders = state.clone();
    tokio::spawn(lease::exclusive(
        state.db.clone(),
        "planner.reminders",
        move || crate::planner::reminders::run(reminders.clone()),
    ));
    // Web Push to the phone apps (integration/push).
    tokio::spawn(crate::integration::push::Pusher::new(&state.config).run(state.db.clone()));
    // Media feeds, polled politely (docs/PRESS.md).
    let press = state.clone();
    tokio::spawn(lease::exclusive(
        state.db.clone(),
        "press.poller",
        move || crate::press::poller::run(press.clone()),
    ));
    // МЭДО partners' inbound folders (docs/INTEGRATION.md).
    if state.config.integration.medo_poll {
        tokio::spawn(crate::integration::medo::gateway::run(state.clone()));
    }
    let refresher = state.clone();
    tokio::spawn(lease::every(
        state.db.clone(),
        "opendata.refresh",
        Duration::from_secs(5),
        move || {
            let state = refresher.clone();
            async move { opendata::system::run_refreshes(&state).await.map(|_| ()) }
        },
    ));
    // Each node counts its own downloads in memory: every node writes its
    // counts, whichever holds the refresh lease.
    let counts = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            if let Err(e) = counts.catalogue.downloads.flush(&counts.db).await {
                tracing::warn!(error = %e, "download counts not written; kept for the next round");
            }
        }
    });
    let sweeper = state.clone();
    tokio::spawn(lease::every(
        state.db.clone(),
        "workflow.sweeper",
        Duration::from_secs(60),
        move || {
            let state = sweeper.clone();
            async move {
                crate::workflow::sweeper::sweep(&state)
                    .await
                    .map(|_| ())
                    .map_err(|e| anyhow::anyhow!("{e:#}"))
            }
        },
    ));
    // Features' scheduled work: hourly, and at start when this hour's run
    // has not been done (closing a quarter that ended while the server was
    // down).
    let scheduled = state.clone();
    tokio::spawn(lease::every(
        state.db.clone(),
        "features.scheduled",
        Duration::from_secs(3600),
        move || {
            let state = scheduled.clone();
            async move { crate::features::run_scheduled(&state).await }
        },
    ));
    let sessions = state.sessions.clone();
    let limiters = [state.login_limiter.clone(), state.account_limiter.clone()];
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = sessions.delete_expired().await {
                tracing::warn!(error = %e, "expired session cleanup failed");
            }
            for limiter in &limiters {
                limiter.forget_idle();
            }
        }
    });
}

/// `veche serve`.
/// With the demo on: writes the demo region's missing parts, then opens
/// the demo accounts (loopback) or closes them (any other address).
pub async fn prepare_demo(
    state: &AppState,
    loopback: bool,
) -> anyhow::Result<Vec<crate::demo::accounts::RoleAccount>> {
    if !state.config.server.demo {
        return Ok(Vec::new());
    }
    if state.config.server.demo_region {
        let began = std::time::Instant::now();
        let loaded = crate::demo::ensure(state, &crate::features::demo_parts()).await?;
        if !loaded.parts.is_empty() {
            // What the demo's history left for the scheduled work (a
            // quarter to close) is done before the first page is served.
            crate::features::run_scheduled(state).await?;
            tracing::info!(parts = ?loaded.parts, seconds = began.elapsed().as_secs_f64(), "demo region written");
        }
    }
    crate::demo::accounts::apply(state, loopback).await
}

pub async fn serve_from_config(config: Config) -> anyhow::Result<()> {
    let listen = config.server.listen;
    let state = AppState::build(config).await?;
    let local = state.config.reachable_from_this_machine_only();
    let accounts = prepare_demo(&state, local).await?;
    spawn_workers(&state);
    web::ops::prometheus();
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let local = listener.local_addr()?;
    tracing::info!(
        backend = %state.db.backend(),
        mail = state.mailer.describe(),
        data_dir = %state.config.data_dir.display(),
        "veche is ready"
    );
    if let Some(last) = crate::workflow::sla::russia().ends_soon(crate::db::now().date()) {
        tracing::warn!(%last, "the production calendar ends soon: add the next year to datasets/calendar/production-calendar-ru.csv");
    }
    println!("Veche is running at http://{local}/  (Ctrl-C to stop)");
    if !accounts.is_empty() {
        println!(
            "Demo accounts (password {}), more on http://{local}/demo :",
            crate::demo::accounts::PASSWORD
        );
        for a in &accounts {
            println!("  {:<22} {}", a.role.ru, a.email);
        }
    }
    let router = router(state.clone());
    serve(listener, router).await?;
    // Another node takes this one's jobs at once instead of after the
    // leases' time to live.
    if let Err(e) = crate::db::lease::release_all(&state.db).await {
        tracing::warn!(error = %e, "the job leases were not released");
    }
    state.db.close().await;
    Ok(())
}

/// Turns transparent huge pages off for this process: the first step of
/// every `veche` command (the server, `veche import`…) and of the
/// benchmarks, which serve in-process. Where the kernel
/// gives them to every mapping (`always`, as on the machines here), memory
/// mimalloc returns to the system and takes back is zeroed 2 MiB at a time
/// on each fault: loading a catalogue of 100,000 passports spent 65 % of its
/// time zeroing pages (5.1 s; 1.7 s without), and the catalogue search's
/// p99 in `bench/opendata.sh` was 24 ms against 3.5 ms without
/// (docs/PERFORMANCE.md, "Huge pages"). mimalloc's own switch
/// (`MIMALLOC_ALLOW_THP=0`) is read from the environment before `main`, so
/// it cannot be set from the program; the kernel's per-process flag can.
/// The flag is inherited: the processes the server starts (the offline
/// speech recogniser) run without huge pages too.
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches
    // no memory of ours; a kernel without it answers EINVAL, which is fine.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
