//! The reminders' worker: every few seconds it claims the reminders due
//! (`planner_reminder`, indexed on `due_at` while unsent), and in one
//! transaction per batch marks each sent, tells the person in the site
//! and by mail (`workflow::notify::person`), and schedules a recurring
//! item's next one. A reminder is marked sent in the transaction that
//! writes its notification and mail, so it goes out once; a crash before
//! the commit leaves it due for the next round, after a restart too.

use std::time::Duration as StdDuration;

use time::OffsetDateTime;

use super::queries;
use crate::app::AppState;
use crate::error::AppResult;

/// Reminders claimed per transaction.
const BATCH: i64 = 500;
/// How often the worker looks.
const EVERY: StdDuration = StdDuration::from_secs(5);

/// The worker of a serving process.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = deliver_due(&state, crate::db::now()).await {
            tracing::warn!(error = %format!("{e:#}"), "planner reminders failed; will retry");
        }
    }
}

/// Sends every reminder due at `at`; returns how many went out.
pub async fn deliver_due(state: &AppState, at: OffsetDateTime) -> AppResult<usize> {
    let at = at.to_offset(time::UtcOffset::UTC);
    let mut sent = 0;
    loop {
        let n = batch(state, at).await?;
        sent += n;
        if n < BATCH as usize {
            return Ok(sent);
        }
    }
}

async fn batch(state: &AppState, at: OffsetDateTime) -> AppResult<usize> {
    let mut tx = state.db.begin().await?;
    let due = queries::due(&mut tx, at, BATCH).await?;
    let mut sent = 0;
    let mut items = std::collections::HashMap::new();
    for r in &due {
        if !queries::mark_sent(&mut tx, r.reminder_id, crate::db::now()).await? {
            continue;
        }
        let item = match items.get(&r.item_id) {
            Some(i) => Some(i),
            None => {
                if let Some(i) = queries::item_tx(&mut tx, r.item_id).await? {
                    items.insert(r.item_id, i);
                }
                items.get(&r.item_id)
            }
        };
        let Some(item) = item else { continue };
        let z = item.zone();
        let local = z.local(r.occurrence_at);
        let when = if item.all_day {
            format!(
                "{:02}.{:02}.{}",
                local.day(),
                u8::from(local.month()),
                local.year()
            )
        } else {
            format!(
                "{:02}.{:02}.{} {:02}:{:02}",
                local.day(),
                u8::from(local.month()),
                local.year(),
                local.hour(),
                local.minute()
            )
        };
        let (ru, en) = match item.kind() {
            super::domain::Kind::Task => ("срок", "due"),
            _ => ("начало", "starts"),
        };
        crate::workflow::notify::person(
            &mut tx,
            &state.config,
            r.account_id,
            None,
            (
                &format!("Напоминание: {}", item.title),
                &format!("Reminder: {}", item.title),
            ),
            (
                &format!("«{}»: {ru} {when} ({}).", item.title, z.name()),
                &format!("“{}”: {en} {when} ({}).", item.title, z.name()),
            ),
            &format!("/pm/planner/items/{}", item.item_id),
        )
        .await?;
        sent += 1;
        // A series: the next occurrence's reminder still ahead (after a
        // long stop, the missed ones are not sent one after another).
        if item.rrule.is_some() {
            let ahead = at + time::Duration::minutes(r.minutes) - time::Duration::seconds(1);
            if let Some(next) = item.next_after(r.occurrence_at.max(ahead)) {
                queries::insert_reminder(&mut tx, item.item_id, item.account_id, next, r.minutes)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(if due.len() == BATCH as usize {
        BATCH as usize
    } else {
        sent
    })
}
