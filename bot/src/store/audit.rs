//! The audit log's records and how each is sealed into the chain.
//!
//! Each record's hash covers its own fields and the hash of the record before it, so editing,
//! deleting or reordering any record breaks every hash after it. A plain SHA-256 chain only
//! shows accidents: whoever can write the database can recompute every hash. With a key
//! (`audit.key_file`) the hash is an HMAC-SHA256 under a key the database never holds, so a
//! rewrite needs the key too. Each record names the scheme that sealed it, so a log begun
//! without a key and continued with one still verifies. The head is also anchored outside the
//! database (see [`super::audit_anchor`]), which shows a cut tail.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// What happened, in the order the engine sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditKind {
    /// A line was received from someone.
    Invocation,
    /// The line did not parse or resolve; nothing ran.
    Rejected,
    /// The policy's decision and the rules that made it.
    Decision,
    /// A step finished (ok or failed).
    Step,
    /// The run's outcome.
    Result,
    /// An incident was opened, acknowledged or resolved: who was called, and why.
    Incident,
    /// Something was read for a chat's own interface (an autocomplete lookup), not by a
    /// command: who, which cluster, which kind.
    Read,
    /// The audit log itself: a key or an anchor file was taken into use.
    Audit,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Invocation => "invocation",
            AuditKind::Rejected => "rejected",
            AuditKind::Decision => "decision",
            AuditKind::Step => "step",
            AuditKind::Result => "result",
            AuditKind::Incident => "incident",
            AuditKind::Read => "read",
            AuditKind::Audit => "audit",
        }
    }
}

/// A record before it is chained.
#[derive(Clone, Debug)]
pub struct AuditEvent {
    pub request_id: String,
    pub kind: AuditKind,
    pub subject: String,
    pub operation: Option<String>,
    pub detail: Value,
}

/// A record as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditRecord {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub request_id: String,
    pub kind: String,
    pub subject: String,
    pub operation: Option<String>,
    /// JSON text exactly as hashed.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
    /// How `hash` was made: [`Scheme`] as text (`sha256`, `hmac-sha256:KEYID`).
    pub scheme: String,
}

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How a record's hash was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// SHA-256 of the record: what a log without a key holds (and all of the first release).
    Sha256,
    /// HMAC-SHA256 under the key whose id is given.
    Hmac { key_id: String },
}

pub const SCHEME_SHA256: &str = "sha256";
const SCHEME_HMAC_PREFIX: &str = "hmac-sha256:";

impl Scheme {
    pub fn parse(text: &str) -> Option<Scheme> {
        if text == SCHEME_SHA256 {
            return Some(Scheme::Sha256);
        }
        let key_id = text.strip_prefix(SCHEME_HMAC_PREFIX)?;
        (!key_id.is_empty()).then(|| Scheme::Hmac {
            key_id: key_id.to_string(),
        })
    }

    /// The scheme a writer holding `key` (or none) seals with.
    pub fn for_key(key: Option<&AuditKey>) -> Scheme {
        match key {
            None => Scheme::Sha256,
            Some(key) => Scheme::Hmac {
                key_id: key.id().to_string(),
            },
        }
    }

    pub fn to_text(&self) -> String {
        match self {
            Scheme::Sha256 => SCHEME_SHA256.to_string(),
            Scheme::Hmac { key_id } => format!("{SCHEME_HMAC_PREFIX}{key_id}"),
        }
    }
}

type HmacSha256 = Hmac<Sha256>;

/// The secret that seals the chain. Its bytes never reach a log or the database; only its id
/// (an HMAC of a fixed label, so it reveals nothing about the key) is stored in each record,
/// so verify can say which key a record needs.
#[derive(Clone)]
pub struct AuditKey {
    bytes: Vec<u8>,
    id: String,
}

/// An audit key shorter than this could be guessed offline from the log itself.
pub const MIN_KEY_BYTES: usize = 32;

impl AuditKey {
    pub fn new(bytes: Vec<u8>) -> AuditKey {
        let id = hex::encode(&mac(&bytes, b"opsbot audit key id")[..8]);
        AuditKey { bytes, id }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn mac_hex(&self, data: &[u8]) -> String {
        hex::encode(mac(&self.bytes, data))
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id)
    }
}

fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length; the error type exists only for fixed-size MACs.
    match HmacSha256::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Why a record's hash cannot be recomputed by this verifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SealProblem {
    /// The record was sealed under a key, and none is configured.
    KeyMissing { key_id: String },
    /// The record was sealed under another key than the configured one.
    OtherKey { key_id: String },
    /// The record names a scheme this opsbot does not know.
    UnknownScheme(String),
}

impl AuditRecord {
    /// The plain SHA-256 of the record. A JSON array keeps field boundaries unambiguous.
    pub fn compute_hash(&self) -> String {
        hex::encode(Sha256::digest(self.plain_canonical().as_bytes()))
    }

    fn plain_canonical(&self) -> String {
        serde_json::json!([
            self.seq,
            self.at,
            self.request_id,
            self.kind,
            self.subject,
            self.operation,
            self.detail,
            self.prev_hash,
        ])
        .to_string()
    }

    /// HMAC-SHA256 under `key` of the record, its link to the previous one, and its scheme
    /// (so a record cannot be passed off as made under another scheme).
    pub fn compute_mac(&self, key: &AuditKey) -> String {
        let canonical = serde_json::json!([
            self.seq,
            self.at,
            self.request_id,
            self.kind,
            self.subject,
            self.operation,
            self.detail,
            self.prev_hash,
            self.scheme,
        ]);
        key.mac_hex(canonical.to_string().as_bytes())
    }

    /// The hash this record must carry under the scheme it names, given the key we hold.
    pub fn expected_hash(&self, key: Option<&AuditKey>) -> Result<String, SealProblem> {
        match Scheme::parse(&self.scheme) {
            Some(Scheme::Sha256) => Ok(self.compute_hash()),
            Some(Scheme::Hmac { key_id }) => match key {
                None => Err(SealProblem::KeyMissing { key_id }),
                Some(key) if key.id() != key_id => Err(SealProblem::OtherKey { key_id }),
                Some(key) => Ok(self.compute_mac(key)),
            },
            None => Err(SealProblem::UnknownScheme(self.scheme.clone())),
        }
    }

    /// Seals a new record under `key` (or plainly without one): sets its scheme and hash.
    pub fn seal(&mut self, key: Option<&AuditKey>) {
        self.scheme = Scheme::for_key(key).to_text();
        self.hash = match key {
            None => self.compute_hash(),
            Some(key) => self.compute_mac(key),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> AuditRecord {
        AuditRecord {
            seq: 1,
            at: "2026-11-26T00:00:01Z".into(),
            request_id: "r1".into(),
            kind: "invocation".into(),
            subject: "shell:bob".into(),
            operation: None,
            detail: "{}".into(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
            scheme: String::new(),
        }
    }

    fn key(fill: u8) -> AuditKey {
        AuditKey::new(vec![fill; MIN_KEY_BYTES])
    }

    #[test]
    fn a_plain_record_keeps_the_first_releases_hash() {
        let mut r = record();
        r.seal(None);
        assert_eq!(r.scheme, "sha256");
        assert_eq!(r.hash, r.compute_hash());
        assert_eq!(r.expected_hash(Some(&key(1))), Ok(r.hash.clone()));
    }

    #[test]
    fn a_sealed_record_needs_its_own_key() {
        let mut r = record();
        r.seal(Some(&key(1)));
        assert_eq!(r.scheme, format!("hmac-sha256:{}", key(1).id()));
        assert_ne!(r.hash, r.compute_hash());
        assert_eq!(r.expected_hash(Some(&key(1))), Ok(r.hash.clone()));
        assert_eq!(
            r.expected_hash(None),
            Err(SealProblem::KeyMissing {
                key_id: key(1).id().to_string()
            })
        );
        assert_eq!(
            r.expected_hash(Some(&key(2))),
            Err(SealProblem::OtherKey {
                key_id: key(1).id().to_string()
            })
        );
    }

    #[test]
    fn the_key_id_does_not_show_the_key() {
        let k = key(7);
        assert_eq!(k.id().len(), 16);
        assert!(!format!("{k:?}").contains("0707"));
    }
}
