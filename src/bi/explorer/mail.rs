//! The monthly mail of saved explorations: at the first scheduled run of a
//! Moscow month, each exploration with the mail on is answered for the
//! previous full month in its OWNER's scope and mailed to its owner with a
//! link. `last_sent` (the month the last mail was for) is moved in the
//! same transaction that queues the mail, by a conditional update, so a
//! month's mail goes once even when two processes run the step at once or
//! the server restarts.

use time::OffsetDateTime;

use super::pivot::{self, Pivot};
use super::texts::ExplorerTexts;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::bi::query::{Period, Question, shift_month};
use crate::bi::scope::Scope;
use crate::error::AppResult;
use crate::integration::mail::{self, OutgoingMail};

const MSK: time::UtcOffset = time::macros::offset!(+3);

/// The Moscow month (`YYYY-MM`) of a moment.
pub fn month_of(t: OffsetDateTime) -> String {
    let d = t.to_offset(MSK).date();
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

/// The hourly step (`features::run_scheduled`).
pub async fn scheduled(state: &AppState) -> anyhow::Result<()> {
    send_monthly(state, crate::db::now()).await?;
    Ok(())
}

/// Mails every exploration due at `now` once; how many went out.
pub async fn send_monthly(state: &AppState, now: OffsetDateTime) -> AppResult<usize> {
    let month = shift_month(&month_of(now), -1);
    let due: Vec<(i64,)> = crate::fetch_db!(
        &state.db,
        fetch_all,
        (i64,),
        "select exploration_id from bi_exploration
         where monthly = 1 and (last_sent is null or last_sent < $1) order by exploration_id",
        &month
    )?;
    let mut sent = 0;
    for (id,) in due {
        let Some(e) = super::saved::get(&state.db, id).await? else {
            continue;
        };
        let owner = CurrentUser::for_account(&state.db, e.owner_id).await?;
        let mail = match owner {
            Some(owner) if owner.works_in_core() => {
                match compose(state, &owner, &e, &month).await {
                    Ok(m) => m,
                    // The explorer is busy: tried again at the next run.
                    Err(crate::error::AppError::Busy { .. }) => continue,
                    // One question that cannot be answered (too slow, too
                    // large, a failure) must not hold up everyone else's mail:
                    // its month is marked and the next one tried.
                    Err(err) => {
                        tracing::warn!(exploration = id, error = %err, "a saved exploration could not be answered for its monthly mail");
                        None
                    }
                }
            }
            // A disabled account or one that left the core gets nothing;
            // the month is marked all the same.
            _ => None,
        };
        let mut tx = state.db.begin().await?;
        let claimed = crate::exec_tx!(
            &mut tx,
            "update bi_exploration set last_sent = $1
             where exploration_id = $2 and monthly = 1 and (last_sent is null or last_sent < $1)",
            &month,
            id
        )?;
        if claimed != 1 {
            // Another process took this month.
            continue;
        }
        if let Some(m) = &mail {
            mail::enqueue(&mut tx, m).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// The mail of one exploration for `month`, in the owner's language and
/// scope; `None` when the owner has no address or the question no longer
/// reads (a relation or column removed).
async fn compose(
    state: &AppState,
    owner: &CurrentUser,
    e: &super::saved::Exploration,
    month: &str,
) -> AppResult<Option<OutgoingMail>> {
    let Some(to) = owner.email.clone() else {
        return Ok(None);
    };
    let l = owner.locale;
    let t = ExplorerTexts::get(l);
    let Ok(raw) = serde_urlencoded::from_str::<Vec<(String, String)>>(&e.question) else {
        return Ok(None);
    };
    let (pairs, ex) = super::split(raw);
    let chart = ex.chart;
    let Ok(q) = Question::parse(&state.marts, &pairs) else {
        tracing::warn!(
            exploration = e.exploration_id,
            "a saved exploration's question no longer reads"
        );
        return Ok(None);
    };
    let q = if q.mart.period.is_empty() {
        q
    } else {
        q.with_period(Some(Period {
            from: month.to_owned(),
            to: month.to_owned(),
        }))
    };
    let scope = Scope::of(&state.db, owner).await?;
    let p = Pivot::of(&state.db, &state.gates.expensive, &q, &scope, l).await?;
    let base = state.config.base_url();
    let body = format!(
        "{intro} {month}: «{title}»\n{what}\n\n{table}\n{link} {base}/bi/explore?{qs}\n\n{off} {base}/bi/explorations\n",
        intro = t.mail_intro,
        title = e.title,
        what = pivot::measure_name(&q, l),
        table = if p.answer.rows.is_empty() {
            t.nothing.to_owned()
        } else {
            p.text()
        },
        link = t.mail_link,
        qs = super::href(&q, crate::web::charts_bars::Kind::parse(chart.as_deref()))
            .trim_start_matches("/bi/explore?"),
        off = t.mail_off,
    );
    Ok(Some(OutgoingMail {
        to,
        subject: format!("{}: {} — {month}", t.mail_subject, e.title),
        body,
    }))
}
