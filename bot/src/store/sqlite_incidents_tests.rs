//! The incidents and outbox of [`SqliteStore`]: one open incident per key, exclusive and
//! ordered claims, leases, retries coming due.

use super::*;
use crate::store::Store;

/// Every target the tests queue for.
const ALL: &[&str] = &["pagerduty", "slack", "webhook"];

async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("state.db"))
        .await
        .expect("open");
    (dir, store)
}

fn incident(id: &str, key: &str) -> Incident {
    Incident {
        id: id.into(),
        dedup_key: key.into(),
        situation: "cluster-failure".into(),
        severity: Severity::Critical,
        summary: "app1 API down".into(),
        source: "app1".into(),
        details: vec![("node".into(), "worker-1".into())],
        paged: true,
        state: IncidentState::Open,
        raised_by: Some("shell:alice".into()),
        changed_by: None,
        opened_at: 1,
        changed_at: 1,
    }
}

fn to(target: &str, action: &str) -> NewDelivery {
    NewDelivery {
        id: uuid::Uuid::new_v4().to_string(),
        target: target.into(),
        action: action.into(),
        by: None,
    }
}

#[tokio::test]
async fn one_open_incident_per_key_and_a_new_one_after_resolve() {
    let (_dir, store) = store().await;
    let first = store
        .open_incident(&incident("a", "k"), &[to("pagerduty", "trigger")])
        .await
        .expect("open");
    assert!(first.opened);
    let again = store
        .open_incident(&incident("b", "k"), &[to("pagerduty", "trigger")])
        .await
        .expect("open again");
    assert!(!again.opened);
    assert_eq!(again.incident.id, "a");
    assert_eq!(store.deliveries(Some("a"), 0).await.expect("rows").len(), 1);
    assert!(
        store
            .deliveries(Some("b"), 0)
            .await
            .expect("rows")
            .is_empty()
    );

    let open = [IncidentState::Open, IncidentState::Acknowledged];
    let resolve = [to("pagerduty", "resolve")];
    assert!(
        store
            .move_incident("a", &open, IncidentState::Resolved, Some("x"), 2, &resolve)
            .await
            .expect("move")
    );
    // A second resolve (a double click) moves nothing and queues nothing.
    assert!(
        !store
            .move_incident("a", &open, IncidentState::Resolved, Some("y"), 3, &resolve)
            .await
            .expect("move")
    );
    assert_eq!(store.deliveries(Some("a"), 0).await.expect("rows").len(), 2);
    let reopened = store
        .open_incident(&incident("c", "k"), &[])
        .await
        .expect("reopen");
    assert!(reopened.opened, "a resolved incident frees its key");
}

#[tokio::test]
async fn claims_are_exclusive_ordered_and_leased() {
    let (_dir, store) = store().await;
    store
        .open_incident(
            &incident("a", "k"),
            &[to("pagerduty", "trigger"), to("slack", "post")],
        )
        .await
        .expect("open");
    store
        .enqueue_deliveries("a", &[to("pagerduty", "resolve")])
        .await
        .expect("enqueue");
    let now = chrono::Utc::now().timestamp_millis() + 1;
    let first = store
        .claim_deliveries("one", ALL, now, 1_000, 10)
        .await
        .expect("claim");
    let actions: Vec<&str> = first.iter().map(|d| d.action.as_str()).collect();
    // The resolve waits for its trigger.
    assert_eq!(actions, ["trigger", "post"]);
    let second = store
        .claim_deliveries("two", ALL, now, 1_000, 10)
        .await
        .expect("claim");
    assert!(second.is_empty(), "claimed rows are not handed out twice");

    let trigger = &first[0];
    store
        .finish_delivery(
            &trigger.id,
            "one",
            &DeliveryOutcome::Delivered { at_ms: now },
        )
        .await
        .expect("finish");
    let next = store
        .claim_deliveries("two", ALL, now, 1_000, 10)
        .await
        .expect("claim");
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].action, "resolve");

    // "one" died holding the post; after its lease another takes it up.
    let later = store
        .claim_deliveries("two", ALL, now + 2_000, 1_000, 10)
        .await
        .expect("claim");
    assert!(later.iter().any(|d| d.action == "post"));
    // A finish by someone who no longer holds the claim changes nothing.
    store
        .finish_delivery(
            &first[1].id,
            "one",
            &DeliveryOutcome::Failed { error: "x".into() },
        )
        .await
        .expect("finish");
    let rows = store.deliveries(Some("a"), 0).await.expect("rows");
    let post = rows.iter().find(|d| d.action == "post").expect("post");
    assert_eq!(post.state, DeliveryState::Pending);
}

#[tokio::test]
async fn a_retry_waits_until_it_is_due() {
    let (_dir, store) = store().await;
    store
        .open_incident(&incident("a", "k"), &[to("webhook", "trigger")])
        .await
        .expect("open");
    let now = chrono::Utc::now().timestamp_millis() + 1;
    let row = store
        .claim_deliveries("one", ALL, now, 1_000, 10)
        .await
        .expect("claim");
    store
        .finish_delivery(
            &row[0].id,
            "one",
            &DeliveryOutcome::Retry {
                next_ms: now + 5_000,
                error: "HTTP 500".into(),
            },
        )
        .await
        .expect("finish");
    assert!(
        store
            .claim_deliveries("one", ALL, now + 10, 1_000, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    let due = store
        .claim_deliveries("one", ALL, now + 5_000, 1_000, 10)
        .await
        .expect("claim");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempts, 1);
    assert_eq!(due[0].last_error.as_deref(), Some("HTTP 500"));
}

#[tokio::test]
async fn an_owner_claims_only_what_it_can_send() {
    let (_dir, store) = store().await;
    store
        .open_incident(
            &incident("a", "k"),
            &[to("slack", "post"), to("webhook", "trigger")],
        )
        .await
        .expect("open");
    let now = chrono::Utc::now().timestamp_millis() + 1;
    let shell = store
        .claim_deliveries("shell", &["webhook"], now, 1_000, 10)
        .await
        .expect("claim");
    assert_eq!(shell.len(), 1);
    assert_eq!(shell[0].target, "webhook");
    let serve = store
        .claim_deliveries("serve", &["slack", "webhook"], now, 1_000, 10)
        .await
        .expect("claim");
    assert_eq!(serve.len(), 1);
    assert_eq!(serve[0].target, "slack");
}
