//! oom: runbook §6.3, risk read. "메모리 부족 (OOM)": `kubectl top pods -A --sort-by=memory`
//! next to each pod's memory limit, then `kubectl get pods -A | grep OOMKilled`, made exact:
//! every container whose current or last termination was OOMKilled, with when, how often it
//! restarted and the limit it hit (what `limits` would then raise).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod};
use kube::api::{Api, ListParams};

use crate::cluster::top::{SortBy, Usage, pod_usage, quantity, show_mebibytes, sort_usage};
use crate::k8s::objects::age;
use crate::k8s::{each_cluster, kube_error, report_each};
use crate::pod::instant;
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "oom",
    section: "6.3",
    risk: Risk::Read,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["oom"],
        args: &[args::cluster(true)],
    }],
};

/// The heaviest pods shown per cluster.
const HEAVIEST: usize = 10;

pub struct Oom;

impl Operation for Oom {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(FindOom {
            clusters: request.clusters.clone(),
        })])
    }
}

struct FindOom {
    clusters: Vec<String>,
}

/// One container killed for memory.
#[derive(Debug, PartialEq)]
struct Killed {
    namespace: String,
    pod: String,
    container: String,
    finished: Option<DateTime<Utc>>,
    restarts: i32,
    limit: Option<String>,
}

struct Findings {
    /// `None` without metrics-server.
    heaviest: Option<Vec<(Usage, Option<f64>)>>,
    killed: Vec<Killed>,
}

#[async_trait]
impl Step for FindOom {
    fn plan(&self) -> Message {
        msg!("oom-plan", clusters = self.clusters.join(", "))
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let results = each_cluster(cx, &self.clusters, |client, cluster| async move {
            let pods: Api<Pod> = Api::all(client.clone());
            let (pods, usage) = tokio::try_join!(
                async {
                    pods.list(&ListParams::default())
                        .await
                        .map_err(|e| kube_error(&cluster, e))
                },
                pod_usage(client, &cluster),
            )?;
            Ok(findings(&pods.items, usage))
        })
        .await;
        let now = Utc::now();
        report_each(cx, results, |cx, cluster, findings| {
            cx.report
                .push(Block::Heading(msg!("oom-heading", cluster = cluster)));
            render(cx, cluster, findings, now);
        })
    }
}

fn findings(pods: &[Pod], usage: Option<Vec<Usage>>) -> Findings {
    let heaviest = usage.map(|mut usage| {
        sort_usage(&mut usage, SortBy::Memory);
        usage.truncate(HEAVIEST);
        usage
            .into_iter()
            .map(|u| {
                let pod = pods.iter().find(|p| {
                    p.metadata.name.as_deref() == Some(&u.name)
                        && p.metadata.namespace.as_deref() == Some(&u.namespace)
                });
                let limit = pod.and_then(pod_memory_limit);
                (u, limit)
            })
            .collect()
    });
    let mut killed: Vec<Killed> = pods.iter().flat_map(oom_killed).collect();
    // Newest kill first: that is the one being asked about.
    killed.sort_by_key(|k| std::cmp::Reverse(k.finished));
    Findings { heaviest, killed }
}

/// The memory limit a container runs under, as written in its spec.
fn memory_limit(container: &Container) -> Option<&String> {
    container
        .resources
        .as_ref()?
        .limits
        .as_ref()?
        .get("memory")
        .map(|q| &q.0)
}

/// The pod's memory limit in bytes: the sum of its containers' limits, or `None` when any
/// container has none (the pod may then take whatever the node has).
fn pod_memory_limit(pod: &Pod) -> Option<f64> {
    let containers = &pod.spec.as_ref()?.containers;
    containers
        .iter()
        .map(|c| memory_limit(c).and_then(|q| quantity(q)))
        .sum::<Option<f64>>()
}

/// The containers of `pod` whose current or last run ended OOMKilled.
fn oom_killed(pod: &Pod) -> Vec<Killed> {
    let Some(status) = &pod.status else {
        return Vec::new();
    };
    let specs: Vec<&Container> = pod
        .spec
        .iter()
        .flat_map(|s| s.init_containers.iter().flatten().chain(&s.containers))
        .collect();
    let statuses = status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten());
    statuses
        .filter_map(|s| {
            let terminated = oom_termination(s)?;
            Some(Killed {
                namespace: pod.metadata.namespace.clone().unwrap_or_default(),
                pod: pod.metadata.name.clone().unwrap_or_default(),
                container: s.name.clone(),
                finished: terminated,
                restarts: s.restart_count,
                limit: specs
                    .iter()
                    .find(|c| c.name == s.name)
                    .and_then(|c| memory_limit(c).cloned()),
            })
        })
        .collect()
}

/// `Some(finished at)` when the container is, or last was, OOMKilled.
fn oom_termination(status: &ContainerStatus) -> Option<Option<DateTime<Utc>>> {
    [status.state.as_ref(), status.last_state.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|s| s.terminated.as_ref())
        .find(|t| t.reason.as_deref() == Some("OOMKilled"))
        .map(|t| t.finished_at.as_ref().and_then(|f| instant(&f.0)))
}

