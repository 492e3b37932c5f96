//! [`SqliteStore`]'s break-glass reviews: one row per run made by breaking the glass, kept
//! until someone else acknowledges it. Acknowledging is a conditional UPDATE, so of two
//! reviewers exactly one is recorded.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::reviews::{NewReview, Review};
use super::{SqliteStore, StoreError};

/// Created if absent, like the other tables. Plain SQL that PostgreSQL also takes.
pub(super) const SCHEMA: [&str; 1] = ["CREATE TABLE IF NOT EXISTS break_glass_reviews (
        id TEXT PRIMARY KEY,
        operation TEXT NOT NULL,
        line TEXT NOT NULL,
        requester TEXT NOT NULL,
        reason TEXT NOT NULL,
        rule TEXT NOT NULL,
        approvers INTEGER NOT NULL,
        incident TEXT,
        created_at BIGINT NOT NULL,
        reviewed_by TEXT,
        reviewed_at BIGINT
    )"];

impl SqliteStore {
    pub(super) async fn reviews_create(&self, review: &NewReview) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO break_glass_reviews (id, operation, line, requester, reason, rule,
                approvers, incident, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&review.id)
        .bind(&review.operation)
        .bind(&review.line)
        .bind(&review.requester)
        .bind(&review.reason)
        .bind(&review.rule)
        .bind(i64::from(review.approvers))
        .bind(&review.incident)
        .bind(review.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn reviews_get(&self, id: &str) -> Result<Option<Review>, StoreError> {
        let row = sqlx::query("SELECT * FROM break_glass_reviews WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(review).transpose()
    }

    pub(super) async fn reviews_open(&self) -> Result<Vec<Review>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM break_glass_reviews WHERE reviewed_by IS NULL ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(review).collect()
    }

    pub(super) async fn reviews_acknowledge(
        &self,
        id: &str,
        by: &str,
        at: i64,
    ) -> Result<bool, StoreError> {
        let moved = sqlx::query(
            "UPDATE break_glass_reviews SET reviewed_by = ?, reviewed_at = ?
             WHERE id = ? AND reviewed_by IS NULL",
        )
        .bind(by)
        .bind(at)
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(moved == 1)
    }
}

fn review(row: &SqliteRow) -> Result<Review, StoreError> {
    let approvers: i64 = row.try_get("approvers")?;
    Ok(Review {
        run: NewReview {
            id: row.try_get("id")?,
            operation: row.try_get("operation")?,
            line: row.try_get("line")?,
            requester: row.try_get("requester")?,
            reason: row.try_get("reason")?,
            rule: row.try_get("rule")?,
            approvers: u32::try_from(approvers)
                .map_err(|_| StoreError::Malformed(format!("review approvers {approvers}")))?,
            incident: row.try_get("incident")?,
            created_at: row.try_get("created_at")?,
        },
        reviewed_by: row.try_get("reviewed_by")?,
        reviewed_at: row.try_get("reviewed_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_review(id: &str, at: i64) -> NewReview {
        NewReview {
            id: id.to_string(),
            operation: "pod.delete".to_string(),
            line: "pod delete web-1 -n app -c app1 --break-glass --reason down".to_string(),
            requester: "shell:olivia".to_string(),
            reason: "down".to_string(),
            rule: "break_glass[0]: shell:olivia may break the glass".to_string(),
            approvers: 0,
            incident: Some("abc".to_string()),
            created_at: at,
        }
    }

    /// Nothing is lost across a restart: a review opened by one process is still open when the
    /// database is opened again, and closes exactly once.
    #[tokio::test]
    async fn a_review_survives_reopening_and_is_acknowledged_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        {
            let store = SqliteStore::open(&path).await.expect("open");
            store
                .reviews_create(&new_review("r2", 20))
                .await
                .expect("create");
            store
                .reviews_create(&new_review("r1", 10))
                .await
                .expect("create");
        }
        let store = SqliteStore::open(&path).await.expect("reopen");
        let open: Vec<String> = store
            .reviews_open()
            .await
            .expect("open")
            .into_iter()
            .map(|r| r.run.id)
            .collect();
        assert_eq!(open, ["r1", "r2"], "oldest first");
        assert!(
            store
                .reviews_acknowledge("r1", "shell:alice", 30)
                .await
                .expect("ack")
        );
        assert!(
            !store
                .reviews_acknowledge("r1", "shell:carol", 31)
                .await
                .expect("ack"),
            "only the first reviewer is recorded"
        );
        let done = store.reviews_get("r1").await.expect("get").expect("row");
        assert_eq!(done.reviewed_by.as_deref(), Some("shell:alice"));
        assert_eq!(done.reviewed_at, Some(30));
        assert_eq!(done.run, new_review("r1", 10));
        assert_eq!(store.reviews_open().await.expect("open").len(), 1);
    }
}
