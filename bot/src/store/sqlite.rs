//! [`Store`] on SQLite, the embedded default.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use super::incidents::{Delivery, Incident, NewDelivery, Opened};
use super::sqlite_audit::AuditSeal;
use super::{AuditEvent, AuditRecord, DeliveryOutcome, RunStart, RunState, Store, StoreError};
use crate::paging::IncidentState;

/// Tables, created if absent. Plain SQL that PostgreSQL also takes.
pub(super) const SCHEMA: [&str; 5] = [
    "CREATE TABLE IF NOT EXISTS audit_log (
        seq BIGINT PRIMARY KEY,
        at TEXT NOT NULL,
        request_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        operation TEXT,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS audit_head (
        id INTEGER PRIMARY KEY,
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS runs (
        request_id TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        operation TEXT NOT NULL,
        request TEXT NOT NULL,
        state TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        owner TEXT NOT NULL,
        heartbeat_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS approvals (
        id TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        line TEXT NOT NULL,
        operation TEXT NOT NULL,
        canonical TEXT NOT NULL,
        requester TEXT NOT NULL,
        requester_groups TEXT NOT NULL,
        reason TEXT,
        approvers_needed INTEGER NOT NULL,
        approver_roles TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        decided_by TEXT,
        decision_reason TEXT,
        card TEXT,
        pins TEXT NOT NULL DEFAULT '{}'
    )",
    "CREATE TABLE IF NOT EXISTS approval_votes (
        approval_id TEXT NOT NULL,
        approver TEXT NOT NULL,
        person TEXT NOT NULL DEFAULT '',
        request_hash TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (approval_id, approver)
    )",
];

pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    /// The key and anchor of the audit log (see `sqlite_audit`); none until [`Self::sealed`].
    pub(super) seal: AuditSeal,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let open_error = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // WAL lets readers (audit verify) work while a shell appends.
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await
            .map_err(open_error)?;
        for statement in SCHEMA
            .into_iter()
            .chain(super::sqlite_incidents::SCHEMA)
            .chain(super::sqlite_reviews::SCHEMA)
        {
            sqlx::query(statement)
                .execute(&pool)
                .await
                .map_err(open_error)?;
        }
        if add_missing_columns(&pool).await.map_err(open_error)? {
            // Connections opened before the ALTER may have prepared `SELECT *` with the old
            // column count; new ones see the new table.
            pool.close().await;
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await
                .map_err(open_error)?;
            return Ok(SqliteStore {
                pool,
                seal: AuditSeal::default(),
            });
        }
        Ok(SqliteStore {
            pool,
            seal: AuditSeal::default(),
        })
    }
}

/// Columns added since the first release: a database written by an older opsbot gains them
/// on open, so an upgrade keeps its audit log and runs.
const ADDED_COLUMNS: [(&str, &str, &str); 5] = [
    ("runs", "owner", "TEXT NOT NULL DEFAULT ''"),
    ("runs", "heartbeat_at", "BIGINT NOT NULL DEFAULT 0"),
    // Votes count people: the person a vote was cast as (see `Policy::person`).
    ("approval_votes", "person", "TEXT NOT NULL DEFAULT ''"),
    // Facts an approval is bound to (issue 11): a JSON object, `{}` for older requests.
    ("approvals", "pins", "TEXT NOT NULL DEFAULT '{}'"),
    // How each audit record was sealed; every record before keys existed is plain SHA-256.
    ("audit_log", "scheme", "TEXT NOT NULL DEFAULT 'sha256'"),
];

/// Whether any column was added.
async fn add_missing_columns(pool: &SqlitePool) -> Result<bool, sqlx::Error> {
    let mut added = false;
    for (table, column, definition) in ADDED_COLUMNS {
        let present: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?")
                .bind(table)
                .bind(column)
                .fetch_one(pool)
                .await?;
        if present == 0 {
            // Names come from the constant above, never from input.
            let statement = format!("ALTER TABLE {table} ADD COLUMN {column} {definition}");
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(pool)
                .await?;
            added = true;
        }
    }
    Ok(added)
}

