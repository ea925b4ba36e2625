//! Every setting veche reads, in one place. Each has a command-line flag, an
//! environment variable and a default that works on a developer's machine, so
//! `veche --help` is the living documentation of configuration.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use secrecy::SecretString;
use url::Url;

/// Settings shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Folder that holds everything veche writes: the SQLite database, the
    /// search index, uploaded media and the local mailbox.
    #[arg(long, env = "VECHE_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Database to use. Empty means the SQLite file `veche.db` in the data
    /// folder; `postgres://user@host/db` selects PostgreSQL.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<SecretString>,

    /// Maximum number of pooled database connections.
    #[arg(
        long,
        env = "VECHE_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_max_connections: u32,

    /// Log format: `pretty` for people, `json` for log collectors.
    #[arg(
        long,
        env = "VECHE_LOG_FORMAT",
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,

    /// Log filter in `tracing` syntax (RUST_LOG is honoured too).
    #[arg(long, env = "VECHE_LOG", default_value = "info", global = true)]
    pub log: String,

    /// How the open datasets of registries veche keeps (citizens' requests,
    /// constructions, organisations) add versions: `daily` keeps one version
    /// a day, replaced at every change as a preliminary until midnight
    /// (Moscow), then final; `every-change` adds a version at every change.
    #[arg(
        long,
        env = "VECHE_LIVE_VERSIONS",
        value_enum,
        default_value = "daily",
        global = true
    )]
    pub live_versions: LiveVersions,

    #[command(flatten)]
    pub server: ServerConfig,

    #[command(flatten)]
    pub mail: MailConfig,

    #[command(flatten)]
    pub oidc: OidcConfig,

    #[command(flatten)]
    pub integration: IntegrationConfig,

    #[command(flatten)]
    pub limits: LimitsConfig,

    #[command(flatten)]
    pub participation: ParticipationConfig,

    #[command(flatten)]
    pub staffing: StaffingConfig,

    #[command(flatten)]
    pub courts: CourtsConfig,

    #[command(flatten)]
    pub rankings: RankingsConfig,

    #[command(flatten)]
    pub press: PressConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LiveVersions {
    Daily,
    EveryChange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Settings of the web server.
#[derive(Debug, Clone, Args)]
pub struct ServerConfig {
    /// Address and port to listen on.
    #[arg(
        long = "listen",
        env = "VECHE_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// The public address of this site, used in links sent by mail and as the
    /// OAuth2 redirect base. Empty means `http://` + the listen address.
    #[arg(long, env = "VECHE_BASE_URL", global = true)]
    pub base_url: Option<Url>,

    /// Map tile URL template for Leaflet, loaded by the visitor's browser.
    #[arg(
        long,
        env = "VECHE_TILE_URL",
        default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        global = true
    )]
    pub tile_url: String,

    /// Load the demo content (organisation directory and sample records) when
    /// it is missing. Real data (the 44 municipalities) is always loaded.
    #[arg(long, env = "VECHE_DEMO", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub demo: bool,

    /// With the demo on: generate the living demo region on the first start
    /// (reports, construction objects, orders over the demo directory;
    /// docs/ARCHITECTURE.md, "Demo content"). Off leaves the demo directory
    /// and projects only.
    #[arg(long, env = "VECHE_DEMO_REGION", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub demo_region: bool,

    /// How large the generated demo region is, in percent of its full size
    /// (about 600 reports, 200 construction objects, 1,300 orders).
    #[arg(long, env = "VECHE_DEMO_SCALE", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000), global = true)]
    pub demo_scale: u32,

    /// Run database migrations when the server starts. Turn off when a deploy
    /// pipeline runs `veche migrate` itself.
    #[arg(long, env = "VECHE_MIGRATE_ON_START", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub migrate_on_start: bool,

    /// Trust the `X-Forwarded-For` header for the client address (only behind
    /// a reverse proxy that sets it).
    #[arg(long, env = "VECHE_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub trust_proxy: bool,

    /// Sign-in attempts allowed per minute from one address and for one e-mail.
    #[arg(
        long,
        env = "VECHE_LOGIN_ATTEMPTS_PER_MINUTE",
        default_value_t = 5,
        global = true
    )]
    pub login_attempts_per_minute: u32,

    /// Account actions that send mail or hash a password (registration,
    /// password reset request and submission, a new confirmation link)
    /// allowed per minute from one client address.
    #[arg(
        long,
        env = "VECHE_ACCOUNT_ACTIONS_PER_MINUTE",
        default_value_t = 20,
        global = true
    )]
    pub account_actions_per_minute: u32,

    /// Of those, the ones naming one e-mail address allowed per minute (each
    /// sends that address a mail).
    #[arg(
        long,
        env = "VECHE_ACCOUNT_MAILS_PER_MINUTE",
        default_value_t = 3,
        global = true
    )]
    pub account_mails_per_minute: u32,

    /// Bearer token that `/metrics` requires. Empty means `/metrics` is off
    /// (404): the counters describe traffic and are not for everyone.
    #[arg(
        long,
        env = "VECHE_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<SecretString>,

    /// Largest request body accepted, in mebibytes (uploads included).
    #[arg(long, env = "VECHE_MAX_BODY_MB", default_value_t = 32, global = true)]
    pub max_body_mb: usize,

    /// How long a sign-in session lasts without activity, in days.
    #[arg(long, env = "VECHE_SESSION_DAYS", default_value_t = 14, global = true)]
    pub session_days: i64,
}

