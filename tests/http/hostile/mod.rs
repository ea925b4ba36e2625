//! Hostile input (issue 10): each test is a request an attacker would send,
//! which crashed, leaked or misbehaved before the fix. Every test asserts the
//! clear 4xx (or the withheld data) and that the server still answers
//! `/health` afterwards.

mod access;
mod accounts;
mod fuzz;
mod integration;
mod parsers;

use crate::helpers::TestApp;

/// The server still answers after the hostile request.
pub async fn still_healthy(app: &TestApp) {
    let r = app.get("/health").await;
    assert_eq!(r.status, 200, "/health after a hostile request: {}", r.body);
}
