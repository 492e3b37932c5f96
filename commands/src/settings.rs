//! The parts of the bot's configuration that operations read.
//!
//! The bot loads and checks the whole file; operations get these typed sections and
//! nothing else (no chat credentials, no policy).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// What operations may know of the configuration.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub clusters: BTreeMap<String, ClusterSettings>,
    pub backup: BackupSettings,
    pub contacts: Vec<Contact>,
    pub vault: Option<VaultSettings>,
    pub runners: RunnerSettings,
    pub helm: HelmSettings,
}

/// `helm`: the bounds of `helm upgrade` and `helm rollback`. The bot's Helm credentials can
/// install anything anywhere, so what a chat may ask is written here: per release, the charts
/// (and chart versions) it may be upgraded to, and the one directory values files come from.
/// A release not listed is neither upgraded nor rolled back.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct HelmSettings {
    /// The only directory `--values FILE` is read from (FILE relative to it, symlinks
    /// resolved and required to stay inside). Absent: `--values` is refused.
    pub values_dir: Option<PathBuf>,
    #[serde(default)]
    pub releases: Vec<HelmRelease>,
}

/// `[[helm.releases]]`: one release and what it may become.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct HelmRelease {
    /// A cluster name, or a glob over cluster names (`prod-*`, `*`).
    pub cluster: String,
    pub namespace: String,
    pub release: String,
    /// Chart references as passed to helm (`ingress-nginx/ingress-nginx`,
    /// `oci://registry.example.com/charts/web`), matched exactly.
    pub charts: Vec<String>,
    /// A semver requirement on the chart version (`">=4.0, <5"`); when set, `--version` is
    /// required and must satisfy it.
    pub versions: Option<String>,
}

/// `runners`: how work outside the Kubernetes API is done (OPERATIONS.md: "a privileged Job
/// pinned to the node for node work, or a local process on the host where the bot runs").
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RunnerSettings {
    /// Programs on the bot's host by logical name: `helm`, `cilium`, `hubble`, `multipass`,
    /// `terraform`, `etcdctl`, and scripts such as `init-cluster`. Only these run.
    #[serde(default)]
    pub programs: BTreeMap<String, PathBuf>,
    /// The node runner's Job: image, namespace and how long a node command may take.
    #[serde(default)]
    pub node: NodeRunnerSettings,
    /// How long a local program may run, e.g. `10m`. Default 10m.
    pub timeout: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct NodeRunnerSettings {
    /// An image with a shell-free `chroot` (busybox, ubuntu); the host's own tools do the work.
    #[serde(default = "default_node_image")]
    pub image: String,
    #[serde(default = "default_node_namespace")]
    pub namespace: String,
    /// e.g. `10m`. Default 10m.
    pub timeout: Option<String>,
}

fn default_node_image() -> String {
    "docker.io/library/busybox:1.36".to_string()
}

fn default_node_namespace() -> String {
    "kube-system".to_string()
}

impl Default for NodeRunnerSettings {
    fn default() -> Self {
        NodeRunnerSettings {
            image: default_node_image(),
            namespace: default_node_namespace(),
            timeout: None,
        }
    }
}

impl RunnerSettings {
    pub fn timeout(&self) -> Duration {
        duration_or(self.timeout.as_deref(), Duration::from_secs(600))
    }
}

impl NodeRunnerSettings {
    pub fn timeout(&self) -> Duration {
        duration_or(self.timeout.as_deref(), Duration::from_secs(600))
    }
}

fn duration_or(text: Option<&str>, default: Duration) -> Duration {
    text.and_then(|t| crate::validate::duration(t).ok())
        .unwrap_or(default)
}

/// `vault`: where the Vault HTTP API answers (RUNBOOK §5.5).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct VaultSettings {
    /// e.g. `https://vault.mgmt.internal:8200`.
    pub address: String,
    /// CA bundle for Vault's certificate, when it is not publicly trusted.
    pub cacert: Option<PathBuf>,
    /// How long Vault may take to answer, e.g. `5s`. Default 5s.
    pub timeout: Option<String>,
}

impl VaultSettings {
    pub fn timeout(&self) -> Duration {
        self.timeout
            .as_deref()
            .and_then(|t| crate::validate::duration(t).ok())
            .unwrap_or(Duration::from_secs(5))
    }
}

/// `clusters.NAME`: a cluster needs only what its operations use.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ClusterSettings {
    /// The kubeconfig context naming this cluster.
    pub context: Option<String>,
    /// The kubeconfig file; the usual lookup (`KUBECONFIG`, `~/.kube/config`) when absent.
    pub kubeconfig: Option<PathBuf>,
    pub etcd: Option<EtcdSettings>,
    /// How long the API server may take to answer one operation, e.g. `10s`.
    #[serde(default)]
    pub timeout: Option<String>,
}

impl ClusterSettings {
    pub fn timeout(&self) -> Duration {
        self.timeout
            .as_deref()
            .and_then(|t| crate::validate::duration(t).ok())
            .unwrap_or(crate::k8s::DEFAULT_TIMEOUT)
    }
}

/// `clusters.NAME.etcd`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct EtcdSettings {
    pub endpoints: Vec<String>,
    /// CA bundle that signed the server certificates.
    pub cacert: Option<PathBuf>,
    /// Client certificate and key, for etcd's mutual TLS (kubeadm requires it).
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// How long to wait for etcd to answer, e.g. `5s`. Default 5s.
    #[serde(default)]
    pub timeout: Option<String>,
}

/// `backup`: where etcd snapshots go and how long they are kept.
#[derive(Clone, Debug, Deserialize)]
pub struct BackupSettings {
    pub dir: PathBuf,
    /// A duration such as `7d`; checked by `check-config`.
    #[serde(default = "default_retention")]
    pub retention: String,
}

fn default_retention() -> String {
    "7d".to_string()
}

impl Default for BackupSettings {
    fn default() -> Self {
        BackupSettings {
            dir: PathBuf::from("/var/backups/etcd"),
            retention: default_retention(),
        }
    }
}

impl BackupSettings {
    /// The retention as a duration; `None` when it does not parse (check-config says so).
    pub fn retention(&self) -> Option<Duration> {
        crate::validate::duration(&self.retention).ok()
    }
}

impl EtcdSettings {
    pub fn timeout(&self) -> Duration {
        self.timeout
            .as_deref()
            .and_then(|t| crate::validate::duration(t).ok())
            .unwrap_or(Duration::from_secs(5))
    }
}

/// One row of the emergency contacts table (RUNBOOK §6.4).
#[derive(Clone, Debug, Deserialize)]
pub struct Contact {
    /// `cluster-failure`, `security-incident`, `external-outage`, or a team's own.
    pub situation: String,
    pub team: String,
    #[serde(default)]
    pub slack_mentions: Vec<String>,
    #[serde(default)]
    pub discord_mentions: Vec<String>,
    #[serde(default)]
    pub pagerduty_routing_key: Option<Secret>,
    #[serde(default)]
    pub opsgenie_team: Option<String>,
    #[serde(default)]
    pub webhook: Option<String>,
    #[serde(default)]
    pub email: Vec<String>,
}

/// A credential: printed as `***` so it never reaches a log or a chat by accident.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The value itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}
