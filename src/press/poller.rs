//! Polling: the worker of a serving process takes the feeds whose time
//! has come (never a demo source's), a few at once, each host in its
//! turn; a keeper may poll one now. A feed is claimed before it is
//! fetched (its next poll moved past the timeout), so two processes do
//! not fetch it together. After a success the feed waits
//! `VECHE_PRESS_POLL_MINUTES`; after failures in a row twice as long per
//! failure up to `VECHE_PRESS_BACKOFF_MAX_MINUTES`, or what the server's
//! `Retry-After` asks if longer.

use std::time::Duration as StdDuration;

use futures::StreamExt;
use time::{Duration, OffsetDateTime};

use super::domain::next_delay;
use super::fetch::{Fetched, Fetcher};
use super::ingest::{self, Context};
use super::parse::{self, FeedError};
use super::queries::{self, FeedRow, Success};
use crate::app::AppState;
use crate::error::AppResult;

/// Feeds fetched at once by one poll (each still waits its host's turn).
const AT_ONCE: usize = 4;
/// Feeds taken per round.
const ROUND: i64 = 200;

/// The matcher of every tracked name and saved query, and the window
/// of title deduplication, as of now.
pub async fn context(state: &AppState) -> AppResult<Context> {
    let entities = super::entities::load(state).await?;
    let saved = queries::saved_queries(&state.db, "").await?;
    Ok(Context {
        matcher: entities.matcher(&saved),
        dedup: Duration::days(i64::from(state.config.press.dedup_days)),
    })
}

/// What a poll did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Polled {
    NotModified,
    Stored(ingest::Outcome),
    Failed(String),
    /// Another process holds the feed.
    Busy,
}

fn interval(state: &AppState) -> Duration {
    Duration::minutes(i64::from(state.config.press.poll_minutes))
}

fn cap(state: &AppState) -> Duration {
    Duration::minutes(i64::from(state.config.press.backoff_max_minutes))
}

/// Claims a feed: moves its next poll past the time a fetch may take,
/// if nobody moved it since it was read.
async fn claim(state: &AppState, feed: &FeedRow, now: OffsetDateTime) -> AppResult<bool> {
    let lease = now + Duration::seconds(state.config.press.timeout_secs as i64 * 3 + 60);
    let n = crate::exec_db!(
        &state.db,
        "update press_feed set next_poll_at = $3 where feed_id = $1 and next_poll_at = $2",
        feed.feed_id,
        feed.next_poll_at,
        lease
    )?;
    Ok(n > 0)
}

/// Polls one feed and records the outcome.
pub async fn poll(
    state: &AppState,
    fetcher: &Fetcher,
    ctx: &Context,
    feed: &FeedRow,
) -> AppResult<Polled> {
    if !claim(state, feed, crate::db::now()).await? {
        return Ok(Polled::Busy);
    }
    let fetched = fetcher
        .get(
            &feed.url,
            feed.etag.as_deref(),
            feed.last_modified.as_deref(),
        )
        .await;
    let now = crate::db::now();
    let next = now + interval(state);
    let (status, etag, last_modified, parsed) = match fetched {
        Ok(Fetched::NotModified) => {
            let mut tx = state.db.begin().await?;
            let s = Success {
                status: 304,
                etag: None,
                last_modified: None,
                new_stories: 0,
                next,
            };
            queries::record_success(&mut tx, feed.feed_id, &s, now).await?;
            tx.commit().await?;
            return Ok(Polled::NotModified);
        }
        Ok(Fetched::Body {
            status,
            bytes,
            etag,
            last_modified,
            url,
        }) => {
            // Parsing is CPU work on untrusted bytes: off the async threads.
            let parsed = tokio::task::spawn_blocking(move || parse::feed(&bytes, Some(&url)))
                .await
                .unwrap_or_else(|e| Err(FeedError::new("not_feed", e.to_string())));
            (status, etag, last_modified, parsed)
        }
        Err(e) => {
            let delay = next_delay(interval(state), feed.consecutive_errors + 1, cap(state));
            let asked = e
                .retry_after
                .and_then(|d| Duration::try_from(d).ok())
                .unwrap_or(Duration::ZERO);
            return fail(state, feed, e.status, &e.error, now + delay.max(asked), now).await;
        }
    };
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let delay = next_delay(interval(state), feed.consecutive_errors + 1, cap(state));
            return fail(state, feed, Some(status), &e, now + delay, now).await;
        }
    };
    let mut tx = state.db.begin().await?;
    let outcome = ingest::ingest(
        &mut tx,
        ctx,
        feed.source_id,
        Some(feed.feed_id),
        &parsed.items,
        now,
    )
    .await?;
    let s = Success {
        status: i64::from(status),
        etag: etag.as_deref(),
        last_modified: last_modified.as_deref(),
        new_stories: outcome.new_stories,
        next,
    };
    queries::record_success(&mut tx, feed.feed_id, &s, now).await?;
    tx.commit().await?;
    Ok(Polled::Stored(outcome))
}

async fn fail(
    state: &AppState,
    feed: &FeedRow,
    status: Option<u16>,
    error: &FeedError,
    next: OffsetDateTime,
    now: OffsetDateTime,
) -> AppResult<Polled> {
    let mut tx = state.db.begin().await?;
    queries::record_failure(
        &mut tx,
        feed.feed_id,
        status.map(i64::from),
        &error.stored(),
        next,
        now,
    )
    .await?;
    tx.commit().await?;
    // The feed's address and the error, never a person's data.
    tracing::info!(feed_id = feed.feed_id, error = %error.stored(), "feed poll failed");
    Ok(Polled::Failed(error.stored()))
}

/// Polls the feeds due now; how many were polled.
pub async fn poll_due(state: &AppState, fetcher: &Fetcher) -> AppResult<usize> {
    let due = queries::due_feeds(&state.db, crate::db::now(), ROUND).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let ctx = &context(state).await?;
    let results: Vec<AppResult<Polled>> = futures::stream::iter(due)
        .map(|f| async move { poll(state, fetcher, ctx, &f).await })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await;
    let mut polled = 0;
    for r in results {
        match r {
            Ok(Polled::Busy) => {}
            Ok(_) => polled += 1,
            Err(e) => tracing::warn!(error = %e.message().en, "a feed poll could not be recorded"),
        }
    }
    Ok(polled)
}

/// The worker of a serving process: polls what is due, then rests a
/// little (a quarter of a minute, or until the next round when busy).
pub async fn run(state: AppState) {
    if !state.config.press.poll {
        return;
    }
    let fetcher = Fetcher::new(&state.config);
    loop {
        match poll_due(&state, &fetcher).await {
            Ok(n) if n as i64 >= ROUND => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.message().en, "feed polling failed; will retry"),
        }
        tokio::time::sleep(StdDuration::from_secs(15)).await;
    }
}
