//! [`SqliteStore`]'s runs and approvals. Every state change is a conditional UPDATE, so two
//! processes (or two clicks) racing on one request see exactly one winner.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{
    Approval, ApprovalState, InterruptedRun, NewApproval, RunState, SqliteStore, StoreError, Vote,
    VoteResult,
};

impl SqliteStore {
    pub(super) async fn runs_heartbeat(&self, owner: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE runs SET heartbeat_at = ? WHERE owner = ? AND state = ?")
            .bind(now)
            .bind(owner)
            .bind(RunState::Running.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(super) async fn runs_running(
        &self,
    ) -> Result<Vec<(InterruptedRun, String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT request_id, subject, operation, request, started_at, owner, heartbeat_at
             FROM runs WHERE state = ?",
        )
        .bind(RunState::Running.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let run = InterruptedRun {
                    request_id: row.try_get("request_id")?,
                    subject: row.try_get("subject")?,
                    operation: row.try_get("operation")?,
                    request: row.try_get("request")?,
                    started_at: row.try_get("started_at")?,
                };
                Ok((run, row.try_get("owner")?, row.try_get("heartbeat_at")?))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub(super) async fn runs_interrupt(&self, request_id: &str) -> Result<bool, StoreError> {
        // Only the process whose UPDATE lands reports it.
        let moved = sqlx::query(
            "UPDATE runs SET state = ?, finished_at = ? WHERE request_id = ? AND state = ?",
        )
        .bind(RunState::Interrupted.as_str())
        .bind(chrono::Utc::now().to_rfc3339())
        .bind(request_id)
        .bind(RunState::Running.as_str())
        .execute(&self.pool)
        .await?
        .rows_affected();
        if moved == 1 {
            self.approvals_transition(
                request_id,
                ApprovalState::Running,
                ApprovalState::Interrupted,
                None,
                None,
            )
            .await?;
        }
        Ok(moved == 1)
    }

    pub(super) async fn approvals_create(&self, a: &NewApproval) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO approvals (id, request_hash, line, operation, canonical, requester,
                requester_groups, reason, approvers_needed, approver_roles, state, created_at, expires_at,
                pins)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&a.id)
        .bind(&a.hash)
        .bind(&a.line)
        .bind(&a.operation)
        .bind(&a.canonical)
        .bind(&a.requester)
        .bind(json_list(&a.requester_groups))
        .bind(&a.reason)
        .bind(i64::from(a.approvers_needed))
        .bind(json_list(&a.approver_roles))
        .bind(ApprovalState::Pending.as_str())
        .bind(a.created_at)
        .bind(a.expires_at)
        .bind(json_pins(&a.pins)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn approvals_get(&self, id: &str) -> Result<Option<Approval>, StoreError> {
        let row = sqlx::query("SELECT * FROM approvals WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.with_votes(approval(&row)?).await?)),
            None => Ok(None),
        }
    }

    pub(super) async fn approvals_list(
        &self,
        state: ApprovalState,
    ) -> Result<Vec<Approval>, StoreError> {
        let rows = sqlx::query("SELECT * FROM approvals WHERE state = ? ORDER BY created_at, id")
            .bind(state.as_str())
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.with_votes(approval(&row)?).await?);
        }
        Ok(out)
    }

    async fn with_votes(&self, mut approval: Approval) -> Result<Approval, StoreError> {
        let rows = sqlx::query(
            "SELECT approver, request_hash, at FROM approval_votes WHERE approval_id = ? ORDER BY at, approver",
        )
        .bind(&approval.request.id)
        .fetch_all(&self.pool)
        .await?;
        for row in rows {
            approval.votes.push(Vote {
                approver: row.try_get("approver")?,
                hash: row.try_get("request_hash")?,
                at: row.try_get("at")?,
            });
        }
        Ok(approval)
    }

    pub(super) async fn approvals_vote(
        &self,
        id: &str,
        approver: &str,
        person: &str,
        hash: &str,
        now: i64,
    ) -> Result<VoteResult, StoreError> {
        // IMMEDIATE: the check for an earlier vote by this person and the insert are one step,
        // so two accounts of one person clicking at once still give one vote.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row = sqlx::query("SELECT state, request_hash FROM approvals WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(VoteResult::NotPending(None));
        };
        let state: String = row.try_get("state")?;
        let stored_hash: String = row.try_get("request_hash")?;
        if state != ApprovalState::Pending.as_str() {
            return Ok(VoteResult::NotPending(ApprovalState::parse(&state)));
        }
        if stored_hash != hash {
            return Ok(VoteResult::Changed);
        }
        let earlier: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM approval_votes WHERE approval_id = ? AND (person = ? OR approver = ?)",
        )
        .bind(id)
        .bind(person)
        .bind(approver)
        .fetch_one(&mut *tx)
        .await?;
        if earlier > 0 {
            return Ok(VoteResult::Duplicate);
        }
        let inserted = sqlx::query(
            "INSERT INTO approval_votes (approval_id, approver, person, request_hash, at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(approver)
        .bind(person)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                return Ok(VoteResult::Duplicate);
            }
            Err(e) => return Err(e.into()),
        }
        let approvers: Vec<String> = sqlx::query_scalar(
            "SELECT approver FROM approval_votes WHERE approval_id = ? AND request_hash = ? ORDER BY at, approver",
        )
        .bind(id)
        .bind(hash)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(VoteResult::Recorded { approvers })
    }

    pub(super) async fn approvals_transition(
        &self,
        id: &str,
        from: ApprovalState,
        to: ApprovalState,
        by: Option<&str>,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let moved = sqlx::query(
            "UPDATE approvals SET state = ?, decided_by = COALESCE(?, decided_by),
                decision_reason = COALESCE(?, decision_reason)
             WHERE id = ? AND state = ?",
        )
        .bind(to.as_str())
        .bind(by)
        .bind(reason)
        .bind(id)
        .bind(from.as_str())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(moved == 1)
    }

    pub(super) async fn approvals_set_card(&self, id: &str, card: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE approvals SET card = ? WHERE id = ?")
            .bind(card)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn json_list(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

fn json_pins(pins: &commands::Pins) -> Result<String, StoreError> {
    serde_json::to_string(pins).map_err(|e| StoreError::Malformed(format!("pins: {e}")))
}

fn parse_pins(text: &str) -> Result<commands::Pins, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Malformed(format!("pins {text:?}: {e}")))
}