#[async_trait]
impl Store for SqliteStore {
    async fn append_audit(&self, event: &AuditEvent) -> Result<AuditRecord, StoreError> {
        self.append_sealed(event).await
    }

    async fn audit_records(&self) -> Result<Vec<AuditRecord>, StoreError> {
        self.audit_all().await
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        self.audit_head_row().await
    }

    async fn begin_run(&self, run: &RunStart) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO runs (request_id, subject, operation, request, state, started_at, owner, heartbeat_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&run.request_id)
        .bind(&run.subject)
        .bind(&run.operation)
        .bind(&run.request)
        .bind(RunState::Running.as_str())
        .bind(chrono::Utc::now().to_rfc3339())
        .bind(&run.owner)
        .bind(chrono::Utc::now().timestamp())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn finish_run(&self, request_id: &str, state: RunState) -> Result<(), StoreError> {
        sqlx::query("UPDATE runs SET state = ?, finished_at = ? WHERE request_id = ?")
            .bind(state.as_str())
            .bind(chrono::Utc::now().to_rfc3339())
            .bind(request_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn heartbeat(&self, owner: &str, now: i64) -> Result<(), StoreError> {
        self.runs_heartbeat(owner, now).await
    }

    async fn running_runs(&self) -> Result<Vec<(super::InterruptedRun, String, i64)>, StoreError> {
        self.runs_running().await
    }

    async fn interrupt_run(&self, request_id: &str) -> Result<bool, StoreError> {
        self.runs_interrupt(request_id).await
    }

    async fn create_approval(&self, approval: &super::NewApproval) -> Result<(), StoreError> {
        self.approvals_create(approval).await
    }

    async fn approval(&self, id: &str) -> Result<Option<super::Approval>, StoreError> {
        self.approvals_get(id).await
    }

    async fn approvals_in(
        &self,
        state: super::ApprovalState,
    ) -> Result<Vec<super::Approval>, StoreError> {
        self.approvals_list(state).await
    }

    async fn record_vote(
        &self,
        id: &str,
        approver: &str,
        person: &str,
        hash: &str,
        now: i64,
    ) -> Result<super::VoteResult, StoreError> {
        self.approvals_vote(id, approver, person, hash, now).await
    }

    async fn transition(
        &self,
        id: &str,
        from: super::ApprovalState,
        to: super::ApprovalState,
        by: Option<&str>,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.approvals_transition(id, from, to, by, reason).await
    }

    async fn open_incident(
        &self,
        incident: &Incident,
        deliveries: &[NewDelivery],
    ) -> Result<Opened, StoreError> {
        self.incidents_open(incident, deliveries).await
    }

    async fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError> {
        self.incidents_get(id).await
    }

    async fn unresolved_incidents(&self) -> Result<Vec<Incident>, StoreError> {
        self.incidents_unresolved().await
    }

    async fn move_incident(
        &self,
        id: &str,
        from: &[IncidentState],
        to: IncidentState,
        by: Option<&str>,
        now: i64,
        deliveries: &[NewDelivery],
    ) -> Result<bool, StoreError> {
        self.incidents_move(id, from, to, by, now, deliveries).await
    }

    async fn enqueue_deliveries(
        &self,
        incident_id: &str,
        deliveries: &[NewDelivery],
    ) -> Result<(), StoreError> {
        self.outbox_enqueue(incident_id, deliveries).await
    }

    async fn claim_deliveries(
        &self,
        owner: &str,
        targets: &[&str],
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.outbox_claim(owner, targets, now_ms, lease_ms, limit)
            .await
    }

    async fn finish_delivery(
        &self,
        id: &str,
        owner: &str,
        outcome: &DeliveryOutcome,
    ) -> Result<(), StoreError> {
        self.outbox_finish(id, owner, outcome).await
    }

    async fn deliveries(
        &self,
        incident_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.outbox_list(incident_id, limit).await
    }

    async fn set_post(
        &self,
        incident_id: &str,
        target: &str,
        reference: &str,
    ) -> Result<(), StoreError> {
        self.posts_set(incident_id, target, reference).await
    }

    async fn first_seen(&self, key: &str, now: i64, keep_until: i64) -> Result<bool, StoreError> {
        self.seen_first(key, now, keep_until).await
    }

    async fn post(&self, incident_id: &str, target: &str) -> Result<Option<String>, StoreError> {
        self.posts_get(incident_id, target).await
    }

    async fn set_card(&self, id: &str, card: &str) -> Result<(), StoreError> {
        self.approvals_set_card(id, card).await
    }

    async fn create_review(&self, review: &super::NewReview) -> Result<(), StoreError> {
        self.reviews_create(review).await
    }

    async fn review(&self, id: &str) -> Result<Option<super::Review>, StoreError> {
        self.reviews_get(id).await
    }

    async fn open_reviews(&self) -> Result<Vec<super::Review>, StoreError> {
        self.reviews_open().await
    }

    async fn acknowledge_review(&self, id: &str, by: &str, at: i64) -> Result<bool, StoreError> {
        self.reviews_acknowledge(id, by, at).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{AuditKind, Verification, verify_chain};
    use std::sync::Arc;

    fn event(n: usize) -> AuditEvent {
        AuditEvent {
            request_id: format!("req-{n}"),
            kind: AuditKind::Invocation,
            subject: "shell:bob".into(),
            operation: None,
            detail: serde_json::json!({ "text": format!("etcd status {n}") }),
        }
    }

    async fn verify(store: &SqliteStore) -> Verification {
        let records = store.audit_records().await.expect("records");
        let head = store.audit_head().await.expect("head");
        verify_chain(&records, head.as_ref().map(|(s, h)| (*s, h.as_str())))
    }

    #[tokio::test]
    async fn concurrent_appends_from_two_stores_keep_one_chain() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.db");
        // Two stores on one file behave like two processes.
        let a = Arc::new(SqliteStore::open(&path).await.expect("open a"));
        let b = Arc::new(SqliteStore::open(&path).await.expect("open b"));
        let mut tasks = Vec::new();
        for n in 0..40 {
            let store = if n % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(
                async move { store.append_audit(&event(n)).await },
            ));
        }
        for task in tasks {
            task.await.expect("join").expect("append");
        }
        assert_eq!(verify(&a).await, Verification::Intact { records: 40 });
    }

    #[tokio::test]
    async fn a_database_from_the_first_release_is_upgraded_in_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.db");
        {
            use sqlx::Connection;
            let url = format!("sqlite://{}?mode=rwc", path.display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("create");
            sqlx::query(
                "CREATE TABLE runs (request_id TEXT PRIMARY KEY, subject TEXT NOT NULL,
                 operation TEXT NOT NULL, request TEXT NOT NULL, state TEXT NOT NULL,
                 started_at TEXT NOT NULL, finished_at TEXT)",
            )
            .execute(&mut conn)
            .await
            .expect("old schema");
        }
        let store = SqliteStore::open(&path).await.expect("open upgrades");
        let run = crate::store::RunStart {
            request_id: "r1".into(),
            subject: "shell:bob".into(),
            operation: "etcd.status".into(),
            request: "etcd status".into(),
            owner: "host:1:x".into(),
        };
        store
            .begin_run(&run)
            .await
            .expect("runs take the new columns");
        assert_eq!(store.running_runs().await.expect("running").len(), 1);
    }

    #[tokio::test]
    async fn records_survive_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.db");
        {
            let store = SqliteStore::open(&path).await.expect("open");
            store.append_audit(&event(1)).await.expect("append");
        }
        let store = SqliteStore::open(&path).await.expect("reopen");
        store.append_audit(&event(2)).await.expect("append");
        assert_eq!(verify(&store).await, Verification::Intact { records: 2 });
    }
}