/// Outgoing mail.
#[derive(Debug, Clone, Args)]
pub struct MailConfig {
    /// SMTP server, e.g. `smtps://user:password@smtp.example.org:465` or
    /// `smtp://127.0.0.1:2525` (plain, for a local relay). Empty means mail is
    /// written as .eml files to `<data-dir>/mailbox/`.
    #[arg(long, env = "VECHE_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<SecretString>,

    /// Sender address of outgoing mail.
    #[arg(
        long,
        env = "VECHE_MAIL_FROM",
        default_value = "Veche <noreply@veche.localhost>",
        global = true
    )]
    pub mail_from: String,

    /// How often moderators hear of requests waiting for them: one digest
    /// per this many minutes at most, and only when something new came in.
    #[arg(
        long,
        env = "VECHE_MODERATION_DIGEST_MINUTES",
        default_value_t = 30,
        global = true
    )]
    pub moderation_digest_minutes: u64,
}

/// Sign-in through an OAuth2 / OpenID Connect provider (e.g. ESIA through a
/// signing gateway, or any OIDC provider). Disabled while the issuer is empty.
#[derive(Debug, Clone, Args)]
pub struct OidcConfig {
    /// Issuer URL; its `/.well-known/openid-configuration` is read at the
    /// first sign-in (so veche starts while the provider is down).
    #[arg(long, env = "VECHE_OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<Url>,

    /// Client id registered with the provider.
    #[arg(long, env = "VECHE_OIDC_CLIENT_ID", default_value = "", global = true)]
    pub oidc_client_id: String,

    /// Client secret registered with the provider.
    #[arg(
        long,
        env = "VECHE_OIDC_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub oidc_client_secret: Option<SecretString>,

    /// Space-separated scopes to request.
    #[arg(
        long,
        env = "VECHE_OIDC_SCOPES",
        default_value = "openid email profile",
        global = true
    )]
    pub oidc_scopes: String,

    /// Name of the provider on the sign-in button.
    #[arg(
        long,
        env = "VECHE_OIDC_NAME",
        default_value = "Госуслуги",
        global = true
    )]
    pub oidc_name: String,

    /// UserInfo claim that carries the citizen's residence as an OKTMO code
    /// (8 or 11 digits) or a municipality name; it marks the residence verified.
    #[arg(
        long,
        env = "VECHE_OIDC_MUNICIPALITY_CLAIM",
        default_value = "oktmo",
        global = true
    )]
    pub oidc_municipality_claim: String,
}

