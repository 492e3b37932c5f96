//! Slack's request signatures, checked before a byte of the body is parsed.
//!
//! Slack signs `v0:{X-Slack-Request-Timestamp}:{body}` with HMAC-SHA256 and the app's signing
//! secret, and sends `v0=` + hex as `X-Slack-Signature`. A request is accepted when the
//! signature matches and the timestamp is within 300 s of now. Inside that window a captured
//! request could be sent again, so the signatures already accepted are remembered until their
//! window closes: a replay is answered but not acted on.
//!
//! The memory is this process's. With several replicas behind one URL a replay could reach
//! another replica; the seen-set would then belong in the state store (an insert-if-absent
//! keyed by signature, expiring with the window).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use slack_morphism::prelude::SlackSigningSecret;
use slack_morphism::signature_verifier::{
    SlackEventSignatureVerifier, SlackEventSignatureVerifierError,
};
use thiserror::Error;

/// Slack's window: older (or newer) timestamps are refused.
pub const WINDOW_SECS: i64 = 300;

/// Why a request was refused. The detail goes to the log; the sender only gets a 401.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    #[error("the body is not UTF-8")]
    NotUtf8,
    #[error("the signature does not match")]
    Mismatch,
    #[error("the timestamp is outside the {WINDOW_SECS} s window")]
    Stale,
    #[error("the signing secret is empty")]
    NoSecret,
}

/// Whether a correctly signed request was seen before.
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    Replay,
}

pub struct Verifier {
    inner: SlackEventSignatureVerifier,
    seen: SeenSet,
}

impl Verifier {
    pub fn new(signing_secret: &str) -> Self {
        Verifier {
            inner: SlackEventSignatureVerifier::new(&SlackSigningSecret::new(
                signing_secret.to_string(),
            )),
            seen: SeenSet::default(),
        }
    }

    /// Checks one request as received: its two headers and its raw body.
    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<Freshness, SignatureError> {
        let timestamp =
            timestamp.ok_or(SignatureError::MissingHeader("X-Slack-Request-Timestamp"))?;
        let signature = signature.ok_or(SignatureError::MissingHeader("X-Slack-Signature"))?;
        let body = std::str::from_utf8(body).map_err(|_| SignatureError::NotUtf8)?;
        self.inner
            .verify(signature, body, timestamp)
            .map_err(|e| match e {
                SlackEventSignatureVerifierError::IncorrectOrExpiredTimestampError(_) => {
                    SignatureError::Stale
                }
                SlackEventSignatureVerifierError::CryptoInitError(_) => SignatureError::NoSecret,
                _ => SignatureError::Mismatch,
            })?;
        // Verified, so the timestamp parses; the entry may go when the window has closed.
        let sent = timestamp.parse::<i64>().unwrap_or_else(|_| unix_now());
        let expires = sent + WINDOW_SECS + 1;
        if self.seen.insert(signature, expires) {
            Ok(Freshness::Fresh)
        } else {
            Ok(Freshness::Replay)
        }
    }
}

/// Keys seen recently, each until its own expiry (Unix seconds). Keys are kept as 16 bytes
/// of their SHA-256, so a busy window costs little memory whatever the keys' length.
#[derive(Default)]
pub struct SeenSet {
    inner: Mutex<SeenInner>,
}

#[derive(Default)]
struct SeenInner {
    keys: HashMap<[u8; 16], i64>,
    swept: i64,
}

impl SeenSet {
    /// Records `key` until `expires`; false if it was already there.
    pub fn insert(&self, key: &str, expires: i64) -> bool {
        let digest = Sha256::digest(key.as_bytes());
        let mut short = [0u8; 16];
        short.copy_from_slice(&digest[..16]);
        let now = unix_now();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        // Sweeping every few seconds keeps the work per request constant on average.
        if now - inner.swept >= 5 {
            inner.keys.retain(|_, e| *e >= now);
            inner.swept = now;
        }
        match inner.keys.get(&short) {
            Some(e) if *e >= now => false,
            _ => {
                inner.keys.insert(short, expires);
                true
            }
        }
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.keys.len()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64
}
