//! The social layer of participation (docs/PARTICIPATION.md, "The social
//! layer"): profiles, follows and the personal feed, direct messages,
//! publications, galleries, and the moderation of all of them. It lives in
//! `participation/` because it is made of the same things (a profile shows
//! a person's reports, supports, suggestions, initiatives and comments) and
//! may link them; the activity stream it reads is the shared service
//! `activity`, which the other tools write to.
//!
//! - `profiles.rs`: `/people/{id}` and `/account/profile`;
//! - `feed.rs`: follows and `/feed`;
//! - `messages.rs`: direct messages, blocking, reports;
//! - `publications/`: news, announcements and posts with comments, feeds;
//! - `galleries/`: albums of photos with captions and places;
//! - `moderation.rs`, `moderation_pages.rs`: flags, the queue, hiding and
//!   restoring with a reason, the item's log, bans on posting;
//! - `views.rs`: what they share (the report-abuse form, names).

pub mod demo;
pub mod feed;
pub mod galleries;
pub mod messages;
pub mod moderation;
pub mod moderation_pages;
pub mod profiles;
pub mod publications;
pub mod views;

use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(profiles::router())
        .merge(feed::router())
        .merge(messages::router())
        .merge(moderation_pages::router())
        .merge(publications::router())
        .merge(galleries::router())
}
