//! Nodes: Ready False or Unknown, DiskPressure, MemoryPressure, read from `status.conditions`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{Node, NodeCondition};
use kube::ResourceExt;

use super::track::Judge;
use super::{Condition, ConditionKind, key};
use crate::msg;

/// The conditions `node` of `cluster` shows now. A node without a Ready condition (just
/// registered) is not called NotReady: nothing says so yet.
pub fn node_conditions(cluster: &str, node: &Node) -> Vec<Condition> {
    let name = node.name_any();
    let status = |kind: &str| -> Option<&NodeCondition> {
        node.status
            .as_ref()?
            .conditions
            .as_ref()?
            .iter()
            .find(|c| c.type_ == kind)
    };
    let mut found = Vec::new();
    if let Some(ready) = status("Ready").filter(|c| c.status == "False" || c.status == "Unknown") {
        let reason = ready.reason.clone().unwrap_or_else(|| ready.status.clone());
        found.push(condition(
            cluster,
            &name,
            ConditionKind::NodeNotReady,
            msg!(
                "watch-node-not-ready",
                node = name.as_str(),
                cluster = cluster,
                reason = reason.as_str()
            ),
            ready,
        ));
    }
    if let Some(disk) = status("DiskPressure").filter(|c| c.status == "True") {
        found.push(condition(
            cluster,
            &name,
            ConditionKind::NodeDiskPressure,
            msg!(
                "watch-node-disk-pressure",
                node = name.as_str(),
                cluster = cluster
            ),
            disk,
        ));
    }
    if let Some(memory) = status("MemoryPressure").filter(|c| c.status == "True") {
        found.push(condition(
            cluster,
            &name,
            ConditionKind::NodeMemoryPressure,
            msg!(
                "watch-node-memory-pressure",
                node = name.as_str(),
                cluster = cluster
            ),
            memory,
        ));
    }
    found
}

fn condition(
    cluster: &str,
    node: &str,
    kind: ConditionKind,
    summary: crate::Message,
    seen: &NodeCondition,
) -> Condition {
    let mut details = vec![
        ("node".to_string(), node.to_string()),
        ("status".to_string(), seen.status.clone()),
    ];
    for (name, value) in [("reason", &seen.reason), ("message", &seen.message)] {
        if let Some(value) = value {
            details.push((name.to_string(), value.clone()));
        }
    }
    if let Some(since) = &seen.last_transition_time {
        details.push(("since".to_string(), since.0.to_string()));
    }
    Condition {
        key: key(kind, cluster, &[node]),
        kind,
        cluster: cluster.to_string(),
        summary,
        details,
    }
}

/// Each node judged alone; what is kept of it is its conditions.
pub(super) struct Nodes {
    pub cluster: String,
}

impl Judge for Nodes {
    type Object = Node;
    type Fact = Vec<Condition>;

    fn kinds(&self) -> &'static [ConditionKind] {
        &[
            ConditionKind::NodeNotReady,
            ConditionKind::NodeDiskPressure,
            ConditionKind::NodeMemoryPressure,
        ]
    }

    fn fact(&self, node: &Node) -> Vec<Condition> {
        node_conditions(&self.cluster, node)
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
    use serde_json::json;

    use super::*;

    fn node(conditions: serde_json::Value) -> Node {
        serde_json::from_value(json!({
            "metadata": { "name": "worker-1" },
            "status": { "conditions": conditions }
        }))
        .expect("a node")
    }

    fn kinds(node: &Node) -> Vec<ConditionKind> {
        node_conditions("app1", node)
            .into_iter()
            .map(|c| c.kind)
            .collect()
    }

    #[test]
    fn a_ready_node_without_pressure_gives_nothing() {
        let healthy = node(json!([
            { "type": "Ready", "status": "True" },
            { "type": "DiskPressure", "status": "False" },
            { "type": "MemoryPressure", "status": "False" }
        ]));
        assert!(kinds(&healthy).is_empty());
        assert!(kinds(&node(json!([]))).is_empty(), "no Ready condition yet");
    }

    #[test]
    fn ready_false_or_unknown_is_not_ready_with_a_stable_key() {
        for status in ["False", "Unknown"] {
            let sick =
                node(json!([{ "type": "Ready", "status": status, "reason": "KubeletNotReady" }]));
            let found = node_conditions("app1", &sick);
            assert_eq!(found.len(), 1, "{status}");
            assert_eq!(found[0].kind, ConditionKind::NodeNotReady);
            assert_eq!(found[0].key, "node-not-ready/app1/worker-1");
            assert_eq!(found[0].summary.id, "watch-node-not-ready");
            assert!(
                found[0]
                    .details
                    .contains(&("reason".to_string(), "KubeletNotReady".to_string()))
            );
        }
    }

    #[test]
    fn disk_and_memory_pressure_are_their_own_kinds() {
        let pressed = node(json!([
            { "type": "Ready", "status": "True" },
            { "type": "DiskPressure", "status": "True" },
            { "type": "MemoryPressure", "status": "True" }
        ]));
        assert_eq!(
            kinds(&pressed),
            [
                ConditionKind::NodeDiskPressure,
                ConditionKind::NodeMemoryPressure
            ]
        );
        let keys: Vec<String> = node_conditions("app1", &pressed)
            .into_iter()
            .map(|c| c.key)
            .collect();
        assert_eq!(
            keys,
            [
                "node-disk-pressure/app1/worker-1",
                "node-memory-pressure/app1/worker-1"
            ]
        );
    }
}
