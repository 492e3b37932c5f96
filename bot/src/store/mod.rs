//! The bot's state behind one interface: the audit log and the runs.
//!
//! SQLite is the embedded default ([`SqliteStore`]). The SQL is kept portable and nothing
//! assumes one process owns the database: two `opsbot shell`s, or two replicas on
//! PostgreSQL later, may append at once, and the chain stays whole because each append is a
//! compare-and-swap on the chain's head.

mod audit;
mod sqlite;

use async_trait::async_trait;
use thiserror::Error;

pub use audit::{AuditEvent, AuditKind, AuditRecord, BreakReason, Verification, verify_chain};
pub use sqlite::SqliteStore;

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
}

/// A run as it starts: what the engine is about to execute.
#[derive(Clone, Debug)]
pub struct RunStart {
    pub request_id: String,
    pub subject: String,
    pub operation: String,
    pub request: String,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    Running,
    Succeeded,
    Failed,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Succeeded => "succeeded",
            RunState::Failed => "failed",
        }
    }
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Appends one record to the hash chain and returns it as stored.
    async fn append_audit(&self, event: &AuditEvent) -> Result<AuditRecord, StoreError>;

    /// Every record in chain order, as stored (for `audit verify`).
    async fn audit_records(&self) -> Result<Vec<AuditRecord>, StoreError>;

    /// The chain head as recorded separately (sequence and hash), which catches a deleted tail.
    async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError>;

    async fn begin_run(&self, run: &RunStart) -> Result<(), StoreError>;

    async fn finish_run(&self, request_id: &str, state: RunState) -> Result<(), StoreError>;
}
