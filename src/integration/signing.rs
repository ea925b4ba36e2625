//! Signed messages between veche and its partners (another veche instance,
//! an outside document-flow system), in both directions.
//!
//! The sender puts three headers on every POST:
//! - `Veche-Key-Id`: who signs (the id the receiver knows the sender by);
//! - `Veche-Timestamp`: Unix seconds when it was signed;
//! - `Veche-Signature`: `v1=` + hex HMAC-SHA256 over `timestamp + "." + body`
//!   with the secret both sides share.
//!
//! The receiver refuses a wrong signature (tampered body or wrong key), a
//! timestamp more than five minutes away from its clock (an old capture
//! replayed, or a clock that is off: the answer says by how much and which
//! way, `clock_skew`) and a message id it has already applied (a replay
//! within the window); see `inbound.rs`. The scheme is Stripe's, which most
//! webhook consumers already know how to check. Instances of a federation
//! sign with Ed25519 instead (`ed25519=`, `federation::keys`), over the
//! same `timestamp.body` and within the same window.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const KEY_ID: &str = "veche-key-id";
pub const TIMESTAMP: &str = "veche-timestamp";
pub const SIGNATURE: &str = "veche-signature";

/// How far a timestamp may be from the receiver's clock.
pub const TOLERANCE_SECS: i64 = 300;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The `Veche-Signature` header value for `body` signed at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let bytes = mac(secret, timestamp, body).finalize().into_bytes();
    format!("v1={}", hex(&bytes))
}

#[derive(Debug, PartialEq, Eq)]
pub enum Invalid {
    Malformed,
    /// The timestamp is `skew` seconds from the receiver's clock: positive
    /// when the sender's clock is ahead, negative when it is behind.
    Stale {
        skew: i64,
    },
    Mismatch,
}

/// Whether a timestamp is within [`TOLERANCE_SECS`] of `now`.
pub fn check_time(timestamp: i64, now: i64) -> Result<(), Invalid> {
    let skew = timestamp.saturating_sub(now);
    // `unsigned_abs`: a hostile timestamp of i64::MIN has no `abs`.
    if skew.unsigned_abs() > TOLERANCE_SECS.unsigned_abs() {
        return Err(Invalid::Stale { skew });
    }
    Ok(())
}

/// Checks a signature header in constant time, and the timestamp's age.
pub fn verify(
    secret: &str,
    timestamp: i64,
    now: i64,
    body: &[u8],
    header: &str,
) -> Result<(), Invalid> {
    check_time(timestamp, now)?;
    // Several `v1=` values may be sent while a secret is being rotated.
    let mut any = false;
    for part in header.split(',').map(str::trim) {
        let Some(hexed) = part.strip_prefix("v1=") else {
            continue;
        };
        any = true;
        let Some(bytes) = unhex(hexed) else {
            continue;
        };
        if mac(secret, timestamp, body).verify_slice(&bytes).is_ok() {
            return Ok(());
        }
    }
    if any {
        Err(Invalid::Mismatch)
    } else {
        Err(Invalid::Malformed)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A new random secret for a partner: 32 bytes, hex.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_and_a_changed_byte_does_not() {
        let body = br#"{"id":"1"}"#;
        let sig = sign("s3cret", 1_700_000_000, body);
        assert!(sig.starts_with("v1=") && sig.len() == 3 + 64);
        assert_eq!(
            verify("s3cret", 1_700_000_000, 1_700_000_010, body, &sig),
            Ok(())
        );
        assert_eq!(
            verify(
                "s3cret",
                1_700_000_000,
                1_700_000_010,
                br#"{"id":"2"}"#,
                &sig
            ),
            Err(Invalid::Mismatch)
        );
        assert_eq!(
            verify("other", 1_700_000_000, 1_700_000_010, body, &sig),
            Err(Invalid::Mismatch)
        );
        // The timestamp is signed too: moving it breaks the signature.
        assert_eq!(
            verify("s3cret", 1_700_000_001, 1_700_000_010, body, &sig),
            Err(Invalid::Mismatch)
        );
        assert_eq!(
            verify("s3cret", 1_700_000_000, 1_700_000_000 + 301, body, &sig),
            Err(Invalid::Stale { skew: -301 })
        );
        assert_eq!(
            check_time(1_700_000_400, 1_700_000_000),
            Err(Invalid::Stale { skew: 400 })
        );
        assert_eq!(check_time(1_700_000_300, 1_700_000_000), Ok(()));
        assert_eq!(
            check_time(i64::MIN, 5),
            Err(Invalid::Stale { skew: i64::MIN })
        );
        assert_eq!(
            verify("s3cret", 1_700_000_000, 1_700_000_010, body, "sha1=ab"),
            Err(Invalid::Malformed)
        );
    }

    #[test]
    fn rotation_accepts_either_signature() {
        let body = b"x";
        let header = format!("{}, {}", sign("old", 5, body), sign("new", 5, body));
        assert_eq!(verify("new", 5, 5, body, &header), Ok(()));
    }
}
