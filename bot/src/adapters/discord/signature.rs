//! Discord signs every interaction with Ed25519 over `timestamp + body`; the check runs on the
//! raw bytes before anything is parsed (serenity's `interactions_endpoint::Verifier`). Old
//! timestamps are refused too, so a captured request cannot be replayed later.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serenity::interactions_endpoint::Verifier as Ed25519;
use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum SignatureError {
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    #[error("the signature does not match")]
    Mismatch,
    #[error("the request is too old (or from the future)")]
    Stale,
}

pub struct Verifier {
    key: Ed25519,
    max_age: Duration,
}

/// Parses 64 hex digits into the key bytes.
pub fn key_bytes(hex_key: &str) -> Option<[u8; 32]> {
    hex::decode(hex_key).ok()?.try_into().ok()
}

impl Verifier {
    /// None when the key is not a valid Ed25519 public key.
    pub fn new(hex_key: &str, max_age: Duration) -> Option<Self> {
        let key = Ed25519::try_new(key_bytes(hex_key)?).ok()?;
        Some(Verifier { key, max_age })
    }

    pub fn verify(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
    ) -> Result<(), SignatureError> {
        let signature = signature.ok_or(SignatureError::MissingHeader("X-Signature-Ed25519"))?;
        let timestamp = timestamp.ok_or(SignatureError::MissingHeader("X-Signature-Timestamp"))?;
        self.key
            .verify(signature, timestamp, body)
            .map_err(|()| SignatureError::Mismatch)?;
        // Checked after the signature, so an unsigned sender learns nothing from the answer.
        let sent: i64 = timestamp.parse().map_err(|_| SignatureError::Stale)?;
        let age = unix_now().abs_diff(sent);
        if age > self.max_age.as_secs() {
            return Err(SignatureError::Stale);
        }
        Ok(())
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
