//! Runbook §5.1 "Pod가 시작되지 않음": what a pod is doing (`pod describe`) and what it said
//! (`pod logs`). The namespace's events are `events`, in its own file.

pub mod delete;
pub mod describe;
pub mod logs;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use kube::api::Api;

use crate::k8s::objects::require_namespace;
use crate::k8s::{DEFAULT_TIMEOUT, kube_error};
use crate::{OpError, Request, RunContext};

/// The cluster, namespace and pod of a `pod …` or `storage POD` request. The parser requires
/// all three, so their absence is a bug in the spec, not a user's mistake.
pub(crate) fn target(request: &Request) -> Result<(String, String, String), OpError> {
    match (
        request.cluster(),
        request.args.text("namespace"),
        request.args.text("pod"),
    ) {
        (Some(cluster), Some(namespace), Some(pod)) => {
            Ok((cluster.into(), namespace.into(), pod.into()))
        }
        _ => Err(OpError::MissingFact("cluster, namespace and pod")),
    }
}

/// Reads the pod. When it is not there, says whether the namespace is (a typo in `-n` is
/// likelier than a vanished pod), else keeps the API server's `pods "x" not found`.
pub(crate) async fn get(
    client: &kube::Client,
    cluster: &str,
    namespace: &str,
    name: &str,
) -> Result<Pod, OpError> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    match pods.get(name).await {
        Ok(pod) => Ok(pod),
        Err(kube::Error::Api(status)) if status.code == 404 => {
            require_namespace(client, cluster, namespace).await?;
            Err(kube_error(cluster, kube::Error::Api(status)))
        }
        Err(e) => Err(kube_error(cluster, e)),
    }
}

/// Runs a single-cluster query within the cluster's timeout, as `each_cluster` does for
/// several, so a dead API server is one sentence and not a hang.
pub(crate) async fn bounded<T>(
    cx: &RunContext<'_>,
    cluster: &str,
    query: impl std::future::Future<Output = Result<T, OpError>>,
) -> Result<T, OpError> {
    let timeout = cx
        .settings
        .clusters
        .get(cluster)
        .map_or(DEFAULT_TIMEOUT, |c| c.timeout());
    tokio::time::timeout(timeout, query)
        .await
        .unwrap_or_else(|_| {
            Err(OpError::Timeout {
                what: cluster.to_string(),
                after: timeout,
            })
        })
}

/// k8s-openapi's timestamps (jiff) as the chrono times the rest of the crate uses.
pub(crate) fn instant(time: &Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.as_second(), time.subsec_nanosecond().try_into().ok()?)
}

/// The names of a pod's (regular) containers, in spec order.
pub(crate) fn container_names(pod: &Pod) -> Vec<String> {
    pod.spec
        .iter()
        .flat_map(|s| &s.containers)
        .map(|c| c.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jiff_times_convert_to_chrono_to_the_nanosecond() {
        let jiff: Timestamp = "2026-03-01T10:03:00.123456789Z".parse().expect("time");
        let chrono = instant(&jiff).expect("in range");
        assert_eq!(chrono.to_rfc3339(), "2026-03-01T10:03:00.123456789+00:00");
    }
}
