//! Suggestions for a value being typed (a chat's autocomplete): clusters from the
//! configuration, namespaces and Velero backups from a cluster's API server, etcd snapshot
//! files from the backup directory.
//!
//! The engine answers because it alone knows what an argument means; a chat asks "what fits
//! this argument of this operation, for this caller" and shows the words it gets back.
//!
//! Autocomplete is a read like any other, so it is judged and audited:
//! * Only what the caller could run the operation on is suggested: each candidate cluster and
//!   namespace goes through [`policies::Policy::decide`] (an approval still needed counts as
//!   could run). A cluster the caller may not touch is never asked anything, so a stranger
//!   makes no request to any API server; an unknown operation suggests nothing.
//! * Each lookup that reaches a cluster (or the backup directory) appends one `read` audit
//!   record. Results are kept for [`CACHE_FOR`] per (cluster, kind), so a burst of keystrokes
//!   costs one LIST and one record, not one per key, and the audit log does not flood.
//! * At most [`MAX_LOOKUPS`] lookups run at once; beyond that the answer is an empty list at
//!   once (a late suggestion is worth nothing, and a busy API server is not asked more).
//! * Every lookup is bounded by a short timeout: a chat must answer within a few seconds.
//!   Failures are logged and give no suggestions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use commands::k8s::list_on_each;
use commands::k8s::objects::resource;
use commands::{Arg, CATALOGUE, Kind, NoProgress, RunContext};
use policies::Target;
use serde_json::json;
use tokio::sync::Semaphore;

use super::{Caller, Engine};

/// No more suggestions than this (Discord's limit for autocomplete choices).
pub const MAX_CHOICES: usize = 25;
/// How long a lookup may take (Discord wants the answer within 3 s of the request).
const LOOKUP_TIMEOUT: Duration = Duration::from_millis(2000);
/// How long a lookup's answer is reused: long enough to cover one person typing a word, short
/// enough that a namespace created a moment ago shows up.
pub const CACHE_FOR: Duration = Duration::from_secs(5);
/// Lookups running at once, over all callers; more get no suggestions.
pub const MAX_LOOKUPS: usize = 4;
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

    /// The cache key and audit name of what is looked up.
    fn kind(self) -> &'static str {
        match self {
            Completion::Cluster { .. } => "clusters",
            Completion::Namespace | Completion::Namespaces => "namespaces",
            Completion::VeleroBackup => "velero-backups",
            Completion::EtcdSnapshot => "etcd-snapshots",
        }
    }
}

/// The operation a typed line is a form of, by the longest form whose words start it
/// (`pod delete web -n` → `pod.delete`).
pub fn operation_of_line(line: &str) -> Option<&'static str> {
    let words: Vec<&str> = line.split_whitespace().collect();
    CATALOGUE
        .iter()
        .flat_map(|entry| {
            entry
                .spec
                .forms
                .iter()
                .map(move |form| (entry.spec.id, form))
        })
        .filter(|(_, form)| !form.words.is_empty() && words.starts_with(form.words))
        .max_by_key(|(_, form)| form.words.len())
        .map(|(id, _)| id)
}

