//! Every change of the planner, one transaction each: an item written
//! with its reminders moved, a meeting's invitees and answers, its
//! decisions sent to the core as `meeting.decided`.

use time::{Duration, OffsetDateTime};

use super::domain::{Draft, Kind, MAX_DECISIONS, MAX_INVITEES, Zone};
use super::queries::{self, DecisionRow, ItemRow, Write};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::domain::MembershipKind;
use crate::db::{Tx, now};
use crate::error::{AppError, AppResult};
use crate::integration::messages::{Body, MeetingDecided, MeetingDecision};
use crate::workflow::agenda::{AgendaItem, Person};

pub fn person_of(user: &CurrentUser) -> Person {
    Person {
        account_id: user.account_id,
        organisations: user
            .memberships
            .iter()
            .map(|m| m.organisation_id.clone())
            .collect(),
        officer_of: user
            .memberships
            .iter()
            .filter(|m| m.kind == MembershipKind::Officer)
            .map(|m| m.organisation_id.clone())
            .collect(),
    }
}

/// What a personal item may link to: what the agenda knows for the
/// person from two months back to a year ahead.
pub async fn linkable(state: &AppState, user: &CurrentUser) -> AppResult<Vec<AgendaItem>> {
    let now = now();
    let mut items = state
        .agenda
        .items(
            &state.db,
            &person_of(user),
            now - Duration::days(60),
            now + Duration::days(366),
        )
        .await?;
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.key.clone()));
    Ok(items)
}

/// The columns of a draft, its link checked against the agenda.
async fn columns<'a>(
    state: &AppState,
    user: &CurrentUser,
    d: &'a Draft,
    zone: Zone,
) -> AppResult<Write<'a>> {
    let link = match &d.link {
        None => None,
        Some(key) => {
            let known = linkable(state, user).await?;
            let i = known.into_iter().find(|i| &i.key == key).ok_or_else(|| {
                AppError::invalid(
                    "link: этого нет в вашей повестке.",
                    "link: that is not on your agenda.",
                )
            })?;
            Some((i.key, i.title, i.url))
        }
    };
    Ok(Write {
        kind: d.kind,
        title: &d.title,
        notes: &d.notes,
        at: zone.moment(d.start),
        ends_at: d.end.map(|e| zone.moment(e)),
        all_day: d.all_day,
        tz: zone.name(),
        rrule: d.rule.as_ref().map(|r| r.to_text(zone.offset())),
        series_end: d
            .rule
            .as_ref()
            .and_then(|r| r.last(d.start))
            .map(|t| zone.moment(t)),
        remind: super::domain::reminders_text(&d.remind),
        link,
    })
}

