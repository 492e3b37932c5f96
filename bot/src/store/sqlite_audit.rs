//! [`SqliteStore`]'s audit log: appends sealed with the key and anchored outside the
//! database, verify over a consistent snapshot a page at a time, export as a stream.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

use super::audit::{AuditKey, GENESIS, Scheme};
use super::audit_anchor::{Anchor, LockedAnchor};
use super::audit_verify::{PAGE, RecordPages, Summary, Verification, verify_pages};
use super::{AuditEvent, AuditKind, AuditRecord, SqliteStore, StoreError};

/// How often an append retries when another writer moved the head first.
const APPEND_ATTEMPTS: u32 = 50;

/// The columns of a record, as [`record_from`] reads them.
macro_rules! record_columns {
    () => {
        "seq, at, request_id, kind, subject, operation, detail, prev_hash, hash, scheme"
    };
}

/// What seals this store's audit log: the key for the HMAC chain and the anchor file, both
/// outside the database (`[audit]` in the configuration).
#[derive(Clone, Debug, Default)]
pub struct AuditSeal {
    pub key: Option<AuditKey>,
    pub anchor: Option<Anchor>,
}

fn record_from(row: &SqliteRow) -> Result<AuditRecord, sqlx::Error> {
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        request_id: row.try_get("request_id")?,
        kind: row.try_get("kind")?,
        subject: row.try_get("subject")?,
        operation: row.try_get("operation")?,
        detail: row.try_get("detail")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
        scheme: row.try_get("scheme")?,
    })
}

fn malformed(e: sqlx::Error) -> StoreError {
    StoreError::Malformed(e.to_string())
}

/// Lost races show up as a busy database or a duplicate key; both mean "try again".
fn is_contention(error: &StoreError) -> bool {
    match error {
        StoreError::Database(sqlx::Error::Database(db)) => {
            db.is_unique_violation()
                || db
                    .code()
                    .is_some_and(|c| c == "5" || c == "6" || c == "517")
        }
        _ => false,
    }
}

impl SqliteStore {
    /// Seals every later append with `seal`'s key and anchors it in `seal`'s file.
    pub fn sealed(mut self, seal: AuditSeal) -> Self {
        self.seal = seal;
        self
    }

    /// Run by `serve` and `shell` before anything else: when a key or an anchor is new to
    /// this log, one `audit` record says so, which also seals the head with the key and puts
    /// it in the anchor. Fails (so the bot does not start) when the log is sealed with a key
    /// this process does not hold.
    pub async fn adopt_seal(&self) -> Result<Option<AuditRecord>, StoreError> {
        let Some((seq, _)) = self.audit_head_row().await? else {
            return Ok(None);
        };
        let head_scheme = self.scheme_of(seq).await?;
        self.check_may_follow(head_scheme.as_deref())?;
        let wanted = Scheme::for_key(self.seal.key.as_ref());
        let new_key = self.seal.key.is_some()
            && head_scheme.as_deref().and_then(Scheme::parse) != Some(wanted.clone());
        let new_anchor = match &self.seal.anchor {
            Some(anchor) => {
                std::fs::metadata(anchor.path())
                    .map_err(|source| StoreError::Anchor {
                        path: anchor.path().display().to_string(),
                        source,
                    })?
                    .len()
                    == 0
            }
            None => false,
        };
        if !new_key && !new_anchor {
            return Ok(None);
        }
        let event = AuditEvent {
            request_id: "audit".to_string(),
            kind: AuditKind::Audit,
            subject: "opsbot".to_string(),
            operation: None,
            detail: serde_json::json!({
                "scheme": wanted.to_text(),
                "anchor": self.seal.anchor.as_ref().map(|a| a.path().display().to_string()),
            }),
        };
        self.append_sealed(&event).await.map(Some)
    }

