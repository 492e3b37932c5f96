//! cluster.status: runbook §1.1, risk read. Nodes (Ready, roles, version), kube-system pods
//! that are not ready, Cilium agents ready of desired, and ClusterMesh: its API server and the
//! remote clusters this one is meshed with.

use async_trait::async_trait;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment};
use k8s_openapi::api::core::v1::{Node, Pod, Secret};
use kube::api::{Api, ListParams};

use crate::k8s::{each_cluster, kube_error, not_found_is_none, report_each};
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "cluster.status",
    section: "1.1",
    risk: Risk::Read,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["status"],
        args: &[args::cluster(true)],
    }],
};

pub struct ClusterStatus;

impl Operation for ClusterStatus {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(ReadStatus {
            clusters: request.clusters.clone(),
        })])
    }
}

/// One cluster's health, as read.
struct Health {
    nodes: Vec<NodeRow>,
    pods_not_ready: Vec<String>,
    cilium: Option<(i32, i32)>,
    mesh_apiserver: Option<(i32, i32)>,
    mesh_remotes: Vec<String>,
}

struct NodeRow {
    name: String,
    ready: bool,
    roles: String,
    version: String,
}

/// Reads every targeted cluster at once.
struct ReadStatus {
    clusters: Vec<String>,
}

#[async_trait]
impl Step for ReadStatus {
    fn plan(&self) -> Message {
        msg!("cluster-status-plan", clusters = self.clusters.join(", "))
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let results = each_cluster(cx, &self.clusters, |client, cluster| async move {
            read(client, &cluster).await
        })
        .await;
        report_each(cx, results, render)
    }
}

async fn read(client: kube::Client, cluster: &str) -> Result<Health, OpError> {
    let err = |e| kube_error(cluster, e);
    let nodes: Api<Node> = Api::all(client.clone());
    let pods: Api<Pod> = Api::namespaced(client.clone(), "kube-system");
    let daemonsets: Api<DaemonSet> = Api::namespaced(client.clone(), "kube-system");
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "kube-system");
    let secrets: Api<Secret> = Api::namespaced(client, "kube-system");
    let (nodes, pods, cilium, mesh, remotes) = tokio::try_join!(
        async { nodes.list(&ListParams::default()).await.map_err(err) },
        async { pods.list(&ListParams::default()).await.map_err(err) },
        async { not_found_is_none(daemonsets.get("cilium").await).map_err(err) },
        async { not_found_is_none(deployments.get("clustermesh-apiserver").await).map_err(err) },
        // The mesh's remote clusters are the keys of this Secret; its values are never read out.
        async { not_found_is_none(secrets.get("cilium-clustermesh").await).map_err(err) },
    )?;
    Ok(Health {
        nodes: nodes.items.iter().map(node_row).collect(),
        pods_not_ready: pods
            .items
            .iter()
            .filter(|p| !pod_ready(p))
            .filter_map(|p| p.metadata.name.clone())
            .collect(),
        cilium: cilium.map(|ds| {
            let status = ds.status.unwrap_or_default();
            (status.number_ready, status.desired_number_scheduled)
        }),
        mesh_apiserver: mesh.map(|d| {
            let ready = d
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0);
            let desired = d.spec.replicas.unwrap_or(1);
            (ready, desired)
        }),
        mesh_remotes: remotes
            .map(|s| s.data.unwrap_or_default().into_keys().collect())
            .unwrap_or_default(),
    })
}

fn node_row(node: &Node) -> NodeRow {
    let ready = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True");
    let mut roles: Vec<&str> = node
        .metadata
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
        .collect();
    roles.sort();
    NodeRow {
        name: node.metadata.name.clone().unwrap_or_default(),
        ready,
        roles: if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        },
        version: node
            .status
            .as_ref()
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.kubelet_version.clone())
            .unwrap_or_default(),
    }
}

/// Running with every container ready, or finished successfully (a completed Job's pod).
pub(crate) fn pod_ready(pod: &Pod) -> bool {
    let Some(status) = &pod.status else {
        return false;
    };
    match status.phase.as_deref() {
        Some("Succeeded") => true,
        Some("Running") => status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == "Ready" && c.status == "True"),
        _ => false,
    }
}

fn render(cx: &mut RunContext<'_>, cluster: &str, health: Health) {
    cx.report
        .push(Block::Heading(msg!("cluster-heading", cluster = cluster)));
    let mut nodes = Table::new(vec![
        msg!("cluster-col-node"),
        msg!("cluster-col-status"),
        msg!("cluster-col-roles"),
        msg!("cluster-col-version"),
    ]);
    for node in &health.nodes {
        nodes.rows.push(vec![
            Cell::Text(node.name.clone()),
            Cell::Message(if node.ready {
                msg!("cluster-node-ready")
            } else {
                msg!("cluster-node-not-ready")
            }),
            Cell::Text(node.roles.clone()),
            Cell::Text(node.version.clone()),
        ]);
    }
    cx.report.push(Block::Table(nodes));
    let ready_of = |pair: Option<(i32, i32)>| match pair {
        Some((ready, desired)) => Cell::Text(format!("{ready}/{desired}")),
        None => Cell::Message(msg!("cluster-absent")),
    };
    let pods = if health.pods_not_ready.is_empty() {
        Cell::Message(msg!("cluster-all-ready"))
    } else {
        Cell::Text(health.pods_not_ready.join(", "))
    };
    let remotes = if health.mesh_remotes.is_empty() {
        Cell::Message(msg!("cluster-absent"))
    } else {
        Cell::Text(health.mesh_remotes.join(", "))
    };
    cx.report.push(Block::Fields(vec![
        (msg!("cluster-field-pods-not-ready"), pods),
        (msg!("cluster-field-cilium"), ready_of(health.cilium)),
        (
            msg!("cluster-field-mesh-apiserver"),
            ready_of(health.mesh_apiserver),
        ),
        (msg!("cluster-field-mesh-remotes"), remotes),
    ]));
}
