//! [`SqliteStore`]'s incidents and outbox, and the chat requests already acted on. One open incident per key is a UNIQUE column that
//! holds the key while the incident is open and NULL after; deliveries are claimed with a
//! conditional UPDATE and a lease, so two processes never send the same row at once and a
//! row claimed by a process that died is taken up again when its lease runs out.

use commands::incidents::Severity;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::incidents::{Delivery, DeliveryState, Incident, NewDelivery, Opened};
use super::{DeliveryOutcome, SqliteStore, StoreError};
use crate::paging::IncidentState;

pub(super) const SCHEMA: [&str; 4] = [
    "CREATE TABLE IF NOT EXISTS seen_requests (
        key TEXT PRIMARY KEY,
        keep_until BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS incidents (
        id TEXT PRIMARY KEY,
        dedup_key TEXT NOT NULL,
        open_key TEXT UNIQUE,
        situation TEXT NOT NULL,
        severity TEXT NOT NULL,
        summary TEXT NOT NULL,
        source TEXT NOT NULL,
        details TEXT NOT NULL,
        paged INTEGER NOT NULL,
        state TEXT NOT NULL,
        raised_by TEXT,
        changed_by TEXT,
        opened_at BIGINT NOT NULL,
        changed_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS incident_posts (
        incident_id TEXT NOT NULL,
        target TEXT NOT NULL,
        reference TEXT NOT NULL,
        PRIMARY KEY (incident_id, target)
    )",
    "CREATE TABLE IF NOT EXISTS outbox (
        id TEXT PRIMARY KEY,
        seq BIGINT NOT NULL,
        incident_id TEXT NOT NULL,
        target TEXT NOT NULL,
        action TEXT NOT NULL,
        by_subject TEXT,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        claimed_by TEXT,
        claimed_until BIGINT,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        delivered_at BIGINT
    )",
];

const PENDING: &str = "pending";

