//! The desk and the outbox with pagers and a chat that record what they are sent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use commands::incidents::{Alert, Incidents, Severity};
use commands::watch::{Condition, ConditionKind, ConditionSink, WatchSettings};
use commands::{Contact, Secret, msg};

use super::outbox::{self, Backoff};
use super::text::Redactor;
use super::*;
use crate::i18n::{Locale, Localizer};
use crate::store::{DeliveryState, SqliteStore, Store};

/// A pager that answers from a script, then succeeds.
struct Recorder {
    name: &'static str,
    script: Mutex<Vec<Result<(), SendError>>>,
    sent: Mutex<Vec<Page>>,
}

impl Recorder {
    fn new(name: &'static str, script: Vec<Result<(), SendError>>) -> Arc<Self> {
        Arc::new(Recorder {
            name,
            script: Mutex::new(script),
            sent: Mutex::new(Vec::new()),
        })
    }
    fn sent(&self) -> Vec<Page> {
        self.sent.lock().expect("lock").clone()
    }
}

#[async_trait]
impl Pager for Recorder {
    fn target(&self) -> &'static str {
        self.name
    }
    fn reaches(&self, contact: &Contact) -> bool {
        contact.pagerduty_routing_key.is_some()
    }
    fn takes(&self, _action: PageAction) -> bool {
        true
    }
    async fn send(&self, _contact: &Contact, page: &Page) -> Result<(), SendError> {
        self.sent.lock().expect("lock").push(page.clone());
        let mut script = self.script.lock().expect("lock");
        if script.is_empty() {
            Ok(())
        } else {
            script.remove(0)
        }
    }
}

/// A chat that keeps its incident messages by reference.
#[derive(Default)]
struct Chat {
    posts: Mutex<Vec<IncidentView>>,
    updates: Mutex<Vec<(String, IncidentView)>>,
    notes: Mutex<Vec<String>>,
}

#[async_trait]
impl IncidentChannel for Chat {
    fn target(&self) -> &'static str {
        "slack"
    }
    async fn post(&self, _contact: &Contact, view: &IncidentView) -> Result<String, SendError> {
        let mut posts = self.posts.lock().expect("lock");
        posts.push(view.clone());
        Ok(format!("msg-{}", posts.len()))
    }
    async fn update(
        &self,
        reference: &str,
        _contact: &Contact,
        view: &IncidentView,
    ) -> Result<(), SendError> {
        self.updates
            .lock()
            .expect("lock")
            .push((reference.to_string(), view.clone()));
        Ok(())
    }
    async fn note(&self, text: &commands::Message) -> Result<(), SendError> {
        self.notes.lock().expect("lock").push(text.to_string());
        Ok(())
    }
}

fn contact() -> Contact {
    Contact {
        situation: "cluster-failure".into(),
        team: "Platform Team".into(),
        slack_mentions: vec!["S0PLATFORM".into()],
        discord_mentions: vec![],
        pagerduty_routing_key: Some(Secret::new("R0UTINGKEY")),
        opsgenie_team: None,
        webhook: None,
        email: vec![],
    }
}

async fn desk(pager: Arc<Recorder>) -> (tempfile::TempDir, Arc<Desk>, Arc<Chat>) {
    let dir = tempfile::tempdir().expect("dir");
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&dir.path().join("state.db"))
            .await
            .expect("store"),
    );
    let desk = Arc::new(Desk::new(
        store,
        vec![contact()],
        vec![pager],
        Localizer::new(Locale::En),
        Redactor::new().with("R0UTINGKEY"),
        WatchSettings::default(),
    ));
    let chat = Arc::new(Chat::default());
    desk.attach(chat.clone());
    let fast = Backoff {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(200),
        retry_after_max: Duration::from_secs(300),
    };
    tokio::spawn(outbox::run(desk.clone(), "test".into(), fast));
    (dir, desk, chat)
}

fn alert(key: &str) -> Alert {
    Alert {
        key: key.into(),
        situation: "cluster-failure".into(),
        severity: Severity::Critical,
        summary: msg!("page-summary", message = "app1 down, key R0UTINGKEY leaked"),
        source: "app1".into(),
        details: vec![],
        page: true,
        raised_by: Some("shell:alice".into()),
    }
}

