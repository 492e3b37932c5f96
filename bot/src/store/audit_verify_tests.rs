use super::*;
use crate::store::audit::MIN_KEY_BYTES;

fn record(seq: i64, prev: &str, key: Option<&AuditKey>) -> AuditRecord {
    let mut r = AuditRecord {
        seq,
        at: format!("2026-11-26T00:00:{:02}Z", seq % 60),
        request_id: format!("r{seq}"),
        kind: "invocation".into(),
        subject: "shell:bob".into(),
        operation: Some("etcd.snapshot".into()),
        detail: format!("{{\"n\":{seq}}}"),
        prev_hash: prev.to_string(),
        hash: String::new(),
        scheme: String::new(),
    };
    r.seal(key);
    r
}

/// `n` records; those from `keyed_from` on sealed with `key`.
fn chain_with(n: i64, key: Option<&AuditKey>, keyed_from: i64) -> Vec<AuditRecord> {
    let mut prev = GENESIS.to_string();
    (1..=n)
        .map(|seq| {
            let r = record(seq, &prev, key.filter(|_| seq >= keyed_from));
            prev = r.hash.clone();
            r
        })
        .collect()
}

fn chain(n: i64) -> Vec<AuditRecord> {
    chain_with(n, None, 1)
}

fn key(fill: u8) -> AuditKey {
    AuditKey::new(vec![fill; MIN_KEY_BYTES])
}

fn head(records: &[AuditRecord]) -> Option<(i64, String)> {
    records.last().map(|r| (r.seq, r.hash.clone()))
}

fn as_ref(head: &Option<(i64, String)>) -> Option<(i64, &str)> {
    head.as_ref().map(|(s, h)| (*s, h.as_str()))
}

fn broken(seq: i64, reason: BreakReason) -> Verification {
    Verification::Broken { seq, reason }
}

/// Serves records from memory a page at a time, counting what it was asked for.
struct MemoryPages {
    records: Vec<AuditRecord>,
    largest_request: i64,
    requests: usize,
}

#[async_trait]
impl RecordPages for MemoryPages {
    async fn after(&mut self, after: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        self.largest_request = self.largest_request.max(limit);
        self.requests += 1;
        Ok(self
            .records
            .iter()
            .filter(|r| r.seq > after)
            .take(limit as usize)
            .cloned()
            .collect())
    }
}

fn anchor_text(records: &[AuditRecord]) -> String {
    records
        .iter()
        .map(|r| format!("{} {}\n", r.seq, r.hash))
        .collect()
}

async fn verify(
    records: Vec<AuditRecord>,
    key: Option<&AuditKey>,
    anchor: Option<String>,
) -> Verification {
    let h = head(&records);
    let mut pages = MemoryPages {
        records,
        largest_request: 0,
        requests: 0,
    };
    let anchor = anchor.map(|text| AnchorLines::from_text(&text));
    verify_pages(&mut pages, key, anchor, as_ref(&h))
        .await
        .expect("verify")
        .0
}

#[test]
fn an_untouched_chain_is_intact() {
    let records = chain(5);
    let h = head(&records);
    assert_eq!(
        verify_chain(&records, as_ref(&h)),
        Verification::Intact { records: 5 }
    );
}

#[test]
fn an_edited_record_is_named() {
    let mut records = chain(5);
    let h = head(&records);
    records[2].subject = "shell:mallory".into();
    assert_eq!(
        verify_chain(&records, as_ref(&h)),
        broken(3, BreakReason::Content)
    );
}

#[test]
fn a_deleted_record_is_a_gap() {
    let mut records = chain(5);
    let h = head(&records);
    records.remove(1);
    assert_eq!(
        verify_chain(&records, as_ref(&h)),
        broken(3, BreakReason::Gap { expected: 2 })
    );
}

#[test]
fn swapped_contents_break_the_link() {
    let mut records = chain(4);
    let h = head(&records);
    // Renumber so the sequence looks right; the links give it away.
    let (a, b) = (records[1].clone(), records[2].clone());
    records[1] = AuditRecord { seq: 2, ..b };
    records[2] = AuditRecord { seq: 3, ..a };
    assert_eq!(
        verify_chain(&records, as_ref(&h)),
        broken(2, BreakReason::Link)
    );
}

#[test]
fn a_cut_tail_is_caught_by_the_head() {
    let mut records = chain(5);
    let h = head(&records);
    records.truncate(3);
    assert_eq!(
        verify_chain(&records, as_ref(&h)),
        broken(4, BreakReason::Truncated { head: 5 })
    );
}

#[tokio::test]
async fn a_log_begun_without_a_key_and_continued_with_one_verifies() {
    let k = key(1);
    let records = chain_with(6, Some(&k), 4);
    assert_eq!(
        verify(records, Some(&k), None).await,
        Verification::Intact { records: 6 }
    );
}

/// Attack: a database writer rewrites record 2 and recomputes every hash and the head. Without
/// the key the recomputed records are plain SHA-256 after sealed ones: caught.
#[tokio::test]
async fn a_rewrite_without_the_key_is_a_downgrade() {
    let k = key(1);
    let mut records = chain_with(4, Some(&k), 1);
    let mut prev = records[0].hash.clone();
    for r in records.iter_mut().skip(1) {
        r.subject = "shell:mallory".into();
        r.prev_hash = prev.clone();
        r.seal(None);
        prev = r.hash.clone();
    }
    assert_eq!(
        verify(records, Some(&k), None).await,
        broken(2, BreakReason::Downgrade)
    );
}

