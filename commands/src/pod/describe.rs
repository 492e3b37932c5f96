//! pod.describe: runbook §5.1, risk read. `kubectl describe pod POD -n NS`: where the pod runs,
//! its conditions, each container's state with its last termination (an `OOMKilled` with exit
//! code 137 is the usual answer to "why does it restart"), and the pod's own events.

use async_trait::async_trait;
use chrono::Utc;
use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, Pod};

use super::{get, instant, target};
use crate::events::{self, Columns};
use crate::k8s::objects::age;
use crate::k8s::single;
use crate::{
    Block, Cell, Form, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec,
    Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "pod.describe",
    section: "5.1",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["pod", "describe"],
        args: &[
            args::positional("pod", Kind::Name),
            args::namespace_required(),
            args::cluster(false),
        ],
    }],
};

pub struct PodDescribe;

impl Operation for PodDescribe {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, namespace, pod) = target(request)?;
        Ok(vec![Box::new(DescribePod {
            cluster,
            namespace,
            pod,
        })])
    }
}

struct DescribePod {
    cluster: String,
    namespace: String,
    pod: String,
}

#[async_trait]
impl Step for DescribePod {
    fn plan(&self) -> Message {
        msg!(
            "pod-describe-plan",
            pod = self.pod.as_str(),
            namespace = self.namespace.as_str(),
            cluster = self.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let pod = get(&client, &self.cluster, &self.namespace, &self.pod).await?;
        let events = events::list(client, &self.cluster, &self.namespace, Some(&self.pod)).await?;
        let now = Utc::now();
        cx.report.push(Block::Heading(msg!(
            "pod-heading",
            pod = self.pod.as_str(),
            namespace = self.namespace.as_str(),
            cluster = self.cluster.as_str()
        )));
        cx.report.push(Block::Fields(summary(&pod, now)));
        cx.report.push(Block::Table(conditions(&pod)));
        cx.report.push(Block::Table(containers(&pod)));
        if events.is_empty() {
            cx.report.push(Block::Note(msg!("pod-no-events")));
        } else {
            cx.report.push(Block::Table(events::table(
                &events,
                now,
                Columns::WithoutObject,
            )));
        }
        Ok(())
    }
}

/// Status, node, IP and start time, as the top of `kubectl describe pod`.
fn summary(pod: &Pod, now: chrono::DateTime<Utc>) -> Vec<(Message, Cell)> {
    let status = pod.status.as_ref();
    let dash = || Cell::Text("-".into());
    let text = |value: Option<&String>| value.map_or_else(dash, |v| Cell::Text(v.clone()));
    // A pod being deleted still says Running; kubectl shows Terminating, and so do we.
    let phase = if pod.metadata.deletion_timestamp.is_some() {
        Some("Terminating".to_string())
    } else {
        status.and_then(|s| s.phase.clone())
    };
    let mut fields = vec![
        (msg!("pod-field-status"), text(phase.as_ref())),
        (
            msg!("pod-field-node"),
            text(pod.spec.as_ref().and_then(|s| s.node_name.as_ref())),
        ),
        (
            msg!("pod-field-ip"),
            text(status.and_then(|s| s.pod_ip.as_ref())),
        ),
        (
            msg!("pod-field-started"),
            status
                .and_then(|s| s.start_time.as_ref())
                .and_then(|t| instant(&t.0))
                .map_or_else(dash, |t| {
                    Cell::Message(msg!(
                        "pod-started-at",
                        time = t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                        age = age(t, now)
                    ))
                }),
        ),
    ];
    // Evicted and similar pods carry why at the pod level.
    if let Some(reason) = status.and_then(|s| s.reason.as_ref()) {
        fields.push((msg!("pod-field-reason"), Cell::Text(reason.clone())));
    }
    if let Some(message) = status.and_then(|s| s.message.as_ref()) {
        fields.push((msg!("pod-field-message"), Cell::Text(message.clone())));
    }
    fields
}

fn conditions(pod: &Pod) -> Table {
    let mut table = Table::new(vec![
        msg!("pod-col-condition"),
        msg!("pod-col-status"),
        msg!("pod-col-reason"),
        msg!("pod-col-message"),
    ]);
    for c in pod
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
    {
        table.rows.push(vec![
            Cell::Text(c.type_.clone()),
            Cell::Text(c.status.clone()),
            Cell::Text(c.reason.clone().unwrap_or_default()),
            Cell::Text(c.message.clone().unwrap_or_default()),
        ]);
    }
    table
}

/// Init containers first (a pod stuck in `Init:` never starts the others), then the rest, in
/// spec order, each with its status if the kubelet has reported one.
fn containers(pod: &Pod) -> Table {
    let mut table = Table::new(vec![
        msg!("pod-col-container"),
        msg!("pod-col-image"),
        msg!("pod-col-state"),
        msg!("pod-col-ready"),
        msg!("pod-col-restarts"),
        msg!("pod-col-last-termination"),
        msg!("pod-col-exit-code"),
    ]);
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let groups = [
        (
            true,
            spec.and_then(|s| s.init_containers.as_ref()),
            status.and_then(|s| s.init_container_statuses.as_ref()),
        ),
        (
            false,
            spec.map(|s| &s.containers),
            status.and_then(|s| s.container_statuses.as_ref()),
        ),
    ];
    for (init, specs, statuses) in groups {
        for container in specs.into_iter().flatten() {
            let found = statuses
                .into_iter()
                .flatten()
                .find(|s| s.name == container.name);
            let name = if init {
                Cell::Message(msg!("pod-init-container", name = container.name.as_str()))
            } else {
                Cell::Text(container.name.clone())
            };
            let image = Cell::Text(container.image.clone().unwrap_or_default());
            table.rows.push(row(name, image, found));
        }
    }
    table
}

fn row(name: Cell, image: Cell, status: Option<&ContainerStatus>) -> Vec<Cell> {
    let dash = || Cell::Text("-".into());
    let Some(status) = status else {
        return vec![
            name,
            image,
            Cell::Message(msg!("pod-state-unknown")),
            dash(),
            dash(),
            dash(),
            dash(),
        ];
    };
    let last = status
        .last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref());
    vec![
        name,
        image,
        Cell::Message(state(status.state.as_ref())),
        Cell::Message(if status.ready {
            msg!("pod-ready-yes")
        } else {
            msg!("pod-ready-no")
        }),
        Cell::Text(status.restart_count.to_string()),
        last.and_then(|t| t.reason.clone())
            .map_or_else(dash, Cell::Text),
        last.map_or_else(dash, |t| Cell::Text(t.exit_code.to_string())),
    ]
}