/// The exchange with the project-management core and outside systems
/// (docs/PM.md).
#[derive(Debug, Clone, Args)]
pub struct IntegrationConfig {
    /// The id this instance signs its messages with; partners know it by
    /// this id (`veche partner` on their side).
    #[arg(
        long,
        env = "VECHE_INSTANCE_ID",
        default_value = "veche",
        global = true
    )]
    pub instance_id: String,

    /// Where the project-management core runs: `local` (in this process) or
    /// the id of an `instance` partner that runs it.
    #[arg(long, env = "VECHE_PM_CORE", default_value = "local", global = true)]
    pub pm_core: String,

    /// First retry delay of an undelivered message, in milliseconds; it
    /// doubles with every attempt up to an hour.
    #[arg(
        long,
        env = "VECHE_INTEGRATION_RETRY_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub integration_retry_ms: u64,

    /// Hosts that partner URLs may name although their addresses are not
    /// public (loopback, private, link-local…), as `host[:port]`,
    /// comma-separated; without a port every port of the host is allowed.
    /// Empty: outbound requests reach public addresses only.
    #[arg(
        long,
        env = "VECHE_OUTBOUND_ALLOW_HOSTS",
        value_delimiter = ',',
        global = true
    )]
    pub outbound_allow_hosts: Vec<crate::integration::outbound::AllowedHost>,

    /// This installation's МЭДО participant id (a GUID) it writes and is
    /// addressed by; empty: one derived from the instance id, stable.
    #[arg(long, env = "VECHE_MEDO_UID", default_value = "", global = true)]
    pub medo_uid: String,
    /// The organisation name veche's МЭДО packages are sent under.
    #[arg(
        long,
        env = "VECHE_MEDO_NAME",
        global = true,
        default_value = "Администрация Краснодарского края"
    )]
    pub medo_name: String,
    /// Read МЭДО partners' inbound folders in this process.
    #[arg(long, env = "VECHE_MEDO_POLL", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub medo_poll: bool,
}

impl Config {
    /// The public base URL without a trailing slash.
    pub fn base_url(&self) -> String {
        match &self.server.base_url {
            Some(url) => url.as_str().trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.server.listen),
        }
    }

    /// Whether the public base URL is HTTPS: then cookies get the `Secure`
    /// flag and responses carry `Strict-Transport-Security`.
    pub fn serves_https(&self) -> bool {
        self.server
            .base_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https")
    }

    /// Whether only this machine can reach the site: it listens on a
    /// loopback address, is not behind a reverse proxy, and its public
    /// address (if set) is this machine too. A proxy on the same machine
    /// makes a loopback listener public, so either sign of one counts.
    pub fn reachable_from_this_machine_only(&self) -> bool {
        let host_is_local = |u: &Url| match u.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        self.server.listen.ip().is_loopback()
            && !self.server.trust_proxy
            && self.server.base_url.as_ref().is_none_or(host_is_local)
    }

    /// Cookies get the `Secure` flag when the site is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.serves_https()
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    pub fn mailbox_dir(&self) -> PathBuf {
        self.data_dir.join("mailbox")
    }
}

/// Caps on expensive work, so that a burst of heavy requests (exports, PDF
/// reports, photo decoding, spreadsheet reading, full-text scans of tables)
/// queues or is refused with 503 and `Retry-After` instead of exhausting
/// memory or the CPU for everyone (web/limits.rs).
#[derive(Debug, Clone, Args)]
pub struct LimitsConfig {
    /// Expensive requests (exports, PDF reports, spreadsheet uploads, text
    /// scans of open-data tables) running at once; more wait briefly, then
    /// get 503.
    #[arg(
        long,
        env = "VECHE_EXPENSIVE_CONCURRENCY",
        default_value_t = 4,
        global = true
    )]
    pub expensive_concurrency: usize,

    /// Photos decoded at once (a 60-megapixel photo takes about 250 MB while
    /// it is decoded and resized).
    #[arg(
        long,
        env = "VECHE_PHOTO_CONCURRENCY",
        default_value_t = 2,
        global = true
    )]
    pub photo_concurrency: usize,

    /// How long an expensive request waits for its turn before 503, in
    /// seconds.
    #[arg(
        long,
        env = "VECHE_EXPENSIVE_WAIT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub expensive_wait_secs: u64,
}

