//! Speech to text for whatever takes dictation, through the recogniser the
//! administrator chose (docs/VOICE.md): the offline one veche starts
//! (faster-whisper with Whisper base, prepared by `veche speech install`),
//! an outside service with the OpenAI-compatible shape, or none. The audio
//! of officials' dictation stays on the region's servers: nothing here
//! reaches a foreign cloud unless an administrator points the HTTP
//! recogniser at one.
//!
//! - `config.rs`: the settings (`VECHE_SPEECH…`, read from the environment);
//! - `audio.rs`: a recording checked by its bytes and limits;
//! - `offline.rs`: the recogniser process; `recogniser.py`, its script;
//! - `http.rs`: the outside service;
//! - `install.rs`: `veche speech install`.

pub mod audio;
pub mod config;
mod http;
pub mod install;
pub mod offline;

use std::sync::Arc;

pub use audio::{Audio, Format};
pub use config::{Backend, SpeechConfig};

use crate::error::{AppError, AppResult, Msg};
use crate::integration::outbound::AllowedHost;

/// What a recogniser heard.
#[derive(Debug, Clone)]
pub struct Transcript {
    pub text: String,
    /// The recording's length, when known.
    pub audio_seconds: Option<f64>,
    /// How long recognition took, waiting included.
    pub processing_seconds: f64,
}

/// Whether dictation can be recognised here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Offline, installed.
    Offline,
    /// An outside service.
    Http,
    /// Offline chosen (or left as the default) but not installed.
    NotInstalled,
    /// Turned off by the administrator.
    Off,
}

enum Engine {
    Offline(Box<offline::Offline>),
    Http(Box<http::Http>),
    Unavailable(Availability),
}

/// The recogniser of this server (cheap to clone).
#[derive(Clone)]
pub struct Speech(Arc<(SpeechConfig, Engine)>);

impl Default for Speech {
    fn default() -> Speech {
        Speech::new(
            SpeechConfig::with(Backend::Off, std::path::PathBuf::new()),
            Vec::new(),
        )
        .unwrap_or_else(|_| unreachable!("an off recogniser needs nothing"))
    }
}

impl Speech {
    /// The recogniser the environment names, for a data folder; outbound
    /// requests follow `allow` (`VECHE_OUTBOUND_ALLOW_HOSTS`).
    pub fn from_env(data_dir: &std::path::Path, allow: Vec<AllowedHost>) -> anyhow::Result<Speech> {
        let config = SpeechConfig::from_env(data_dir)?;
        let s = Speech::new(config, allow)?;
        if s.availability() == Availability::NotInstalled && s.0.0.explicit {
            tracing::warn!(
                dir = %s.0.0.dir.display(),
                "VECHE_SPEECH=offline but the recogniser is not installed: run `veche speech install`"
            );
        }
        Ok(s)
    }

    pub fn new(config: SpeechConfig, allow: Vec<AllowedHost>) -> anyhow::Result<Speech> {
        let engine = match &config.backend {
            Backend::Off => Engine::Unavailable(Availability::Off),
            Backend::Offline if offline::installed(&config.dir) => {
                Engine::Offline(Box::new(offline::Offline::new(config.clone())))
            }
            Backend::Offline => Engine::Unavailable(Availability::NotInstalled),
            Backend::Http { url, key } => Engine::Http(Box::new(http::Http::new(
                config.clone(),
                url,
                key.clone(),
                allow,
            )?)),
        };
        Ok(Speech(Arc::new((config, engine))))
    }

    pub fn availability(&self) -> Availability {
        match &self.0.1 {
            Engine::Offline(_) => Availability::Offline,
            Engine::Http(_) => Availability::Http,
            Engine::Unavailable(a) => *a,
        }
    }

    pub fn config(&self) -> &SpeechConfig {
        &self.0.0
    }

    /// Checks an upload against this server's limits.
    pub fn check(&self, bytes: Vec<u8>) -> AppResult<Audio> {
        Audio::check(bytes, self.0.0.max_bytes, self.0.0.max_seconds)
    }

    /// The text of a recording.
    pub async fn transcribe(&self, audio: &Audio) -> AppResult<Transcript> {
        match &self.0.1 {
            Engine::Offline(o) => o.transcribe(audio).await,
            Engine::Http(h) => h.transcribe(audio).await,
            Engine::Unavailable(_) => Err(AppError::client(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "speech_unavailable",
                Msg::new(
                    "Распознавание речи на этом сервере не включено: введите текст поручения.",
                    "Speech recognition is not enabled on this server: type the order's text.",
                ),
            )),
        }
    }
}

/// The recogniser failed (its reason is in the log, never in the page).
pub(crate) fn failed() -> AppError {
    AppError::client(
        axum::http::StatusCode::BAD_GATEWAY,
        "recogniser_failed",
        Msg::new(
            "Распознать запись не удалось. Попробуйте ещё раз или введите текст.",
            "The recording could not be recognised. Try again or type the text.",
        ),
    )
}
