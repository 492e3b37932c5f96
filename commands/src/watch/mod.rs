//! Watchers: one per cluster, each following the API server with kube's `watcher` and
//! telling a [`ConditionSink`] which bad conditions hold (a node NotReady, a pod in
//! CrashLoopBackOff, a certificate about to expire, a failed Velero backup) and when they
//! clear. They know clusters, not chat or pagers: the bot turns conditions into incidents.
//!
//! After every (re)list a watcher says which of its conditions hold ([`ConditionSink::synced`]),
//! so an API server that went away and came back neither duplicates an incident nor leaves
//! one open whose condition cleared while nobody was looking.

mod certs;
mod etcd;
mod nodes;
mod pods;
mod schedules;
mod track;
mod velero;

use std::sync::Arc;

use async_trait::async_trait;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::Api;
use serde::Deserialize;

use crate::k8s::Clusters;
use crate::k8s::objects::dynamic;
use crate::{Message, Settings};

pub use certs::certificate_expiring;
pub use nodes::node_conditions;
pub use pods::pod_conditions;
pub use schedules::schedule_failed;
pub use velero::backup_failed;

/// What kind of trouble; each kind has its own severity and situation in configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConditionKind {
    NodeNotReady,
    NodeDiskPressure,
    NodeMemoryPressure,
    PodOomKilled,
    PodCrashLoop,
    CertificateExpiring,
    VeleroBackupFailed,
    VeleroScheduleFailed,
    EtcdUnreachable,
}

impl ConditionKind {
    /// The name used in configuration (`watchers.kinds.node-not-ready`) and in keys.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionKind::NodeNotReady => "node-not-ready",
            ConditionKind::NodeDiskPressure => "node-disk-pressure",
            ConditionKind::NodeMemoryPressure => "node-memory-pressure",
            ConditionKind::PodOomKilled => "pod-oom-killed",
            ConditionKind::PodCrashLoop => "pod-crash-loop",
            ConditionKind::CertificateExpiring => "certificate-expiring",
            ConditionKind::VeleroBackupFailed => "velero-backup-failed",
            ConditionKind::VeleroScheduleFailed => "velero-schedule-failed",
            ConditionKind::EtcdUnreachable => "etcd-unreachable",
        }
    }

    pub const ALL: [ConditionKind; 9] = [
        ConditionKind::NodeNotReady,
        ConditionKind::NodeDiskPressure,
        ConditionKind::NodeMemoryPressure,
        ConditionKind::PodOomKilled,
        ConditionKind::PodCrashLoop,
        ConditionKind::CertificateExpiring,
        ConditionKind::VeleroBackupFailed,
        ConditionKind::VeleroScheduleFailed,
        ConditionKind::EtcdUnreachable,
    ];
}

/// A bad condition that holds now.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// Stable for as long as the condition holds, e.g. `node-not-ready/app1/worker-1`.
    pub key: String,
    pub kind: ConditionKind,
    pub cluster: String,
    /// One line for people (a message id with its arguments).
    pub summary: Message,
    /// Facts as typed (node, namespace, pod, reason, expiry…).
    pub details: Vec<(String, String)>,
}

/// Where watchers report. Calls for one key come in order; the sink makes them idempotent
/// (an `active` for a condition already known opens nothing new).
#[async_trait]
pub trait ConditionSink: Send + Sync {
    /// The condition holds (again, or still).
    async fn active(&self, condition: Condition);

    /// The condition with this key no longer holds.
    async fn cleared(&self, key: &str);

    /// After a (re)list of `kind` on `cluster`: these keys hold and no others of that kind and
    /// cluster do. Anything else the sink had open for them has cleared.
    async fn synced(&self, cluster: &str, kind: ConditionKind, keys: &[String]);
}

/// `[watchers]`: what to watch and when something counts as trouble.
#[derive(Clone, Debug, Deserialize)]
pub struct WatchSettings {
    /// Off by default in `shell`; `serve` starts watchers when this is true.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Namespaces whose pods are watched for OOMKilled and CrashLoopBackOff; `*` for all.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// A certificate whose notAfter is fewer than this many days away is expiring.
    #[serde(default = "default_cert_days")]
    pub certificate_days: u32,
    /// How often each cluster's etcd is asked whether it answers, e.g. `30s`.
    #[serde(default)]
    pub etcd_interval: Option<String>,
    /// Per kind (`node-not-ready`, …): its severity and situation, when not the defaults.
    #[serde(default)]
    pub kinds: std::collections::BTreeMap<String, KindSettings>,
}

/// `[watchers.kinds.KIND]`: how bad this kind is and whom it concerns.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct KindSettings {
    /// `critical` pages; `error`, `warning`, `info` only tell the incident channel.
    pub severity: Option<String>,
    /// A row of the contacts table; `cluster-failure` when absent.
    pub situation: Option<String>,
}