/// What the staffing structure dataset publishes (docs/STAFFING.md).
#[derive(Debug, Clone, Args)]
pub struct StaffingConfig {
    /// Filled or vacant staff units above zero and below this are withheld
    /// from the open dataset (with both numbers of their row), so that a
    /// vacancy in a small unit does not point at a person.
    #[arg(
        long,
        env = "VECHE_STAFFING_SUPPRESS_BELOW",
        default_value_t = 3,
        value_parser = clap::value_parser!(i64).range(1..=100),
        global = true
    )]
    pub suppress_below: i64,

    /// Publish the monthly salary fund of each row of the staffing
    /// structure (rows of fewer posts than the threshold above stay empty).
    #[arg(
        long,
        env = "VECHE_STAFFING_PUBLISH_SALARIES",
        default_value_t = false,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub publish_salaries: bool,
}

/// What court-case monitoring publishes (docs/COURTS.md).
#[derive(Debug, Clone, Args)]
pub struct CourtsConfig {
    /// Publish the open dataset of court statistics per organisation
    /// (counts and amounts by outcome; never a party). Off: nothing about
    /// cases leaves the staff area.
    #[arg(
        long,
        env = "VECHE_COURTS_PUBLISH_STATS",
        default_value_t = false,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub publish_stats: bool,
}

/// Rankings and indicators of effectiveness (docs/RANKINGS.md).
#[derive(Debug, Clone, Args)]
pub struct RankingsConfig {
    /// The region veche serves: its row is highlighted in every ranking
    /// (a code of datasets/rankings/regions.csv).
    #[arg(
        long,
        env = "VECHE_RANKINGS_REGION",
        default_value = "RU-KDA",
        global = true
    )]
    pub region: String,
    /// Peers shown with the region beside the Southern Federal District's
    /// regions: codes, comma-separated (`RU-TA,RU-MOS`).
    #[arg(
        long,
        env = "VECHE_RANKINGS_PEERS",
        default_value = "RU-TA,RU-STA",
        global = true
    )]
    pub peers: String,
    /// The federal district whose regions are peers (`south`, …; empty for
    /// none).
    #[arg(
        long,
        env = "VECHE_RANKINGS_DISTRICT",
        default_value = "south",
        global = true
    )]
    pub district: String,
    /// The organisation whose officers keep the rankings and link
    /// indicators to roadmaps (administrators may too).
    #[arg(
        long,
        env = "VECHE_RANKINGS_KEEPER",
        default_value = "dep-control",
        global = true
    )]
    pub keeper: String,
}

