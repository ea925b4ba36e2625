//! Tests through the real HTTP interface: every request goes through the
//! application's router (in-process, with a cookie jar), the real store (on
//! SQLite and on a throwaway PostgreSQL cluster) and the real index. A smoke
//! test and the browser test use real TCP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;
mod pg;

mod audit;
mod auth;
mod bi;
mod browser;
mod cdp;
mod ckan;
mod clients;
mod construction;
mod construction_bulk;
mod courts;
mod crash;
mod demo;
mod directory;
mod federation;
mod federation_control;
mod galleries;
mod geo;
mod group_commit;
mod home;
mod hostile;
mod import_directory;
mod integration;
mod lawmaking;
mod medo;
mod nodes;
mod nodes_cluster;
mod nodes_files;
mod oidc;
mod open311;
mod opendata;
mod opendata_api;
mod ops;
mod participation;
mod phone;
mod planner;
mod pm;
mod pm_tally;
mod press;
mod press_news;
mod problems;
mod publications;
mod queues;
mod rankings;
mod report_page;
mod reports;
mod roles;
mod screenshots;
mod search_nodes;
mod services;
mod smtp;
mod snapshots;
mod social;
mod staff_app;
mod staff_phone;
mod staffing;
mod story;
mod suggestions;
mod two_processes;
mod voice;