fn yes() -> bool {
    true
}

fn default_cert_days() -> u32 {
    14
}

impl WatchSettings {
    pub fn etcd_interval(&self) -> std::time::Duration {
        self.etcd_interval
            .as_deref()
            .and_then(|t| crate::validate::duration(t).ok())
            .unwrap_or(std::time::Duration::from_secs(30))
    }
}

impl Default for WatchSettings {
    fn default() -> Self {
        WatchSettings {
            enabled: true,
            namespaces: Vec::new(),
            certificate_days: default_cert_days(),
            etcd_interval: None,
            kinds: Default::default(),
        }
    }
}

/// `node-not-ready/app1/worker-1`: the kind, the cluster, then what names the object.
fn key(kind: ConditionKind, cluster: &str, names: &[&str]) -> String {
    let mut key = format!("{}/{cluster}", kind.as_str());
    for name in names {
        key.push('/');
        key.push_str(name);
    }
    key
}

/// The running watchers; dropping this stops them all.
#[derive(Default)]
pub struct Watchers {
    clusters: Vec<String>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Watchers {
    /// The clusters being watched, by name.
    pub fn clusters(&self) -> &[String] {
        &self.clusters
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

impl Drop for Watchers {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Starts the watchers: one task per cluster with a kubeconfig context (etcd-only clusters
/// have no API server to watch), each following nodes, pods in `watch.namespaces`, cert-manager
/// Certificates and Velero Backups, and telling `sink`. Nothing starts when `watch.enabled` is
/// false. The tasks run until the returned [`Watchers`] is dropped; an API server that goes
/// away is reconnected to by kube's watcher with its default backoff.
///
/// # Panics
/// Outside a tokio runtime (it spawns tasks).
pub fn spawn(
    settings: &Settings,
    watch: &WatchSettings,
    clusters: Arc<Clusters>,
    sink: Arc<dyn ConditionSink>,
) -> Watchers {
    let mut watchers = Watchers::default();
    if !watch.enabled {
        return watchers;
    }
    let settings = Arc::new(settings.clone());
    for (name, cluster) in &settings.clusters {
        if cluster.etcd.is_some() {
            watchers.tasks.push(tokio::spawn(etcd::watch_etcd(
                settings.clone(),
                watch.etcd_interval(),
                sink.clone(),
                name.clone(),
            )));
        }
        if cluster.context.is_none() {
            continue;
        }
        watchers.clusters.push(name.clone());
        watchers.tasks.push(tokio::spawn(watch_cluster(
            settings.clone(),
            watch.clone(),
            clusters.clone(),
            sink.clone(),
            name.clone(),
        )));
    }
    watchers
}

/// The watch loops of one cluster, side by side in one task.
async fn watch_cluster(
    settings: Arc<Settings>,
    watch: WatchSettings,
    clusters: Arc<Clusters>,
    sink: Arc<dyn ConditionSink>,
    cluster: String,
) {
    // Building a client reads the kubeconfig but contacts nobody, so this fails only on
    // configuration, which `check-config` reports; nothing to retry.
    let client = match clusters.client(&settings, &cluster).await {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(cluster, error = %error.message(), "cannot watch this cluster");
            return;
        }
    };
    let pods: Vec<Api<Pod>> = if watch.namespaces.iter().any(|n| n == "*") {
        vec![Api::all(client.clone())]
    } else {
        watch
            .namespaces
            .iter()
            .map(|ns| Api::namespaced(client.clone(), ns))
            .collect()
    };
    let certificates = dynamic(client.clone(), &crate::certs::certificates(), None);
    let backups = crate::velero::backups(client.clone());
    let schedules = crate::velero::schedules(client.clone());
    tracing::debug!(cluster, "watchers starting");
    tokio::join!(
        track::run(
            nodes::Nodes {
                cluster: cluster.clone()
            },
            cluster.clone(),
            "nodes",
            vec![Api::<Node>::all(client.clone())],
            sink.clone(),
        ),
        track::run(
            pods::Pods {
                cluster: cluster.clone()
            },
            cluster.clone(),
            "pods",
            pods,
            sink.clone(),
        ),
        track::run(
            certs::Certs {
                cluster: cluster.clone(),
                days: watch.certificate_days,
            },
            cluster.clone(),
            "certificates",
            vec![certificates],
            sink.clone(),
        ),
        track::run(
            velero::Backups {
                cluster: cluster.clone()
            },
            cluster.clone(),
            "velero backups",
            vec![backups],
            sink.clone(),
        ),
        track::run(
            schedules::Schedules {
                cluster: cluster.clone()
            },
            cluster.clone(),
            "velero schedules",
            vec![schedules],
            sink.clone(),
        ),
    );
}
