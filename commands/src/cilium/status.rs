//! cilium.status: runbook §1.1, §4.3, risk read. `cilium status` without the CLI: the agent
//! DaemonSet (ready, desired, updated, available, and its image tag as the version), the
//! operator, the ClusterMesh API server and the remote clusters, and Hubble Relay when it is
//! deployed. `cilium version` shows the versions the agents really run, pod by pod, so an
//! upgrade that stalled half way (§4.3) shows as agents that disagree.

use std::collections::BTreeMap;

use async_trait::async_trait;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment};
use k8s_openapi::api::core::v1::{Pod, PodSpec, Secret};
use kube::api::{Api, ListParams};

use crate::k8s::{each_cluster, kube_error, not_found_is_none};
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Report, Request, Risk, RunContext, Scope, Spec,
    Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "cilium.status",
    section: "1.1, 4.3",
    risk: Risk::Read,
    scope: Scope::Cluster,
    forms: &[
        Form {
            words: &["cilium", "status"],
            args: &[args::cluster(true)],
        },
        Form {
            words: &["cilium", "version"],
            args: &[args::cluster(true)],
        },
    ],
};

/// Where Cilium's Helm chart installs everything.
const NAMESPACE: &str = "kube-system";

pub struct CiliumStatus;

impl Operation for CiliumStatus {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let clusters = request.clusters.clone();
        Ok(if request.form.words.last() == Some(&"version") {
            vec![Box::new(ReadVersions { clusters })]
        } else {
            vec![Box::new(ReadStatus { clusters })]
        })
    }
}

/// What one cluster runs.
#[derive(Debug, Default)]
struct Cilium {
    /// None: no `cilium` DaemonSet, so Cilium is not installed.
    agents: Option<Agents>,
    operator: Option<Replicas>,
    mesh_apiserver: Option<Replicas>,
    /// The keys of the `cilium-clustermesh` Secret; its values (etcd configs) are never read.
    remotes: Vec<String>,
    relay: Option<Replicas>,
    /// Agent version to how many agent pods run it (`cilium version` only).
    running: BTreeMap<String, usize>,
}

#[derive(Debug)]
struct Agents {
    desired: i32,
    ready: i32,
    updated: i32,
    available: i32,
    /// The tag of the DaemonSet's image: what the agents should run.
    version: String,
}

#[derive(Debug)]
struct Replicas {
    ready: i32,
    desired: i32,
    version: String,
}

struct ReadStatus {
    clusters: Vec<String>,
}

struct ReadVersions {
    clusters: Vec<String>,
}

#[async_trait]
impl Step for ReadStatus {
    fn plan(&self) -> Message {
        msg!("cilium-status-plan", clusters = self.clusters.join(", "))
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let results = each_cluster(cx, &self.clusters, |client, cluster| async move {
            read(client, &cluster, false).await
        })
        .await;
        let mut failures = Failures::default();
        for (cluster, result) in results {
            match result {
                Ok(cilium) => render_status(&mut cx.report, &cluster, &cilium),
                Err(e) => failures.note(&mut cx.report, &cluster, e),
            }
        }
        failures.finish(self.clusters.len())
    }
}

#[async_trait]
impl Step for ReadVersions {
    fn plan(&self) -> Message {
        msg!("cilium-version-plan", clusters = self.clusters.join(", "))
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let results = each_cluster(cx, &self.clusters, |client, cluster| async move {
            read(client, &cluster, true).await
        })
        .await;
        let mut failures = Failures::default();
        let mut answered = Vec::new();
        for (cluster, result) in results {
            match result {
                Ok(cilium) => answered.push((cluster, cilium)),
                Err(e) => failures.note(&mut cx.report, &cluster, e),
            }
        }
        render_versions(&mut cx.report, &answered);
        failures.finish(self.clusters.len())
    }
}

/// Clusters that did not answer: one line each; the step fails only if none answered.
#[derive(Default)]
struct Failures {
    count: usize,
    first: Option<OpError>,
}

impl Failures {
    fn note(&mut self, report: &mut Report, cluster: &str, error: OpError) {
        report.push(Block::Note(msg!(
            "cilium-cluster-failed",
            cluster = cluster,
            reason = error.message()
        )));
        self.count += 1;
        self.first.get_or_insert(error);
    }

    fn finish(self, clusters: usize) -> Result<(), OpError> {
        match self.first {
            Some(e) if self.count == clusters => Err(e),
            _ => Ok(()),
        }
    }
}

