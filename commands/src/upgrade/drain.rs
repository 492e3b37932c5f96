//! Cordon, drain and uncordon one node, as `kubectl drain --ignore-daemonsets` does it: every
//! pod on the node that is neither a DaemonSet's nor a mirror (static) pod is evicted through
//! the Eviction API, so PodDisruptionBudgets are honoured.
//!
//! An eviction a budget blocks answers 429. kube's default client would retry that for minutes
//! behind our back, so evictions go through a client without retries ([`evictor`]): each 429
//! is seen, reported ("waiting for PDB web-pdb") and retried here within a bounded time; after
//! that the drain fails naming the pod and the budget, and the node stays cordoned.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, EvictParams, ListParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;
use tokio::time::Instant;

use crate::k8s::kube_error;
use crate::{OpError, Progress, Settings, msg};

/// How often a blocked eviction, a pod's deletion or a node's readiness is checked again.
pub(crate) const POLL: Duration = Duration::from_secs(2);
const FIELD_MANAGER: &str = "opsbot";

/// A client for `cluster` that never retries on its own, so a 429 reaches the drain.
pub(crate) async fn evictor(settings: &Settings, cluster: &str) -> Result<kube::Client, OpError> {
    let not_configured = || OpError::NotConfigured {
        cluster: cluster.to_string(),
        what: "kubeconfig context",
    };
    let cluster_settings = settings.clusters.get(cluster).ok_or_else(not_configured)?;
    let context = cluster_settings
        .context
        .clone()
        .ok_or_else(not_configured)?;
    let kubeconfig_error = |e: kube::config::KubeconfigError| {
        OpError::Failed(msg!(
            "kube-kubeconfig",
            cluster = cluster,
            reason = e.to_string()
        ))
    };
    let kubeconfig = match &cluster_settings.kubeconfig {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(kubeconfig_error)?;
    let options = KubeConfigOptions {
        context: Some(context),
        ..KubeConfigOptions::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(kubeconfig_error)?;
    let timeout = cluster_settings.timeout();
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout.max(Duration::from_secs(30)));
    config.default_retry = false;
    kube::Client::try_from(config).map_err(|e| kube_error(cluster, e))
}

/// Marks the node (un)schedulable: `kubectl cordon` / `uncordon`.
pub(crate) async fn set_unschedulable(
    client: &kube::Client,
    cluster: &str,
    node: &str,
    unschedulable: bool,
) -> Result<(), OpError> {
    let nodes: Api<Node> = Api::all(client.clone());
    let patch = json!({ "spec": { "unschedulable": unschedulable } });
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..PatchParams::default()
    };
    nodes
        .patch(node, &params, &Patch::Strategic(&patch))
        .await
        .map(|_| ())
        .map_err(|e| kube_error(cluster, e))
}

/// Whether a pod stays on a drained node: a DaemonSet's pod (the controller would put it back)
/// or a mirror pod (the kubelet's own static pod, which the API cannot evict).
pub(crate) fn stays(pod: &Pod) -> bool {
    let daemon = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.kind == "DaemonSet" && o.controller == Some(true));
    let mirror = pod
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"));
    daemon || mirror
}

/// The pods a drain of `node` evicts, by namespace and name.
pub(crate) async fn evictable(
    client: &kube::Client,
    cluster: &str,
    node: &str,
) -> Result<Vec<Pod>, OpError> {
    let pods: Api<Pod> = Api::all(client.clone());
    let params = ListParams::default().fields(&format!("spec.nodeName={node}"));
    let mut found: Vec<Pod> = pods
        .list(&params)
        .await
        .map_err(|e| kube_error(cluster, e))?
        .items
        .into_iter()
        // The field selector is the API server's business; checking again costs nothing.
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .filter(|p| !stays(p))
        .collect();
    found.sort_by_key(|p| (p.metadata.namespace.clone(), p.metadata.name.clone()));
    Ok(found)
}

