//! Issue 7, watchers: `commands::watch::spawn` against a Kubernetes test server playing app1,
//! with a sink that records every call. Conditions are active once, cleared when they clear,
//! and an API server that goes away and comes back neither repeats nor loses one.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use commands::watch::{Condition, ConditionKind, ConditionSink, WatchSettings, Watchers};
use commands::{ClusterSettings, Settings};
use opsbot_tests::fixtures::platform;
use opsbot_tests::fixtures::velero::{Finished, backup};
use opsbot_tests::kube::{KubeServer, kubeconfig};
use serde_json::json;
use tokio::time::Instant;

/// Long enough for kube's watcher to come back through its backoff (0.8 s doubling, jittered)
/// after a short outage; polls end as soon as the expected calls are there.
const DEADLINE: Duration = Duration::from_secs(40);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_flipped_not_ready_is_active_once_and_cleared_when_ready_again() {
    let server = cluster();
    let w = Watching::start(&server, &["app"]);
    w.sink.synced_times(ConditionKind::NodeNotReady, 1).await;

    server.apply(platform::node("app1-w1", false, false));
    let key = "node-not-ready/app1/app1-w1";
    w.sink.until("w1 active", |s| actives(s, key) == 1).await;
    // Another status update of the same NotReady node opens nothing new.
    let mut again = platform::node("app1-w1", false, false);
    again["status"]["conditions"][3]["message"] = json!("still not posting");
    server.apply(again);
    server.apply(platform::node("app1-w1", false, true));
    let seen = w.sink.until("w1 cleared", |s| clears(s, key) == 1).await;
    assert_eq!(actives(&seen, key), 1, "{seen:#?}");
    let active = seen
        .iter()
        .find_map(|s| match s {
            Seen::Active(c) if c.key == key => Some(c.clone()),
            _ => None,
        })
        .expect("the active condition");
    assert_eq!(active.kind, ConditionKind::NodeNotReady);
    assert_eq!(active.cluster, "app1");
    assert_eq!(active.summary.id, "watch-node-not-ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_looping_pod_counts_only_in_a_watched_namespace() {
    let server = cluster();
    server.apply(platform::pod("app", "web-7d9f-abcde", "app1-w1", false));
    server.apply(platform::pod(
        "monitoring",
        "grafana-5c6d-fghij",
        "app1-w2",
        false,
    ));
    let w = Watching::start(&server, &["app", "kube-system"]);
    let seen = w.sink.synced_times(ConditionKind::PodCrashLoop, 1).await;
    let key = "pod-crash-loop/app1/app/web-7d9f-abcde";
    assert_eq!(
        last_synced(&seen, ConditionKind::PodCrashLoop),
        Some(vec![key.to_string()])
    );
    assert_eq!(actives(&seen, key), 1, "{seen:#?}");
    assert!(
        seen.iter()
            .all(|s| !matches!(s, Seen::Active(c) if c.key.contains("grafana"))),
        "{seen:#?}"
    );

    server.delete("v1", "Pod", Some("app"), "web-7d9f-abcde");
    w.sink.until("web cleared", |s| clears(s, key) == 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_while_the_api_server_is_away_is_seen_once_it_is_back() {
    let mut server = cluster();
    server.apply(platform::node("app1-w2", false, false));
    let w = Watching::start(&server, &["app"]);
    let (w1, w2) = ("node-not-ready/app1/app1-w1", "node-not-ready/app1/app1-w2");
    w.sink.synced_times(ConditionKind::NodeNotReady, 1).await;
    w.sink.until("w2 active", |s| actives(s, w2) == 1).await;

    server.stop();
    server.apply(platform::node("app1-w1", false, false));
    server.apply(platform::node("app1-w2", false, true));
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.restart();

    // Resumed from its resourceVersion: the changes come as updates.
    let seen = w
        .sink
        .until("w1 active, w2 cleared", |s| {
            actives(s, w1) == 1 && clears(s, w2) == 1
        })
        .await;
    assert_eq!(actives(&seen, w2), 1, "no repeat: {seen:#?}");
    no_key_active_twice(&seen);
    let node_lists = server
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/nodes" && r.param("watch").is_none())
        .count();
    assert_eq!(node_lists, 1, "resumed, not relisted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relist_after_the_history_is_lost_syncs_without_repeating() {
    let mut server = cluster();
    server.apply(platform::node("app1-w2", false, false));
    server.apply(platform::pod("app", "web-7d9f-abcde", "app1-w1", false));
    let w = Watching::start(&server, &["app"]);
    let (w1, w2) = ("node-not-ready/app1/app1-w1", "node-not-ready/app1/app1-w2");
    w.sink.synced_times(ConditionKind::NodeNotReady, 1).await;
    w.sink.synced_times(ConditionKind::PodCrashLoop, 1).await;

    server.stop();
    server.apply(platform::node("app1-w1", false, false));
    server.apply(platform::node("app1-w2", false, true));
    // An apiserver whose watch cache started over: resuming gets 410 Expired.
    server.compact();
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.restart();

    let seen = w.sink.synced_times(ConditionKind::NodeNotReady, 2).await;
    assert_eq!(
        last_synced(&seen, ConditionKind::NodeNotReady),
        Some(vec![w1.to_string()]),
        "{seen:#?}"
    );
    assert_eq!(actives(&seen, w1), 1, "{seen:#?}");
    assert_eq!(actives(&seen, w2), 1, "{seen:#?}");
    let seen = w.sink.synced_times(ConditionKind::PodCrashLoop, 2).await;
    assert_eq!(
        actives(&seen, "pod-crash-loop/app1/app/web-7d9f-abcde"),
        1,
        "the pod still crashing after the relist is not new: {seen:#?}"
    );
    no_key_active_twice(&seen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_near_its_end_is_expiring_until_renewed() {
    let server = cluster();
    server.apply(certificate("web-tls", 3 * DAY));
    server.apply(certificate("api-tls", 60 * DAY));
    let w = Watching::start(&server, &[]);
    let key = "certificate-expiring/app1/app/web-tls";
    let seen = w
        .sink
        .synced_times(ConditionKind::CertificateExpiring, 1)
        .await;
    assert_eq!(
        last_synced(&seen, ConditionKind::CertificateExpiring),
        Some(vec![key.to_string()])
    );
    let active = seen
        .iter()
        .find_map(|s| match s {
            Seen::Active(c) if c.key == key => Some(c.clone()),
            _ => None,
        })
        .expect("expiring");
    assert_eq!(active.summary.id, "watch-certificate-expiring");

    server.apply(certificate("web-tls", 90 * DAY));
    w.sink.until("renewed", |s| clears(s, key) == 1).await;
    // No namespaces configured: no pod is watched, so no pod condition holds.
    let seen = w.sink.synced_times(ConditionKind::PodCrashLoop, 1).await;
    assert_eq!(
        last_synced(&seen, ConditionKind::PodCrashLoop),
        Some(vec![])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_velero_refused_is_active_until_it_is_fixed() {
    let server = cluster();
    let schedule = |phase: &str| {
        json!({
            "apiVersion": "velero.io/v1", "kind": "Schedule",
            "metadata": { "name": "nightly", "namespace": "velero" },
            "spec": { "schedule": "0 2 * * * *", "template": { "ttl": "168h0m0s" } },
            "status": { "phase": phase, "validationErrors": ["invalid schedule: expected 5 fields"] }
        })
    };
    server.apply(schedule("FailedValidation"));
    let w = Watching::start(&server, &[]);
    let key = "velero-schedule-failed/app1/nightly";
    w.sink
        .until("refused active", |s| actives(s, key) == 1)
        .await;
    server.apply(schedule("Enabled"));
    let seen = w.sink.until("fixed", |s| clears(s, key) == 1).await;
    assert_eq!(actives(&seen, key), 1, "{seen:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_scheduled_backup_clears_when_a_newer_one_completes() {
    let server = cluster();
    server.apply(scheduled(
        backup(
            "daily-backup-20261124020000",
            &["app"],
            Finished {
                phase: "Failed",
                items: 0,
                total: 412,
                errors: 1,
                warnings: 0,
            },
            2 * DAY,
        ),
        "daily-backup",
    ));
    let w = Watching::start(&server, &[]);
    let key = "velero-backup-failed/app1/schedule/daily-backup";
    w.sink
        .until("failed active", |s| actives(s, key) == 1)
        .await;

    server.apply(scheduled(
        backup(
            "daily-backup-20261125020000",
            &["app"],
            Finished::completed(412),
            DAY,
        ),
        "daily-backup",
    ));
    let seen = w.sink.until("cleared", |s| clears(s, key) == 1).await;
    assert_eq!(actives(&seen, key), 1, "{seen:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_without_cert_manager_or_velero_is_watched_for_the_rest() {
    let server = cluster();
    server.unregister("cert-manager.io", "v1", "certificates");
    server.unregister("velero.io", "v1", "backups");
    let w = Watching::start(&server, &["app"]);
    let seen = w
        .sink
        .synced_times(ConditionKind::CertificateExpiring, 1)
        .await;
    assert_eq!(
        last_synced(&seen, ConditionKind::CertificateExpiring),
        Some(vec![])
    );
    w.sink
        .synced_times(ConditionKind::VeleroBackupFailed, 1)
        .await;
    server.apply(platform::node("app1-w1", false, false));
    w.sink
        .until("nodes still watched", |s| {
            actives(s, "node-not-ready/app1/app1-w1") == 1
        })
        .await;
    // Each missing kind was listed once and then left alone.
    let lists = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/certificates"))
        .count();
    assert_eq!(lists, 1);
}

// ---------------------------------------------------------------------------------------------
// the cluster, the watchers and the recording sink

const DAY: u64 = 86_400;

/// app1, healthy: three Ready nodes, the platform's namespaces, nothing failing.
fn cluster() -> KubeServer {
    let server = KubeServer::start();
    platform::healthy_cluster(&server, "app1", &[]);
    server
}

fn certificate(name: &str, valid_for_secs: u64) -> serde_json::Value {
    json!({
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": { "name": name, "namespace": "app" },
        "spec": { "secretName": name, "dnsNames": [format!("{name}.example.com")],
                  "issuerRef": { "name": "letsencrypt", "kind": "ClusterIssuer" } },
        "status": { "notAfter": opsbot_tests::fixtures::velero::rfc3339_in_secs(valid_for_secs as i64),
                    "conditions": [{ "type": "Ready", "status": "True" }] }
    })
}

fn scheduled(mut backup: serde_json::Value, schedule: &str) -> serde_json::Value {
    backup["metadata"]["labels"]["velero.io/schedule-name"] = json!(schedule);
    backup
}

/// Watchers over `server` as cluster app1; they stop when this is dropped.
struct Watching {
    sink: Arc<Recorder>,
    _watchers: Watchers,
    _kubeconfig: tempfile::TempDir,
}

impl Watching {
    fn start(server: &KubeServer, namespaces: &[&str]) -> Watching {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kubeconfig");
        std::fs::write(&path, kubeconfig(&[("app1", server)])).expect("kubeconfig");
        let mut settings = Settings::default();
        settings.clusters.insert(
            "app1".to_string(),
            ClusterSettings {
                context: Some("app1".to_string()),
                kubeconfig: Some(path),
                etcd: None,
                timeout: None,
            },
        );
        let watch = WatchSettings {
            namespaces: namespaces.iter().map(|n| n.to_string()).collect(),
            ..WatchSettings::default()
        };
        let sink = Arc::new(Recorder::default());
        let watchers = commands::watch::spawn(
            &settings,
            &watch,
            Arc::new(commands::k8s::Clusters::default()),
            sink.clone(),
        );
        assert_eq!(watchers.clusters(), ["app1"]);
        Watching {
            sink,
            _watchers: watchers,
            _kubeconfig: dir,
        }
    }
}

/// One call the sink got.
#[derive(Clone, Debug)]
enum Seen {
    Active(Condition),
    Cleared(String),
    Synced(String, ConditionKind, Vec<String>),
}

#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<Seen>>,
}

#[async_trait]
impl ConditionSink for Recorder {
    async fn active(&self, condition: Condition) {
        self.push(Seen::Active(condition));
    }

    async fn cleared(&self, key: &str) {
        self.push(Seen::Cleared(key.to_string()));
    }

    async fn synced(&self, cluster: &str, kind: ConditionKind, keys: &[String]) {
        self.push(Seen::Synced(cluster.to_string(), kind, keys.to_vec()));
    }
}

impl Recorder {
    fn push(&self, seen: Seen) {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(seen);
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Polls the calls until `done` holds; fails with all of them after [`DEADLINE`].
    async fn until(&self, what: &str, done: impl Fn(&[Seen]) -> bool) -> Vec<Seen> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let seen = self.seen();
            if done(&seen) {
                return seen;
            }
            assert!(Instant::now() < deadline, "{what}: {seen:#?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Until `kind` has been synced `times` times (once per full list).
    async fn synced_times(&self, kind: ConditionKind, times: usize) -> Vec<Seen> {
        self.until(&format!("{} synced {times}x", kind.as_str()), |s| {
            synced(s, kind).len() >= times
        })
        .await
    }
}

fn actives(seen: &[Seen], key: &str) -> usize {
    seen.iter()
        .filter(|s| matches!(s, Seen::Active(c) if c.key == key))
        .count()
}

fn clears(seen: &[Seen], key: &str) -> usize {
    seen.iter()
        .filter(|s| matches!(s, Seen::Cleared(k) if k == key))
        .count()
}

fn synced(seen: &[Seen], kind: ConditionKind) -> Vec<Vec<String>> {
    seen.iter()
        .filter_map(|s| match s {
            Seen::Synced(cluster, k, keys) if *k == kind => {
                assert_eq!(cluster, "app1");
                Some(keys.clone())
            }
            _ => None,
        })
        .collect()
}

fn last_synced(seen: &[Seen], kind: ConditionKind) -> Option<Vec<String>> {
    synced(seen, kind).pop()
}

/// Between two `active` calls for one key there is always a clear.
fn no_key_active_twice(seen: &[Seen]) {
    let mut open = std::collections::BTreeSet::new();
    for s in seen {
        match s {
            Seen::Active(c) => assert!(open.insert(c.key.clone()), "{} twice: {seen:#?}", c.key),
            Seen::Cleared(k) => {
                open.remove(k);
            }
            Seen::Synced(_, kind, keys) => {
                open.retain(|k| !k.starts_with(kind.as_str()) || keys.contains(k));
            }
        }
    }
}
