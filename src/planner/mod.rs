//! The personal planner of staff under `/pm/planner` (docs/PLANNER.md),
//! behind the core's guard:
//!
//! - `domain.rs`: time zones, kinds, reminders, an item's form parsed once;
//!   `rrule.rs`: the recurrence subset, parsed under limits and expanded;
//! - `queries.rs`: the SQL; `service.rs`: every change, one transaction
//!   each (reminders moved with the item; a meeting's decisions sent to
//!   the core as `meeting.decided`);
//! - `reminders.rs`: the worker that sends reminders once, by mail and in
//!   the site;
//! - `pages.rs`: the agenda (day, week, month, the phone's list) merging
//!   personal items with what `workflow::agenda` gathers, and the
//!   delegated task control; `forms.rs`: an item's pages and forms and the
//!   settings; `feed.rs`: the private iCalendar feed;
//! - `demo.rs`: the demo officer's and executor's planner.
//!
//! The planner names no other feature: deadlines, hearings and reports
//! come through the agenda registry, orders go out as messages.

pub mod demo;
pub mod domain;
pub mod feed;
pub mod forms;
pub mod pages;
pub mod queries;
pub mod reminders;
pub mod rrule;
pub mod service;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pm/planner", get(pages::agenda))
        .route("/pm/planner/control", get(pages::control))
        .route("/pm/planner/new", get(forms::new_item))
        .route("/pm/planner/items", post(forms::create))
        .route(
            "/pm/planner/items/{id}",
            get(forms::show).post(forms::update),
        )
        .route("/pm/planner/items/{id}/move", post(forms::move_item))
        .route("/pm/planner/items/{id}/done", post(forms::done))
        .route("/pm/planner/items/{id}/delete", post(forms::delete))
        .route("/pm/planner/items/{id}/respond", post(forms::respond))
        .route("/pm/planner/items/{id}/decisions", post(forms::decisions))
        .route(
            "/pm/planner/settings",
            get(forms::settings).post(forms::save_settings),
        )
        .route("/pm/planner/settings/feed", post(forms::feed_token))
        .route("/pm/planner/feed/{token}", get(feed::feed))
}