/// (cluster, kind) → when it was looked up and the names found.
type Answers = HashMap<(String, &'static str), (Instant, Arc<Vec<String>>)>;

/// What autocomplete lookups share: the short-lived answers and the bound on lookups at once.
pub struct Lookups {
    cache: Mutex<Answers>,
    running: Semaphore,
}

impl Default for Lookups {
    fn default() -> Self {
        Lookups {
            cache: Mutex::default(),
            running: Semaphore::new(MAX_LOOKUPS),
        }
    }
}

impl Lookups {
    fn cached(&self, key: &(String, &'static str)) -> Option<Arc<Vec<String>>> {
        let cache = self.cache.lock().ok()?;
        let (at, names) = cache.get(key)?;
        (at.elapsed() < CACHE_FOR).then(|| names.clone())
    }

    fn keep(&self, key: (String, &'static str), names: Arc<Vec<String>>) {
        if let Ok(mut cache) = self.cache.lock() {
            // Expired entries go when the next one comes: the map stays as small as the
            // number of (cluster, kind) pairs typed in the last few seconds.
            cache.retain(|_, (at, _)| at.elapsed() < CACHE_FOR);
            cache.insert(key, (Instant::now(), names));
        }
    }
}

impl Engine {
    /// Up to [`MAX_CHOICES`] values of `what` starting with `prefix`, sorted, that `caller`
    /// could run `operation` on. `cluster` is the cluster typed so far; without one, the only
    /// configured cluster is meant, if there is exactly one. `operation` None (a line that is
    /// no known form) suggests nothing.
    pub async fn complete(
        &self,
        caller: &Caller,
        operation: Option<&str>,
        what: Completion,
        cluster: Option<&str>,
        prefix: &str,
    ) -> Vec<String> {
        let Some(operation) = operation else {
            return Vec::new();
        };
        let may = |cluster: Target<'_>, namespace: Target<'_>| {
            self.config
                .policy
                .decide(
                    &caller.subject,
                    &caller.groups,
                    operation,
                    cluster,
                    namespace,
                )
                .is_allowed()
        };
        // Could the caller act anywhere on the cluster? Only then is it offered or looked into.
        let reach = |cluster: Target<'_>| {
            self.config
                .policy
                .may_reach(&caller.subject, &caller.groups, operation, cluster)
        };
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
        let found: Vec<String> = match (what, cluster) {
            (Completion::Cluster { all }, _) => {
                let mut names: Vec<String> = settings
                    .clusters
                    .keys()
                    .filter(|c| reach(Target::One(c)))
                    .cloned()
                    .collect();
                if all && reach(Target::All) {
                    names.push("all".to_string());
                }
                names
            }
            (_, None) => Vec::new(),
            // Judged before anything is asked: a cluster the caller may not touch is not
            // listed, so nobody learns what is in it and it sees no request.
            (_, Some(cluster)) if !reach(Target::One(&cluster)) => Vec::new(),
            (Completion::Namespace | Completion::Namespaces, Some(cluster)) => {
                let names = self.lookup(caller, operation, what, &cluster).await;
                names
                    .iter()
                    .filter(|ns| may(Target::One(&cluster), Target::One(ns)))
                    .cloned()
                    .collect()
            }
            // An etcd snapshot is the whole cluster's: listed only to who may act on all of it.
            (Completion::EtcdSnapshot, Some(cluster))
                if !may(Target::One(&cluster), Target::NotApplicable) =>
            {
                Vec::new()
            }
            (Completion::VeleroBackup | Completion::EtcdSnapshot, Some(cluster)) => self
                .lookup(caller, operation, what, &cluster)
                .await
                .to_vec(),
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

    /// The names of `what` in `cluster`: from the cache, or looked up (bounded, audited).
    async fn lookup(
        &self,
        caller: &Caller,
        operation: &str,
        what: Completion,
        cluster: &str,
    ) -> Arc<Vec<String>> {
        let key = (cluster.to_string(), what.kind());
        if let Some(names) = self.lookups.cached(&key) {
            return names;
        }
        let Ok(_running) = self.lookups.running.try_acquire() else {
            tracing::info!(
                cluster,
                "autocomplete: too many lookups at once; none this time"
            );
            metrics::counter!("opsbot_autocomplete_shed_total").increment(1);
            return Arc::default();
        };
        let names = match what {
            Completion::Cluster { .. } => Vec::new(),
            Completion::EtcdSnapshot => snapshot_files(self, cluster),
            Completion::Namespace | Completion::Namespaces => {
                self.names_of(cluster, ["", "v1", "Namespace", "namespaces"], None)
                    .await
            }
            Completion::VeleroBackup => {
                let backups = ["velero.io", "v1", "Backup", "backups"];
                self.names_of(cluster, backups, Some(VELERO_NAMESPACE))
                    .await
            }
        };
        let detail = json!({
            "autocomplete": what.kind(),
            "operation": operation,
            "cluster": cluster,
            "found": names.len(),
        });
        self.audit_read(&caller.subject, detail).await;
        let names = Arc::new(names);
        self.lookups.keep(key, names.clone());
        names
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_read_as_its_longest_form() {
        assert_eq!(operation_of_line("pod delete web -n"), Some("pod.delete"));
        assert_eq!(operation_of_line("etcd status -c"), Some("etcd.status"));
        assert_eq!(operation_of_line("frobnicate -c"), None);
    }
}
