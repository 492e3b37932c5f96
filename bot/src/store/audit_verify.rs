//! Checking the audit log: record by record, in constant memory.
//!
//! [`ChainVerifier`] takes records one at a time in sequence order and keeps only the last
//! hash; [`AnchorCheck`] walks the anchor file alongside. [`verify_pages`] drives both over a
//! [`RecordPages`] source that hands out at most [`PAGE`] records at a time, so a log of a
//! million records is checked with the memory of one page.

use async_trait::async_trait;

use super::StoreError;
use super::audit::{AuditKey, AuditRecord, GENESIS, Scheme, SealProblem};
use super::audit_anchor::{AnchorFault, AnchorLine, AnchorLines, AnchorReadError};

/// Records fetched at a time by verify and export.
pub const PAGE: i64 = 1000;

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BreakReason {
    /// A sequence number is missing or out of order: a record was deleted or moved.
    Gap { expected: i64 },
    /// The record does not point at the one before it.
    Link,
    /// The record's content does not match its hash: it was edited.
    Content,
    /// Records after this one were removed (the head table says more exist).
    Truncated { head: i64 },
    /// The record was sealed without the key although records before it were sealed with it:
    /// someone without the key rewrote it.
    Downgrade,
    /// The record cannot be checked with the key this opsbot holds (or without one).
    Seal(SealProblem),
    /// A key is configured, yet the newest record is not sealed with it.
    Unsealed,
    /// The anchor file recorded another hash for this record: it was rewritten, hashes and
    /// head recomputed.
    AnchorMismatch,
    /// The anchor recorded this record, but the log ends before it (at `last`, if any): the
    /// tail was cut.
    AnchorBeyond { last: Option<i64> },
    /// The log's head is not the anchor's last line (`anchored`, if any): records were added
    /// without reaching the anchor.
    AnchorBehind { anchored: Option<i64> },
    /// The anchor file itself is damaged.
    AnchorFile(AnchorFault),
}

/// What an intact log looked like.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub records: usize,
    /// The first record sealed with a key, when any is.
    pub sealed_from: Option<i64>,
    /// The head the anchor file vouches for, when an anchor is configured.
    pub anchored: Option<i64>,
}

type Broken = (i64, BreakReason);

/// Checks records one by one, holding only what the next record needs.
pub struct ChainVerifier<'k> {
    key: Option<&'k AuditKey>,
    prev_hash: String,
    last: Option<(i64, String, Scheme)>,
    summary: Summary,
}

impl<'k> ChainVerifier<'k> {
    pub fn new(key: Option<&'k AuditKey>) -> Self {
        ChainVerifier {
            key,
            prev_hash: GENESIS.to_string(),
            last: None,
            summary: Summary::default(),
        }
    }

    pub fn push(&mut self, record: &AuditRecord) -> Result<(), Broken> {
        let expected = self.last.as_ref().map_or(1, |(seq, _, _)| seq + 1);
        let broken = |reason| Err((record.seq, reason));
        if record.seq != expected {
            return broken(BreakReason::Gap { expected });
        }
        if record.prev_hash != self.prev_hash {
            return broken(BreakReason::Link);
        }
        let scheme = Scheme::parse(&record.scheme);
        if scheme == Some(Scheme::Sha256) && self.summary.sealed_from.is_some() {
            return broken(BreakReason::Downgrade);
        }
        match record.expected_hash(self.key) {
            Err(problem) => return broken(BreakReason::Seal(problem)),
            Ok(hash) if hash != record.hash => return broken(BreakReason::Content),
            Ok(_) => {}
        }
        let scheme = scheme.unwrap_or(Scheme::Sha256);
        if matches!(scheme, Scheme::Hmac { .. }) && self.summary.sealed_from.is_none() {
            self.summary.sealed_from = Some(record.seq);
        }
        self.prev_hash = record.hash.clone();
        self.last = Some((record.seq, record.hash.clone(), scheme));
        self.summary.records += 1;
        Ok(())
    }

    /// The newest record seen: sequence and hash.
    pub fn last(&self) -> Option<(i64, &str)> {
        self.last
            .as_ref()
            .map(|(seq, hash, _)| (*seq, hash.as_str()))
    }

    /// The checks that need the whole log: the head table agrees, and with a key the newest
    /// record is sealed with it.
    pub fn finish(&self, head: Option<(i64, &str)>) -> Result<Summary, Broken> {
        if let (Some(_), Some((seq, _, Scheme::Sha256))) = (self.key, &self.last) {
            return Err((*seq, BreakReason::Unsealed));
        }
        match (head, self.last()) {
            (Some((head_seq, head_hash)), Some((seq, hash)))
                if head_seq == seq && head_hash == hash => {}
            (None, None) => {}
            (Some((head_seq, _)), last) => {
                return Err((
                    last.map_or(1, |(seq, _)| seq + 1),
                    BreakReason::Truncated { head: head_seq },
                ));
            }
            (None, Some(_)) => return Err((1, BreakReason::Truncated { head: 0 })),
        }
        Ok(self.summary.clone())
    }
}

