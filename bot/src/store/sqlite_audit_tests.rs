use super::*;
use crate::store::audit::MIN_KEY_BYTES;
use crate::store::{BreakReason, Store};

fn event(n: usize) -> AuditEvent {
    AuditEvent {
        request_id: format!("req-{n}"),
        kind: AuditKind::Invocation,
        subject: "shell:bob".into(),
        operation: None,
        detail: serde_json::json!({ "text": format!("etcd status {n}") }),
    }
}

fn key(fill: u8) -> AuditKey {
    AuditKey::new(vec![fill; MIN_KEY_BYTES])
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("anchor"), "").expect("anchor");
        Fixture { dir }
    }

    async fn store(&self, key: Option<AuditKey>, anchored: bool) -> SqliteStore {
        let anchor = anchored.then(|| Anchor::new(self.dir.path().join("anchor")));
        SqliteStore::open(&self.dir.path().join("state.db"))
            .await
            .expect("open")
            .sealed(AuditSeal { key, anchor })
    }

    fn anchor(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("anchor")).expect("anchor")
    }
}

#[tokio::test]
async fn sealed_appends_verify_and_reach_the_anchor() {
    let f = Fixture::new();
    let store = f.store(Some(key(1)), true).await;
    for n in 0..3 {
        store.append_audit(&event(n)).await.expect("append");
    }
    let (verification, summary) = store.verify_audit().await.expect("verify");
    assert_eq!(verification, Verification::Intact { records: 3 });
    assert_eq!(summary.sealed_from, Some(1));
    assert_eq!(summary.anchored, Some(3));
    let head = store.audit_head().await.expect("head").expect("some");
    assert!(
        f.anchor().ends_with(&format!("3 {}\n", head.1)),
        "{}",
        f.anchor()
    );
    assert_eq!(f.anchor().lines().count(), 3);
}

/// A process without the key (or with another) cannot continue a sealed chain: its records
/// would read as a rewrite, so the append is refused and nothing runs.
#[tokio::test]
async fn a_sealed_chain_refuses_appends_without_its_key() {
    let f = Fixture::new();
    f.store(Some(key(1)), false)
        .await
        .append_audit(&event(1))
        .await
        .expect("append");
    for other in [None, Some(key(2))] {
        let store = f.store(other, false).await;
        let refused = store.append_audit(&event(2)).await;
        assert!(
            matches!(refused, Err(StoreError::Sealed { .. })),
            "{refused:?}"
        );
        assert!(store.adopt_seal().await.is_err());
    }
}

#[tokio::test]
async fn a_key_or_anchor_new_to_the_log_is_recorded_once() {
    let f = Fixture::new();
    let plain = f.store(None, false).await;
    plain.append_audit(&event(1)).await.expect("append");
    assert!(plain.adopt_seal().await.expect("adopt").is_none());
    let sealed = f.store(Some(key(1)), true).await;
    let adopted = sealed.adopt_seal().await.expect("adopt").expect("a record");
    assert_eq!(adopted.kind, "audit");
    assert_eq!(adopted.seq, 2);
    assert!(sealed.adopt_seal().await.expect("again").is_none());
    let (verification, summary) = sealed.verify_audit().await.expect("verify");
    assert_eq!(verification, Verification::Intact { records: 2 });
    assert_eq!(summary.sealed_from, Some(2));
    assert_eq!(summary.anchored, Some(2));
}

#[tokio::test]
async fn an_anchor_that_cannot_be_written_fails_the_append() {
    let f = Fixture::new();
    let store = f.store(None, true).await;
    std::fs::remove_file(f.dir.path().join("anchor")).expect("remove");
    let failed = store.append_audit(&event(1)).await;
    assert!(
        matches!(failed, Err(StoreError::Anchor { .. })),
        "{failed:?}"
    );
}

/// Records written straight into the table, as a tamperer (or the bench) would: one
/// transaction, hashes chained and sealed as the bot does.
async fn seed(store: &SqliteStore, count: i64, key: Option<&AuditKey>) {
    let mut tx = store.pool.begin().await.expect("begin");
    let mut prev = GENESIS.to_string();
    for seq in 1..=count {
        let mut r = AuditRecord {
            seq,
            at: format!("2026-11-{:02}T00:00:00.000000Z", 1 + seq % 28),
            request_id: format!("r{seq}"),
            kind: "step".into(),
            subject: "shell:bob".into(),
            operation: None,
            detail: "{}".into(),
            prev_hash: prev.clone(),
            hash: String::new(),
            scheme: String::new(),
        };
        r.seal(key);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, request_id, kind, subject, operation, detail, prev_hash, hash, scheme)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(r.seq)
        .bind(&r.at)
        .bind(&r.request_id)
        .bind(&r.kind)
        .bind(&r.subject)
        .bind(&r.operation)
        .bind(&r.detail)
        .bind(&r.prev_hash)
        .bind(&r.hash)
        .bind(&r.scheme)
        .execute(&mut *tx)
        .await
        .expect("insert");
        prev = r.hash;
    }
    sqlx::query("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)")
        .bind(count)
        .bind(&prev)
        .execute(&mut *tx)
        .await
        .expect("head");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn verify_crosses_pages_and_finds_an_edit_in_a_later_one() {
    let f = Fixture::new();
    let store = f.store(Some(key(1)), false).await;
    seed(&store, 2 * PAGE + 5, Some(&key(1))).await;
    let (verification, _) = store.verify_audit().await.expect("verify");
    assert_eq!(
        verification,
        Verification::Intact {
            records: (2 * PAGE + 5) as usize
        }
    );
    sqlx::query("UPDATE audit_log SET subject = 'shell:mallory' WHERE seq = ?")
        .bind(PAGE + 7)
        .execute(&store.pool)
        .await
        .expect("tamper");
    let (verification, _) = store.verify_audit().await.expect("verify");
    assert_eq!(
        verification,
        Verification::Broken {
            seq: PAGE + 7,
            reason: BreakReason::Content
        }
    );
}

#[tokio::test]
async fn export_streams_records_since_a_time() {
    let f = Fixture::new();
    let store = f.store(None, false).await;
    seed(&store, 2 * PAGE + 10, None).await;
    let mut seen = Vec::new();
    let count = store
        .export_audit(Some("2026-11-28T00:00:00.000000Z"), &mut |r| {
            seen.push(r.seq);
            true
        })
        .await
        .expect("export");
    // Day 28 is every seq with seq % 28 == 27.
    assert_eq!(count, seen.len());
    assert!(seen.iter().all(|seq| seq % 28 == 27), "{seen:?}");
    assert_eq!(seen.len() as i64, (2 * PAGE + 10 + 1) / 28);
}

/// Two processes appending at once: the anchor's flock orders the lines as the records, and
/// every record's head reaches the anchor.
#[tokio::test]
async fn concurrent_sealed_appends_from_two_stores_keep_the_anchor_in_order() {
    let f = Fixture::new();
    let a = std::sync::Arc::new(f.store(Some(key(1)), true).await);
    let b = std::sync::Arc::new(f.store(Some(key(1)), true).await);
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
    let seqs: Vec<i64> = f
        .anchor()
        .lines()
        .map(|l| l.split(' ').next().expect("seq").parse().expect("number"))
        .collect();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    let (verification, summary) = a.verify_audit().await.expect("verify");
    assert_eq!(verification, Verification::Intact { records: 40 });
    assert_eq!(summary.anchored, Some(40));
}