/// Mass-media tracking (docs/PRESS.md).
#[derive(Debug, Clone, Args)]
pub struct PressConfig {
    /// The organisation whose officers keep the media and their feeds,
    /// the officials tracked, and hear of spikes of the region,
    /// municipalities, officials and projects (administrators may keep
    /// too).
    #[arg(
        id = "press_keeper",
        long = "press-keeper",
        env = "VECHE_PRESS_KEEPER",
        default_value = "dep-information-policy",
        global = true
    )]
    pub keeper: String,
    /// Poll feeds in this process (one process of several may do it).
    #[arg(id = "press_poll",
        long = "press-poll", env = "VECHE_PRESS_POLL", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub poll: bool,
    /// Minutes between two polls of a healthy feed.
    #[arg(
        id = "press_poll_minutes",
        long = "press-poll-minutes",
        env = "VECHE_PRESS_POLL_MINUTES",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=1440),
        global = true
    )]
    pub poll_minutes: u32,
    /// The longest wait of a failing feed, in minutes: after each failure
    /// in a row the wait doubles, up to this.
    #[arg(
        id = "press_backoff_max_minutes",
        long = "press-backoff-max-minutes",
        env = "VECHE_PRESS_BACKOFF_MAX_MINUTES",
        default_value_t = 720,
        value_parser = clap::value_parser!(u32).range(1..=10080),
        global = true
    )]
    pub backoff_max_minutes: u32,
    /// Milliseconds between two requests to one host.
    #[arg(
        id = "press_host_spacing_ms",
        long = "press-host-spacing-ms",
        env = "VECHE_PRESS_HOST_SPACING_MS",
        default_value_t = 2000,
        global = true
    )]
    pub host_spacing_ms: u64,
    /// Seconds a feed has to answer in full.
    #[arg(
        id = "press_timeout_secs",
        long = "press-timeout-secs",
        env = "VECHE_PRESS_TIMEOUT_SECS",
        default_value_t = 20,
        value_parser = clap::value_parser!(u64).range(1..=300),
        global = true
    )]
    pub timeout_secs: u64,
    /// The largest feed body read, in KiB; a larger one is an error of
    /// the feed.
    #[arg(
        id = "press_max_feed_kb",
        long = "press-max-feed-kb",
        env = "VECHE_PRESS_MAX_FEED_KB",
        default_value_t = 4096,
        value_parser = clap::value_parser!(u64).range(16..=65536),
        global = true
    )]
    pub max_feed_kb: u64,
    /// Redirects followed from a feed's address (each hop passes the
    /// outbound-address rules).
    #[arg(
        id = "press_max_redirects",
        long = "press-max-redirects",
        env = "VECHE_PRESS_MAX_REDIRECTS",
        default_value_t = 3,
        value_parser = clap::value_parser!(u32).range(0..=10),
        global = true
    )]
    pub max_redirects: u32,
    /// Days within which a story of the same title from another source
    /// is the same story.
    #[arg(
        id = "press_dedup_days",
        long = "press-dedup-days",
        env = "VECHE_PRESS_DEDUP_DAYS",
        default_value_t = 3,
        value_parser = clap::value_parser!(u32).range(0..=30),
        global = true
    )]
    pub dedup_days: u32,
    /// The region's names in the media, comma-separated.
    #[arg(
        id = "press_region_names",
        long = "press-region-names",
        env = "VECHE_PRESS_REGION_NAMES",
        default_value = "Краснодарский край,Кубань",
        global = true
    )]
    pub region_names: String,
    /// A day's mentions are a spike above the mean of the 28 days before
    /// plus this many standard deviations…
    #[arg(
        id = "press_spike_k",
        long = "press-spike-k",
        env = "VECHE_PRESS_SPIKE_K",
        default_value_t = 3.0,
        global = true
    )]
    pub spike_k: f64,
    /// … and at least this many.
    #[arg(
        id = "press_spike_min",
        long = "press-spike-min",
        env = "VECHE_PRESS_SPIKE_MIN",
        default_value_t = 5,
        value_parser = clap::value_parser!(i64).range(1..),
        global = true
    )]
    pub spike_min: i64,
    /// The hour (Moscow) from which a department's digest of the day is
    /// mailed.
    #[arg(
        id = "press_digest_hour",
        long = "press-digest-hour",
        env = "VECHE_PRESS_DIGEST_HOUR",
        default_value_t = 18,
        value_parser = clap::value_parser!(u8).range(0..=23),
        global = true
    )]
    pub digest_hour: u8,
}

