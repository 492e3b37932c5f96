//! limits.set: runbook §6.3, risk write. The runbook's `kubectl edit deployment` after an
//! OOMKill, done as one strategic-merge patch of the Deployment's pod template: each
//! container's `resources.limits` (memory, and cpu when given). The patch names containers by
//! name, so the others are left alone.
//!
//! Which containers: the one the `kubectl.kubernetes.io/default-container` annotation names,
//! or else every container; the report says which, with the old and new values. A request
//! above the new limit would be refused by the API server, so it is lowered to the limit, and
//! the report says so.

use async_trait::async_trait;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Container;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Map, Value, json};

use crate::cluster::top::quantity;
use crate::k8s::objects::require_namespace;
use crate::k8s::{kube_error, single};
use crate::pod::bounded;
use crate::{
    Block, Cell, Form, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec,
    Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "limits.set",
    section: "6.3",
    risk: Risk::Write,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["limits"],
        args: &[
            args::positional("deployment", Kind::Name),
            args::namespace_required(),
            args::required("memory", "memory", Kind::Quantity),
            args::option("cpu", "cpu", Kind::Quantity),
            args::cluster(false),
        ],
    }],
};

/// kubectl's annotation naming the container `kubectl logs` and `exec` pick by default.
const DEFAULT_CONTAINER: &str = "kubectl.kubernetes.io/default-container";
const FIELD_MANAGER: &str = "opsbot";

pub struct LimitsSet;

impl Operation for LimitsSet {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let args = &request.args;
        match (
            request.cluster(),
            args.text("namespace"),
            args.text("deployment"),
            args.text("memory"),
        ) {
            (Some(cluster), Some(namespace), Some(deployment), Some(memory)) => {
                Ok(vec![Box::new(SetLimits {
                    cluster: cluster.into(),
                    namespace: namespace.into(),
                    deployment: deployment.into(),
                    memory: memory.into(),
                    cpu: args.text("cpu").map(String::from),
                })])
            }
            _ => Err(OpError::MissingFact(
                "cluster, namespace, deployment and memory",
            )),
        }
    }
}

struct SetLimits {
    cluster: String,
    namespace: String,
    deployment: String,
    memory: String,
    cpu: Option<String>,
}

/// What changes in one container.
#[derive(Debug, PartialEq)]
struct Change {
    container: String,
    old_memory: Option<String>,
    old_cpu: Option<String>,
    /// Requests lowered to the new limit: (resource, old request).
    lowered: Vec<(&'static str, String)>,
}

impl SetLimits {
    /// The new value per resource: memory always, cpu when given.
    fn limits(&self) -> Vec<(&'static str, &str)> {
        let mut limits = vec![("memory", self.memory.as_str())];
        if let Some(cpu) = &self.cpu {
            limits.push(("cpu", cpu.as_str()));
        }
        limits
    }

    /// The changes for `containers`, and the patch that makes them.
    fn plan_patch(&self, containers: &[&Container]) -> (Vec<Change>, Value) {
        let mut changes = Vec::new();
        let mut patched = Vec::new();
        for container in containers {
            let resources = container.resources.as_ref();
            let old = |kind: &str, key: &str| {
                let map = match kind {
                    "limits" => resources.and_then(|r| r.limits.as_ref()),
                    _ => resources.and_then(|r| r.requests.as_ref()),
                };
                map.and_then(|m| m.get(key)).map(|q| q.0.clone())
            };
            let mut limits = Map::new();
            let mut requests = Map::new();
            let mut lowered = Vec::new();
            for (key, value) in self.limits() {
                limits.insert(key.to_string(), json!(value));
                if let Some(request) = old("requests", key)
                    && let (Some(asked), Some(limit)) = (quantity(&request), quantity(value))
                    && asked > limit
                {
                    requests.insert(key.to_string(), json!(value));
                    lowered.push((key, request));
                }
            }
            let mut resources = json!({ "limits": limits });
            if !requests.is_empty() {
                resources["requests"] = Value::Object(requests);
            }
            patched.push(json!({ "name": container.name, "resources": resources }));
            changes.push(Change {
                container: container.name.clone(),
                old_memory: old("limits", "memory"),
                old_cpu: old("limits", "cpu"),
                lowered,
            });
        }
        let patch = json!({ "spec": { "template": { "spec": { "containers": patched } } } });
        (changes, patch)
    }

    fn table(&self, changes: &[Change]) -> Table {
        let mut table = Table::new(vec![
            msg!("limits-col-container"),
            msg!("limits-col-memory"),
            msg!("limits-col-cpu"),
        ]);
        let dash = || "-".to_string();
        for change in changes {
            let memory = format!(
                "{} → {}",
                change.old_memory.clone().unwrap_or_else(dash),
                self.memory
            );
            let cpu = match &self.cpu {
                Some(cpu) => format!("{} → {cpu}", change.old_cpu.clone().unwrap_or_else(dash)),
                None => change.old_cpu.clone().unwrap_or_else(dash),
            };
            table.rows.push(vec![
                Cell::Text(change.container.clone()),
                Cell::Text(memory),
                Cell::Text(cpu),
            ]);
        }
        table
    }
}

/// The containers to patch: the annotated default one when it exists, else all of them.
fn chosen(deployment: &Deployment) -> (Vec<&Container>, Option<String>) {
    let template = &deployment.spec.template;
    let containers: Vec<&Container> = template
        .spec
        .as_ref()
        .map(|s| s.containers.iter().collect())
        .unwrap_or_default();
    let annotated = template
        .metadata
        .as_ref()
        .and_then(|m| m.annotations.as_ref())
        .and_then(|a| a.get(DEFAULT_CONTAINER))
        .or_else(|| {
            deployment
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(DEFAULT_CONTAINER))
        });
    match annotated.and_then(|name| containers.iter().find(|c| &c.name == name)) {
        Some(one) => (vec![*one], Some(one.name.clone())),
        None => (containers, None),
    }
}

