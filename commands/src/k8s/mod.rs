//! Talking to the clusters' API servers: one kube client per `clusters.NAME`, built lazily
//! from its kubeconfig context and kept for the life of the process.
//!
//! Operations reach a cluster through [`Clusters::client`] and fan out over several with
//! [`each_cluster`], which bounds each cluster by its timeout so that one dead cluster shows
//! as one line while the others report.

mod errors;
pub mod objects;

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::{OpError, RunContext, Settings};

pub use errors::{kube_error, not_found_is_none};

/// How long a cluster may take to answer one operation's queries, unless
/// `clusters.NAME.timeout` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The API clients, one per cluster, shared by every run of the process.
#[derive(Default)]
pub struct Clusters {
    clients: tokio::sync::Mutex<HashMap<String, kube::Client>>,
}

impl Clusters {
    /// The client for `cluster`, built on first use.
    pub async fn client(
        &self,
        settings: &Settings,
        cluster: &str,
    ) -> Result<kube::Client, OpError> {
        let mut clients = self.clients.lock().await;
        if let Some(client) = clients.get(cluster) {
            return Ok(client.clone());
        }
        let client = build(settings, cluster).await?;
        clients.insert(cluster.to_string(), client.clone());
        Ok(client)
    }
}

async fn build(settings: &Settings, cluster: &str) -> Result<kube::Client, OpError> {
    let not_configured = || OpError::NotConfigured {
        cluster: cluster.to_string(),
        what: "kubeconfig context",
    };
    let cluster_settings = settings.clusters.get(cluster).ok_or_else(not_configured)?;
    let context = cluster_settings
        .context
        .clone()
        .ok_or_else(not_configured)?;
    let kubeconfig = match &cluster_settings.kubeconfig {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(|e| {
        OpError::Failed(crate::msg!(
            "kube-kubeconfig",
            cluster = cluster,
            reason = e.to_string()
        ))
    })?;
    let options = KubeConfigOptions {
        context: Some(context),
        ..KubeConfigOptions::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| {
            OpError::Failed(crate::msg!(
                "kube-kubeconfig",
                cluster = cluster,
                reason = e.to_string()
            ))
        })?;
    let timeout = cluster_settings.timeout();
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout.max(Duration::from_secs(30)));
    kube::Client::try_from(config).map_err(|e| kube_error(cluster, e))
}

/// Checks that `context` is defined in the kubeconfig at `path` (or the default one), for
/// `check-config`. The reason says what is wrong in kube's words.
pub fn check_context(path: Option<&std::path::Path>, context: &str) -> Result<(), String> {
    let kubeconfig = match path {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(|e| e.to_string())?;
    if kubeconfig.contexts.iter().any(|c| c.name == context) {
        Ok(())
    } else {
        let known: Vec<&str> = kubeconfig
            .contexts
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        Err(format!(
            "no context \"{context}\" (it has: {})",
            known.join(", ")
        ))
    }
}

/// Runs `query` against every cluster at once, each bounded by its timeout. The results come
/// back in the order of `clusters`; a cluster that fails or is slow is an `Err` in its place.
pub async fn each_cluster<T, F, Fut>(
    cx: &RunContext<'_>,
    clusters: &[String],
    query: F,
) -> Vec<(String, Result<T, OpError>)>
where
    F: Fn(kube::Client, String) -> Fut,
    Fut: Future<Output = Result<T, OpError>>,
{
    let one = |cluster: String| {
        let query = &query;
        async move {
            let timeout = cx
                .settings
                .clusters
                .get(&cluster)
                .map(|c| c.timeout())
                .unwrap_or(DEFAULT_TIMEOUT);
            let result = async {
                let client = cx.kube.client(cx.settings, &cluster).await?;
                match tokio::time::timeout(timeout, query(client, cluster.clone())).await {
                    Ok(result) => result,
                    Err(_) => Err(OpError::Timeout {
                        what: cluster.clone(),
                        after: timeout,
                    }),
                }
            }
            .await;
            (cluster, result)
        }
    };
    futures_util::future::join_all(clusters.iter().cloned().map(one)).await
}

/// Lists a custom resource on every cluster, in one namespace (which must exist) or all.
/// A cluster without the resource's CRD answers `None`, not an error: it simply does not run
/// that component (cert-manager, External Secrets, Cilium).
pub async fn list_on_each(
    cx: &RunContext<'_>,
    clusters: &[String],
    resource: &kube::api::ApiResource,
    namespace: Option<&str>,
) -> Vec<(
    String,
    Result<Option<Vec<kube::api::DynamicObject>>, OpError>,
)> {
    each_cluster(cx, clusters, |client, cluster| async move {
        if let Some(ns) = namespace {
            objects::require_namespace(&client, &cluster, ns).await?;
        }
        let api = objects::dynamic(client, resource, namespace);
        let list = not_found_is_none(api.list(&kube::api::ListParams::default()).await)
            .map_err(|e| kube_error(&cluster, e))?;
        Ok(list.map(|l| l.items))
    })
    .await
}

/// Lays out a fanned-out answer: each cluster that answered is rendered, each that did not is
/// one line "app2: unreachable (…)". The step fails only when no cluster answered at all,
/// with the first failure.
pub fn report_each<T>(
    cx: &mut RunContext<'_>,
    results: Vec<(String, Result<T, OpError>)>,
    mut render: impl FnMut(&mut RunContext<'_>, &str, T),
) -> Result<(), OpError> {
    let mut first_error = None;
    let mut answered = 0;
    for (cluster, result) in results {
        match result {
            Ok(answer) => {
                answered += 1;
                render(cx, &cluster, answer);
            }
            Err(e) => {
                cx.report.push(crate::Block::Note(crate::msg!(
                    "kube-cluster-failed",
                    cluster = cluster.as_str(),
                    reason = e.message()
                )));
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if answered == 0 => Err(e),
        _ => Ok(()),
    }
}

/// The one cluster of a single-cluster request, and its client.
pub async fn single(cx: &RunContext<'_>, cluster: &str) -> Result<kube::Client, OpError> {
    cx.kube.client(cx.settings, cluster).await
}
