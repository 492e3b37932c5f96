//! The audit log's records and their hash chain.
//!
//! Each record's hash covers its own fields and the hash of the record before it, so editing,
//! deleting or reordering any record breaks every hash after it. The head (last sequence and
//! hash) is also kept apart, so cutting records off the end shows too.

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
}

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl AuditRecord {
    /// The hash this record must carry. A JSON array keeps field boundaries unambiguous.
    pub fn compute_hash(&self) -> String {
        let canonical = serde_json::json!([
            self.seq,
            self.at,
            self.request_id,
            self.kind,
            self.subject,
            self.operation,
            self.detail,
            self.prev_hash,
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

/// The result of checking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    Intact {
        records: usize,
    },
    /// The first record that does not hold, and why.
    Broken {
        seq: i64,
        reason: BreakReason,
    },
}

#[derive(Debug, PartialEq, Eq)]
pub enum BreakReason {
    /// A sequence number is missing or out of order: a record was deleted or moved.
    Gap { expected: i64 },
    /// The record does not point at the one before it.
    Link,
    /// The record's content does not match its hash: it was edited.
    Content,
    /// Records after this one were removed (the head says more exist).
    Truncated { head: i64 },
}

/// Checks the records in order against each other and against the stored head.
pub fn verify_chain(records: &[AuditRecord], head: Option<(i64, &str)>) -> Verification {
    let mut prev_hash = GENESIS.to_string();
    for (i, record) in records.iter().enumerate() {
        let expected = i as i64 + 1;
        if record.seq != expected {
            return Verification::Broken {
                seq: record.seq,
                reason: BreakReason::Gap { expected },
            };
        }
        if record.prev_hash != prev_hash {
            return Verification::Broken {
                seq: record.seq,
                reason: BreakReason::Link,
            };
        }
        if record.compute_hash() != record.hash {
            return Verification::Broken {
                seq: record.seq,
                reason: BreakReason::Content,
            };
        }
        prev_hash = record.hash.clone();
    }
    let last = records.last().map(|r| (r.seq, r.hash.as_str()));
    match (head, last) {
        (Some((head_seq, head_hash)), Some((seq, hash)))
            if head_seq == seq && head_hash == hash =>
        {
            Verification::Intact {
                records: records.len(),
            }
        }
        (None, None) => Verification::Intact { records: 0 },
        (Some((head_seq, _)), last) => Verification::Broken {
            seq: last.map_or(1, |(seq, _)| seq + 1),
            reason: BreakReason::Truncated { head: head_seq },
        },
        (None, Some(_)) => Verification::Broken {
            seq: 1,
            reason: BreakReason::Truncated { head: 0 },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    at: format!("2026-11-26T00:00:0{seq}Z"),
                    request_id: format!("r{seq}"),
                    kind: "invocation".into(),
                    subject: "shell:bob".into(),
                    operation: Some("etcd.snapshot".into()),
                    detail: format!("{{\"n\":{seq}}}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = r.compute_hash();
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn head(records: &[AuditRecord]) -> Option<(i64, &str)> {
        records.last().map(|r| (r.seq, r.hash.as_str()))
    }

    #[test]
    fn an_untouched_chain_is_intact() {
        let records = chain(5);
        assert_eq!(
            verify_chain(&records, head(&records)),
            Verification::Intact { records: 5 }
        );
    }

    #[test]
    fn an_edited_record_is_named() {
        let mut records = chain(5);
        let h = head(&records).map(|(s, h)| (s, h.to_string()));
        records[2].subject = "shell:mallory".into();
        let h = h.as_ref().map(|(s, h)| (*s, h.as_str()));
        assert_eq!(
            verify_chain(&records, h),
            Verification::Broken {
                seq: 3,
                reason: BreakReason::Content
            }
        );
    }

    #[test]
    fn a_deleted_record_is_a_gap() {
        let mut records = chain(5);
        let h = head(&records).map(|(s, h)| (s, h.to_string()));
        records.remove(1);
        let h = h.as_ref().map(|(s, h)| (*s, h.as_str()));
        assert_eq!(
            verify_chain(&records, h),
            Verification::Broken {
                seq: 3,
                reason: BreakReason::Gap { expected: 2 }
            }
        );
    }

    #[test]
    fn swapped_contents_break_the_link() {
        let mut records = chain(4);
        let h = head(&records).map(|(s, h)| (s, h.to_string()));
        // Renumber so the sequence looks right; the links give it away.
        let (a, b) = (records[1].clone(), records[2].clone());
        records[1] = AuditRecord { seq: 2, ..b };
        records[2] = AuditRecord { seq: 3, ..a };
        let h = h.as_ref().map(|(s, h)| (*s, h.as_str()));
        assert_eq!(
            verify_chain(&records, h),
            Verification::Broken {
                seq: 2,
                reason: BreakReason::Link
            }
        );
    }

    #[test]
    fn a_cut_tail_is_caught_by_the_head() {
        let mut records = chain(5);
        let h = head(&records).map(|(s, h)| (s, h.to_string()));
        records.truncate(3);
        let h = h.as_ref().map(|(s, h)| (*s, h.as_str()));
        assert_eq!(
            verify_chain(&records, h),
            Verification::Broken {
                seq: 4,
                reason: BreakReason::Truncated { head: 5 }
            }
        );
    }
}