    /// Appends one record: under the anchor's lock (when there is an anchor), one database
    /// transaction, then the new head written and synced to the anchor. A failed anchor
    /// write fails the append, so nothing runs unaudited.
    pub(super) async fn append_sealed(
        &self,
        event: &AuditEvent,
    ) -> Result<AuditRecord, StoreError> {
        for attempt in 0..APPEND_ATTEMPTS {
            let anchor_error = |anchor: &Anchor, source| StoreError::Anchor {
                path: anchor.path().display().to_string(),
                source,
            };
            let mut locked: Option<LockedAnchor> = match &self.seal.anchor {
                Some(anchor) => Some(
                    anchor
                        .lock_for_append()
                        .await
                        .map_err(|e| anchor_error(anchor, e))?,
                ),
                None => None,
            };
            match self.try_append(event).await {
                Ok(Some(record)) => {
                    if let (Some(anchor), Some(locked)) = (&self.seal.anchor, locked.as_mut()) {
                        locked
                            .append(record.seq, &record.hash)
                            .map_err(|e| anchor_error(anchor, e))?;
                    }
                    return Ok(record);
                }
                Ok(None) => {}
                Err(e) if is_contention(&e) => {}
                Err(e) => return Err(e),
            }
            drop(locked);
            tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt + 1))).await;
        }
        Err(StoreError::Contended(APPEND_ATTEMPTS))
    }

    /// One attempt at appending; `Ok(None)` means another writer won and we should retry.
    async fn try_append(&self, event: &AuditEvent) -> Result<Option<AuditRecord>, StoreError> {
        // IMMEDIATE takes the write lock up front, so two processes queue instead of failing.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        let (prev_seq, prev_hash) = head.clone().unwrap_or((0, GENESIS.to_string()));
        if head.is_some() {
            let scheme: Option<String> =
                sqlx::query_scalar("SELECT scheme FROM audit_log WHERE seq = ?")
                    .bind(prev_seq)
                    .fetch_optional(&mut *tx)
                    .await?;
            self.check_may_follow(scheme.as_deref())?;
        }
        let mut record = AuditRecord {
            seq: prev_seq + 1,
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            request_id: event.request_id.clone(),
            kind: event.kind.as_str().to_string(),
            subject: event.subject.clone(),
            operation: event.operation.clone(),
            detail: event.detail.to_string(),
            prev_hash,
            hash: String::new(),
            scheme: String::new(),
        };
        record.seal(self.seal.key.as_ref());
        sqlx::query(
            "INSERT INTO audit_log (seq, at, request_id, kind, subject, operation, detail, prev_hash, hash, scheme)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(record.seq)
        .bind(&record.at)
        .bind(&record.request_id)
        .bind(&record.kind)
        .bind(&record.subject)
        .bind(&record.operation)
        .bind(&record.detail)
        .bind(&record.prev_hash)
        .bind(&record.hash)
        .bind(&record.scheme)
        .execute(&mut *tx)
        .await?;
        // Compare-and-swap on the head: only the writer that read the current head moves it.
        let moved = if head.is_some() {
            sqlx::query("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?")
                .bind(record.seq)
                .bind(&record.hash)
                .bind(prev_seq)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        } else {
            sqlx::query("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)")
                .bind(record.seq)
                .bind(&record.hash)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        };
        if moved != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(record))
    }

    /// A record sealed with a key is never followed by one this process cannot seal the same
    /// way: that would break the chain for verify, or downgrade it to plain hashes.
    fn check_may_follow(&self, head_scheme: Option<&str>) -> Result<(), StoreError> {
        let Some(Scheme::Hmac { key_id }) = head_scheme.and_then(Scheme::parse) else {
            return Ok(());
        };
        match &self.seal.key {
            Some(key) if key.id() == key_id => Ok(()),
            other => Err(StoreError::Sealed {
                key_id,
                ours: other.as_ref().map(|k| k.id().to_string()),
            }),
        }
    }

    async fn scheme_of(&self, seq: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT scheme FROM audit_log WHERE seq = ?")
                .bind(seq)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub(super) async fn audit_head_row(&self) -> Result<Option<(i64, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub(super) async fn audit_all(&self) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            record_columns!(),
            " FROM audit_log ORDER BY seq"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(record_from)
            .collect::<Result<_, _>>()
            .map_err(malformed)
    }

    /// Checks the whole log against the key and the anchor, a page at a time, over one
    /// snapshot of the database taken while no append is half done.
    pub async fn verify_audit(&self) -> Result<(Verification, Summary), StoreError> {
        let anchor_read = |anchor: &Anchor, e: std::io::Error| {
            StoreError::AnchorRead(format!("{}: {e}", anchor.path().display()))
        };
        let locked = match &self.seal.anchor {
            Some(anchor) => Some(
                anchor
                    .lock_for_reading()
                    .await
                    .map_err(|e| anchor_read(anchor, e))?,
            ),
            None => None,
        };
        // The first read of a transaction fixes its snapshot (WAL); the anchor is measured in
        // the same moment, under its lock, so both show the same appends.
        let mut tx = self.pool.begin().await?;
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        let lines = match (&self.seal.anchor, &locked) {
            (Some(anchor), Some(locked)) => {
                Some(locked.snapshot().map_err(|e| anchor_read(anchor, e))?)
            }
            _ => None,
        };
        drop(locked);
        let head = head.as_ref().map(|(seq, hash)| (*seq, hash.as_str()));
        let result = verify_pages(
            &mut SnapshotPages { tx: &mut tx },
            self.seal.key.as_ref(),
            lines,
            head,
        )
        .await;
        tx.rollback().await?;
        result
    }

    /// Hands each record at or after `since` (RFC 3339 UTC, as stored) to `each`, in order,
    /// a page at a time; stops early when `each` says so. Returns how many were handed out.
    pub async fn export_audit(
        &self,
        since: Option<&str>,
        each: &mut (dyn FnMut(&AuditRecord) -> bool + Send),
    ) -> Result<usize, StoreError> {
        let mut after = i64::MIN;
        let mut count = 0;
        loop {
            let rows = sqlx::query(concat!(
                "SELECT ",
                record_columns!(),
                " FROM audit_log WHERE seq > ? AND at >= ? ORDER BY seq LIMIT ?"
            ))
            .bind(after)
            .bind(since.unwrap_or(""))
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                let record = record_from(row).map_err(malformed)?;
                count += 1;
                if !each(&record) {
                    return Ok(count);
                }
                after = record.seq;
            }
            if (rows.len() as i64) < PAGE {
                return Ok(count);
            }
        }
    }
}

/// Pages of records from one read transaction.
struct SnapshotPages<'t> {
    tx: &'t mut Transaction<'static, Sqlite>,
}

#[async_trait]
impl RecordPages for SnapshotPages<'_> {
    async fn after(&mut self, after: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            record_columns!(),
            " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **self.tx)
        .await?;
        rows.iter()
            .map(record_from)
            .collect::<Result<_, _>>()
            .map_err(malformed)
    }
}

#[cfg(test)]
#[path = "sqlite_audit_tests.rs"]
mod tests;
