//! The bot's state behind one interface: the audit log and the runs.
//!
//! SQLite is the embedded default ([`SqliteStore`]). The SQL is kept portable and nothing
//! assumes one process owns the database: two `opsbot shell`s, or two replicas on
//! PostgreSQL later, may append at once, and the chain stays whole because each append is a
//! compare-and-swap on the chain's head.

mod approvals;
mod audit;
mod audit_anchor;
mod audit_verify;
mod incidents;
mod reviews;
mod sqlite;
mod sqlite_approvals;
mod sqlite_audit;
mod sqlite_incidents;
mod sqlite_reviews;

use async_trait::async_trait;
use thiserror::Error;

pub use approvals::{Approval, ApprovalState, NewApproval, Vote, VoteResult};
pub use audit::{AuditEvent, AuditKey, AuditKind, AuditRecord, MIN_KEY_BYTES, SealProblem};
pub use audit_anchor::{Anchor, AnchorFault};
pub use audit_verify::{BreakReason, Summary, Verification, verify_chain};
pub use incidents::{Delivery, DeliveryState, Incident, NewDelivery, Opened};
pub use reviews::{NewReview, Review};
pub use sqlite::SqliteStore;
pub use sqlite_audit::AuditSeal;

use crate::paging::IncidentState;

/// How one attempt at a delivery ended.
#[derive(Clone, Debug, PartialEq)]
pub enum DeliveryOutcome {
    /// Unix milliseconds.
    Delivered { at_ms: i64 },
    /// Try again at `next_ms` (Unix milliseconds).
    Retry { next_ms: i64, error: String },
    /// Refused for good.
    Failed { error: String },
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the state database {path} could not be opened: {source}")]
    Open {
        path: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("the state database failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the audit log is busy; gave up after {0} attempts")]
    Contended(u32),
    #[error("a stored record is malformed: {0}")]
    Malformed(String),
    #[error("the audit anchor file {path} cannot be written: {source}")]
    Anchor {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the audit anchor file cannot be read: {0}")]
    AnchorRead(String),
    /// Appending would break a chain sealed with a key this process does not hold.
    #[error("the audit log is sealed with audit key {key_id}, and this opsbot holds {}", ours.as_deref().map_or("no key".to_string(), |k| format!("key {k}")))]
    Sealed {
        key_id: String,
        ours: Option<String>,
    },
}

/// A run as it starts: what the engine is about to execute.
#[derive(Clone, Debug)]
pub struct RunStart {
    pub request_id: String,
    pub subject: String,
    pub operation: String,
    pub request: String,
    /// The process running it, so another can tell a live run from an interrupted one.
    pub owner: String,
}

/// A run that was in flight when its process went away.
#[derive(Clone, Debug)]
pub struct InterruptedRun {
    pub request_id: String,
    pub subject: String,
    pub operation: String,
    pub request: String,
    pub started_at: String,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    Running,
    Succeeded,
    Failed,
    /// Its process stopped mid-run; it is reported, never re-run.
    Interrupted,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Succeeded => "succeeded",
            RunState::Failed => "failed",
            RunState::Interrupted => "interrupted",
        }
    }
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Appends one record to the hash chain and returns it as stored.
    async fn append_audit(&self, event: &AuditEvent) -> Result<AuditRecord, StoreError>;

    /// Every record in chain order, as stored, all in memory: for tests and small logs
    /// (`audit verify` and `audit export` read a page at a time).
    async fn audit_records(&self) -> Result<Vec<AuditRecord>, StoreError>;

    /// The chain head as recorded separately (sequence and hash), which catches a deleted tail.
    async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError>;

    async fn begin_run(&self, run: &RunStart) -> Result<(), StoreError>;

    async fn finish_run(&self, request_id: &str, state: RunState) -> Result<(), StoreError>;

    /// Says `owner` is still working on its running runs.
    async fn heartbeat(&self, owner: &str, now: i64) -> Result<(), StoreError>;

    /// The runs recorded as running, with their owners and last heartbeats.
    async fn running_runs(&self) -> Result<Vec<(InterruptedRun, String, i64)>, StoreError>;

    /// Marks a running run (and its approval) interrupted; `true` for the one caller that did.
    async fn interrupt_run(&self, request_id: &str) -> Result<bool, StoreError>;

    /// Stores a new request awaiting approval.
    async fn create_approval(&self, approval: &NewApproval) -> Result<(), StoreError>;

    async fn approval(&self, id: &str) -> Result<Option<Approval>, StoreError>;

    /// Requests in `state`, oldest first.
    async fn approvals_in(&self, state: ApprovalState) -> Result<Vec<Approval>, StoreError>;

    /// Records `approver`'s approval of the request as it was hashed; one vote per person
    /// (`person` is who the approver is as approvals count people, see `Policy::person`): a
    /// second vote by the same person from another account is a [`VoteResult::Duplicate`].
    async fn record_vote(
        &self,
        id: &str,
        approver: &str,
        person: &str,
        hash: &str,
        now: i64,
    ) -> Result<VoteResult, StoreError>;

    /// Moves a request from `from` to `to` if it is still in `from` (compare-and-swap): of two
    /// concurrent callers exactly one gets `true`.
    async fn transition(
        &self,
        id: &str,
        from: ApprovalState,
        to: ApprovalState,
        by: Option<&str>,
        reason: Option<&str>,
    ) -> Result<bool, StoreError>;

    /// Remembers where the request's card is shown (an adapter's opaque reference).
    async fn set_card(&self, id: &str, card: &str) -> Result<(), StoreError>;

    /// Opens `incident` and queues `deliveries` for it, unless an incident with its dedup key
    /// is open already: then that one is returned and nothing is queued.
    async fn open_incident(
        &self,
        incident: &Incident,
        deliveries: &[NewDelivery],
    ) -> Result<Opened, StoreError>;

    async fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError>;

    /// Open and acknowledged incidents, oldest first.
    async fn unresolved_incidents(&self) -> Result<Vec<Incident>, StoreError>;

    /// Moves an incident to `to` if it is in one of `from` (compare-and-swap), queueing
    /// `deliveries` in the same transaction. `true` for the one caller that moved it.
    async fn move_incident(
        &self,
        id: &str,
        from: &[IncidentState],
        to: IncidentState,
        by: Option<&str>,
        now: i64,
        deliveries: &[NewDelivery],
    ) -> Result<bool, StoreError>;

    /// Queues more deliveries for an incident (a chat update once its pages settled).
    async fn enqueue_deliveries(
        &self,
        incident_id: &str,
        deliveries: &[NewDelivery],
    ) -> Result<(), StoreError>;

    /// Claims up to `limit` due deliveries to `targets` (what `owner` can send) for
    /// `lease_ms`; no two owners get the same row, and a row waits for the earlier rows of its
    /// incident and target.
    async fn claim_deliveries(
        &self,
        owner: &str,
        targets: &[&str],
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Records how an attempt by `owner` ended and releases its claim.
    async fn finish_delivery(
        &self,
        id: &str,
        owner: &str,
        outcome: &DeliveryOutcome,
    ) -> Result<(), StoreError>;

    /// An incident's deliveries in order, or (with `None`) the latest `limit`, newest first.
    async fn deliveries(
        &self,
        incident_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Records that a chat's request `key` (a Slack trigger_id, a Discord interaction id) was
    /// acted on, until `keep_until`. `true` only for the first caller: a retry or replay that
    /// reached another replica is not run twice.
    async fn first_seen(&self, key: &str, now: i64, keep_until: i64) -> Result<bool, StoreError>;

    /// Remembers where a chat shows an incident (an adapter's opaque reference).
    async fn set_post(
        &self,
        incident_id: &str,
        target: &str,
        reference: &str,
    ) -> Result<(), StoreError>;

    async fn post(&self, incident_id: &str, target: &str) -> Result<Option<String>, StoreError>;

    /// Records a run made by breaking the glass, open until someone reviews it.
    async fn create_review(&self, review: &NewReview) -> Result<(), StoreError>;

    async fn review(&self, id: &str) -> Result<Option<Review>, StoreError>;

    /// Break-glass runs nobody has reviewed yet, oldest first.
    async fn open_reviews(&self) -> Result<Vec<Review>, StoreError>;

    /// Records `by`'s review if none is recorded yet: `true` for the one caller that did.
    async fn acknowledge_review(&self, id: &str, by: &str, at: i64) -> Result<bool, StoreError>;
}