/// Walks the anchor's lines alongside the records.
pub struct AnchorCheck {
    lines: AnchorLines,
    next: Option<AnchorLine>,
    anchored: Option<i64>,
}

impl AnchorCheck {
    pub fn new(mut lines: AnchorLines) -> Result<Self, AnchorError> {
        let next = read(&mut lines)?;
        Ok(AnchorCheck {
            lines,
            next,
            anchored: None,
        })
    }

    /// Compares the anchor's line for this record, if it has one.
    pub fn check(&mut self, record: &AuditRecord) -> Result<(), AnchorError> {
        let Some(line) = self.next.take_if(|line| line.seq == record.seq) else {
            return Ok(());
        };
        if line.hash != record.hash {
            return Err(AnchorError::Broken((
                record.seq,
                BreakReason::AnchorMismatch,
            )));
        }
        self.anchored = Some(line.seq);
        self.next = read(&mut self.lines)?;
        Ok(())
    }

    /// After the last record: the anchor must not name a later one, and its last line must be
    /// the log's head. Returns the anchored head.
    pub fn finish(&self, last: Option<(i64, &str)>) -> Result<Option<i64>, AnchorError> {
        if let Some(line) = &self.next {
            return Err(AnchorError::Broken((
                line.seq,
                BreakReason::AnchorBeyond {
                    last: last.map(|(seq, _)| seq),
                },
            )));
        }
        match last {
            Some((seq, _)) if self.anchored != Some(seq) => Err(AnchorError::Broken((
                seq,
                BreakReason::AnchorBehind {
                    anchored: self.anchored,
                },
            ))),
            _ => Ok(self.anchored),
        }
    }
}

fn read(lines: &mut AnchorLines) -> Result<Option<AnchorLine>, AnchorError> {
    lines.next_line().map_err(|e| match e {
        AnchorReadError::Io(e) => AnchorError::Io(e),
        AnchorReadError::Fault(fault) => {
            let line = match &fault {
                AnchorFault::Malformed { line } | AnchorFault::OutOfOrder { line } => *line,
            };
            AnchorError::Broken((line as i64, BreakReason::AnchorFile(fault)))
        }
    })
}

#[derive(Debug)]
pub enum AnchorError {
    Broken(Broken),
    Io(std::io::Error),
}

/// Where verify reads records from: at most `limit` records with `seq > after`, in order.
#[async_trait]
pub trait RecordPages: Send {
    async fn after(&mut self, after: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError>;
}

/// Everything verify checks, over a page source and an optional anchor.
pub async fn verify_pages(
    pages: &mut dyn RecordPages,
    key: Option<&AuditKey>,
    anchor: Option<AnchorLines>,
    head: Option<(i64, &str)>,
) -> Result<(Verification, Summary), StoreError> {
    let broken =
        |(seq, reason): Broken| Ok((Verification::Broken { seq, reason }, Summary::default()));
    let anchor_io = |e: std::io::Error| StoreError::AnchorRead(e.to_string());
    let mut chain = ChainVerifier::new(key);
    let mut anchor = match anchor.map(AnchorCheck::new).transpose() {
        Ok(anchor) => anchor,
        Err(AnchorError::Broken(b)) => return broken(b),
        Err(AnchorError::Io(e)) => return Err(anchor_io(e)),
    };
    // The first page starts below any sequence, so a record moved to seq 0 or below is seen.
    let mut after = i64::MIN;
    loop {
        let page = pages.after(after, PAGE).await?;
        for record in &page {
            if let Err(b) = chain.push(record) {
                return broken(b);
            }
            match anchor.as_mut().map(|a| a.check(record)) {
                Some(Err(AnchorError::Broken(b))) => return broken(b),
                Some(Err(AnchorError::Io(e))) => return Err(anchor_io(e)),
                _ => {}
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.seq,
            _ => break,
        }
    }
    let anchored = match anchor.as_ref().map(|a| a.finish(chain.last())) {
        Some(Err(AnchorError::Broken(b))) => return broken(b),
        Some(Err(AnchorError::Io(e))) => return Err(anchor_io(e)),
        Some(Ok(anchored)) => anchored,
        None => None,
    };
    match chain.finish(head) {
        Ok(summary) => Ok((
            Verification::Intact {
                records: summary.records,
            },
            Summary {
                anchored,
                ..summary
            },
        )),
        Err(b) => broken(b),
    }
}

/// Checks records held in memory against each other and the stored head, without a key.
pub fn verify_chain(records: &[AuditRecord], head: Option<(i64, &str)>) -> Verification {
    let mut chain = ChainVerifier::new(None);
    for record in records {
        if let Err((seq, reason)) = chain.push(record) {
            return Verification::Broken { seq, reason };
        }
    }
    match chain.finish(head) {
        Ok(summary) => Verification::Intact {
            records: summary.records,
        },
        Err((seq, reason)) => Verification::Broken { seq, reason },
    }
}

#[cfg(test)]
#[path = "audit_verify_tests.rs"]
mod tests;