/// `Running`, `Waiting (CrashLoopBackOff)`, `Terminated (Completed, exit 0)`.
fn state(state: Option<&ContainerState>) -> Message {
    let reason = |r: Option<&String>| r.cloned().unwrap_or_else(|| "-".into());
    match state {
        Some(ContainerState {
            running: Some(_), ..
        }) => msg!("pod-state-running"),
        Some(ContainerState {
            waiting: Some(w), ..
        }) => msg!("pod-state-waiting", reason = reason(w.reason.as_ref())),
        Some(ContainerState {
            terminated: Some(t),
            ..
        }) => msg!(
            "pod-state-terminated",
            reason = reason(t.reason.as_ref()),
            code = t.exit_code.to_string()
        ),
        _ => msg!("pod-state-unknown"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Pod {
        serde_json::from_value(json!({
            "metadata": { "name": "api-7d9f", "namespace": "app" },
            "spec": {
                "nodeName": "app1-w1",
                "initContainers": [{ "name": "migrate", "image": "api:2" }],
                "containers": [{ "name": "api", "image": "api:2" }, { "name": "sidecar", "image": "envoy:1" }]
            },
            "status": {
                "phase": "Running", "podIP": "10.0.1.7",
                "initContainerStatuses": [{ "name": "migrate", "ready": true, "restartCount": 0, "image": "api:2", "imageID": "",
                    "state": { "terminated": { "exitCode": 0, "reason": "Completed" } } }],
                "containerStatuses": [{ "name": "api", "ready": false, "restartCount": 4, "image": "api:2", "imageID": "",
                    "state": { "waiting": { "reason": "CrashLoopBackOff" } },
                    "lastState": { "terminated": { "exitCode": 137, "reason": "OOMKilled" } } }]
            }
        }))
        .expect("pod")
    }

    #[test]
    fn containers_show_state_restarts_and_last_termination() {
        let table = containers(&pod());
        assert_eq!(table.rows.len(), 3);
        assert_eq!(
            table.rows[0][2],
            Cell::Message(msg!(
                "pod-state-terminated",
                reason = "Completed",
                code = "0"
            ))
        );
        let api = &table.rows[1];
        assert_eq!(api[0], Cell::Text("api".into()));
        assert_eq!(
            api[2],
            Cell::Message(msg!("pod-state-waiting", reason = "CrashLoopBackOff"))
        );
        assert_eq!(api[4], Cell::Text("4".into()));
        assert_eq!(api[5], Cell::Text("OOMKilled".into()));
        assert_eq!(api[6], Cell::Text("137".into()));
        // No status reported yet for the sidecar: said, not left blank.
        assert_eq!(table.rows[2][2], Cell::Message(msg!("pod-state-unknown")));
    }

    #[test]
    fn summary_has_node_and_ip() {
        let fields = summary(&pod(), Utc::now());
        assert_eq!(fields[0].1, Cell::Text("Running".into()));
        assert_eq!(fields[1].1, Cell::Text("app1-w1".into()));
        assert_eq!(fields[2].1, Cell::Text("10.0.1.7".into()));
        assert_eq!(fields[3].1, Cell::Text("-".into()));
    }
}
