//! k8s.upgrade: runbook §4.1, risk destructive. After the pre-checklist ([`super::gates`]):
//! on the first control plane `kubeadm upgrade plan`, `kubeadm upgrade apply -y vVERSION` and
//! `systemctl restart kubelet`, on any other control plane `kubeadm upgrade node` and a kubelet
//! restart (kubeadm's order for a highly available control plane); then each worker in name order is cordoned, drained through
//! the Eviction API ([`super::drain`]), upgraded (`kubeadm upgrade node`, `systemctl restart
//! kubelet`), waited for until Ready, and uncordoned.
//!
//! Installing the kubeadm and kubelet packages of the new version (`apt-get install
//! kubeadm=…`) is the site's business and must be done beforehand. A failure stops the run and
//! says on which node, at which stage, and in which state it left that node.

use std::time::Duration;

use async_trait::async_trait;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};
use tokio::time::Instant;

use super::drain::{self, POLL};
use super::gates::{DrainableBudgets, RecentSnapshot, VersionPath};
use super::{Version, is_control_plane};
use crate::k8s::{kube_error, single};
use crate::runner::{NodeCommand, command_line, node};
use crate::{
    Block, Cell, Form, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec,
    Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "k8s.upgrade",
    section: "4.1",
    risk: Risk::Destructive,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["upgrade", "k8s"],
        args: &[
            args::positional("version", Kind::Version),
            args::cluster_required(),
            // kubectl drain --timeout: how long a PodDisruptionBudget may block an eviction.
            args::option("drain-timeout", "drain-timeout", Kind::Duration),
        ],
    }],
};

/// How long a budget may block one eviction (and evicted pods may take to go) by default.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a node may take to be Ready after its kubelet restarted.
const READY_TIMEOUT: Duration = Duration::from_secs(300);
/// `kubeadm upgrade apply` pulls images and restarts static pods: give it time.
const KUBEADM_TIMEOUT: Duration = Duration::from_secs(30 * 60);

pub struct K8sUpgrade;

fn target(request: &Request) -> Result<(String, Version), OpError> {
    let cluster = request.cluster().ok_or(OpError::MissingFact("cluster"))?;
    let text = request
        .args
        .text("version")
        .ok_or(OpError::MissingFact("version"))?;
    let version = Version::parse(text)
        .ok_or_else(|| OpError::Failed(msg!("upgrade-unreadable-version", version = text)))?;
    Ok((cluster.to_string(), version))
}

impl Operation for K8sUpgrade {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn gates(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, target) = target(request)?;
        Ok(vec![
            Box::new(VersionPath {
                cluster: cluster.clone(),
                target,
            }),
            Box::new(RecentSnapshot {
                cluster: cluster.clone(),
            }),
            Box::new(DrainableBudgets { cluster }),
        ])
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, version) = target(request)?;
        let drain_timeout = request
            .args
            .duration("drain-timeout")
            .unwrap_or(DRAIN_TIMEOUT);
        Ok(vec![
            Box::new(ControlPlane {
                cluster: cluster.clone(),
                version,
            }),
            Box::new(Workers {
                cluster,
                drain_timeout,
            }),
        ])
    }
}

fn control_plane_argv(version: Version) -> [Vec<String>; 3] {
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    [
        words(&["kubeadm", "upgrade", "plan"]),
        words(&["kubeadm", "upgrade", "apply", "-y", &format!("v{version}")]),
        words(&["systemctl", "restart", "kubelet"]),
    ]
}

fn worker_argv() -> [Vec<String>; 2] {
    [
        ["kubeadm", "upgrade", "node"].map(String::from).to_vec(),
        ["systemctl", "restart", "kubelet"]
            .map(String::from)
            .to_vec(),
    ]
}

/// The cluster's nodes, control planes and workers, each in name order.
async fn nodes(client: &kube::Client, cluster: &str) -> Result<(Vec<Node>, Vec<Node>), OpError> {
    let mut all = Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await
        .map_err(|e| kube_error(cluster, e))?
        .items;
    all.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    Ok(all.into_iter().partition(is_control_plane))
}

fn name(node: &Node) -> String {
    node.metadata.name.clone().unwrap_or_default()
}

/// Runs one command on a node to a zero exit, with a long timeout.
async fn on_node(
    cx: &RunContext<'_>,
    client: &kube::Client,
    cluster: &str,
    node_name: &str,
    argv: &[String],
) -> Result<(), OpError> {
    let call = NodeCommand {
        timeout: Some(KUBEADM_TIMEOUT),
        ..NodeCommand::new(cluster, node_name, argv.iter().cloned())
    };
    node::run(
        client.clone(),
        &cx.settings.runners.node,
        &call,
        cx.progress,
    )
    .await
    .map(|_| ())
}

/// Says where the upgrade stopped and what it left behind.
fn stopped(node: &str, stage: &str, state: Message, done: &[String], error: OpError) -> OpError {
    let done = match done.is_empty() {
        true => "-".to_string(),
        false => done.join(", "),
    };
    OpError::Failed(msg!(
        "upgrade-stopped",
        node = node,
        stage = stage,
        state = state,
        done = done,
        reason = error.message()
    ))
}

/// The control plane: plan, apply, restart the kubelet.
struct ControlPlane {
    cluster: String,
    version: Version,
}