async fn settled(desk: &Desk) {
    for _ in 0..100 {
        let rows = desk.store.deliveries(None, 100).await.expect("rows");
        if rows.iter().all(|d| d.state != DeliveryState::Pending) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the outbox did not settle");
}

#[tokio::test]
async fn a_page_is_delivered_once_after_a_500_and_a_repeat_opens_nothing() {
    let pager = Recorder::new(
        "pagerduty",
        vec![Err(SendError::Retry {
            reason: "HTTP 500".into(),
            after: None,
        })],
    );
    let (_dir, desk, chat) = desk(pager.clone()).await;
    let raised = desk.raise(alert("k1")).await.expect("raise");
    assert!(raised.opened);
    assert_eq!(raised.targets, ["slack", "pagerduty"]);
    let again = desk.raise(alert("k1")).await.expect("raise again");
    assert!(!again.opened);
    assert_eq!(again.id, raised.id);
    settled(&desk).await;

    let sent = pager.sent();
    assert_eq!(sent.len(), 2, "one failed attempt, one delivery");
    assert!(sent.iter().all(|p| p.action == PageAction::Trigger));
    assert_eq!(sent[0].dedup_key, sent[1].dedup_key);
    assert!(
        !sent[1].summary.contains("R0UTINGKEY"),
        "{}",
        sent[1].summary
    );
    assert_eq!(chat.posts.lock().expect("lock").len(), 1);
    // Once the trigger settled, the chat message shows it.
    let updates = chat.updates.lock().expect("lock").clone();
    let last = updates.last().expect("an update");
    assert_eq!(last.0, "msg-1");
    assert_eq!(
        last.1.pages,
        [("pagerduty".to_string(), "trigger delivered".to_string())]
    );
}

#[tokio::test]
async fn acknowledge_then_resolve_reach_the_pager_with_the_same_key() {
    let pager = Recorder::new("pagerduty", vec![]);
    let (_dir, desk, chat) = desk(pager.clone()).await;
    let raised = desk.raise(alert("k2")).await.expect("raise");
    assert!(matches!(
        desk.acknowledge(&raised.id, "slack:U1").await.expect("ack"),
        Moved::Done(_)
    ));
    assert!(matches!(
        desk.acknowledge(&raised.id, "slack:U2").await.expect("ack"),
        Moved::AlreadyIn(IncidentState::Acknowledged)
    ));
    assert!(matches!(
        desk.resolve(&raised.id, "slack:U1").await.expect("resolve"),
        Moved::Done(_)
    ));
    settled(&desk).await;
    let actions: Vec<PageAction> = pager.sent().iter().map(|p| p.action).collect();
    assert_eq!(
        actions,
        [
            PageAction::Trigger,
            PageAction::Acknowledge,
            PageAction::Resolve
        ]
    );
    let keys: Vec<String> = pager.sent().iter().map(|p| p.dedup_key.clone()).collect();
    assert!(keys.iter().all(|k| *k == keys[0]));
    let updates = chat.updates.lock().expect("lock").clone();
    assert_eq!(
        updates.last().map(|(_, v)| v.state),
        Some(IncidentState::Resolved)
    );
}

#[tokio::test]
async fn a_refused_page_is_not_retried() {
    let pager = Recorder::new(
        "pagerduty",
        vec![Err(SendError::Permanent {
            reason: "HTTP 400".into(),
        })],
    );
    let (_dir, desk, _chat) = desk(pager.clone()).await;
    desk.raise(alert("k3")).await.expect("raise");
    settled(&desk).await;
    assert_eq!(pager.sent().len(), 1);
    let rows = desk.deliveries(10).await.expect("rows");
    let trigger = rows
        .iter()
        .find(|d| d.action == "trigger")
        .expect("trigger");
    assert_eq!(trigger.state, "failed");
    assert_eq!(trigger.last_error.as_deref(), Some("HTTP 400"));
}

#[tokio::test]
async fn watcher_conditions_open_once_and_a_sync_clears_what_is_gone() {
    let pager = Recorder::new("pagerduty", vec![]);
    let (_dir, desk, chat) = desk(pager.clone()).await;
    let condition = |node: &str| Condition {
        key: format!("node-not-ready/app1/{node}"),
        kind: ConditionKind::NodeNotReady,
        cluster: "app1".into(),
        summary: msg!("page-summary", message = node),
        details: vec![("node".into(), node.into())],
    };
    desk.active(condition("w1")).await;
    desk.active(condition("w1")).await;
    desk.active(condition("w2")).await;
    settled(&desk).await;
    assert_eq!(chat.posts.lock().expect("lock").len(), 2);
    assert_eq!(
        pager.sent().len(),
        2,
        "NotReady is critical: paged once per node"
    );

    // After a relist only w2 is still NotReady.
    desk.synced(
        "app1",
        ConditionKind::NodeNotReady,
        &["node-not-ready/app1/w2".to_string()],
    )
    .await;
    settled(&desk).await;
    let open = desk.store.unresolved_incidents().await.expect("open");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].dedup_key, "node-not-ready/app1/w2");
    let resolves: Vec<Page> = pager
        .sent()
        .into_iter()
        .filter(|p| p.action == PageAction::Resolve)
        .collect();
    assert_eq!(resolves.len(), 1);
    assert_eq!(resolves[0].by.as_deref(), Some(WATCHER));

    // Who was called and when is in the audit log, chained like everything else.
    let records = desk.store.audit_records().await.expect("audit");
    let events: Vec<String> = records
        .iter()
        .filter(|r| r.kind == "incident")
        .map(|r| {
            let detail: serde_json::Value = serde_json::from_str(&r.detail).expect("json");
            format!(
                "{} {}",
                r.subject,
                detail["event"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        events,
        ["opsbot opened", "opsbot opened", "opsbot resolved"]
    );
    let head = desk.store.audit_head().await.expect("head");
    assert_eq!(
        crate::store::verify_chain(&records, head.as_ref().map(|(s, h)| (*s, h.as_str()))),
        crate::store::Verification::Intact { records: 3 }
    );
}
