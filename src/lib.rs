//! # Veche
//!
//! The open-government platform of Krasnodar Krai, in one crate. A guided
//! tour (details in docs/ARCHITECTURE.md):
//!
//! - [`app`] builds the [`app::AppState`] and the router; `main.rs` only parses
//!   the command line ([`cli`]) and starts logging ([`telemetry`]).
//! - [`db`] is the store over SQLite or PostgreSQL, with the durable outbox
//!   ([`db::queue`]) that carries work out of transactions.
//! - [`web`] holds what every page shares: layout, components, languages,
//!   CSRF, error rendering, assets, health and metrics, the OpenAPI document.
//! - Feature folders own their routes, SQL, views, domain types and search
//!   documents: [`auth`] (accounts and roles), [`geo`] (the 44 municipalities),
//!   [`directory`] (organisations), [`search`] (the index and its writer),
//!   [`integration`] (mail), [`opendata`] (the open data portal), [`issues`]
//!   (citizens' problem reports) and [`media`] (photos).
//! - [`workflow`] is the machinery of citizens' requests that several
//!   features share: lifecycle, routing, SLA, timeline, votes, notifications.
//! - [`error::AppError`] is the one error type: status, code and a message in
//!   both languages.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod construction;
pub mod db;
pub mod directory;
pub mod error;
pub mod features;
pub mod geo;
pub mod integration;
pub mod issues;
pub mod media;
pub mod opendata;
pub mod pm;
pub mod search;
pub mod telemetry;
pub mod web;
pub mod workflow;