async fn read(client: kube::Client, cluster: &str, versions: bool) -> Result<Cilium, OpError> {
    let err = |e| kube_error(cluster, e);
    let daemonsets: Api<DaemonSet> = Api::namespaced(client.clone(), NAMESPACE);
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NAMESPACE);
    let deployment = |name: &'static str| {
        let deployments = deployments.clone();
        async move { not_found_is_none(deployments.get(name).await).map_err(err) }
    };
    let (agents, operator, mesh, relay, remotes) = tokio::try_join!(
        async { not_found_is_none(daemonsets.get("cilium").await).map_err(err) },
        deployment("cilium-operator"),
        deployment("clustermesh-apiserver"),
        deployment("hubble-relay"),
        async { not_found_is_none(secrets.get("cilium-clustermesh").await).map_err(err) },
    )?;
    let running = match (&agents, versions) {
        (Some(ds), true) => running_versions(client, ds).await.map_err(err)?,
        _ => BTreeMap::new(),
    };
    Ok(Cilium {
        agents: agents.map(|ds| {
            let status = ds.status.unwrap_or_default();
            Agents {
                desired: status.desired_number_scheduled,
                ready: status.number_ready,
                updated: status.updated_number_scheduled.unwrap_or(0),
                available: status.number_available.unwrap_or(0),
                version: version_of(ds.spec.template.spec.as_ref(), "cilium-agent"),
            }
        }),
        operator: operator.map(|d| replicas(&d, "cilium-operator")),
        mesh_apiserver: mesh.map(|d| replicas(&d, "apiserver")),
        relay: relay.map(|d| replicas(&d, "hubble-relay")),
        // Only the names: each value is a remote cluster's etcd configuration.
        remotes: remotes
            .map(|s| s.data.unwrap_or_default().into_keys().collect())
            .unwrap_or_default(),
        running,
    })
}

/// Counts the agent pods (the DaemonSet's own selector) by the tag they run. With no pods to
/// see, the DaemonSet's tag stands for all it wants scheduled.
async fn running_versions(
    client: kube::Client,
    ds: &DaemonSet,
) -> Result<BTreeMap<String, usize>, kube::Error> {
    let selector: Vec<String> = ds
        .spec
        .selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut running = BTreeMap::new();
    if !selector.is_empty() {
        let pods: Api<Pod> = Api::namespaced(client, NAMESPACE);
        let pods = pods
            .list(&ListParams::default().labels(&selector.join(",")))
            .await?;
        for pod in &pods.items {
            *running
                .entry(version_of(pod.spec.as_ref(), "cilium-agent"))
                .or_insert(0) += 1;
        }
    }
    if running.is_empty() {
        let desired = ds.status.as_ref().map_or(0, |s| s.desired_number_scheduled);
        running.insert(
            version_of(ds.spec.template.spec.as_ref(), "cilium-agent"),
            usize::try_from(desired).unwrap_or(0),
        );
    }
    Ok(running)
}

fn replicas(deployment: &Deployment, container: &str) -> Replicas {
    Replicas {
        ready: deployment
            .status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0),
        desired: deployment.spec.replicas.unwrap_or(1),
        version: version_of(deployment.spec.template.spec.as_ref(), container),
    }
}

/// The image tag of `container` (or of the first container when none has that name).
fn version_of(spec: Option<&PodSpec>, container: &str) -> String {
    let Some(spec) = spec else {
        return "-".to_string();
    };
    spec.containers
        .iter()
        .find(|c| c.name == container)
        .or_else(|| spec.containers.first())
        .and_then(|c| c.image.as_deref())
        .map_or("-".to_string(), image_tag)
}

/// `quay.io/cilium/cilium:v1.16.0@sha256:…` → `v1.16.0`. A registry port (`host:5000/x`) is not
/// a tag; an image without one runs `latest`.
fn image_tag(image: &str) -> String {
    let image = image.split('@').next().unwrap_or(image);
    let name = image.rsplit('/').next().unwrap_or(image);
    match name.split_once(':') {
        Some((_, tag)) => tag.to_string(),
        None => "latest".to_string(),
    }
}