fn parse_list(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Malformed(format!("list {text:?}: {e}")))
}

fn approval(row: &SqliteRow) -> Result<Approval, StoreError> {
    let state: String = row.try_get("state")?;
    let needed: i64 = row.try_get("approvers_needed")?;
    Ok(Approval {
        request: NewApproval {
            id: row.try_get("id")?,
            hash: row.try_get("request_hash")?,
            line: row.try_get("line")?,
            operation: row.try_get("operation")?,
            canonical: row.try_get("canonical")?,
            requester: row.try_get("requester")?,
            requester_groups: parse_list(&row.try_get::<String, _>("requester_groups")?)?,
            reason: row.try_get("reason")?,
            approvers_needed: u32::try_from(needed).unwrap_or(1),
            approver_roles: parse_list(&row.try_get::<String, _>("approver_roles")?)?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            pins: parse_pins(&row.try_get::<String, _>("pins")?)?,
        },
        state: ApprovalState::parse(&state)
            .ok_or_else(|| StoreError::Malformed(format!("approval state {state:?}")))?,
        votes: Vec::new(),
        decided_by: row.try_get("decided_by")?,
        decision_reason: row.try_get("decision_reason")?,
        card: row.try_get("card")?,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::Store;

    fn request(id: &str) -> NewApproval {
        NewApproval {
            id: id.to_string(),
            hash: "h1".into(),
            line: "etcd restore etcd-snapshot-20261126-020000.db -c mgmt".into(),
            operation: "etcd.restore".into(),
            canonical: "etcd restore snapshot=… clusters=mgmt".into(),
            requester: "shell:bob".into(),
            requester_groups: vec![],
            reason: Some("bad upgrade".into()),
            approvers_needed: 2,
            approver_roles: vec!["admin".into()],
            created_at: 100,
            expires_at: 1900,
            pins: commands::Pins::default(),
        }
    }

    async fn store() -> (tempfile::TempDir, Arc<SqliteStore>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("state.db"))
            .await
            .expect("open");
        (dir, Arc::new(store))
    }

    /// A request stored before approvals had pins reads back with none (and keeps its hash).
    #[tokio::test]
    async fn approvals_from_before_pins_read_back_without_pins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.db");
        {
            use sqlx::Connection;
            let url = format!("sqlite://{}?mode=rwc", path.display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("create");
            let old = super::super::sqlite::SCHEMA[3]
                .replace(",\n        pins TEXT NOT NULL DEFAULT '{}'", "");
            assert!(!old.contains("pins"), "{old}");
            sqlx::query(sqlx::AssertSqlSafe(old))
                .execute(&mut conn)
                .await
                .expect("old schema");
            sqlx::query(
                "INSERT INTO approvals VALUES ('a1', 'h', 'etcd status', 'etcd.status', 'c',
                 'shell:bob', '[]', NULL, 1, '[]', 'pending', 1, 2, NULL, NULL, NULL)",
            )
            .execute(&mut conn)
            .await
            .expect("old row");
        }
        let store = SqliteStore::open(&path).await.expect("open upgrades");
        let approval = store.approval("a1").await.expect("read").expect("there");
        assert!(approval.request.pins.is_empty());
    }

    /// Issue 11, point 10: what the gates pinned comes back with the request.
    #[tokio::test]
    async fn pins_are_stored_with_the_request() {
        let (_dir, store) = store().await;
        let mut pins = serde_json::Map::new();
        pins.insert("snapshot-sha256".into(), "ab12".into());
        let pins: commands::Pins =
            serde_json::from_value(serde_json::Value::Object(pins)).expect("pins");
        let a1 = NewApproval {
            pins: pins.clone(),
            ..request("a1")
        };
        store.create_approval(&a1).await.expect("create");
        let stored = store.approval("a1").await.expect("read").expect("there");
        assert_eq!(stored.request.pins, pins);
        store.create_approval(&request("a2")).await.expect("create");
        let stored = store.approval("a2").await.expect("read").expect("there");
        assert!(stored.request.pins.is_empty());
    }

    #[tokio::test]
    async fn votes_count_distinct_people_once_each() {
        let (_dir, store) = store().await;
        store.create_approval(&request("a1")).await.expect("create");
        assert_eq!(
            store
                .record_vote("a1", "shell:alice", "shell:alice", "h1", 1)
                .await
                .expect("vote"),
            VoteResult::Recorded {
                approvers: vec!["shell:alice".to_string()]
            }
        );
        assert_eq!(
            store
                .record_vote("a1", "shell:alice", "shell:alice", "h1", 2)
                .await
                .expect("vote"),
            VoteResult::Duplicate
        );
        assert_eq!(
            store
                .record_vote("a1", "shell:carol", "shell:carol", "h2", 3)
                .await
                .expect("vote"),
            VoteResult::Changed
        );
        assert_eq!(
            store
                .record_vote("a1", "shell:carol", "shell:carol", "h1", 4)
                .await
                .expect("vote"),
            VoteResult::Recorded {
                approvers: vec!["shell:alice".to_string(), "shell:carol".to_string()]
            }
        );
        let stored = store.approval("a1").await.expect("get").expect("exists");
        assert_eq!(stored.votes.len(), 2);
        assert_eq!(stored.request.reason.as_deref(), Some("bad upgrade"));
    }

    #[tokio::test]
    async fn only_one_of_many_concurrent_transitions_wins() {
        let (_dir, store) = store().await;
        store.create_approval(&request("a2")).await.expect("create");
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .transition(
                        "a2",
                        ApprovalState::Pending,
                        ApprovalState::Approved,
                        None,
                        None,
                    )
                    .await
            }));
        }
        let mut winners = 0;
        for task in tasks {
            if task.await.expect("join").expect("transition") {
                winners += 1;
            }
        }
        assert_eq!(winners, 1);
        assert_eq!(
            store
                .record_vote("a2", "shell:x", "shell:x", "h1", 5)
                .await
                .expect("vote"),
            VoteResult::NotPending(Some(ApprovalState::Approved))
        );
    }
}

#[cfg(test)]
#[path = "sqlite_votes_tests.rs"]
mod votes_tests;