/// Invitees from the form: colleagues only.
async fn invitees(
    state: &AppState,
    user: &CurrentUser,
    d: &Draft,
    raw: &[&str],
) -> AppResult<Vec<i64>> {
    if d.kind != Kind::Meeting {
        return Ok(Vec::new());
    }
    let colleagues = queries::colleagues(&state.db, user.account_id).await?;
    let mut out = Vec::new();
    for r in raw.iter().filter(|r| !r.is_empty()) {
        let id = r
            .parse::<i64>()
            .ok()
            .filter(|id| colleagues.iter().any(|c| c.0 == *id))
            .ok_or_else(|| {
                AppError::invalid(
                    "invitee: пригласить можно коллег.",
                    "invitee: you may invite colleagues.",
                )
            })?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    if out.len() > MAX_INVITEES {
        return Err(AppError::invalid(
            format!("invitee: не больше {MAX_INVITEES} участников."),
            format!("invitee: at most {MAX_INVITEES} invitees."),
        ));
    }
    Ok(out)
}

pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    d: &Draft,
    raw_invitees: &[&str],
) -> AppResult<i64> {
    let (zone, _) = queries::settings(&state.db, user.account_id).await?;
    let w = columns(state, user, d, zone).await?;
    let invited = invitees(state, user, d, raw_invitees).await?;
    let mut tx = state.db.begin().await?;
    let id = queries::insert_item(&mut tx, user.account_id, &w).await?;
    queries::set_invitees(&mut tx, id, &invited).await?;
    tell_invited(&mut tx, state, id, &d.title, &invited).await?;
    reschedule(&mut tx, id, now()).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update(
    state: &AppState,
    user: &CurrentUser,
    item: &ItemRow,
    d: &Draft,
    raw_invitees: &[&str],
) -> AppResult<()> {
    let w = columns(state, user, d, item.zone()).await?;
    let invited = invitees(state, user, d, raw_invitees).await?;
    let before: Vec<i64> = queries::invitees(&state.db, item.item_id)
        .await?
        .iter()
        .map(|i| i.account_id)
        .collect();
    let mut tx = state.db.begin().await?;
    queries::update_item(&mut tx, item.item_id, &w).await?;
    queries::set_invitees(&mut tx, item.item_id, &invited).await?;
    let new: Vec<i64> = invited
        .iter()
        .copied()
        .filter(|i| !before.contains(i))
        .collect();
    tell_invited(&mut tx, state, item.item_id, &d.title, &new).await?;
    reschedule(&mut tx, item.item_id, now()).await?;
    tx.commit().await?;
    Ok(())
}

async fn tell_invited(
    tx: &mut Tx,
    state: &AppState,
    id: i64,
    title: &str,
    who: &[i64],
) -> AppResult<()> {
    let link = format!("/pm/planner/items/{id}");
    for a in who {
        crate::workflow::notify::person(
            tx,
            &state.config,
            *a,
            None,
            (
                &format!("Приглашение на совещание: {title}"),
                &format!("Invitation to a meeting: {title}"),
            ),
            (
                &format!(
                    "Вас пригласили на совещание «{title}». Примите или отклоните приглашение."
                ),
                &format!(
                    "You are invited to the meeting “{title}”. Accept or decline the invitation."
                ),
            ),
            &link,
        )
        .await?;
    }
    Ok(())
}

/// Moves an item's start (its end keeps its length).
pub async fn reschedule_item(
    state: &AppState,
    item: &ItemRow,
    start: time::PrimitiveDateTime,
    all_day: bool,
) -> AppResult<()> {
    let z = item.zone();
    let at = z.moment(start);
    let ends_at = if all_day {
        None
    } else {
        item.ends_at.map(|e| at + (e - item.at))
    };
    let series_end = match item.rule() {
        // The rule's UNTIL stays: a series moved past it is refused.
        Some(r) => match r.last(start) {
            Some(t) => Some(z.moment(t)),
            None if matches!(r.end, super::rrule::End::Never) => None,
            None => {
                return Err(AppError::invalid(
                    "date: после переноса у повторения не остаётся ни одного раза.",
                    "date: moved there, the series has no occurrence left.",
                ));
            }
        },
        None => None,
    };
    let mut tx = state.db.begin().await?;
    queries::move_item(&mut tx, item.item_id, at, ends_at, all_day, series_end).await?;
    reschedule(&mut tx, item.item_id, now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the item's pending reminders by those of its next occurrence
/// (none for a task done): an edit never leaves a stale one.
pub async fn reschedule(tx: &mut Tx, item_id: i64, now: OffsetDateTime) -> AppResult<()> {
    queries::drop_pending(tx, item_id).await?;
    let Some(item) = queries::item_tx(tx, item_id).await? else {
        return Ok(());
    };
    if item.done_at.is_some() {
        return Ok(());
    }
    for m in item.reminders() {
        schedule_next(tx, &item, m, now).await?;
    }
    Ok(())
}

/// The reminder `minutes` before the first occurrence whose reminder is
/// still ahead of `now`.
pub async fn schedule_next(
    tx: &mut Tx,
    item: &ItemRow,
    minutes: i64,
    now: OffsetDateTime,
) -> AppResult<()> {
    let before = Duration::minutes(minutes);
    if let Some(next) = item.next_after(now + before - Duration::seconds(1)) {
        queries::insert_reminder(tx, item.item_id, item.account_id, next, minutes).await?;
    }
    Ok(())
}

pub async fn delete(state: &AppState, item: &ItemRow) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    queries::delete_item(&mut tx, item.item_id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_done(state: &AppState, item: &ItemRow, done: bool) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    queries::set_done(&mut tx, item.item_id, done).await?;
    reschedule(&mut tx, item.item_id, now()).await?;
    tx.commit().await?;
    Ok(())
}

/// An invitee's answer.
pub async fn respond(
    state: &AppState,
    user: &CurrentUser,
    item: &ItemRow,
    accept: bool,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let answer = if accept { "accepted" } else { "declined" };
    if queries::respond(&mut tx, item.item_id, user.account_id, answer).await? == 0 {
        return Err(AppError::not_found());
    }
    let (ru, en) = if accept {
        ("принял(а)", "accepted")
    } else {
        ("отклонил(а)", "declined")
    };
    crate::workflow::notify::person(
        &mut tx,
        &state.config,
        item.account_id,
        None,
        (
            &format!("Ответ на приглашение: {}", item.title),
            &format!("Answer to an invitation: {}", item.title),
        ),
        (
            &format!(
                "{} {ru} приглашение на совещание «{}».",
                user.display_name, item.title
            ),
            &format!(
                "{} {en} the invitation to the meeting “{}”.",
                user.display_name, item.title
            ),
        ),
        &format!("/pm/planner/items/{}", item.item_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A meeting's decisions, recorded once and sent to the core in the same
/// transaction: each becomes an order (`meeting.decided`).
pub async fn decide(state: &AppState, item: &ItemRow, rows: Vec<DecisionRow>) -> AppResult<()> {
    if item.kind() != Kind::Meeting {
        return Err(AppError::invalid(
            "Решения записывают у совещаний.",
            "Decisions belong to meetings.",
        ));
    }
    if rows.is_empty() || rows.len() > MAX_DECISIONS {
        return Err(AppError::invalid(
            format!("Решений — от 1 до {MAX_DECISIONS}."),
            format!("Give 1 to {MAX_DECISIONS} decisions."),
        ));
    }
    let mut tx = state.db.begin().await?;
    if !queries::mark_decided(&mut tx, item.item_id).await? {
        return Err(AppError::conflict(
            "already_decided",
            crate::error::Msg::new(
                "Решения этого совещания уже отправлены.",
                "This meeting's decisions were already sent.",
            ),
        ));
    }
    let msk = time::macros::offset!(+3);
    let mut decisions = Vec::new();
    for d in &rows {
        queries::insert_decision(&mut tx, item.item_id, d).await?;
        let day = super::domain::parse_date("deadline", &d.deadline)?;
        // The end of the working day, in the krai, as the core's forms.
        let deadline = day
            .with_hms(18, 0, 0)
            .map_err(|e| AppError::Internal(e.into()))?
            .assume_offset(msk)
            .to_offset(time::UtcOffset::UTC);
        decisions.push(MeetingDecision {
            n: d.n,
            text: d.text.clone(),
            organisation_id: d.organisation_id.clone(),
            deadline,
        });
    }
    crate::integration::exchange::emit(
        &mut tx,
        crate::integration::core_destination(&state.config),
        Body::MeetingDecided(MeetingDecided {
            meeting_id: item.item_id,
            organiser_id: Some(item.account_id),
            title: item.title.clone(),
            held_at: item.at,
            url: format!(
                "{}/pm/planner/items/{}",
                state.config.base_url(),
                item.item_id
            ),
            decisions,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
