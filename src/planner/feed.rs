//! The private calendar feed of a person: `/pm/planner/feed/{token}`,
//! the token a secret made in the planner's settings (revoked or made
//! anew there; an unknown token is not found). Built with the
//! `icalendar` crate: personal items with their RRULE, and what the
//! agenda knows, as VEVENTs (Google, iOS and Outlook ignore VTODO in a
//! subscribed feed), tasks and deadlines as VTODO with `?todo=1`.
//!
//! Titles, times and links only: no notes, no invitees, nothing about a
//! citizen (an order's title names a request by its number).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, Event, Property, Todo};
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::domain::{Kind, Zone};
use super::queries::{self, ItemRow};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::web::extract::{Path, Query};
use crate::workflow::agenda::Person;

/// A new secret for a feed address: 192 random bits, hex.
pub fn new_token() -> String {
    let bytes: [u8; 24] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct FeedQuery {
    #[serde(default)]
    todo: Option<String>,
}

fn utc(t: OffsetDateTime) -> String {
    let z = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        z.year(),
        u8::from(z.month()),
        z.day(),
        z.hour(),
        z.minute(),
        z.second()
    )
}

fn local(t: PrimitiveDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn date(d: time::Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The calendar's text with a VTIMEZONE for the zone its local times
/// name (one fixed offset; the crate has no builder for one and would
/// stamp any component it prints with a UID), put before the first item.
fn with_timezone(text: String, zone: Zone) -> String {
    let h = zone.offset().whole_hours();
    let off = format!("{}{:02}00", if h < 0 { "-" } else { "+" }, h.abs());
    let block = format!(
        "BEGIN:VTIMEZONE\r\nTZID:{tz}\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
         TZOFFSETFROM:{off}\r\nTZOFFSETTO:{off}\r\nTZNAME:UTC{off}\r\nEND:STANDARD\r\n\
         END:VTIMEZONE\r\n",
        tz = zone.name()
    );
    let at = text
        .find("\r\nBEGIN:V")
        .map(|i| i + 2)
        .or_else(|| text.find("END:VCALENDAR"))
        .unwrap_or(text.len());
    let mut out = text;
    out.insert_str(at, &block);
    out
}

fn host(state: &AppState) -> String {
    let base = state.config.base_url();
    base.split("://")
        .nth(1)
        .unwrap_or(&base)
        .trim_end_matches('/')
        .to_owned()
}

/// The feed's text for an account (`todo`: tasks and deadlines as VTODO).
pub async fn calendar(
    state: &AppState,
    account_id: i64,
    zone: Zone,
    todo: bool,
) -> AppResult<String> {
    let now = crate::db::now();
    let (from, to) = (now - Duration::days(90), now + Duration::days(366));
    let host = host(state);
    let base = state.config.base_url();
    let mut cal = Calendar::new();
    cal.name("Вече: планировщик");
    let items = queries::items_in(&state.db, account_id, from, to).await?;
    for i in items
        .iter()
        .filter(|i| i.response.as_deref().is_none_or(|r| r == "accepted"))
    {
        personal(&mut cal, i, &host, &base, todo);
    }
    let memberships = crate::auth::queries::memberships(&state.db, account_id).await?;
    let person = Person {
        account_id,
        organisations: memberships
            .iter()
            .map(|m| m.organisation_id.clone())
            .collect(),
        officer_of: Vec::new(),
    };
    let stamp = utc(now);
    for a in state.agenda.items(&state.db, &person, from, to).await? {
        let (ru, _) = state.agenda.label(a.kind);
        let summary = format!("{ru}: {}", a.title);
        let uid = format!("{}-{}@{host}", a.kind, a.key.replace(':', "-"));
        let url = format!("{base}{}", a.url);
        if todo {
            let mut t = Todo::new();
            t.uid(&uid).summary(&summary).url(&url);
            t.append_property(Property::new("DTSTAMP", &stamp));
            t.append_property(Property::new("DUE", utc(a.at)));
            cal.push(t.done());
        } else {
            let mut e = Event::new();
            e.uid(&uid).summary(&summary).url(&url);
            e.append_property(Property::new("DTSTAMP", &stamp));
            if a.all_day {
                let d = a.at.to_offset(zone.offset()).date();
                e.append_property(
                    Property::new("DTSTART", date(d))
                        .add_parameter("VALUE", "DATE")
                        .done(),
                );
            } else {
                e.append_property(Property::new("DTSTART", utc(a.at)));
                e.append_property(Property::new("DURATION", "PT30M"));
            }
            cal.push(e.done());
        }
    }
    Ok(with_timezone(cal.done().to_string(), zone))
}

fn personal(cal: &mut Calendar, i: &ItemRow, host: &str, base: &str, todo: bool) {
    let z = i.zone();
    let uid = format!("planner-{}@{host}", i.item_id);
    let url = format!("{base}/pm/planner/items/{}", i.item_id);
    let start = z.local(i.at);
    let stamp = utc(i.updated_at);
    if todo && i.kind() == Kind::Task && i.rrule.is_none() {
        let mut t = Todo::new();
        t.uid(&uid).summary(&i.title).url(&url);
        t.append_property(Property::new("DTSTAMP", &stamp));
        if i.all_day {
            t.append_property(
                Property::new("DUE", date(start.date()))
                    .add_parameter("VALUE", "DATE")
                    .done(),
            );
        } else {
            t.append_property(
                Property::new("DUE", local(start))
                    .add_parameter("TZID", z.name())
                    .done(),
            );
        }
        if i.done_at.is_some() {
            t.append_property(Property::new("STATUS", "COMPLETED"));
        }
        cal.push(t.done());
        return;
    }
    let mut e = Event::new();
    e.uid(&uid).summary(&i.title).url(&url);
    e.append_property(Property::new("DTSTAMP", &stamp));
    if i.all_day {
        e.append_property(
            Property::new("DTSTART", date(start.date()))
                .add_parameter("VALUE", "DATE")
                .done(),
        );
        e.append_property(
            Property::new("DTEND", date(start.date() + Duration::days(1)))
                .add_parameter("VALUE", "DATE")
                .done(),
        );
    } else {
        e.append_property(
            Property::new("DTSTART", local(start))
                .add_parameter("TZID", z.name())
                .done(),
        );
        if let Some(end) = i.ends_at {
            e.append_property(
                Property::new("DTEND", local(z.local(end)))
                    .add_parameter("TZID", z.name())
                    .done(),
            );
        }
    }
    if let Some(r) = i.rule() {
        e.append_property(Property::new("RRULE", r.to_text(z.offset())));
    }
    cal.push(e.done());
}

/// `GET /pm/planner/feed/{token}` (`.ics` allowed at the end).
pub async fn feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Response> {
    let token = token.trim_end_matches(".ics");
    if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::not_found());
    }
    let (account, tz) = queries::feed_owner(&state.db, token)
        .await?
        .ok_or_else(AppError::not_found)?;
    let todo = q.todo.as_deref().is_some_and(|v| v == "1" || v == "true");
    let text = calendar(&state, account, Zone::of(&tz), todo).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"veche-planner.ics\"",
            ),
        ],
        text,
    )
        .into_response())
}
