//! The server as a whole: discovery, metrics-server absence, stop/restart, kubeconfigs and
//! request recording.

use serde_json::{Value, json};

use super::client::{get, request, send, try_request};
use super::{JSON, names, pod};
use crate::kube::{KubeServer, Resource, dead_url, kubeconfig, kubeconfig_with_dead, test_token};

#[test]
fn discovery_lists_built_ins_and_a_registered_crd() {
    let server = KubeServer::start();
    let url = server.url();
    assert_eq!(get(&url, "/version").json()["gitVersion"], "v1.34.2");
    assert_eq!(get(&url, "/api").json()["versions"], json!(["v1"]));
    let core = get(&url, "/api/v1").json();
    let core_names: Vec<&str> = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    for name in [
        "pods",
        "pods/log",
        "pods/eviction",
        "nodes",
        "nodes/status",
        "namespaces",
    ] {
        assert!(core_names.contains(&name), "{name} in {core_names:?}");
    }

    server.register(Resource {
        group: "example.io",
        version: "v1alpha1",
        kind: "Widget",
        plural: "widgets",
        namespaced: true,
    });
    let groups = get(&url, "/apis").json();
    let example = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "example.io")
        .expect("the CRD's group")
        .clone();
    assert_eq!(
        example["preferredVersion"]["groupVersion"],
        "example.io/v1alpha1"
    );
    let resources = get(&url, "/apis/example.io/v1alpha1").json();
    assert_eq!(
        resources["resources"][0],
        json!({ "name": "widgets", "singularName": "widget", "namespaced": true, "kind": "Widget", "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] })
    );

    let accept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    let aggregated = request(&url, "GET", "/apis", &[("Accept", accept)], "");
    assert!(
        aggregated
            .header("content-type")
            .unwrap()
            .contains("as=APIGroupDiscoveryList")
    );
    let items = aggregated.json()["items"].as_array().unwrap().clone();
    let widget = items
        .iter()
        .find(|i| i["metadata"]["name"] == "example.io")
        .expect("aggregated CRD group");
    assert_eq!(widget["versions"][0]["resources"][0]["resource"], "widgets");

    let made = send(
        &url,
        "POST",
        "/apis/example.io/v1alpha1/namespaces/shop/widgets",
        JSON,
        &json!({ "apiVersion": "example.io/v1alpha1", "kind": "Widget", "metadata": { "generateName": "w-" } }),
    );
    assert_eq!(made.status, 201);
    assert!(
        made.json()["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("w-")
    );
    assert_eq!(
        server
            .list("example.io/v1alpha1", "Widget", Some("shop"))
            .len(),
        1
    );
}

#[test]
fn metrics_group_disappears_when_metrics_are_disabled() {
    let server = KubeServer::start();
    server.apply(json!({
        "apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
        "metadata": { "name": "web-1", "namespace": "shop" }, "timestamp": "2026-01-01T00:00:00Z", "window": "30s",
        "containers": [{ "name": "app", "usage": { "cpu": "12m", "memory": "40Mi" } }]
    }));
    let path = "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods";
    assert_eq!(names(&get(&server.url(), path).json()), ["web-1"]);
    server.enable_metrics(false);
    let groups = get(&server.url(), "/apis").json();
    assert!(
        groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["name"] != "metrics.k8s.io")
    );
    assert_eq!(get(&server.url(), path).status, 404);
    assert_eq!(
        get(&server.url(), "/apis/metrics.k8s.io/v1beta1").status,
        404
    );
}

#[test]
fn stop_refuses_connections_and_restart_keeps_port_and_objects() {
    let mut server = KubeServer::start();
    server.apply(pod("shop", "web-1", json!({}), "n1", "Running"));
    let (url, version) = (server.url(), server.resource_version());
    server.stop();
    assert!(
        try_request(&url, "GET", "/version", &[], "").is_err(),
        "a stopped server refuses connections"
    );
    server.restart();
    assert_eq!(server.url(), url);
    assert_eq!(get(&url, "/api/v1/namespaces/shop/pods/web-1").status, 200);
    assert_eq!(server.resource_version(), version);
}

#[test]
fn going_away_cuts_open_watches_and_a_resumed_watch_sees_what_changed_meanwhile() {
    let server = KubeServer::start();
    server.apply(pod("shop", "web-1", json!({}), "n1", "Running"));
    let since = server.resource_version();
    let url = server.url();
    let path = format!(
        "/api/v1/namespaces/shop/pods?watch=true&resourceVersion={since}&timeoutSeconds=300"
    );
    let watch_path = path.clone();
    let watching = std::thread::spawn(move || try_request(&url, "GET", &watch_path, &[], ""));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !server
        .requests()
        .iter()
        .any(|r| r.query.contains("watch=true"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the watch never arrived"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // From a shared reference, as a kubelet rule on another thread does it.
    server.go_away();
    let cut = watching.join().expect("the watching thread");
    assert!(
        cut.map_or(true, |reply| reply.events().is_empty()),
        "the open watch ended with nothing in it"
    );
    assert!(!server.is_running());

    server.apply(pod("shop", "web-1", json!({}), "n1", "Failed"));
    server.come_back();
    let resumed = get(
        &server.url(),
        &path.replace("timeoutSeconds=300", "timeoutSeconds=1"),
    );
    let events = resumed.events();
    assert_eq!(events.len(), 1, "{}", resumed.body);
    assert_eq!(events[0]["type"], "MODIFIED");
    assert_eq!(events[0]["object"]["status"]["phase"], "Failed");
}

#[test]
fn an_unregistered_kind_answers_404_and_leaves_discovery() {
    let server = KubeServer::start();
    let path = "/apis/cert-manager.io/v1/namespaces/app/certificates";
    assert_eq!(get(&server.url(), path).status, 200);
    server.unregister("cert-manager.io", "v1", "certificates");
    assert_eq!(get(&server.url(), path).status, 404);
    let resources = get(&server.url(), "/apis/cert-manager.io/v1").json();
    assert!(
        resources["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["name"] != "certificates"),
        "{resources}"
    );
}

#[test]
fn kubeconfig_names_one_cluster_user_and_context_per_entry() {
    let (mgmt, app1) = (KubeServer::start(), KubeServer::start());
    let config: Value =
        serde_json::from_str(&kubeconfig(&[("mgmt", &mgmt), ("app1", &app1)])).unwrap();
    assert_eq!(config["current-context"], "mgmt");
    assert_eq!(
        config["clusters"][1],
        json!({ "name": "app1", "cluster": { "server": app1.url() } })
    );
    assert_eq!(config["users"][0]["user"]["token"], test_token("mgmt"));
    assert_eq!(config["contexts"][1]["context"]["cluster"], "app1");

    let dead = dead_url();
    let config: Value = serde_json::from_str(&kubeconfig_with_dead(&[("app2", &dead)])).unwrap();
    assert_eq!(config["clusters"][0]["cluster"]["server"], dead.as_str());
    assert!(try_request(&dead, "GET", "/version", &[], "").is_err());
}

#[test]
fn requests_are_recorded_with_decoded_query_headers_and_body() {
    let server = KubeServer::start();
    let token = format!("Bearer {}", test_token("mgmt"));
    request(
        &server.url(),
        "GET",
        "/api/v1/pods?labelSelector=app%3Dweb",
        &[("Authorization", &token)],
        "",
    );
    send(
        &server.url(),
        "POST",
        "/api/v1/namespaces/a/configmaps",
        JSON,
        &json!({ "metadata": { "name": "c" } }),
    );
    let seen = server.requests();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/api/v1/pods")
    );
    assert_eq!(seen[0].param("labelSelector").as_deref(), Some("app=web"));
    assert_eq!(seen[0].header("Authorization"), Some(token.as_str()));
    assert_eq!(seen[1].json().unwrap()["metadata"]["name"], "c");
    server.clear_requests();
    assert!(server.requests().is_empty());
}
