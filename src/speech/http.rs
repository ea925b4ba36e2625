//! An outside recogniser with the OpenAI-compatible shape
//! (`POST …/v1/audio/transcriptions`, multipart `file`, `model`,
//! `language`; answer `{"text": …}`), such as a self-hosted whisper server
//! on the region's network. The request goes through the outbound rules
//! (`integration::outbound`): a private address must be allowed by the
//! administrator, redirects are not followed, no proxy is used.

use std::time::Instant;

use tokio::sync::Semaphore;
use url::Url;

use super::audio::Audio;
use super::{SpeechConfig, Transcript, failed};
use crate::error::{AppError, AppResult};
use crate::integration::outbound::{AllowedHost, Outbound, origin};

/// The largest answer read (a transcript of two minutes is a few KB).
const MAX_ANSWER: usize = 256 * 1024;

pub struct Http {
    config: SpeechConfig,
    url: Url,
    key: Option<String>,
    outbound: Outbound,
    waiting: Semaphore,
}

/// The endpoint for a configured address: the address itself when it
/// names the endpoint, else `/v1/audio/transcriptions` under it.
pub fn endpoint(url: &str) -> anyhow::Result<Url> {
    let u = Url::parse(url.trim())?;
    anyhow::ensure!(
        matches!(u.scheme(), "http" | "https"),
        "VECHE_SPEECH_URL must be http(s)"
    );
    if u.path().ends_with("/audio/transcriptions") {
        return Ok(u);
    }
    let base = format!("{}/", u.as_str().trim_end_matches('/'));
    Ok(Url::parse(&base)?.join("v1/audio/transcriptions")?)
}

#[derive(serde::Deserialize)]
struct Answer {
    text: String,
    #[serde(default)]
    duration: Option<f64>,
}

impl Http {
    pub fn new(
        config: SpeechConfig,
        url: &str,
        key: Option<String>,
        allow: Vec<AllowedHost>,
    ) -> anyhow::Result<Http> {
        let queue = config.queue;
        Ok(Http {
            url: endpoint(url)?,
            key,
            outbound: Outbound::new(allow, config.timeout),
            config,
            waiting: Semaphore::new(queue),
        })
    }

    pub async fn transcribe(&self, audio: &Audio) -> AppResult<Transcript> {
        let _waiting = self.waiting.try_acquire().map_err(|_| AppError::Busy {
            retry_after_secs: 30,
        })?;
        let at = origin(&self.url);
        let client = self.outbound.client_for(&self.url).map_err(|why| {
            tracing::warn!(
                recogniser = at,
                why,
                "speech recogniser refused by the outbound rules"
            );
            failed()
        })?;
        let part = reqwest::multipart::Part::bytes(audio.bytes.clone())
            .file_name(format!("dictation.{}", audio.format.extension()))
            .mime_str(audio.format.content_type())
            .map_err(|e| AppError::Internal(e.into()))?;
        let form = reqwest::multipart::Form::new()
            .part("file", part)
            .text("model", self.config.model.clone())
            .text("language", self.config.language.clone())
            .text("response_format", "json");
        let mut request = client.post(self.url.clone()).multipart(form);
        if let Some(k) = &self.key {
            request = request.bearer_auth(k);
        }
        let started = Instant::now();
        let response = request.send().await.map_err(|e| {
            // The error names the origin at most: never the key or the audio.
            tracing::warn!(recogniser = at, error = %e.without_url(), "speech recogniser unreachable");
            failed()
        })?;
        let status = response.status();
        if !status.is_success() {
            tracing::warn!(recogniser = at, %status, "speech recogniser answered with an error");
            return Err(failed());
        }
        let body = read_limited(response).await.map_err(|e| {
            tracing::warn!(recogniser = at, error = %e, "speech recogniser's answer unreadable");
            failed()
        })?;
        let answer: Answer = serde_json::from_slice(&body).map_err(|_| {
            tracing::warn!(
                recogniser = at,
                "speech recogniser's answer is not {{\"text\": …}}"
            );
            failed()
        })?;
        Ok(Transcript {
            text: answer.text.trim().to_owned(),
            audio_seconds: answer.duration.or(audio.seconds),
            processing_seconds: started.elapsed().as_secs_f64(),
        })
    }
}

async fn read_limited(mut r: reqwest::Response) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = r.chunk().await? {
        anyhow::ensure!(out.len() + chunk.len() <= MAX_ANSWER, "answer too large");
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_endpoint_is_found_under_a_base_address() {
        let e = |u| super::endpoint(u).unwrap().to_string();
        assert_eq!(
            e("http://asr.local:9000"),
            "http://asr.local:9000/v1/audio/transcriptions"
        );
        assert_eq!(
            e("http://asr.local/whisper/"),
            "http://asr.local/whisper/v1/audio/transcriptions"
        );
        assert_eq!(
            e("https://asr.local/v1/audio/transcriptions"),
            "https://asr.local/v1/audio/transcriptions"
        );
        assert!(super::endpoint("ftp://asr.local").is_err());
    }
}