/// Attack: the whole log rewritten as a plain chain from the start. The key is configured, so
/// the newest record must be sealed with it.
#[tokio::test]
async fn a_log_rewritten_whole_without_the_key_is_unsealed() {
    let k = key(1);
    assert_eq!(
        verify(chain(3), Some(&k), None).await,
        broken(3, BreakReason::Unsealed)
    );
}

/// Attack: the rewriter seals with a key of their own.
#[tokio::test]
async fn a_record_sealed_with_another_key_is_named() {
    let theirs = key(9);
    let records = chain_with(2, Some(&theirs), 1);
    assert_eq!(
        verify(records, Some(&key(1)), None).await,
        broken(
            1,
            BreakReason::Seal(SealProblem::OtherKey {
                key_id: theirs.id().to_string()
            })
        )
    );
}

#[tokio::test]
async fn a_sealed_log_without_the_key_says_the_key_is_missing() {
    let k = key(1);
    assert_eq!(
        verify(chain_with(2, Some(&k), 2), None, None).await,
        broken(
            2,
            BreakReason::Seal(SealProblem::KeyMissing {
                key_id: k.id().to_string()
            })
        )
    );
}

/// Attack: no key, but an anchor; record 2 rewritten and every hash and the head recomputed.
#[tokio::test]
async fn a_recomputed_chain_disagrees_with_its_anchor() {
    let original = chain(4);
    let anchor = anchor_text(&original);
    let mut forged = original.clone();
    forged[1].subject = "shell:mallory".into();
    let mut prev = forged[0].hash.clone();
    for r in forged.iter_mut().skip(1) {
        r.prev_hash = prev.clone();
        r.seal(None);
        prev = r.hash.clone();
    }
    assert_eq!(
        verify(forged, None, Some(anchor)).await,
        broken(2, BreakReason::AnchorMismatch)
    );
}

#[tokio::test]
async fn a_cut_tail_is_caught_by_the_anchor() {
    let records = chain(5);
    let anchor = anchor_text(&records);
    let cut = records[..3].to_vec();
    assert_eq!(
        verify(cut, None, Some(anchor)).await,
        broken(4, BreakReason::AnchorBeyond { last: Some(3) })
    );
}

#[tokio::test]
async fn a_head_the_anchor_never_saw_is_named() {
    let records = chain(5);
    let anchor = anchor_text(&records[..3]);
    assert_eq!(
        verify(records, None, Some(anchor)).await,
        broken(5, BreakReason::AnchorBehind { anchored: Some(3) })
    );
}

#[tokio::test]
async fn an_anchor_begun_midway_vouches_from_there() {
    let records = chain(5);
    let anchor = anchor_text(&records[3..]);
    assert_eq!(
        verify(records, None, Some(anchor)).await,
        Verification::Intact { records: 5 }
    );
}

/// Hands out a long chain a page at a time, making each record as it is asked for, so the
/// test itself holds no more than a page either.
struct GeneratedPages<'k> {
    total: i64,
    key: &'k AuditKey,
    keyed_from: i64,
    prev: String,
    largest_request: i64,
    requests: usize,
}

#[async_trait]
impl RecordPages for GeneratedPages<'_> {
    async fn after(&mut self, after: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        self.largest_request = self.largest_request.max(limit);
        self.requests += 1;
        let first = after.max(0) + 1;
        let last = (after.max(0) + limit).min(self.total);
        Ok((first..=last)
            .map(|seq| {
                let key = Some(self.key).filter(|_| seq >= self.keyed_from);
                let r = record(seq, &self.prev, key);
                self.prev = r.hash.clone();
                r
            })
            .collect())
    }
}

/// Verify never asks for more than a page, however long the log: memory stays that of one
/// page (bench/audit_verify.sh measures the real process over a million records).
#[tokio::test]
async fn verify_reads_two_hundred_thousand_records_a_page_at_a_time() {
    const TOTAL: i64 = 200_000;
    let k = key(1);
    let pages = |prev: &str| GeneratedPages {
        total: TOTAL,
        key: &k,
        keyed_from: TOTAL / 2 + 1,
        prev: prev.to_string(),
        largest_request: 0,
        requests: 0,
    };
    // A first pass finds the head, as the head table and the anchor would hold it.
    let mut first = pages(GENESIS);
    let mut after = 0;
    while after < TOTAL {
        after = first
            .after(after, PAGE)
            .await
            .expect("page")
            .last()
            .expect("seq")
            .seq;
    }
    let h = Some((TOTAL, first.prev.clone()));
    let anchor = Some(AnchorLines::from_text(&format!("{TOTAL} {}\n", first.prev)));
    let mut pages = pages(GENESIS);
    let (verification, summary) = verify_pages(&mut pages, Some(&k), anchor, as_ref(&h))
        .await
        .expect("verify");
    assert_eq!(verification, Verification::Intact { records: 200_000 });
    assert_eq!(summary.sealed_from, Some(TOTAL / 2 + 1));
    assert_eq!(summary.anchored, Some(TOTAL));
    assert_eq!(pages.largest_request, PAGE);
    assert!(
        pages.requests > (TOTAL / PAGE) as usize,
        "{}",
        pages.requests
    );
}