/// Whether `selector` picks an object with `labels` (matchLabels and matchExpressions).
/// Under policy/v1 an empty selector picks every pod.
pub(crate) fn selects(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let labels_match = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let expressions_match = selector.match_expressions.iter().flatten().all(|e| {
        let values = e.values.as_deref().unwrap_or_default();
        let value = labels.get(&e.key);
        match e.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    labels_match && expressions_match
}

/// The budget in the pod's namespace that selects it, by name.
async fn budget_of(client: &kube::Client, pod: &Pod) -> Option<String> {
    let namespace = pod.metadata.namespace.as_deref()?;
    let budgets: Api<PodDisruptionBudget> = Api::namespaced(client.clone(), namespace);
    let empty = BTreeMap::new();
    let labels = pod.metadata.labels.as_ref().unwrap_or(&empty);
    budgets
        .list(&ListParams::default())
        .await
        .ok()?
        .items
        .into_iter()
        .find(|b| {
            b.spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .is_some_and(|s| selects(s, labels))
        })
        .and_then(|b| b.metadata.name)
}

/// Evicts every evictable pod of `node`, one by one, and waits until they are gone. A budget
/// that still blocks after `wait` fails the drain, naming the pod and the budget.
pub(crate) async fn drain(
    client: &kube::Client,
    evictor: &kube::Client,
    cluster: &str,
    node: &str,
    wait: Duration,
    progress: &dyn Progress,
) -> Result<usize, OpError> {
    let pods = evictable(client, cluster, node).await?;
    for pod in &pods {
        evict(client, evictor, cluster, node, pod, wait, progress).await?;
    }
    wait_gone(client, cluster, node, &pods, wait, progress).await?;
    Ok(pods.len())
}

async fn evict(
    client: &kube::Client,
    evictor: &kube::Client,
    cluster: &str,
    node: &str,
    pod: &Pod,
    wait: Duration,
    progress: &dyn Progress,
) -> Result<(), OpError> {
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let api: Api<Pod> = Api::namespaced(evictor.clone(), &namespace);
    let started = Instant::now();
    let mut announced = false;
    loop {
        match api.evict(&name, &EvictParams::default()).await {
            Ok(_) => {
                progress.report(msg!(
                    "upgrade-evicted",
                    pod = name.as_str(),
                    namespace = namespace.as_str(),
                    node = node
                ));
                return Ok(());
            }
            Err(kube::Error::Api(status)) if status.code == 404 => return Ok(()),
            Err(kube::Error::Api(status)) if status.code == 429 => {
                let budget = budget_of(client, pod)
                    .await
                    .unwrap_or_else(|| "?".to_string());
                if started.elapsed() >= wait {
                    let reason = status
                        .details
                        .as_ref()
                        .and_then(|d| d.causes.first())
                        .map_or(status.message.clone(), |c| c.message.clone());
                    return Err(OpError::Failed(msg!(
                        "upgrade-drain-blocked",
                        pod = name.as_str(),
                        namespace = namespace.as_str(),
                        pdb = budget,
                        node = node,
                        after = humantime::format_duration(wait).to_string(),
                        reason = reason
                    )));
                }
                if !announced {
                    progress.report(msg!(
                        "upgrade-waiting-pdb",
                        pdb = budget,
                        pod = name.as_str(),
                        namespace = namespace.as_str()
                    ));
                    announced = true;
                }
                tokio::time::sleep(POLL.min(wait)).await;
            }
            Err(e) => return Err(kube_error(cluster, e)),
        }
    }
}

/// Waits until each evicted pod (by uid: a controller may make one of the same name) is gone.
async fn wait_gone(
    client: &kube::Client,
    cluster: &str,
    node: &str,
    evicted: &[Pod],
    wait: Duration,
    progress: &dyn Progress,
) -> Result<(), OpError> {
    let started = Instant::now();
    let mut announced = false;
    loop {
        let mut left = Vec::new();
        for pod in evicted {
            let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
            let name = pod.metadata.name.as_deref().unwrap_or_default();
            let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
            let now = api
                .get_opt(name)
                .await
                .map_err(|e| kube_error(cluster, e))?;
            if now.is_some_and(|p| p.metadata.uid == pod.metadata.uid) {
                left.push(format!("{namespace}/{name}"));
            }
        }
        if left.is_empty() {
            return Ok(());
        }
        if started.elapsed() >= wait {
            return Err(OpError::Failed(msg!(
                "upgrade-pods-not-gone",
                node = node,
                pods = left.join(", ")
            )));
        }
        if !announced {
            progress.report(msg!(
                "upgrade-waiting-pods",
                node = node,
                count = left.len()
            ));
            announced = true;
        }
        tokio::time::sleep(POLL.min(wait)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(value: serde_json::Value) -> Pod {
        serde_json::from_value(value).expect("pod")
    }

    #[test]
    fn daemonset_and_mirror_pods_stay() {
        let ds = pod(
            json!({ "metadata": { "name": "cilium-x", "ownerReferences": [
            { "apiVersion": "apps/v1", "kind": "DaemonSet", "name": "cilium", "uid": "u", "controller": true }
        ] } }),
        );
        let mirror = pod(json!({ "metadata": { "name": "etcd-cp",
            "annotations": { "kubernetes.io/config.mirror": "abc" } } }));
        let web = pod(json!({ "metadata": { "name": "web-1", "ownerReferences": [
            { "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "u", "controller": true }
        ] } }));
        assert!(stays(&ds));
        assert!(stays(&mirror));
        assert!(!stays(&web));
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
        let selector = |v: serde_json::Value| -> LabelSelector {
            serde_json::from_value(v).expect("selector")
        };
        assert!(selects(
            &selector(json!({ "matchLabels": { "app": "web" } })),
            &labels
        ));
        assert!(!selects(
            &selector(json!({ "matchLabels": { "app": "db" } })),
            &labels
        ));
        assert!(selects(&selector(json!({})), &labels));
        assert!(selects(
            &selector(
                json!({ "matchExpressions": [{ "key": "app", "operator": "In", "values": ["web", "api"] }] })
            ),
            &labels
        ));
        assert!(!selects(
            &selector(json!({ "matchExpressions": [{ "key": "tier", "operator": "Exists" }] })),
            &labels
        ));
    }
}
