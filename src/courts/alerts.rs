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
    // Why each decided instance needs an order today, or why not.
    let mut wanted: Vec<(&queries::PendingRow, &Rule, Date)> = Vec::new();
    let mut why_not: BTreeMap<(i64, &str), &'static str> = BTreeMap::new();
    for d in &decided {
        let Some(r) = rules.get(&d.rule_code) else {
            continue;
        };
        let due = domain::due(
            r,
            &Decided {
                decided_on: d.decided_on,
                full_text_on: d.full_text_on,
                in_force_on: d.in_force_on,
            },
        );
        let outcome = d.outcome.as_deref().and_then(Outcome::parse);
        // A decision counted from its own day that is in force was not
        // appealed in time: that period is over, nothing to prepare.
        let in_force = !r.in_force && d.in_force_on.is_some_and(|f| f <= at);
        match due {
            Some(due)
                if !in_force
                    && domain::needs_order(outcome, d.next_recorded, due, r.warn_days, at) =>
            {
                wanted.push((d, r, due));
            }
            _ => {
                let not_yet = due.is_some_and(|due| at < due - Duration::days(r.warn_days));
                let why = if d.next_recorded {
                    "Жалоба подана: дело перешло в следующую инстанцию."
                } else if !outcome.is_some_and(Outcome::against_us) {
                    "Решение изменено: оно не против организации."
                } else if in_force {
                    "Решение вступило в силу."
                } else if not_yet {
                    "Срок пересчитан: до конца срока обжалования ещё далеко."
                } else {
                    "Срок обжалования истёк больше месяца назад."
                };
                why_not.insert((d.instance_id, d.rule_code.as_str()), why);
            }
        }
    }
    let (mut opened, mut closed) = (0, 0);
    for a in &open {
        let still = wanted
            .iter()
            .find(|(d, r, _)| d.instance_id == a.instance_id && r.rule_code == a.rule_code);
        let note = match still {
            Some((_, _, due)) if *due == a.due_on => continue,
            // A corrected date: the order goes with its deadline, a new one
            // comes with the new.
            Some(_) => "Срок пересчитан: даты решения исправлены.",
            None => why_not
                .get(&(a.instance_id, a.rule_code.as_str()))
                .copied()
                .unwrap_or("Решение изменено."),
        };
        if queries::close_alert(&mut tx, a.alert_id).await? {
            let core = match decided.iter().find(|d| d.instance_id == a.instance_id) {
                Some(d) => crate::integration::core_for(&mut tx, state, &d.organisation_id).await?,
                None => crate::integration::core_destination(&state.config).to_owned(),
            };
            crate::integration::exchange::emit(
                &mut tx,
                &core,
                Body::ControlCleared(ControlCleared {
                    key: key(a.alert_id),
                    note: note.into(),
                }),
            )
            .await?;
            closed += 1;
        }
    }
    for (d, r, due) in wanted {
        let Some(alert_id) =
            queries::raise_alert(&mut tx, d.instance_id, &r.rule_code, due).await?
        else {
            // Open already (this run kept it, or another run raised it).
            continue;
        };
        let t = CourtTexts::get(Locale::Ru);
        let next = r.next_level.label(Locale::Ru).to_lowercase();
        // Titles and texts name the court, the number and the article;
        // never the subject (a subject may name a person) or a party.
        let core = crate::integration::core_for(&mut tx, state, &d.organisation_id).await?;
        crate::integration::exchange::emit(
            &mut tx,
            &core,
            Body::ControlRaised(ControlRaised {
                key: key(alert_id),
                organisation_id: d.organisation_id.clone(),
                title: format!(
                    "{} ({next}): дело № {}, {}",
                    t.prepare_complaint, d.number, d.court
                ),
                description: format!(
                    "Решение по делу № {} принято не в пользу организации. Срок обжалования \
                     ({}) истекает {}. Подготовьте и подайте жалобу или доложите, почему \
                     обжаловать не нужно.",
                    d.number,
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

/// The reminder in both languages: it names the court, the number and
/// the time, never the subject (it may name a person) or a party.
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
            "{} {when} (MSK).\n{}: {} № {}\n{}: {}\n{url}\n",
            t.reminder_lead,
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