/// The rules of participation (docs/PARTICIPATION.md).
#[derive(Debug, Clone, Args)]
pub struct ParticipationConfig {
    /// How many priorities one citizen may support in a quarter (K).
    #[arg(
        long,
        env = "VECHE_PRIORITY_SUPPORTS_PER_QUARTER",
        default_value_t = 5,
        global = true
    )]
    pub priority_supports_per_quarter: u32,

    /// How much a support from a declared (not verified) residence counts
    /// in the ranks, from 0 to 1; verified residence counts 1. Published
    /// beside the results.
    #[arg(
        long,
        env = "VECHE_PRIORITY_DECLARED_WEIGHT",
        default_value_t = 0.5,
        global = true
    )]
    pub priority_declared_weight: f64,

    /// Supports for one priority within one hour from accounts younger
    /// than a week that the administrators' review lists as a burst.
    #[arg(
        long,
        env = "VECHE_PRIORITY_BURST",
        default_value_t = 20,
        global = true
    )]
    pub priority_burst: u32,

    /// How long, in seconds, the current quarter's preliminary ranks are
    /// reused before they are computed again.
    #[arg(
        long,
        env = "VECHE_PRIORITY_LIVE_SECS",
        default_value_t = 5,
        global = true
    )]
    pub priority_live_secs: u64,

    /// The fewest ratings a service (or an organisation) needs in a month
    /// for its means to be shown; with fewer, its results say "not enough
    /// ratings". At least 2 (an interval needs two).
    #[arg(
        long,
        env = "VECHE_SERVICE_RATING_MIN_N",
        default_value_t = 10,
        value_parser = clap::value_parser!(u32).range(2..),
        global = true
    )]
    pub service_rating_min_n: u32,

    /// Supports a municipal initiative's concept needs to go on to the
    /// discussion (law-making).
    #[arg(
        long,
        env = "VECHE_INITIATIVE_SUPPORTS_MUNICIPAL",
        default_value_t = 100,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub initiative_supports_municipal: u32,

    /// Supports a regional initiative's concept needs.
    #[arg(
        long,
        env = "VECHE_INITIATIVE_SUPPORTS_REGIONAL",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub initiative_supports_regional: u32,

    /// Days a concept has to gather its supports; then it closes as "not
    /// enough support".
    #[arg(
        long,
        env = "VECHE_INITIATIVE_SUPPORT_DAYS",
        default_value_t = 90,
        value_parser = clap::value_parser!(u32).range(1..=3650),
        global = true
    )]
    pub initiative_support_days: u32,

    /// Days the discussion of an idea lasts before the text is written.
    #[arg(
        long,
        env = "VECHE_INITIATIVE_DISCUSSION_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=3650),
        global = true
    )]
    pub initiative_discussion_days: u32,

    /// Direct messages one person may send in a day (Consul Democracy's
    /// default is 3): enough to talk, too few to spam.
    #[arg(
        long,
        env = "VECHE_MESSAGES_PER_DAY",
        default_value_t = 3,
        value_parser = clap::value_parser!(u32).range(1..=10000),
        global = true
    )]
    pub messages_per_day: u32,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    fn config(args: &[&str]) -> super::Config {
        let mut all = vec!["veche"];
        all.extend_from_slice(args);
        crate::cli::Cli::try_parse_from(all)
            .expect("the arguments parse")
            .config
    }

    /// The demo accounts (one password for all) open only where nobody
    /// else can reach them.
    #[test]
    fn only_a_site_no_one_else_reaches_counts_as_local() {
        let local = |args: &[&str]| config(args).reachable_from_this_machine_only();
        assert!(local(&["--listen", "127.0.0.1:8080"]));
        assert!(local(&[
            "--listen",
            "[::1]:8080",
            "--base-url",
            "http://localhost:8080/"
        ]));
        assert!(!local(&["--listen", "0.0.0.0:8080"]));
        assert!(!local(&["--listen", "192.168.1.5:8080"]));
        // A reverse proxy on the same machine makes a loopback listener public.
        assert!(!local(&[
            "--listen",
            "127.0.0.1:8080",
            "--trust-proxy",
            "true"
        ]));
        assert!(!local(&[
            "--listen",
            "127.0.0.1:8080",
            "--base-url",
            "https://veche.krasnodar.ru/"
        ]));
    }
}
