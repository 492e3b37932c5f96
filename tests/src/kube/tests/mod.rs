//! The server's own tests, over real HTTP on its real port. CRUD, errors, selectors, patches
//! and subresources are in `objects.rs`; discovery, stop/restart, kubeconfigs and recording in
//! `lifecycle.rs`; watches in `watch.rs`; logs and eviction in `pods.rs`.

mod client;
mod lifecycle;
mod objects;
mod pods;
mod watch;

use serde_json::{Value, json};

const JSON: &str = "application/json";

pub(super) fn pod(namespace: &str, name: &str, labels: Value, node: &str, phase: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": { "name": name, "namespace": namespace, "labels": labels },
        "spec": {
            "nodeName": node,
            "containers": [{ "name": "app", "image": "app:1" }, { "name": "sidecar", "image": "envoy:1" }]
        },
        "status": { "phase": phase }
    })
}

pub(super) fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["metadata"]["name"].as_str().unwrap_or("").to_string())
        .collect()
}

pub(super) fn deployment(replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": { "name": "api", "namespace": "shop" },
        "spec": {
            "replicas": replicas,
            "selector": { "matchLabels": { "app": "api" } },
            "template": { "spec": { "containers": [
                { "name": "api", "image": "api:1", "resources": { "limits": { "memory": "128Mi" } } },
                { "name": "proxy", "image": "envoy:1" }
            ] } }
        },
        "status": { "replicas": replicas }
    })
}