fn render(cx: &mut RunContext<'_>, cluster: &str, findings: Findings, now: DateTime<Utc>) {
    match findings.heaviest {
        None => cx
            .report
            .push(Block::Note(msg!("oom-no-metrics", cluster = cluster))),
        Some(heaviest) => {
            let mut table = Table::new(vec![
                msg!("oom-col-namespace"),
                msg!("oom-col-pod"),
                msg!("oom-col-memory"),
                msg!("oom-col-limit"),
                msg!("oom-col-of-limit"),
            ]);
            for (usage, limit) in heaviest {
                table.rows.push(vec![
                    Cell::Text(usage.namespace),
                    Cell::Text(usage.name),
                    Cell::Text(show_mebibytes(usage.memory_bytes)),
                    match limit {
                        Some(limit) => Cell::Text(show_mebibytes(limit)),
                        None => Cell::Message(msg!("oom-no-limit")),
                    },
                    Cell::Text(match limit {
                        Some(limit) if limit > 0.0 => {
                            format!("{}%", (usage.memory_bytes / limit * 100.0).round())
                        }
                        _ => "-".into(),
                    }),
                ]);
            }
            cx.report
                .push(Block::Note(msg!("oom-heaviest", count = table.rows.len())));
            cx.report.push(Block::Table(table));
        }
    }
    if findings.killed.is_empty() {
        cx.report
            .push(Block::Note(msg!("oom-none", cluster = cluster)));
        return;
    }
    cx.report.push(Block::Note(msg!(
        "oom-killed",
        count = findings.killed.len()
    )));
    let mut table = Table::new(vec![
        msg!("oom-col-namespace"),
        msg!("oom-col-pod"),
        msg!("oom-col-container"),
        msg!("oom-col-finished"),
        msg!("oom-col-restarts"),
        msg!("oom-col-limit"),
    ]);
    for k in findings.killed {
        table.rows.push(vec![
            Cell::Text(k.namespace),
            Cell::Text(k.pod),
            Cell::Text(k.container),
            match k.finished {
                Some(t) => Cell::Message(msg!("oom-ago", age = age(t, now))),
                None => Cell::Text("-".into()),
            },
            Cell::Text(k.restarts.to_string()),
            match k.limit {
                Some(limit) => Cell::Text(limit),
                None => Cell::Message(msg!("oom-no-limit")),
            },
        ]);
    }
    cx.report.push(Block::Table(table));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, statuses: serde_json::Value) -> Pod {
        serde_json::from_value(json!({
            "metadata": { "name": name, "namespace": "app" },
            "spec": { "containers": [
                { "name": "api", "image": "api:2", "resources": { "limits": { "memory": "512Mi" } } },
                { "name": "sidecar", "image": "envoy:1", "resources": { "limits": { "memory": "128Mi" } } }
            ] },
            "status": { "phase": "Running", "containerStatuses": statuses }
        }))
        .expect("pod")
    }

    fn status(name: &str, last: serde_json::Value) -> serde_json::Value {
        json!({ "name": name, "ready": true, "restartCount": 3, "image": "x", "imageID": "",
                "state": { "running": {} }, "lastState": last })
    }

    #[test]
    fn last_termination_oomkilled_is_found_with_its_limit_newest_first() {
        let pods = vec![
            pod(
                "api-old",
                json!([status(
                    "api",
                    json!({ "terminated": { "exitCode": 137, "reason": "OOMKilled", "finishedAt": "2026-03-01T09:00:00Z" } })
                )]),
            ),
            pod(
                "api-new",
                json!([
                    status(
                        "api",
                        json!({ "terminated": { "exitCode": 137, "reason": "OOMKilled", "finishedAt": "2026-03-01T10:00:00Z" } })
                    ),
                    status(
                        "sidecar",
                        json!({ "terminated": { "exitCode": 1, "reason": "Error" } })
                    )
                ]),
            ),
        ];
        let found = findings(&pods, None);
        assert!(found.heaviest.is_none());
        let names: Vec<(&str, &str, Option<&str>)> = found
            .killed
            .iter()
            .map(|k| (k.pod.as_str(), k.container.as_str(), k.limit.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("api-new", "api", Some("512Mi")),
                ("api-old", "api", Some("512Mi"))
            ]
        );
        assert_eq!(found.killed[0].restarts, 3);
    }

    #[test]
    fn a_pod_limit_is_the_sum_of_its_containers_only_when_all_have_one() {
        let limited = pod("a", json!([]));
        assert_eq!(pod_memory_limit(&limited), Some(640.0 * 1_048_576.0));
        let mut unlimited = limited.clone();
        if let Some(spec) = unlimited.spec.as_mut() {
            spec.containers[1].resources = None;
        }
        assert_eq!(pod_memory_limit(&unlimited), None);
    }

    #[test]
    fn heaviest_pods_come_with_their_limit() {
        let pods = vec![pod("api-1", json!([]))];
        let usage = vec![Usage {
            namespace: "app".into(),
            name: "api-1".into(),
            cpu_millis: 10.0,
            memory_bytes: 320.0 * 1_048_576.0,
        }];
        let found = findings(&pods, Some(usage));
        let heaviest = found.heaviest.expect("metrics");
        assert_eq!(heaviest[0].1, Some(640.0 * 1_048_576.0));
    }
}
