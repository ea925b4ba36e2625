//! The offline recogniser: one Python process (faster-whisper, Whisper
//! base) that veche starts on the first dictation and keeps. Requests go
//! one at a time over its stdin and stdout (JSON lines); a few may wait
//! for it (`queue`), more are told the server is busy. A request that
//! outlives the time limit kills the process, which the next one starts
//! again: a stuck recogniser never holds the queue.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{Mutex, Semaphore};

use super::audio::{Audio, too_long};
use super::{SpeechConfig, Transcript, failed};
use crate::error::{AppError, AppResult};

/// The script, written into the recogniser's folder each time the process
/// starts, so an upgrade of veche brings its own.
pub const SCRIPT: &str = include_str!("recogniser.py");

/// How long loading the model may take.
const START_SECS: u64 = 90;

pub fn python(dir: &Path) -> PathBuf {
    dir.join("venv").join("bin").join("python")
}

pub fn model_dir(dir: &Path) -> PathBuf {
    dir.join("model")
}

/// Whether `veche speech install` prepared `dir`.
pub fn installed(dir: &Path) -> bool {
    python(dir).is_file() && model_dir(dir).join("model.bin").is_file()
}

struct Process {
    _child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

pub struct Offline {
    config: SpeechConfig,
    process: Mutex<Option<Process>>,
    waiting: Semaphore,
    next: AtomicU64,
}

#[derive(serde::Deserialize)]
struct Answer {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    duration: Option<f64>,
}

impl Offline {
    pub fn new(config: SpeechConfig) -> Offline {
        let queue = config.queue;
        Offline {
            config,
            process: Mutex::new(None),
            waiting: Semaphore::new(queue),
            next: AtomicU64::new(1),
        }
    }

    async fn start(&self) -> anyhow::Result<Process> {
        let dir = &self.config.dir;
        let script = dir.join("recogniser.py");
        tokio::fs::write(&script, SCRIPT).await?;
        let mut child = Command::new(python(dir))
            .arg(&script)
            .arg(model_dir(dir))
            .env("HF_HUB_OFFLINE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Python's warnings and a failed start go to veche's log; the
            // script writes no transcript there.
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(
            std::time::Duration::from_secs(START_SECS),
            lines.next_line(),
        )
        .await
        .map_err(|_| anyhow::anyhow!("the recogniser did not start in {START_SECS} s"))??;
        anyhow::ensure!(
            ready.as_deref().is_some_and(|l| l.contains("\"ready\"")),
            "the recogniser did not start (see the log above)"
        );
        tracing::info!("offline speech recogniser started");
        Ok(Process {
            _child: child,
            stdin,
            lines,
        })
    }

    pub async fn transcribe(&self, audio: &Audio) -> AppResult<Transcript> {
        let _waiting = self.waiting.try_acquire().map_err(|_| AppError::Busy {
            retry_after_secs: 30,
        })?;
        let started = Instant::now();
        let mut process = tokio::time::timeout(self.config.timeout, self.process.lock())
            .await
            .map_err(|_| AppError::Busy {
                retry_after_secs: 30,
            })?;
        let tmp = self.config.dir.join("tmp");
        tokio::fs::create_dir_all(&tmp)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        let file = tmp.join(format!(
            "{}.{}",
            uuid::Uuid::new_v4().simple(),
            audio.format.extension()
        ));
        tokio::fs::write(&file, &audio.bytes)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        let outcome = self.ask(&mut process, &file).await;
        let _ = tokio::fs::remove_file(&file).await;
        let answer = match outcome {
            Ok(a) => a,
            Err(e) => {
                // Whatever state it is in, the next request starts afresh.
                *process = None;
                tracing::warn!(error = %e, "offline speech recogniser failed");
                return Err(failed());
            }
        };
        match (answer.text, answer.error.as_deref()) {
            (_, Some("too_long")) => Err(too_long(
                answer.duration.unwrap_or_default(),
                self.config.max_seconds,
            )),
            (Some(text), None) => Ok(Transcript {
                text,
                audio_seconds: answer.duration.or(audio.seconds),
                processing_seconds: started.elapsed().as_secs_f64(),
            }),
            (_, e) => {
                tracing::info!(
                    error = e.unwrap_or(""),
                    "the recogniser could not read a recording"
                );
                Err(AppError::unprocessable(
                    "unreadable_audio",
                    crate::error::Msg::new(
                        "Запись не удалось прочитать: запишите её ещё раз или введите текст.",
                        "The recording could not be read: record it again or type the text.",
                    ),
                ))
            }
        }
    }

    async fn ask(&self, slot: &mut Option<Process>, file: &Path) -> anyhow::Result<Answer> {
        if slot.is_none() {
            *slot = Some(self.start().await?);
        }
        let p = slot.as_mut().ok_or_else(|| anyhow::anyhow!("no process"))?;
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let request = serde_json::json!({
            "id": id,
            "path": file,
            "language": self.config.language,
            "max_seconds": self.config.max_seconds,
        });
        let exchange = async {
            p.stdin.write_all(format!("{request}\n").as_bytes()).await?;
            p.stdin.flush().await?;
            loop {
                let line = p
                    .lines
                    .next_line()
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("the recogniser exited"))?;
                let v: serde_json::Value = serde_json::from_str(&line)?;
                // An answer to an earlier request that timed out is skipped.
                if v.get("id").and_then(|x| x.as_u64()) == Some(id) {
                    return Ok::<Answer, anyhow::Error>(serde_json::from_value(v)?);
                }
            }
        };
        tokio::time::timeout(self.config.timeout, exchange)
            .await
            .map_err(|_| anyhow::anyhow!("no answer in {} s", self.config.timeout.as_secs()))?
    }
}
