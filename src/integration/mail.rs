//! Outgoing mail. A mail is queued in the outbox (queue `mail`) in the same
//! transaction as the change that causes it, and a worker sends it: over SMTP
//! when `VECHE_SMTP_URL` is set, otherwise as an `.eml` file in
//! `<data-dir>/mailbox/`, so a local install works without a mail server.
//! Failed deliveries are retried with backoff (see `db::queue`). Mail bodies
//! live only in the outbox row and are deleted once sent; addresses are never
//! logged.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::Notify;

use crate::config::Config;
use crate::db::{Db, Tx, queue};

pub const QUEUE: &str = "mail";

/// A mail to send.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues a mail inside the caller's transaction.
pub async fn enqueue(tx: &mut Tx, mail: &OutgoingMail) -> Result<(), sqlx::Error> {
    queue::push(tx, QUEUE, None, mail).await
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Mailbox(PathBuf),
}

/// Sends queued mail.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    notify: Arc<Notify>,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Mailer> {
        let from: Mailbox = config
            .mail
            .mail_from
            .parse()
            .context("VECHE_MAIL_FROM is not a valid address")?;
        let transport = match &config.mail.smtp_url {
            Some(url) if !url.expose_secret().is_empty() => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .context("VECHE_SMTP_URL is not a valid SMTP URL")?
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            ),
            _ => Transport::Mailbox(config.mailbox_dir()),
        };
        Ok(Mailer {
            transport,
            from,
            notify: Arc::new(Notify::new()),
        })
    }

    /// Wakes the delivery worker after a commit that queued mail.
    pub fn notify(&self) {
        self.notify.notify_one();
    }

    pub fn describe(&self) -> &'static str {
        match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::Mailbox(_) => "mailbox folder",
        }
    }

    fn build(&self, mail: &OutgoingMail) -> anyhow::Result<Message> {
        let to: Mailbox = mail.to.parse().context("recipient address is invalid")?;
        Ok(Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())?)
    }

    async fn send(&self, mail: &OutgoingMail, outbox_id: i64) -> anyhow::Result<()> {
        let message = self.build(mail)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Mailbox(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                // Names sort in the order the mail was sent.
                let name = format!(
                    "{}-{outbox_id:012}.eml",
                    time::OffsetDateTime::now_utc().unix_timestamp_nanos()
                );
                tokio::fs::write(dir.join(name), message.formatted()).await?;
            }
        }
        Ok(())
    }

    /// Sends every due mail; returns how many were sent.
    pub async fn deliver_pending(&self, db: &Db) -> anyhow::Result<usize> {
        let mut sent = 0;
        loop {
            let jobs = queue::claim(db, QUEUE, 50, Duration::from_secs(120)).await?;
            if jobs.is_empty() {
                return Ok(sent);
            }
            for job in jobs {
                let result = match job.payload::<OutgoingMail>() {
                    Ok(mail) => self.send(&mail, job.outbox_id).await,
                    Err(e) => Err(e),
                };
                match result {
                    Ok(()) => {
                        queue::complete(db, &[job.outbox_id]).await?;
                        sent += 1;
                    }
                    Err(e) => {
                        tracing::warn!(outbox_id = job.outbox_id, attempts = job.attempts, error = %format!("{e:#}"), "mail delivery failed");
                        queue::fail(db, &job, &format!("{e:#}")).await?;
                    }
                }
            }
        }
    }

    /// The delivery worker.
    pub async fn run(self, db: Db) {
        loop {
            if let Err(e) = self.deliver_pending(&db).await {
                tracing::error!(error = %format!("{e:#}"), "mail worker failed; will retry");
            }
            tokio::select! {
                _ = self.notify.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(10)) => {}
            }
        }
    }
}
