//! Watches: replay after a resourceVersion, live events, selectors, 410 Expired, and the
//! streaming-list start kube-runtime's watcher can ask for.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::client::get;
use super::pod;
use crate::kube::KubeServer;

fn types_and_names(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            let name = e["object"]["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .to_string();
            (e["type"].as_str().unwrap_or("").to_string(), name)
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(t, n)| (t.to_string(), n.to_string()))
        .collect()
}

/// Waits until the server has received a request whose query mentions `marker`.
fn wait_for_request(server: &KubeServer, marker: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.requests().iter().any(|r| r.query.contains(marker)) {
        assert!(Instant::now() < deadline, "no request with {marker}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn watch_replays_added_modified_deleted_after_a_resource_version() {
    let server = KubeServer::start();
    server.apply(pod("shop", "old", json!({}), "n1", "Running"));
    let since = server.resource_version();
    server.apply(pod("shop", "web-1", json!({}), "n1", "Pending"));
    server.apply(pod("shop", "web-1", json!({}), "n1", "Running"));
    server.apply(pod("other", "elsewhere", json!({}), "n1", "Running"));
    server.delete("v1", "Pod", Some("shop"), "web-1");
    let path =
        format!("/api/v1/namespaces/shop/pods?watch=true&resourceVersion={since}&timeoutSeconds=1");
    let reply = get(&server.url(), &path);
    assert_eq!(reply.status, 200);
    let events = reply.events();
    let expected = [
        ("ADDED", "web-1"),
        ("MODIFIED", "web-1"),
        ("DELETED", "web-1"),
    ];
    assert_eq!(types_and_names(&events), pairs(&expected));
    assert_eq!(events[1]["object"]["status"]["phase"], "Running");
    assert_eq!(events[1]["object"]["kind"], "Pod");
    let versions: Vec<u64> = events
        .iter()
        .map(|e| {
            e["object"]["metadata"]["resourceVersion"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
}

#[test]
fn watch_streams_live_events_that_match_its_selector() {
    let server = KubeServer::start();
    server.apply(pod(
        "shop",
        "web-1",
        json!({ "app": "web" }),
        "n1",
        "Running",
    ));
    let since = server.resource_version();
    let url = server.url();
    let path = format!(
        "/api/v1/pods?watch=1&resourceVersion={since}&timeoutSeconds=2&labelSelector=app%3Dweb&live-marker"
    );
    let watcher = std::thread::spawn(move || get(&url, &path));
    wait_for_request(&server, "live-marker");
    server.apply(pod(
        "shop",
        "web-2",
        json!({ "app": "web" }),
        "n1",
        "Pending",
    ));
    server.apply(pod("shop", "db-1", json!({ "app": "db" }), "n1", "Pending"));
    server.apply(pod(
        "shop",
        "web-1",
        json!({ "app": "web" }),
        "n1",
        "Failed",
    ));
    server.delete("v1", "Pod", Some("shop"), "web-1");
    let events = watcher.join().unwrap().events();
    let expected = [
        ("ADDED", "web-2"),
        ("MODIFIED", "web-1"),
        ("DELETED", "web-1"),
    ];
    assert_eq!(types_and_names(&events), pairs(&expected));
}

#[test]
fn watch_from_a_compacted_version_gets_a_410_expired_error_event() {
    let server = KubeServer::start();
    server.apply(pod("shop", "a", json!({}), "n1", "Running"));
    let old = server.resource_version();
    server.apply(pod("shop", "b", json!({}), "n1", "Running"));
    server.compact();
    let started = Instant::now();
    let reply = get(
        &server.url(),
        &format!("/api/v1/namespaces/shop/pods?watch=true&resourceVersion={old}&timeoutSeconds=30"),
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "an expired watch ends at once"
    );
    let events = reply.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "ERROR");
    let status = &events[0]["object"];
    assert_eq!(
        (
            status["kind"].as_str(),
            status["code"].as_u64(),
            status["reason"].as_str()
        ),
        (Some("Status"), Some(410), Some("Expired"))
    );

    let current = server.resource_version();
    let fresh = get(
        &server.url(),
        &format!(
            "/api/v1/namespaces/shop/pods?watch=true&resourceVersion={current}&timeoutSeconds=1"
        ),
    );
    assert!(
        fresh.events().is_empty(),
        "a current version replays nothing: {}",
        fresh.body
    );
}

#[test]
fn watch_without_a_version_starts_with_what_exists_and_can_mark_the_initial_end() {
    let server = KubeServer::start();
    server.apply(pod("shop", "a", json!({}), "n1", "Running"));
    server.apply(pod("shop", "b", json!({}), "n1", "Running"));
    // What kube-runtime's watcher sends for InitialListStrategy::StreamingList.
    let path = "/api/v1/namespaces/shop/pods?watch=true&timeoutSeconds=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=0";
    let events = get(&server.url(), path).events();
    assert_eq!(
        types_and_names(&events[..2]),
        pairs(&[("ADDED", "a"), ("ADDED", "b")])
    );
    let bookmark = &events[2];
    assert_eq!(bookmark["type"], "BOOKMARK");
    assert_eq!(
        bookmark["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    assert_eq!(
        bookmark["object"]["metadata"]["resourceVersion"].as_str(),
        Some(server.resource_version().as_str())
    );
    assert_eq!(events.len(), 3);
}
