//! Deadlines and reminders. A decision against us opens an order in the
//! core ("prepare the appeal") when its rule's period nears its end, once
//! per instance and rule, through the integration exchange in the
//! transaction that records the alert; the order closes when the next
//! instance is recorded (or the decision turns out not against us). The
//! hourly run also mails the responsible lawyer the day before a hearing.

use std::collections::BTreeMap;

use time::{Date, Duration, OffsetDateTime, Time, UtcOffset};

use super::domain::{self, Decided, Level, Outcome, Rule};
use super::queries::{self, RuleRow};
use super::views::CourtTexts;
use crate::app::AppState;
use crate::error::AppResult;
use crate::integration::mail::{self, OutgoingMail};
use crate::integration::messages::{Body, ControlCleared, ControlRaised};
use crate::web::i18n::{Locale, iso_date};

const MSK: UtcOffset = time::macros::offset!(+3);

/// Today in the krai, by the service clock (the demo moves it).
pub fn today() -> Date {
    crate::db::now().to_offset(MSK).date()
}

fn key(alert_id: i64) -> String {
    format!("courts:deadline:{alert_id}")
}

pub fn rule(r: &RuleRow) -> Option<Rule> {
    Some(Rule {
        rule_code: r.rule_code.clone(),
        next_level: Level::parse(&r.next_level)?,
        in_force: r.anchor == "in_force",
        months: u8::try_from(r.months).ok()?,
        warn_days: i64::from(r.warn_days),
        article: r.article.clone(),
    })
}

/// Brings the deadline orders of one case (or of all, `0`) in line with
/// its instances on `at`; how many were opened and closed.
pub async fn sweep(state: &AppState, case_id: i64, at: Date) -> AppResult<(usize, usize)> {
    let rules: BTreeMap<String, Rule> = queries::rules(&state.db)
        .await?
        .iter()
        .filter_map(|r| rule(r).map(|x| (r.rule_code.clone(), x)))
        .collect();
    let mut tx = state.db.begin().await?;
    let decided = queries::decided(&mut tx, case_id).await?;
    let open = queries::open_alerts(&mut tx, case_id).await?;
    let (mut opened, mut closed) = (0, 0);
    let mut wanted = Vec::new();
    for d in &decided {
        let Some(r) = rules.get(&d.rule_code) else {
            continue;
        };
        // A decision counted from its own day that has come into force was
        // not appealed in time: that period is over, nothing to prepare.
        if !r.in_force && d.in_force_on.is_some() {
            continue;
        }
        let Some(due) = domain::due(
            r,
            &Decided {
                decided_on: d.decided_on,
                full_text_on: d.full_text_on,
                in_force_on: d.in_force_on,
            },
        ) else {
            continue;
        };
        let outcome = d.outcome.as_deref().and_then(Outcome::parse);
        if !domain::needs_order(outcome, d.next_recorded, due, r.warn_days, at) {
            continue;
        }
        wanted.push((d.instance_id, r.rule_code.clone()));
        if open
            .iter()
            .any(|a| a.instance_id == d.instance_id && a.rule_code == r.rule_code)
        {
            continue;
        }
        if let Some(alert_id) =
            queries::raise_alert(&mut tx, d.instance_id, &r.rule_code, due).await?
        {
            let t = CourtTexts::get(Locale::Ru);
            let next = r.next_level.label(Locale::Ru).to_lowercase();
            crate::integration::exchange::emit(
                &mut tx,
                crate::integration::core_destination(&state.config),
                Body::ControlRaised(ControlRaised {
                    key: key(alert_id),
                    organisation_id: d.organisation_id.clone(),
                    title: format!(
                        "{} ({next}): дело № {}, {}",
                        t.prepare_complaint, d.number, d.court
                    ),
                    description: format!(
                        "Решение по делу «{}» принято не в пользу организации. Срок обжалования \
                         ({}) истекает {}. Подготовьте и подайте жалобу или доложите, почему \
                         обжаловать не нужно.",
                        d.subject,
                        r.article,
                        crate::web::components::date(Locale::Ru, due)
                    ),
                    url: format!("{}/pm/courts/cases/{}", state.config.base_url(), d.case_id),
                    deadline: due
                        .with_time(Time::from_hms(18, 0, 0).unwrap_or(Time::MIDNIGHT))
                        .assume_offset(MSK),
                }),
            )
            .await?;
            opened += 1;
        }
    }
    for a in open.iter().filter(|a| {
        !wanted
            .iter()
            .any(|(i, r)| *i == a.instance_id && *r == a.rule_code)
    }) {
        if queries::close_alert(&mut tx, a.alert_id).await? {
            crate::integration::exchange::emit(
                &mut tx,
                crate::integration::core_destination(&state.config),
                Body::ControlCleared(ControlCleared {
                    key: key(a.alert_id),
                    note: "Жалоба подана: дело перешло в следующую инстанцию (или решение не против организации).".into(),
                }),
            )
            .await?;
            closed += 1;
        }
    }
    tx.commit().await?;
    Ok((opened, closed))
}

/// Mails the lawyer of every hearing on tomorrow's date (in the krai)
/// that has not been reminded of; how many hearings were handled.
pub async fn remind(state: &AppState, now: OffsetDateTime) -> AppResult<usize> {
    let tomorrow = now.to_offset(MSK).date() + Duration::days(1);
    let from = tomorrow.midnight().assume_offset(MSK);
    let to = from + Duration::days(1);
    let mut done = 0;
    for h in queries::hearings_between(&state.db, from, to)
        .await?
        .into_iter()
        .filter(|h| !h.reminded)
    {
        let mut tx = state.db.begin().await?;
        if !queries::mark_reminded(&mut tx, h.hearing_id).await? {
            continue;
        }
        if let Some(to) = &h.lawyer_email {
            mail::enqueue(&mut tx, &reminder(state, &h, to)).await?;
        }
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}

/// The reminder in both languages: it names the case's subject, the
/// court and the time, never a party.
fn reminder(state: &AppState, h: &queries::HearingRow, to: &str) -> OutgoingMail {
    let at = h.starts_at.to_offset(MSK);
    let when = format!(
        "{} {:02}:{:02}",
        iso_date(at.date()),
        at.hour(),
        at.minute()
    );
    let url = format!("{}/pm/courts/cases/{}", state.config.base_url(), h.case_id);
    let text = |l: Locale| {
        let t = CourtTexts::get(l);
        format!(
            "{} {when} (MSK).\n{}: {}\n{}: {} № {}\n{}: {}\n{url}\n",
            t.reminder_lead,
            t.subject,
            h.subject,
            t.court,
            h.court,
            h.number,
            t.courtroom,
            if h.courtroom.is_empty() {
                "—"
            } else {
                &h.courtroom
            },
        )
    };
    OutgoingMail {
        to: to.to_owned(),
        subject: format!("Судебное заседание {when}: дело № {}", h.number),
        body: format!("{}\n---\n{}", text(Locale::Ru), text(Locale::En)),
    }
}