#[async_trait]
impl Step for ControlPlane {
    fn plan(&self) -> Message {
        let commands: Vec<String> = control_plane_argv(self.version)
            .iter()
            .map(command_line)
            .collect();
        msg!(
            "upgrade-plan-control-plane",
            cluster = self.cluster.as_str(),
            version = self.version.to_string(),
            commands = commands.join("; ")
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let (control_planes, _) = nodes(&client, &self.cluster).await?;
        if control_planes.is_empty() {
            return Err(OpError::Failed(msg!(
                "upgrade-no-control-plane",
                cluster = self.cluster.as_str()
            )));
        }
        // The first applies the new version; the others follow it with `upgrade node`.
        let mut done: Vec<String> = Vec::new();
        for (index, node) in control_planes.iter().map(name).enumerate() {
            let commands: Vec<Vec<String>> = if index == 0 {
                control_plane_argv(self.version).to_vec()
            } else {
                worker_argv().to_vec()
            };
            for argv in commands {
                let stage = command_line(&argv);
                cx.progress.report(msg!(
                    "upgrade-stage",
                    node = node.as_str(),
                    stage = stage.as_str()
                ));
                if let Err(e) = on_node(cx, &client, &self.cluster, &node, &argv).await {
                    let state = msg!("upgrade-state-control-plane");
                    return Err(stopped(&node, &stage, state, &done, e));
                }
            }
            cx.report.push(Block::Note(msg!(
                "upgrade-control-plane-done",
                node = node.as_str(),
                version = self.version.to_string()
            )));
            done.push(node);
        }
        Ok(())
    }
}

/// Each worker in name order: cordon, drain, upgrade, wait Ready, uncordon.
struct Workers {
    cluster: String,
    drain_timeout: Duration,
}

#[async_trait]
impl Step for Workers {
    fn plan(&self) -> Message {
        let commands: Vec<String> = worker_argv().iter().map(command_line).collect();
        msg!(
            "upgrade-plan-workers",
            cluster = self.cluster.as_str(),
            commands = commands.join("; "),
            timeout = humantime::format_duration(self.drain_timeout).to_string()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let evictor = drain::evictor(cx.settings, &self.cluster).await?;
        let (_, workers) = nodes(&client, &self.cluster).await?;
        let mut table = Table::new(vec![msg!("upgrade-col-node"), msg!("upgrade-col-evicted")]);
        let mut done: Vec<String> = Vec::new();
        let total = workers.len();
        for (i, worker) in workers.iter().enumerate() {
            let node = name(worker);
            cx.progress.report(msg!(
                "upgrade-worker-start",
                node = node.as_str(),
                index = i + 1,
                total = total
            ));
            let evicted = self
                .one(cx, &client, &evictor, &node)
                .await
                .map_err(|(stage, state, e)| stopped(&node, stage, state, &done, e))?;
            cx.progress.report(msg!(
                "upgrade-worker-done",
                node = node.as_str(),
                index = i + 1,
                total = total
            ));
            table.rows.push(vec![
                Cell::Text(node.clone()),
                Cell::Text(evicted.to_string()),
            ]);
            done.push(node);
        }
        cx.report.push(Block::Table(table));
        Ok(())
    }
}

type StageError = (&'static str, Message, OpError);

impl Workers {
    /// One worker; on failure, the stage and the state the node was left in.
    async fn one(
        &self,
        cx: &RunContext<'_>,
        client: &kube::Client,
        evictor: &kube::Client,
        node: &str,
    ) -> Result<usize, StageError> {
        let cluster = self.cluster.as_str();
        let cordoned = || msg!("upgrade-state-cordoned", node = node);
        drain::set_unschedulable(client, cluster, node, true)
            .await
            .map_err(|e| ("cordon", msg!("upgrade-state-unchanged", node = node), e))?;
        cx.progress.report(msg!("upgrade-cordoned", node = node));
        let evicted = drain::drain(
            client,
            evictor,
            cluster,
            node,
            self.drain_timeout,
            cx.progress,
        )
        .await
        .map_err(|e| ("drain", cordoned(), e))?;
        for argv in worker_argv() {
            cx.progress.report(msg!(
                "upgrade-stage",
                node = node,
                stage = command_line(&argv)
            ));
            on_node(cx, client, cluster, node, &argv)
                .await
                .map_err(|e| ("kubeadm", cordoned(), e))?;
        }
        wait_ready(client, cluster, node, cx)
            .await
            .map_err(|e| ("ready", cordoned(), e))?;
        drain::set_unschedulable(client, cluster, node, false)
            .await
            .map_err(|e| ("uncordon", cordoned(), e))?;
        cx.progress.report(msg!("upgrade-uncordoned", node = node));
        Ok(evicted)
    }
}

/// Waits until the node's Ready condition is True again.
async fn wait_ready(
    client: &kube::Client,
    cluster: &str,
    node: &str,
    cx: &RunContext<'_>,
) -> Result<(), OpError> {
    let nodes: Api<Node> = Api::all(client.clone());
    let started = Instant::now();
    let mut announced = false;
    loop {
        let found = nodes.get(node).await.map_err(|e| kube_error(cluster, e))?;
        let ready = found
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        if ready {
            return Ok(());
        }
        if started.elapsed() >= READY_TIMEOUT {
            return Err(OpError::Timeout {
                what: format!("node {node} Ready"),
                after: READY_TIMEOUT,
            });
        }
        if !announced {
            cx.progress
                .report(msg!("upgrade-waiting-ready", node = node));
            announced = true;
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_control_plane_runs_plan_apply_and_restart() {
        let version = Version::parse("1.35.1").expect("version");
        let lines: Vec<String> = control_plane_argv(version)
            .iter()
            .map(command_line)
            .collect();
        assert_eq!(
            lines,
            [
                "kubeadm upgrade plan",
                "kubeadm upgrade apply -y v1.35.1",
                "systemctl restart kubelet"
            ]
        );
    }
}
