//! Suggestions for a value being typed (a chat's autocomplete): clusters from the
//! configuration, namespaces and Velero backups from a cluster's API server, etcd snapshot
//! files from the backup directory.
//!
//! The engine answers because it alone knows what an argument means; a chat asks "what fits
//! this argument" and shows the words it gets back. Every lookup is bounded by a short
//! timeout: a chat must answer an autocomplete request within a few seconds, and no
//! suggestion beats a late one. Failures are logged and give no suggestions.

use std::time::Duration;

use commands::k8s::list_on_each;
use commands::k8s::objects::resource;
use commands::{Arg, Kind, NoProgress, RunContext};

use super::Engine;

/// No more suggestions than this (Discord's limit for autocomplete choices).
pub const MAX_CHOICES: usize = 25;
/// How long a lookup may take (Discord wants the answer within 3 s of the request).
const LOOKUP_TIMEOUT: Duration = Duration::from_millis(2000);
/// Where Velero keeps its objects (as the Velero operations read them).
const VELERO_NAMESPACE: &str = "velero";
/// How etcd snapshot files are named in `backup.dir/CLUSTER` (the runbook's `find` pattern).
const SNAPSHOT_PREFIX: &str = "etcd-snapshot-";
const SNAPSHOT_SUFFIX: &str = ".db";

/// What kind of value is being completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// A configured cluster (`all` too where the argument takes it).
    Cluster { all: bool },
    /// One namespace of a cluster.
    Namespace,
    /// Comma-separated namespaces: the last one is completed.
    Namespaces,
    /// A Velero backup's name.
    VeleroBackup,
    /// An etcd snapshot file in the cluster's backup directory.
    EtcdSnapshot,
}

impl Completion {
    /// What completes an argument of the command language, if anything does.
    pub fn for_arg(arg: &Arg) -> Option<Completion> {
        match arg.kind {
            Kind::Cluster { all } => Some(Completion::Cluster { all }),
            Kind::Namespace => Some(Completion::Namespace),
            Kind::Namespaces => Some(Completion::Namespaces),
            Kind::SnapshotFile => Some(Completion::EtcdSnapshot),
            // Velero's forms name the backup they act on `backup`.
            Kind::Name if arg.name == "backup" => Some(Completion::VeleroBackup),
            _ => None,
        }
    }

    /// Whether the suggestions depend on which cluster is meant.
    pub fn needs_cluster(self) -> bool {
        !matches!(self, Completion::Cluster { .. })
    }
}

impl Engine {
    /// Up to [`MAX_CHOICES`] values of `what` starting with `prefix`, sorted. `cluster` is the
    /// cluster typed so far; without one, the only configured cluster is meant, if there is
    /// exactly one.
    pub async fn complete(
        &self,
        what: Completion,
        cluster: Option<&str>,
        prefix: &str,
    ) -> Vec<String> {
        let settings = &self.config.settings;
        let cluster = cluster
            .filter(|c| settings.clusters.contains_key(*c))
            .map(str::to_string)
            .or_else(|| {
                let mut names = settings.clusters.keys();
                match (names.next(), names.next()) {
                    (Some(only), None) => Some(only.clone()),
                    _ => None,
                }
            });
        // For a list, the words before the last comma stay as typed.
        let (head, last) = match what {
            Completion::Namespaces => match prefix.rsplit_once(',') {
                Some((head, last)) => (format!("{head},"), last),
                None => (String::new(), prefix),
            },
            _ => (String::new(), prefix),
        };
        let found = match (what, cluster) {
            (Completion::Cluster { all }, _) => {
                let mut names: Vec<String> = settings.clusters.keys().cloned().collect();
                if all {
                    names.push("all".to_string());
                }
                names
            }
            (_, None) => Vec::new(),
            (Completion::EtcdSnapshot, Some(cluster)) => snapshot_files(self, &cluster),
            (Completion::Namespace | Completion::Namespaces, Some(cluster)) => {
                self.names_of(&cluster, ["", "v1", "Namespace", "namespaces"], None)
                    .await
            }
            (Completion::VeleroBackup, Some(cluster)) => {
                let backups = ["velero.io", "v1", "Backup", "backups"];
                self.names_of(&cluster, backups, Some(VELERO_NAMESPACE))
                    .await
            }
        };
        let mut matching: Vec<String> = found
            .into_iter()
            .filter(|name| name.starts_with(last))
            .map(|name| format!("{head}{name}"))
            .collect();
        matching.sort();
        matching.dedup();
        matching.truncate(MAX_CHOICES);
        matching
    }

    /// The names of the objects of one kind (group, version, kind, plural) in one cluster, or
    /// none when it does not answer in time.
    async fn names_of(
        &self,
        cluster: &str,
        [group, version, kind, plural]: [&str; 4],
        namespace: Option<&str>,
    ) -> Vec<String> {
        let kind = resource(group, version, kind, plural);
        let progress = NoProgress;
        let cx =
            RunContext::new(&self.config.settings, &progress).with_clusters(self.clusters.clone());
        let clusters = [cluster.to_string()];
        let lookup = list_on_each(&cx, &clusters, &kind, namespace);
        let results = match tokio::time::timeout(LOOKUP_TIMEOUT, lookup).await {
            Ok(results) => results,
            Err(_) => {
                tracing::info!(cluster, "autocomplete lookup timed out");
                return Vec::new();
            }
        };
        let mut names = Vec::new();
        for (_, result) in results {
            match result {
                Ok(Some(items)) => names.extend(items.into_iter().filter_map(|o| o.metadata.name)),
                Ok(None) => {}
                Err(e) => tracing::info!(cluster, error = %e, "autocomplete lookup failed"),
            }
        }
        names
    }
}

/// `etcd-snapshot-*.db` files in `backup.dir/CLUSTER` (newest names sort last).
fn snapshot_files(engine: &Engine, cluster: &str) -> Vec<String> {
    let dir = engine.config.settings.backup.dir.join(cluster);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| {
            n.len() > SNAPSHOT_PREFIX.len() + SNAPSHOT_SUFFIX.len()
                && n.starts_with(SNAPSHOT_PREFIX)
                && n.ends_with(SNAPSHOT_SUFFIX)
        })
        .collect()
}
