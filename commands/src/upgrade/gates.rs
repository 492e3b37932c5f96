//! The pre-checklist of runbook §4.1, as gates run before anyone is asked to approve: the
//! current version is read, the target is one minor step ahead, an etcd snapshot of the
//! cluster is younger than 24 hours, and no PodDisruptionBudget would block a worker's drain.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{Api, ListParams};

use super::drain::{selects, stays};
use super::{Version, is_control_plane};
use crate::etcd::files;
use crate::k8s::objects::age;
use crate::k8s::{kube_error, single};
use crate::pod::bounded;
use crate::{Block, Cell, Message, OpError, RunContext, Step, Table, msg};

/// How old the newest etcd snapshot may be.
pub(crate) const SNAPSHOT_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// Reads `/version` and the nodes' kubelets; the target must be one minor step ahead (or a
/// newer patch of the same minor).
pub(crate) struct VersionPath {
    pub cluster: String,
    pub target: Version,
}

/// Why a path from `current` to `target` is refused, if it is.
pub(crate) fn refusal(current: Version, target: Version) -> Option<Message> {
    let (from, to) = (current.to_string(), target.to_string());
    if target == current {
        return Some(msg!("upgrade-same-version", version = to));
    }
    if target < current {
        return Some(msg!("upgrade-downgrade", current = from, target = to));
    }
    if target.major != current.major || target.minor > current.minor + 1 {
        let next = format!("{}.{}", current.major, current.minor + 1);
        return Some(msg!(
            "upgrade-too-far",
            current = from,
            target = to,
            next = next
        ));
    }
    None
}

