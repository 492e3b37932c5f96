//! Pods: a container in CrashLoopBackOff, or one whose last run (or current end) was
//! OOMKilled. One condition per pod and kind, naming the containers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use kube::ResourceExt;

use super::track::Judge;
use super::{Condition, ConditionKind, key};
use crate::msg;

const CRASH_LOOP: &str = "CrashLoopBackOff";
const OOM_KILLED: &str = "OOMKilled";

/// The conditions `pod` of `cluster` shows now.
pub fn pod_conditions(cluster: &str, pod: &Pod) -> Vec<Condition> {
    let statuses: Vec<&ContainerStatus> = pod
        .status
        .iter()
        .flat_map(|s| {
            s.init_container_statuses
                .iter()
                .flatten()
                .chain(s.container_statuses.iter().flatten())
        })
        .collect();
    let crashing: Vec<&ContainerStatus> = statuses
        .iter()
        .copied()
        .filter(|c| waiting_reason(c) == Some(CRASH_LOOP))
        .collect();
    let oom: Vec<&ContainerStatus> = statuses.iter().copied().filter(|c| oom_killed(c)).collect();
    let mut found = Vec::new();
    if !crashing.is_empty() {
        found.push(condition(
            cluster,
            pod,
            ConditionKind::PodCrashLoop,
            &crashing,
        ));
    }
    if !oom.is_empty() {
        found.push(condition(cluster, pod, ConditionKind::PodOomKilled, &oom));
    }
    found
}

fn waiting_reason(container: &ContainerStatus) -> Option<&str> {
    container
        .state
        .as_ref()?
        .waiting
        .as_ref()?
        .reason
        .as_deref()
}

/// The current run ended OOMKilled, or the last one did (what a restarted container shows).
fn oom_killed(container: &ContainerStatus) -> bool {
    [&container.state, &container.last_state]
        .into_iter()
        .flatten()
        .filter_map(|s| s.terminated.as_ref()?.reason.as_deref())
        .any(|reason| reason == OOM_KILLED)
}

fn condition(
    cluster: &str,
    pod: &Pod,
    kind: ConditionKind,
    containers: &[&ContainerStatus],
) -> Condition {
    let name = pod.name_any();
    let namespace = pod.namespace().unwrap_or_default();
    let names = containers
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let restarts: i64 = containers.iter().map(|c| i64::from(c.restart_count)).sum();
    let summary = match kind {
        ConditionKind::PodOomKilled => msg!(
            "watch-pod-oom-killed",
            pod = name.as_str(),
            namespace = namespace.as_str(),
            cluster = cluster,
            containers = names.as_str()
        ),
        _ => msg!(
            "watch-pod-crash-loop",
            pod = name.as_str(),
            namespace = namespace.as_str(),
            cluster = cluster,
            containers = names.as_str()
        ),
    };
    let mut details = vec![
        ("namespace".to_string(), namespace.clone()),
        ("pod".to_string(), name.clone()),
        ("containers".to_string(), names),
        ("restarts".to_string(), restarts.to_string()),
    ];
    if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) {
        details.push(("node".to_string(), node));
    }
    Condition {
        key: key(kind, cluster, &[&namespace, &name]),
        kind,
        cluster: cluster.to_string(),
        summary,
        details,
    }
}

/// Each pod judged alone; what is kept of it is its conditions.
pub(super) struct Pods {
    pub cluster: String,
}

impl Judge for Pods {
    type Object = Pod;
    type Fact = Vec<Condition>;

    fn kinds(&self) -> &'static [ConditionKind] {
        &[ConditionKind::PodCrashLoop, ConditionKind::PodOomKilled]
    }

    fn fact(&self, pod: &Pod) -> Vec<Condition> {
        pod_conditions(&self.cluster, pod)
    }

    fn judge(
        &self,
        members: &BTreeMap<String, Vec<Condition>>,
        _: DateTime<Utc>,
    ) -> Vec<Condition> {
        members.values().flatten().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn pod(containers: Value) -> Pod {
        serde_json::from_value(json!({
            "metadata": { "name": "web-1", "namespace": "app" },
            "spec": { "nodeName": "app1-w1", "containers": [] },
            "status": { "phase": "Running", "containerStatuses": containers }
        }))
        .expect("a pod")
    }

    fn container(name: &str, state: Value, last: Value) -> Value {
        json!({ "name": name, "image": "i", "imageID": "", "ready": false, "restartCount": 4,
                "state": state, "lastState": last })
    }

    fn kinds(pod: &Pod) -> Vec<ConditionKind> {
        pod_conditions("app1", pod)
            .into_iter()
            .map(|c| c.kind)
            .collect()
    }

    #[test]
    fn a_running_pod_gives_nothing() {
        let running = pod(json!([container(
            "web",
            json!({ "running": {} }),
            json!({})
        )]));
        assert!(kinds(&running).is_empty());
        let other_wait = pod(json!([container(
            "web",
            json!({ "waiting": { "reason": "ImagePullBackOff" } }),
            json!({})
        )]));
        assert!(kinds(&other_wait).is_empty());
    }

    #[test]
    fn crash_loop_names_the_crashing_containers() {
        let crashing = pod(json!([
            container(
                "web",
                json!({ "waiting": { "reason": "CrashLoopBackOff" } }),
                json!({})
            ),
            container("proxy", json!({ "running": {} }), json!({}))
        ]));
        let found = pod_conditions("app1", &crashing);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, ConditionKind::PodCrashLoop);
        assert_eq!(found[0].key, "pod-crash-loop/app1/app/web-1");
        assert_eq!(
            found[0].summary.get("containers").map(ToString::to_string),
            Some("web".to_string())
        );
        assert!(
            found[0]
                .details
                .contains(&("node".into(), "app1-w1".into()))
        );
    }

    #[test]
    fn oom_killed_in_the_last_or_current_state() {
        let last = pod(json!([container(
            "web",
            json!({ "running": {} }),
            json!({ "terminated": { "exitCode": 137, "reason": "OOMKilled" } })
        )]));
        assert_eq!(kinds(&last), [ConditionKind::PodOomKilled]);
        let now = pod(json!([container(
            "web",
            json!({ "terminated": { "exitCode": 137, "reason": "OOMKilled" } }),
            json!({})
        )]));
        assert_eq!(kinds(&now), [ConditionKind::PodOomKilled]);
        let both = pod(json!([container(
            "web",
            json!({ "waiting": { "reason": "CrashLoopBackOff" } }),
            json!({ "terminated": { "exitCode": 137, "reason": "OOMKilled" } })
        )]));
        assert_eq!(
            kinds(&both),
            [ConditionKind::PodCrashLoop, ConditionKind::PodOomKilled]
        );
        let plain_error = pod(json!([container(
            "web",
            json!({ "running": {} }),
            json!({ "terminated": { "exitCode": 1, "reason": "Error" } })
        )]));
        assert!(kinds(&plain_error).is_empty());
    }
}
