//! Watchers: one per cluster, each following the API server with kube's `watcher` and
//! telling a [`ConditionSink`] which bad conditions hold (a node NotReady, a pod in
//! CrashLoopBackOff, a certificate about to expire, a failed Velero backup) and when they
//! clear. They know clusters, not chat or pagers: the bot turns conditions into incidents.
//!
//! After every (re)list a watcher says which of its conditions hold ([`ConditionSink::synced`]),
//! so an API server that went away and came back neither duplicates an incident nor leaves
//! one open whose condition cleared while nobody was looking.

use async_trait::async_trait;
use serde::Deserialize;

use crate::Message;

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
        }
    }

    pub const ALL: [ConditionKind; 7] = [
        ConditionKind::NodeNotReady,
        ConditionKind::NodeDiskPressure,
        ConditionKind::NodeMemoryPressure,
        ConditionKind::PodOomKilled,
        ConditionKind::PodCrashLoop,
        ConditionKind::CertificateExpiring,
        ConditionKind::VeleroBackupFailed,
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
    /// Namespaces whose pods are watched for OOMKilled and CrashLoopBackOff.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// A certificate whose notAfter is fewer than this many days away is expiring.
    #[serde(default = "default_cert_days")]
    pub certificate_days: u32,
}

fn yes() -> bool {
    true
}

fn default_cert_days() -> u32 {
    14
}

impl Default for WatchSettings {
    fn default() -> Self {
        WatchSettings {
            enabled: true,
            namespaces: Vec::new(),
            certificate_days: default_cert_days(),
        }
    }
}