#[async_trait]
impl Step for SetLimits {
    fn plan(&self) -> Message {
        msg!(
            "limits-plan",
            deployment = self.deployment.as_str(),
            namespace = self.namespace.as_str(),
            cluster = self.cluster.as_str(),
            memory = self.memory.as_str(),
            cpu = self.cpu.clone().unwrap_or_else(|| "-".to_string())
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let work = async {
            let api: Api<Deployment> = Api::namespaced(client.clone(), &self.namespace);
            let deployment = match api.get(&self.deployment).await {
                Ok(d) => d,
                Err(kube::Error::Api(status)) if status.code == 404 => {
                    require_namespace(&client, &self.cluster, &self.namespace).await?;
                    return Err(OpError::Failed(msg!(
                        "limits-no-deployment",
                        deployment = self.deployment.as_str(),
                        namespace = self.namespace.as_str(),
                        cluster = self.cluster.as_str()
                    )));
                }
                Err(e) => return Err(kube_error(&self.cluster, e)),
            };
            let (containers, annotated) = chosen(&deployment);
            if containers.is_empty() {
                return Err(OpError::Failed(msg!(
                    "limits-no-containers",
                    deployment = self.deployment.as_str()
                )));
            }
            let (changes, patch) = self.plan_patch(&containers);
            let params = PatchParams {
                field_manager: Some(FIELD_MANAGER.to_string()),
                ..PatchParams::default()
            };
            api.patch(&self.deployment, &params, &Patch::Strategic(&patch))
                .await
                .map_err(|e| kube_error(&self.cluster, e))?;
            Ok((changes, annotated))
        };
        let (changes, annotated) = bounded(cx, &self.cluster, work).await?;
        cx.report.push(Block::Heading(msg!(
            "limits-heading",
            deployment = self.deployment.as_str(),
            namespace = self.namespace.as_str(),
            cluster = self.cluster.as_str()
        )));
        cx.report.push(Block::Note(match annotated {
            Some(container) => msg!("limits-default-container", container = container),
            None => msg!("limits-all-containers", count = changes.len()),
        }));
        cx.report.push(Block::Table(self.table(&changes)));
        for change in &changes {
            for (resource, old) in &change.lowered {
                let new = match *resource {
                    "cpu" => self.cpu.clone().unwrap_or_default(),
                    _ => self.memory.clone(),
                };
                cx.report.push(Block::Note(msg!(
                    "limits-request-lowered",
                    container = change.container.as_str(),
                    resource = *resource,
                    old = old.as_str(),
                    new = new
                )));
            }
        }
        cx.report.push(Block::Note(msg!("limits-rollout-note")));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(value: Value) -> Deployment {
        serde_json::from_value(value).expect("deployment")
    }

    fn step(cpu: Option<&str>) -> SetLimits {
        SetLimits {
            cluster: "app1".into(),
            namespace: "app".into(),
            deployment: "api".into(),
            memory: "1Gi".into(),
            cpu: cpu.map(String::from),
        }
    }

    #[test]
    fn every_container_is_patched_by_name_and_high_requests_are_lowered() {
        let d = deployment(json!({
            "metadata": { "name": "api" },
            "spec": { "selector": {}, "template": { "spec": { "containers": [
                { "name": "api", "resources": { "limits": { "memory": "512Mi" }, "requests": { "memory": "2Gi" } } },
                { "name": "sidecar" }
            ] } } }
        }));
        let (containers, annotated) = chosen(&d);
        assert_eq!(annotated, None);
        let (changes, patch) = step(Some("500m")).plan_patch(&containers);
        assert_eq!(
            patch,
            json!({ "spec": { "template": { "spec": { "containers": [
                { "name": "api", "resources": { "limits": { "memory": "1Gi", "cpu": "500m" }, "requests": { "memory": "1Gi" } } },
                { "name": "sidecar", "resources": { "limits": { "memory": "1Gi", "cpu": "500m" } } }
            ] } } } })
        );
        assert_eq!(changes[0].old_memory.as_deref(), Some("512Mi"));
        assert_eq!(changes[0].lowered, vec![("memory", "2Gi".to_string())]);
        assert!(changes[1].lowered.is_empty());
    }

    #[test]
    fn the_default_container_annotation_picks_one() {
        let d = deployment(json!({
            "metadata": { "name": "api" },
            "spec": { "selector": {}, "template": {
                "metadata": { "annotations": { DEFAULT_CONTAINER: "app" } },
                "spec": { "containers": [{ "name": "proxy" }, { "name": "app" }] } } }
        }));
        let (containers, annotated) = chosen(&d);
        assert_eq!(annotated.as_deref(), Some("app"));
        assert_eq!(containers.len(), 1);
        assert_eq!(containers[0].name, "app");
    }
}
