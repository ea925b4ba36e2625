//! The instances' keys: each process holds only its own Ed25519 private
//! key (the file `VECHE_FEDERATION_KEY`, written by `veche federation
//! keygen`); `deploy/federation.toml` carries only public keys, so the file
//! may be shared, versioned and leaked without letting anyone sign. The
//! signature goes in the exchange's `Veche-Signature` header as
//! `ed25519=<base64>` over `timestamp.body`, beside the HMAC `v1=` scheme
//! other partners keep using (`integration::signing`).

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_compact::{KeyPair, PublicKey, Seed, Signature};

use super::Federation;
use crate::db::Db;

/// The prefix of the signature's value in `Veche-Signature`.
pub const SCHEME: &str = "ed25519=";

/// This process's private key.
#[derive(Clone)]
pub struct PrivateKey(Arc<KeyPair>);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself, even in a debug print.
        write!(f, "PrivateKey(public {})", self.public_base64())
    }
}

impl PrivateKey {
    pub fn generate() -> PrivateKey {
        PrivateKey(Arc::new(KeyPair::generate()))
    }

    /// The key file's text: base64 of the 32-byte seed.
    pub fn to_file_text(&self) -> String {
        format!("{}\n", STANDARD.encode(self.0.sk.seed().as_ref()))
    }

    /// Reads a key file written by [`to_file_text`](Self::to_file_text).
    pub fn read(path: &Path) -> anyhow::Result<PrivateKey> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "the instance's private key {} (VECHE_FEDERATION_KEY) cannot be read: {e}",
                path.display()
            )
        })?;
        let bytes = STANDARD.decode(text.trim()).ok();
        let seed = bytes
            .as_deref()
            .and_then(|b| Seed::from_slice(b).ok())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{} is not a key written by `veche federation keygen` (base64 of 32 bytes)",
                    path.display()
                )
            })?;
        Ok(PrivateKey(Arc::new(KeyPair::from_seed(seed))))
    }

    pub fn public_base64(&self) -> String {
        STANDARD.encode(self.0.pk.as_ref())
    }

    /// The `Veche-Signature` value for `body` signed at `timestamp`.
    pub fn sign(&self, timestamp: i64, body: &[u8]) -> String {
        let sig = self.0.sk.sign(signed_bytes(timestamp, body), None);
        format!("{SCHEME}{}", STANDARD.encode(sig.as_ref()))
    }
}

fn signed_bytes(timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(body.len() + 24);
    m.extend_from_slice(timestamp.to_string().as_bytes());
    m.push(b'.');
    m.extend_from_slice(body);
    m
}

/// A public key from the file (base64 of 32 bytes).
pub fn public_key(s: &str) -> Result<PublicKey, String> {
    let bytes = STANDARD
        .decode(s.trim())
        .map_err(|_| "not base64".to_owned())?;
    PublicKey::from_slice(&bytes).map_err(|_| format!("{} bytes, not 32", bytes.len()))
}

/// Whether `header` carries an `ed25519=` signature of `timestamp.body` by
/// `public` (base64). `None` when it carries none at all.
pub fn verify(public: &str, timestamp: i64, body: &[u8], header: &str) -> Option<bool> {
    let pk = public_key(public).ok()?;
    let mut any = None;
    for part in header.split(',').map(str::trim) {
        let Some(b64) = part.strip_prefix(SCHEME) else {
            continue;
        };
        any = Some(false);
        let Some(sig) = STANDARD
            .decode(b64)
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok())
        else {
            continue;
        };
        if pk.verify(signed_bytes(timestamp, body), &sig).is_ok() {
            return Some(true);
        }
    }
    any
}

/// The key of this process, checked against the file: a process started
/// with another instance's key (or an old one) says so at once instead of
/// being refused by every partner.
pub fn load_own(federation: &Federation) -> anyhow::Result<PrivateKey> {
    let path = std::env::var_os("VECHE_FEDERATION_KEY")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "VECHE_FEDERATION is set, so VECHE_FEDERATION_KEY must name this instance's \
                 private key (make one with `veche federation keygen --out FILE`)"
            )
        })?;
    let key = PrivateKey::read(Path::new(&path))?;
    let this = federation.this();
    anyhow::ensure!(
        key.public_base64() == this.public_key.trim(),
        "the private key {} is not the key of “{}”: its public key is {}, the federation \
         file gives {}",
        Path::new(&path).display(),
        this.id,
        key.public_base64(),
        this.public_key
    );
    Ok(key)
}

/// Keeps the partners in step with the file: every other instance becomes
/// (or stays) an `instance` partner with its URL, public key and role.
/// Instances are veche processes of one administration, so each may act
/// for every organisation, like the single-process core; the Department of
/// Control's role makes it watch every organisation, so every core sends
/// it `order.updated` (`partners::watching`). Run at every start; the file
/// wins over what an administrator typed for the same id.
/// Returns the instances not known before this start.
pub async fn register_partners(db: &Db, federation: &Federation) -> anyhow::Result<Vec<String>> {
    let mut new = Vec::new();
    for i in federation.others() {
        let url = i.messages_url();
        if crate::integration::partners::get(db, &i.id)
            .await?
            .is_none()
        {
            new.push(i.id.clone());
        }
        crate::integration::partners::upsert(
            db,
            &crate::integration::partners::NewPartner {
                partner_id: &i.id,
                name: i.label(),
                kind: "instance",
                url: Some(&url),
                // No shared secret: the partner signs with its private
                // key, checked against `public_key`.
                secret: "",
                all_organisations: true,
                organisations: &[],
                medo: None,
            },
        )
        .await?;
        crate::integration::partners::set_federation(
            db,
            &i.id,
            Some(i.public_key.trim()),
            Some(i.role.as_str()),
        )
        .await?;
    }
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_and_nothing_else_does() {
        let k = PrivateKey::generate();
        let other = PrivateKey::generate();
        let body = br#"{"id":"1"}"#;
        let sig = k.sign(1_700_000_000, body);
        assert!(sig.starts_with(SCHEME));
        let pk = k.public_base64();
        assert_eq!(verify(&pk, 1_700_000_000, body, &sig), Some(true));
        assert_eq!(verify(&pk, 1_700_000_001, body, &sig), Some(false));
        assert_eq!(verify(&pk, 1_700_000_000, b"{}", &sig), Some(false));
        assert_eq!(
            verify(&other.public_base64(), 1_700_000_000, body, &sig),
            Some(false)
        );
        assert_eq!(verify(&pk, 1_700_000_000, body, "v1=abcd"), None);
        assert_eq!(verify(&pk, 1_700_000_000, body, "ed25519=!!"), Some(false));
        // Rotation: the new key's signature beside the old one's.
        let both = format!("{}, {}", other.sign(5, body), k.sign(5, body));
        assert_eq!(verify(&pk, 5, body, &both), Some(true));
        assert!(!format!("{k:?}").contains(k.to_file_text().trim()));
    }

    #[test]
    fn a_key_file_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let k = PrivateKey::generate();
        std::fs::write(&path, k.to_file_text()).unwrap();
        let back = PrivateKey::read(&path).unwrap();
        assert_eq!(back.public_base64(), k.public_base64());
        std::fs::write(&path, "nonsense").unwrap();
        assert!(PrivateKey::read(&path).is_err());
    }
}