impl SqliteStore {
    pub(super) async fn incidents_open(
        &self,
        incident: &Incident,
        deliveries: &[NewDelivery],
    ) -> Result<Opened, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let existing = sqlx::query("SELECT * FROM incidents WHERE open_key = ?")
            .bind(&incident.dedup_key)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = existing {
            tx.commit().await?;
            return Ok(Opened {
                incident: incident_row(&row)?,
                opened: false,
            });
        }
        sqlx::query(
            "INSERT INTO incidents (id, dedup_key, open_key, situation, severity, summary, source,
                details, paged, state, raised_by, changed_by, opened_at, changed_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&incident.id)
        .bind(&incident.dedup_key)
        .bind(&incident.dedup_key)
        .bind(&incident.situation)
        .bind(incident.severity.as_str())
        .bind(&incident.summary)
        .bind(&incident.source)
        .bind(details_json(&incident.details))
        .bind(i64::from(incident.paged))
        .bind(incident.state.as_str())
        .bind(&incident.raised_by)
        .bind(&incident.changed_by)
        .bind(incident.opened_at)
        .bind(incident.changed_at)
        .execute(&mut *tx)
        .await?;
        enqueue(&mut tx, &incident.id, deliveries).await?;
        tx.commit().await?;
        Ok(Opened {
            incident: incident.clone(),
            opened: true,
        })
    }

    pub(super) async fn incidents_get(&self, id: &str) -> Result<Option<Incident>, StoreError> {
        sqlx::query("SELECT * FROM incidents WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| incident_row(&row))
            .transpose()
    }

    pub(super) async fn incidents_unresolved(&self) -> Result<Vec<Incident>, StoreError> {
        sqlx::query("SELECT * FROM incidents WHERE open_key IS NOT NULL ORDER BY opened_at, id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(incident_row)
            .collect()
    }

    pub(super) async fn incidents_move(
        &self,
        id: &str,
        from: &[IncidentState],
        to: IncidentState,
        by: Option<&str>,
        now: i64,
        deliveries: &[NewDelivery],
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let current: Option<(String,)> = sqlx::query_as("SELECT state FROM incidents WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((current,)) = current else {
            return Ok(false);
        };
        if !from.iter().any(|s| s.as_str() == current) {
            return Ok(false);
        }
        let moved = sqlx::query(
            "UPDATE incidents SET state = ?, changed_by = ?, changed_at = ?,
                open_key = CASE WHEN ? THEN NULL ELSE open_key END
             WHERE id = ? AND state = ?",
        )
        .bind(to.as_str())
        .bind(by)
        .bind(now)
        .bind(to == IncidentState::Resolved)
        .bind(id)
        .bind(&current)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            return Ok(false);
        }
        enqueue(&mut tx, id, deliveries).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn outbox_enqueue(
        &self,
        incident_id: &str,
        deliveries: &[NewDelivery],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        enqueue(&mut tx, incident_id, deliveries).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn outbox_claim(
        &self,
        owner: &str,
        targets: &[&str],
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        // A row waits for the earlier rows of its incident and target: a resolve never
        // overtakes its trigger, an update never its post. Only rows this owner can send are
        // taken (a shell leaves Slack's posts to a serving opsbot); the target list is one
        // bound text, matched with LIKE and ||, which PostgreSQL reads the same.
        let targets = format!(",{},", targets.join(","));
        let candidates = sqlx::query(
            "SELECT * FROM outbox o
             WHERE o.state = ? AND o.next_attempt_at <= ?
               AND (o.claimed_until IS NULL OR o.claimed_until < ?)
               AND ? LIKE ('%,' || o.target || ',%')
               AND NOT EXISTS (SELECT 1 FROM outbox p
                   WHERE p.incident_id = o.incident_id AND p.target = o.target
                     AND p.state = ? AND p.seq < o.seq)
             ORDER BY o.seq LIMIT ?",
        )
        .bind(PENDING)
        .bind(now_ms)
        .bind(now_ms)
        .bind(&targets)
        .bind(PENDING)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for row in candidates {
            let delivery = delivery_row(&row)?;
            let won = sqlx::query(
                "UPDATE outbox SET claimed_by = ?, claimed_until = ?
                 WHERE id = ? AND state = ? AND (claimed_until IS NULL OR claimed_until < ?)",
            )
            .bind(owner)
            .bind(now_ms + lease_ms)
            .bind(&delivery.id)
            .bind(PENDING)
            .bind(now_ms)
            .execute(&self.pool)
            .await?
            .rows_affected();
            if won == 1 {
                claimed.push(delivery);
            }
        }
        Ok(claimed)
    }

    pub(super) async fn outbox_finish(
        &self,
        id: &str,
        owner: &str,
        outcome: &DeliveryOutcome,
    ) -> Result<(), StoreError> {
        let query = match outcome {
            DeliveryOutcome::Delivered { at_ms } => sqlx::query(
                "UPDATE outbox SET state = ?, delivered_at = ?, attempts = attempts + 1,
                    last_error = NULL, claimed_by = NULL, claimed_until = NULL
                 WHERE id = ? AND claimed_by = ?",
            )
            .bind(DeliveryState::Delivered.as_str())
            .bind(*at_ms),
            DeliveryOutcome::Retry { next_ms, error } => sqlx::query(
                "UPDATE outbox SET next_attempt_at = ?, last_error = ?, attempts = attempts + 1,
                    claimed_by = NULL, claimed_until = NULL
                 WHERE id = ? AND claimed_by = ?",
            )
            .bind(*next_ms)
            .bind(error.as_str()),
            DeliveryOutcome::Failed { error } => sqlx::query(
                "UPDATE outbox SET state = ?, last_error = ?, attempts = attempts + 1,
                    claimed_by = NULL, claimed_until = NULL
                 WHERE id = ? AND claimed_by = ?",
            )
            .bind(DeliveryState::Failed.as_str())
            .bind(error.as_str()),
        };
        query.bind(id).bind(owner).execute(&self.pool).await?;
        Ok(())
    }

    pub(super) async fn outbox_list(
        &self,
        incident_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows = match incident_id {
            Some(id) => {
                sqlx::query("SELECT * FROM outbox WHERE incident_id = ? ORDER BY seq")
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT * FROM outbox ORDER BY seq DESC LIMIT ?")
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(delivery_row).collect()
    }

    pub(super) async fn seen_first(
        &self,
        key: &str,
        now: i64,
        keep_until: i64,
    ) -> Result<bool, StoreError> {
        sqlx::query("DELETE FROM seen_requests WHERE keep_until < ?")
            .bind(now)
            .execute(&self.pool)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO seen_requests (key, keep_until) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(keep_until)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    pub(super) async fn posts_set(
        &self,
        incident_id: &str,
        target: &str,
        reference: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO incident_posts (incident_id, target, reference) VALUES (?, ?, ?)
             ON CONFLICT (incident_id, target) DO UPDATE SET reference = excluded.reference",
        )
        .bind(incident_id)
        .bind(target)
        .bind(reference)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn posts_get(
        &self,
        incident_id: &str,
        target: &str,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT reference FROM incident_posts WHERE incident_id = ? AND target = ?",
        )
        .bind(incident_id)
        .bind(target)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(r,)| r))
    }
}

async fn enqueue(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    incident_id: &str,
    deliveries: &[NewDelivery],
) -> Result<(), StoreError> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    for delivery in deliveries {
        // Inside the write transaction, so MAX+1 is not raced.
        let (seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox")
            .fetch_one(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO outbox (id, seq, incident_id, target, action, by_subject, state, attempts,
                next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(&delivery.id)
        .bind(seq)
        .bind(incident_id)
        .bind(&delivery.target)
        .bind(&delivery.action)
        .bind(&delivery.by)
        .bind(PENDING)
        .bind(now_ms)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn details_json(details: &[(String, String)]) -> String {
    serde_json::to_string(details).unwrap_or_else(|_| "[]".to_string())
}

fn incident_row(row: &SqliteRow) -> Result<Incident, StoreError> {
    let severity: String = row.try_get("severity")?;
    let state: String = row.try_get("state")?;
    let details: String = row.try_get("details")?;
    let paged: i64 = row.try_get("paged")?;
    Ok(Incident {
        id: row.try_get("id")?,
        dedup_key: row.try_get("dedup_key")?,
        situation: row.try_get("situation")?,
        severity: Severity::parse(&severity)
            .ok_or_else(|| StoreError::Malformed(format!("incident severity {severity}")))?,
        summary: row.try_get("summary")?,
        source: row.try_get("source")?,
        details: serde_json::from_str(&details)
            .map_err(|e| StoreError::Malformed(format!("incident details: {e}")))?,
        paged: paged != 0,
        state: IncidentState::parse(&state)
            .ok_or_else(|| StoreError::Malformed(format!("incident state {state}")))?,
        raised_by: row.try_get("raised_by")?,
        changed_by: row.try_get("changed_by")?,
        opened_at: row.try_get("opened_at")?,
        changed_at: row.try_get("changed_at")?,
    })
}

fn delivery_row(row: &SqliteRow) -> Result<Delivery, StoreError> {
    let state: String = row.try_get("state")?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok(Delivery {
        id: row.try_get("id")?,
        incident_id: row.try_get("incident_id")?,
        target: row.try_get("target")?,
        action: row.try_get("action")?,
        by: row.try_get("by_subject")?,
        state: DeliveryState::parse(&state)
            .ok_or_else(|| StoreError::Malformed(format!("delivery state {state}")))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        delivered_at: row.try_get("delivered_at")?,
    })
}

#[cfg(test)]
#[path = "sqlite_incidents_tests.rs"]
mod tests;
