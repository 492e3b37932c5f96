//! Pod subresources: `log` (container, tail, previous, follow) and `eviction` against
//! PodDisruptionBudgets.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::client::{get, send};
use super::pod;
use crate::kube::KubeServer;

fn pdb(allowed: i64) -> Value {
    json!({
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": { "name": "web", "namespace": "shop" },
        "spec": { "minAvailable": 2, "selector": { "matchLabels": { "app": "web" } } },
        "status": { "disruptionsAllowed": allowed, "desiredHealthy": 2, "currentHealthy": 2 + allowed, "expectedPods": 2 + allowed }
    })
}

fn evict(server: &KubeServer, name: &str) -> super::client::Reply {
    let body = json!({ "apiVersion": "policy/v1", "kind": "Eviction", "metadata": { "name": name, "namespace": "shop" } });
    let path = format!("/api/v1/namespaces/shop/pods/{name}/eviction");
    send(&server.url(), "POST", &path, "application/json", &body)
}

#[test]
fn eviction_blocked_by_an_exhausted_budget_answers_429_with_the_cause() {
    let server = KubeServer::start();
    server.apply(pod(
        "shop",
        "web-1",
        json!({ "app": "web" }),
        "n1",
        "Running",
    ));
    server.apply(pdb(0));
    let reply = evict(&server, "web-1");
    assert_eq!(reply.status, 429);
    let status = reply.json();
    assert_eq!(status["reason"], "TooManyRequests");
    assert_eq!(
        status["message"],
        "Cannot evict pod as it would violate the pod's disruption budget."
    );
    assert_eq!(
        status["details"]["causes"][0],
        json!({ "reason": "DisruptionBudget", "message": "The disruption budget web needs 2 healthy pods and has 2 currently" })
    );
    assert!(server.get("v1", "Pod", Some("shop"), "web-1").is_some());
}

#[test]
fn eviction_deletes_the_pod_and_spends_the_budget() {
    let server = KubeServer::start();
    server.apply(pod(
        "shop",
        "web-1",
        json!({ "app": "web" }),
        "n1",
        "Running",
    ));
    server.apply(pod(
        "shop",
        "web-2",
        json!({ "app": "web" }),
        "n1",
        "Running",
    ));
    server.apply(pod(
        "shop",
        "lonely",
        json!({ "app": "batch" }),
        "n1",
        "Running",
    ));
    server.apply(pdb(1));
    let reply = evict(&server, "web-1");
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        (
            reply.json()["kind"].as_str(),
            reply.json()["status"].as_str()
        ),
        (Some("Status"), Some("Success"))
    );
    assert!(server.get("v1", "Pod", Some("shop"), "web-1").is_none());
    let budget = server
        .get("policy/v1", "PodDisruptionBudget", Some("shop"), "web")
        .unwrap();
    assert_eq!(budget["status"]["disruptionsAllowed"], 0);
    assert_eq!(evict(&server, "web-2").status, 429, "the budget is spent");
    assert_eq!(evict(&server, "lonely").status, 201, "no budget selects it");
    assert_eq!(evict(&server, "ghost").status, 404);
}

#[test]
fn pod_logs_honour_container_tail_and_previous() {
    let server = KubeServer::start();
    server.apply(pod("shop", "web-1", json!({}), "n1", "Running"));
    server.set_log("shop", "web-1", "app", false, "l1\nl2\nl3\n");
    server.set_log("shop", "web-1", "app", true, "panic: boom\n");
    server.set_log("shop", "web-1", "sidecar", false, "proxy up\n");
    let log = |query: &str| {
        get(
            &server.url(),
            &format!("/api/v1/namespaces/shop/pods/web-1/log?{query}"),
        )
    };
    let first = log("");
    assert_eq!((first.status, first.body.as_str()), (200, "l1\nl2\nl3\n"));
    assert_eq!(first.header("content-type"), Some("text/plain"));
    assert_eq!(log("&tailLines=2").body, "l2\nl3\n");
    assert_eq!(log("container=sidecar").body, "proxy up\n");
    assert_eq!(log("container=app&previous=true").body, "panic: boom\n");
    let no_previous = log("container=sidecar&previous=true");
    assert_eq!(no_previous.status, 400);
    assert_eq!(
        no_previous.json()["message"],
        "previous terminated container \"sidecar\" in pod \"web-1\" not found"
    );
    assert_eq!(log("container=nope").status, 400);
    let missing = get(&server.url(), "/api/v1/namespaces/shop/pods/ghost/log");
    assert_eq!(
        (missing.status, missing.json()["message"].as_str()),
        (404, Some("pods \"ghost\" not found"))
    );
}

#[test]
fn log_follow_streams_appends_until_the_pod_is_deleted() {
    let server = KubeServer::start();
    server.apply(pod("shop", "web-1", json!({}), "n1", "Running"));
    server.set_log("shop", "web-1", "app", false, "first\n");
    let url = server.url();
    let follower = std::thread::spawn(move || {
        get(
            &url,
            "/api/v1/namespaces/shop/pods/web-1/log?follow=true&container=app",
        )
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server
        .requests()
        .iter()
        .any(|r| r.query.contains("follow=true"))
    {
        assert!(
            Instant::now() < deadline,
            "the follow request never arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    server.append_log("shop", "web-1", "app", "second\n");
    server.append_log("shop", "web-1", "app", "third\n");
    server.delete("v1", "Pod", Some("shop"), "web-1");
    let reply = follower.join().unwrap();
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "first\nsecond\nthird\n")
    );
}