fn render_status(report: &mut Report, cluster: &str, cilium: &Cilium) {
    report.push(Block::Heading(msg!("cilium-heading", cluster = cluster)));
    let Some(agents) = &cilium.agents else {
        report.push(Block::Note(msg!("cilium-missing", cluster = cluster)));
        return;
    };
    let deployed = |r: &Option<Replicas>| match r {
        Some(r) => Cell::Message(msg!(
            "cilium-replicas",
            ready = r.ready,
            desired = r.desired
        )),
        None => Cell::Message(msg!("cilium-not-deployed")),
    };
    let remotes = if cilium.remotes.is_empty() {
        Cell::Message(msg!("cilium-none"))
    } else {
        Cell::Text(cilium.remotes.join(", "))
    };
    report.push(Block::Fields(vec![
        (
            msg!("cilium-field-agents"),
            Cell::Message(msg!(
                "cilium-agents-value",
                ready = agents.ready,
                desired = agents.desired,
                updated = agents.updated,
                available = agents.available
            )),
        ),
        (
            msg!("cilium-field-version"),
            Cell::Text(agents.version.clone()),
        ),
        (msg!("cilium-field-operator"), deployed(&cilium.operator)),
        (
            msg!("cilium-field-operator-version"),
            Cell::Text(
                cilium
                    .operator
                    .as_ref()
                    .map_or("-".to_string(), |o| o.version.clone()),
            ),
        ),
        (
            msg!("cilium-field-mesh-apiserver"),
            deployed(&cilium.mesh_apiserver),
        ),
        (msg!("cilium-field-mesh-remotes"), remotes),
        (msg!("cilium-field-hubble-relay"), deployed(&cilium.relay)),
    ]));
    if agents.ready < agents.desired {
        report.push(Block::Note(msg!(
            "cilium-agents-not-ready",
            cluster = cluster,
            count = agents.desired - agents.ready
        )));
    }
    if agents.updated < agents.desired {
        report.push(Block::Note(msg!(
            "cilium-rollout",
            cluster = cluster,
            updated = agents.updated,
            desired = agents.desired,
            version = agents.version.as_str()
        )));
    }
}

/// `v1.15.6 ×1, v1.16.0 ×2`.
fn spread(running: &BTreeMap<String, usize>) -> String {
    running
        .iter()
        .map(|(version, count)| format!("{version} ×{count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_versions(report: &mut Report, clusters: &[(String, Cilium)]) {
    if clusters.is_empty() {
        return;
    }
    let mut table = Table::new(vec![
        msg!("cilium-col-cluster"),
        msg!("cilium-col-agents-running"),
        msg!("cilium-col-daemonset"),
        msg!("cilium-col-operator"),
    ]);
    let mut notes = Vec::new();
    for (cluster, cilium) in clusters {
        let Some(agents) = &cilium.agents else {
            table.rows.push(vec![
                Cell::Text(cluster.clone()),
                Cell::Message(msg!("cilium-not-installed")),
                Cell::Text("-".to_string()),
                Cell::Text("-".to_string()),
            ]);
            continue;
        };
        let running = if cilium.running.len() > 1 {
            notes.push(msg!(
                "cilium-agents-disagree",
                cluster = cluster.as_str(),
                versions = spread(&cilium.running),
                version = agents.version.as_str()
            ));
            Cell::Message(msg!(
                "cilium-versions-mixed",
                versions = spread(&cilium.running)
            ))
        } else {
            Cell::Text(spread(&cilium.running))
        };
        table.rows.push(vec![
            Cell::Text(cluster.clone()),
            running,
            Cell::Text(agents.version.clone()),
            Cell::Text(
                cilium
                    .operator
                    .as_ref()
                    .map_or("-".to_string(), |o| o.version.clone()),
            ),
        ]);
    }
    report.push(Block::Table(table));
    // ClusterMesh wants every cluster on the same minor version, so a platform that disagrees
    // across clusters is worth a line even when each cluster agrees with itself.
    let targets: Vec<(&str, &str)> = clusters
        .iter()
        .filter_map(|(cluster, c)| {
            c.agents
                .as_ref()
                .map(|a| (cluster.as_str(), a.version.as_str()))
        })
        .collect();
    let distinct: std::collections::BTreeSet<&str> = targets.iter().map(|(_, v)| *v).collect();
    for note in notes {
        report.push(Block::Note(note));
    }
    if distinct.len() > 1 {
        let per_cluster: Vec<String> = targets.iter().map(|(c, v)| format!("{c} {v}")).collect();
        report.push(Block::Note(msg!(
            "cilium-clusters-disagree",
            versions = per_cluster.join(", ")
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags_ignore_digests_and_registry_ports() {
        assert_eq!(image_tag("quay.io/cilium/cilium:v1.16.0"), "v1.16.0");
        assert_eq!(
            image_tag(
                "quay.io/cilium/operator-generic:v1.16.0@sha256:d6621c11c4e4943bf2998af7febe05be5ed6fdcf812b27ad4388f47022190316"
            ),
            "v1.16.0"
        );
        assert_eq!(image_tag("registry.local:5000/cilium/cilium"), "latest");
        assert_eq!(
            image_tag("registry.local:5000/cilium/cilium:v1.15.6"),
            "v1.15.6"
        );
    }

    #[test]
    fn spread_lists_each_version_with_its_count() {
        let running = BTreeMap::from([("v1.16.0".to_string(), 2), ("v1.15.6".to_string(), 1)]);
        assert_eq!(spread(&running), "v1.15.6 ×1, v1.16.0 ×2");
    }
}
