//! The recogniser's settings, read from the environment here rather than in
//! `config.rs`: only the administrator of a server that takes dictation
//! sets them.
//!
//! - `VECHE_SPEECH`: `offline` (the process veche starts, the default when
//!   it is installed), `http` (an outside service with the OpenAI-compatible
//!   `/v1/audio/transcriptions` shape) or `off`;
//! - `VECHE_SPEECH_DIR`: where `veche speech install` put the offline
//!   recogniser (default `<data>/speech`);
//! - `VECHE_SPEECH_URL`, `VECHE_SPEECH_KEY`, `VECHE_SPEECH_MODEL`: the outside
//!   service (its address must be public, or allowed by
//!   `VECHE_OUTBOUND_ALLOW_HOSTS` like every outbound request);
//! - `VECHE_SPEECH_TIMEOUT_SECS` (120), `VECHE_SPEECH_MAX_SECONDS` (120, the
//!   longest dictation), `VECHE_SPEECH_MAX_MB` (10), `VECHE_SPEECH_QUEUE` (4:
//!   how many dictations may wait for the one recogniser before a 503).

use std::path::PathBuf;
use std::time::Duration;

/// Which recogniser the administrator chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Offline,
    Http { url: String, key: Option<String> },
    Off,
}

#[derive(Debug, Clone)]
pub struct SpeechConfig {
    pub backend: Backend,
    /// The offline recogniser's folder (venv, model, script).
    pub dir: PathBuf,
    /// The model name sent to an outside service.
    pub model: String,
    pub language: String,
    pub timeout: Duration,
    /// The longest recording accepted, in seconds.
    pub max_seconds: u32,
    /// The largest recording accepted, in bytes.
    pub max_bytes: usize,
    /// Dictations that may wait for the recogniser at once.
    pub queue: usize,
    /// Whether `VECHE_SPEECH` was set explicitly (an explicit `offline`
    /// that is not installed is a mistake worth a warning).
    pub explicit: bool,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> T {
    var(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

impl SpeechConfig {
    /// The settings for a data folder, from the environment.
    pub fn from_env(data_dir: &std::path::Path) -> anyhow::Result<SpeechConfig> {
        let dir = var("VECHE_SPEECH_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("speech"));
        let chosen = var("VECHE_SPEECH");
        let backend = match chosen.as_deref() {
            None | Some("offline") => Backend::Offline,
            Some("off") => Backend::Off,
            Some("http") => {
                let url = var("VECHE_SPEECH_URL").ok_or_else(|| {
                    anyhow::anyhow!(
                        "VECHE_SPEECH=http needs VECHE_SPEECH_URL (the recogniser's address)"
                    )
                })?;
                Backend::Http {
                    url,
                    key: var("VECHE_SPEECH_KEY"),
                }
            }
            Some(other) => anyhow::bail!("VECHE_SPEECH is offline, http or off, not {other:?}"),
        };
        Ok(SpeechConfig {
            backend,
            dir,
            model: var("VECHE_SPEECH_MODEL").unwrap_or_else(|| "whisper-1".into()),
            language: var("VECHE_SPEECH_LANGUAGE").unwrap_or_else(|| "ru".into()),
            timeout: Duration::from_secs(number("VECHE_SPEECH_TIMEOUT_SECS", 120)),
            max_seconds: number("VECHE_SPEECH_MAX_SECONDS", 120),
            max_bytes: number::<usize>("VECHE_SPEECH_MAX_MB", 10) * 1024 * 1024,
            queue: number("VECHE_SPEECH_QUEUE", 4).max(1),
            explicit: chosen.is_some(),
        })
    }

    /// The settings of a test: the given backend and folder, the defaults.
    pub fn with(backend: Backend, dir: PathBuf) -> SpeechConfig {
        SpeechConfig {
            backend,
            dir,
            model: "whisper-1".into(),
            language: "ru".into(),
            timeout: Duration::from_secs(120),
            max_seconds: 120,
            max_bytes: 10 * 1024 * 1024,
            queue: 4,
            explicit: true,
        }
    }
}