#[async_trait]
impl Step for VersionPath {
    fn plan(&self) -> Message {
        msg!(
            "upgrade-gate-version",
            cluster = self.cluster.as_str(),
            target = self.target.to_string()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let read = async {
            let info = client
                .apiserver_version()
                .await
                .map_err(|e| kube_error(&self.cluster, e))?;
            let nodes: Api<Node> = Api::all(client.clone());
            let nodes = nodes
                .list(&ListParams::default())
                .await
                .map_err(|e| kube_error(&self.cluster, e))?;
            Ok((info.git_version, nodes.items))
        };
        let (git_version, nodes) = bounded(cx, &self.cluster, read).await?;
        let current = Version::parse(&git_version).ok_or_else(|| {
            OpError::Failed(msg!(
                "upgrade-unreadable-version",
                version = git_version.as_str()
            ))
        })?;
        cx.report.push(Block::Fields(vec![
            (
                msg!("upgrade-field-apiserver"),
                Cell::Text(git_version.clone()),
            ),
            (
                msg!("upgrade-field-target"),
                Cell::Text(format!("v{}", self.target)),
            ),
        ]));
        let mut table = Table::new(vec![
            msg!("upgrade-col-node"),
            msg!("upgrade-col-role"),
            msg!("upgrade-col-kubelet"),
        ]);
        for node in &nodes {
            let kubelet = node
                .status
                .as_ref()
                .and_then(|s| s.node_info.as_ref())
                .map_or("-".to_string(), |i| i.kubelet_version.clone());
            let role = match is_control_plane(node) {
                true => msg!("upgrade-role-control-plane"),
                false => msg!("upgrade-role-worker"),
            };
            table.rows.push(vec![
                Cell::Text(node.metadata.name.clone().unwrap_or_default()),
                Cell::Message(role),
                Cell::Text(kubelet),
            ]);
        }
        cx.report.push(Block::Table(table));
        match refusal(current, self.target) {
            Some(why) => Err(OpError::Failed(why)),
            None => Ok(()),
        }
    }
}

/// The newest etcd snapshot of the cluster in `backup.dir/CLUSTER/` is younger than 24 h.
pub(crate) struct RecentSnapshot {
    pub cluster: String,
}

#[async_trait]
impl Step for RecentSnapshot {
    fn plan(&self) -> Message {
        msg!(
            "upgrade-gate-snapshot",
            cluster = self.cluster.as_str(),
            hours = SNAPSHOT_MAX_AGE.as_secs() / 3600
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let dir = files::cluster_dir(&cx.settings.backup.dir, &self.cluster);
        let newest = files::list(&dir)?.into_iter().next();
        let now = Utc::now();
        let max_age = chrono::Duration::from_std(SNAPSHOT_MAX_AGE).unwrap_or(chrono::Duration::MAX);
        match newest {
            Some(s) if now - s.taken <= max_age => {
                cx.report.push(Block::Note(msg!(
                    "upgrade-snapshot-ok",
                    name = s.name.as_str(),
                    age = age(s.taken, now)
                )));
                Ok(())
            }
            Some(s) => Err(OpError::Failed(msg!(
                "upgrade-snapshot-old",
                cluster = self.cluster.as_str(),
                name = s.name.as_str(),
                age = age(s.taken, now)
            ))),
            None => Err(OpError::Failed(msg!(
                "upgrade-snapshot-none",
                cluster = self.cluster.as_str(),
                dir = dir.display().to_string()
            ))),
        }
    }
}

/// No budget with no disruption allowed covers a pod a worker's drain would evict.
pub(crate) struct DrainableBudgets {
    pub cluster: String,
}

#[async_trait]
impl Step for DrainableBudgets {
    fn plan(&self) -> Message {
        msg!("upgrade-gate-pdb", cluster = self.cluster.as_str())
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let cluster = self.cluster.as_str();
        let read = async {
            let all = ListParams::default();
            let nodes = Api::<Node>::all(client.clone()).list(&all).await;
            let pods = Api::<Pod>::all(client.clone()).list(&all).await;
            let budgets = Api::<PodDisruptionBudget>::all(client.clone())
                .list(&all)
                .await;
            let e = |e| kube_error(cluster, e);
            Ok((nodes.map_err(e)?, pods.map_err(e)?, budgets.map_err(e)?))
        };
        let (nodes, pods, budgets) = bounded(cx, cluster, read).await?;
        let workers: Vec<String> = nodes
            .items
            .iter()
            .filter(|n| !is_control_plane(n))
            .filter_map(|n| n.metadata.name.clone())
            .collect();
        let blocking = blocking(&budgets.items, &pods.items, &workers);
        if blocking.is_empty() {
            cx.report.push(Block::Note(msg!(
                "upgrade-pdb-ok",
                budgets = budgets.items.len()
            )));
            return Ok(());
        }
        let names: Vec<String> = blocking
            .iter()
            .map(|(budget, nodes)| format!("{budget} ({})", nodes.join(", ")))
            .collect();
        Err(OpError::Failed(msg!(
            "upgrade-pdb-blocking",
            cluster = cluster,
            budgets = names.join("; ")
        )))
    }
}

/// `namespace/name` of each budget allowing no disruption that selects a pod a worker's drain
/// would evict, with the workers those pods run on.
pub(crate) fn blocking(
    budgets: &[PodDisruptionBudget],
    pods: &[Pod],
    workers: &[String],
) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let empty = BTreeMap::new();
    for budget in budgets {
        let allowed = budget
            .status
            .as_ref()
            .and_then(|s| s.disruptions_allowed)
            .unwrap_or(0);
        let selector = budget.spec.as_ref().and_then(|s| s.selector.as_ref());
        let (Some(selector), true) = (selector, allowed <= 0) else {
            continue;
        };
        let namespace = budget.metadata.namespace.as_deref().unwrap_or_default();
        for pod in pods {
            let node = pod.spec.as_ref().and_then(|s| s.node_name.as_ref());
            let Some(node) = node.filter(|n| workers.contains(n)) else {
                continue;
            };
            let finished = pod
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .is_some_and(|p| p == "Succeeded" || p == "Failed");
            if pod.metadata.namespace.as_deref() != Some(namespace)
                || stays(pod)
                || finished
                || !selects(selector, pod.metadata.labels.as_ref().unwrap_or(&empty))
            {
                continue;
            }
            let name = format!(
                "{namespace}/{}",
                budget.metadata.name.as_deref().unwrap_or_default()
            );
            let nodes = found.entry(name).or_default();
            if !nodes.contains(node) {
                nodes.push(node.clone());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).expect("version")
    }

    #[test]
    fn one_minor_step_at_a_time() {
        assert_eq!(refusal(v("v1.34.2"), v("1.35.1")), None);
        assert_eq!(refusal(v("v1.34.2"), v("1.34.3")), None);
        let id = |from, to| refusal(v(from), v(to)).map(|m| m.id.to_string());
        assert_eq!(id("v1.34.2", "1.36.0").as_deref(), Some("upgrade-too-far"));
        assert_eq!(id("v1.34.2", "2.0.0").as_deref(), Some("upgrade-too-far"));
        assert_eq!(
            id("v1.34.2", "1.33.9").as_deref(),
            Some("upgrade-downgrade")
        );
        assert_eq!(
            id("v1.34.2", "1.34.1").as_deref(),
            Some("upgrade-downgrade")
        );
        assert_eq!(
            id("v1.34.2", "v1.34.2").as_deref(),
            Some("upgrade-same-version")
        );
    }

    #[test]
    fn only_budgets_without_room_covering_worker_pods_block() {
        let budgets: Vec<PodDisruptionBudget> = serde_json::from_value(serde_json::json!([
            { "metadata": { "name": "web", "namespace": "app" },
              "spec": { "selector": { "matchLabels": { "app": "web" } } },
              "status": { "disruptionsAllowed": 0, "currentHealthy": 1, "desiredHealthy": 1, "expectedPods": 1 } },
            { "metadata": { "name": "api", "namespace": "app" },
              "spec": { "selector": { "matchLabels": { "app": "api" } } },
              "status": { "disruptionsAllowed": 1, "currentHealthy": 2, "desiredHealthy": 1, "expectedPods": 2 } },
            { "metadata": { "name": "etcd", "namespace": "kube-system" },
              "spec": { "selector": { "matchLabels": { "app": "etcd" } } },
              "status": { "disruptionsAllowed": 0, "currentHealthy": 1, "desiredHealthy": 1, "expectedPods": 1 } }
        ]))
        .expect("budgets");
        let pods: Vec<Pod> = serde_json::from_value(serde_json::json!([
            { "metadata": { "name": "web-1", "namespace": "app", "labels": { "app": "web" } }, "spec": { "nodeName": "w1", "containers": [] } },
            { "metadata": { "name": "api-1", "namespace": "app", "labels": { "app": "api" } }, "spec": { "nodeName": "w2", "containers": [] } },
            { "metadata": { "name": "etcd-cp", "namespace": "kube-system", "labels": { "app": "etcd" } }, "spec": { "nodeName": "cp", "containers": [] } }
        ]))
        .expect("pods");
        let found = blocking(&budgets, &pods, &["w1".to_string(), "w2".to_string()]);
        assert_eq!(
            found,
            BTreeMap::from([("app/web".to_string(), vec!["w1".to_string()])])
        );
    }
}
