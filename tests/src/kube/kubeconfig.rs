//! Kubeconfigs that point kube-rs at test servers: one cluster, user and context per entry,
//! all named by the context, with token auth. JSON is valid YAML, so kube-rs reads it as is.

use std::net::TcpListener;

use serde_json::{Value, json};

use super::KubeServer;

/// A kubeconfig for running servers; `current-context` is the first entry.
pub fn kubeconfig(contexts: &[(&str, &KubeServer)]) -> String {
    let entries: Vec<(&str, String)> = contexts
        .iter()
        .map(|(name, server)| (*name, server.url()))
        .collect();
    build(&entries)
}

/// The same from raw URLs, so a context can point at [`dead_url`] (an unreachable cluster).
pub fn kubeconfig_with_dead(contexts: &[(&str, &str)]) -> String {
    let entries: Vec<(&str, String)> = contexts
        .iter()
        .map(|(name, url)| (*name, url.to_string()))
        .collect();
    build(&entries)
}

/// The bearer token the kubeconfig gives a context's user, for asserting the bot sent it.
pub fn test_token(context: &str) -> String {
    format!("opsbot-test-token-{context}")
}

/// A loopback URL nothing listens on: a port the OS just handed out, then released.
pub fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn build(entries: &[(&str, String)]) -> String {
    let clusters: Vec<Value> = entries
        .iter()
        .map(|(name, url)| json!({ "name": name, "cluster": { "server": url } }))
        .collect();
    let users: Vec<Value> = entries
        .iter()
        .map(|(name, _)| json!({ "name": name, "user": { "token": test_token(name) } }))
        .collect();
    let contexts: Vec<Value> = entries
        .iter()
        .map(|(name, _)| {
            json!({ "name": name, "context": { "cluster": name, "user": name, "namespace": "default" } })
        })
        .collect();
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": clusters,
        "users": users,
        "contexts": contexts,
        "current-context": entries.first().map(|(name, _)| *name).unwrap_or_default(),
    });
    serde_json::to_string_pretty(&config).expect("a kubeconfig serialises")
}
