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
//! - Shared services know no feature and keep registries that features
//!   plug into, all wired in [`features`]: [`auth`] (accounts, roles, API
//!   tokens), [`search`] (the index and its document kinds), [`media`]
//!   (photos, their upload and who may see them), [`datasets`] (registries
//!   published as open data), [`workflow`] (the machinery of citizens'
//!   requests: lifecycle, routing, SLA, timeline, votes, notifications, the
//!   request page) and [`integration`] (mail, messages and their handlers).
//!   [`geo`] and [`directory`] are reference data every part uses.
//! - Features own their routes, SQL, views and domain types and never import
//!   each other: [`opendata`] (the open data portal), [`issues`] (citizens'
//!   problem reports), [`construction`] (the registries and check requests)
//!   and [`pm`] (the internal control core). `tests/architecture.rs` keeps
//!   it so.
//! - [`error::AppError`] is the one error type: status, code and a message in
//!   both languages.

pub mod activity;
pub mod app;
pub mod auth;
pub mod bi;
pub mod cli;
pub mod config;
pub mod construction;
pub mod courts;
pub mod datasets;
pub mod db;
pub mod demo;
pub mod directory;
pub mod error;
pub mod features;
pub mod federation;
pub mod geo;
pub mod integration;
pub mod issues;
pub mod media;
pub mod opendata;
pub mod participation;
pub mod planner;
pub mod pm;
pub mod press;
pub mod rankings;
pub mod reports;
pub mod search;
pub mod speech;
pub mod staffing;
pub mod telemetry;
pub mod web;
pub mod workflow;
