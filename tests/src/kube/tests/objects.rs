//! Objects over HTTP: get/list/create/replace/patch/delete, their `Status` errors, selectors,
//! the patch types, the `status` and `scale` subresources, dry runs and finalizers.

use serde_json::json;

use super::client::{get, request, send};
use super::{JSON, deployment, names, pod};
use crate::kube::KubeServer;

#[test]
fn created_pod_round_trips_through_get_list_and_delete() {
    let server = KubeServer::start();
    let url = server.url();
    let reply = send(
        &url,
        "POST",
        "/api/v1/namespaces/shop/pods",
        JSON,
        &pod("shop", "web-1", json!({}), "n1", "Running"),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let created = reply.json();
    let uid = created["metadata"]["uid"].as_str().unwrap().to_string();
    assert!(
        !created["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert!(
        created["metadata"]["creationTimestamp"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    let fetched = get(&url, "/api/v1/namespaces/shop/pods/web-1");
    assert_eq!(
        (fetched.status, fetched.json()["metadata"]["uid"].as_str()),
        (200, Some(uid.as_str()))
    );
    let list = get(&url, "/api/v1/namespaces/shop/pods").json();
    assert_eq!(
        (list["kind"].as_str(), list["apiVersion"].as_str()),
        (Some("PodList"), Some("v1"))
    );
    assert!(list["metadata"]["resourceVersion"].as_str().is_some());
    assert_eq!(names(&list), ["web-1"]);
    assert!(server.get("v1", "Pod", Some("shop"), "web-1").is_some());

    let path = "/api/v1/namespaces/shop/pods/web-1";
    let deleted = request(
        &url,
        "DELETE",
        path,
        &[("Content-Type", JSON)],
        r#"{"gracePeriodSeconds":0}"#,
    );
    assert_eq!(
        (deleted.status, deleted.json()["kind"].as_str()),
        (200, Some("Pod"))
    );
    assert_eq!(get(&url, path).status, 404);
    assert!(server.get("v1", "Pod", Some("shop"), "web-1").is_none());
}

#[test]
fn missing_objects_and_unknown_paths_answer_not_found_statuses() {
    let server = KubeServer::start();
    let reply = get(&server.url(), "/api/v1/namespaces/shop/pods/ghost");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("content-type"), Some(JSON));
    assert_eq!(
        reply.json(),
        json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "pods \"ghost\" not found", "reason": "NotFound",
            "details": { "name": "ghost", "kind": "pods" }, "code": 404
        })
    );
    let status = get(
        &server.url(),
        "/apis/apps/v1/namespaces/shop/deployments/api",
    )
    .json();
    assert_eq!(status["message"], "deployments.apps \"api\" not found");
    assert_eq!(status["details"]["group"], "apps");
    for path in [
        "/apis/nope.io/v1/things",
        "/api/v1/pods/without-namespace",
        "/nonsense",
    ] {
        let reply = get(&server.url(), path);
        assert_eq!(
            (reply.status, reply.json()["kind"].as_str()),
            (404, Some("Status")),
            "{path}"
        );
    }
}

#[test]
fn duplicate_create_is_already_exists_and_stale_replace_is_conflict() {
    let server = KubeServer::start();
    let url = server.url();
    let config_map = json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "c", "namespace": "shop" }, "data": { "k": "1" } });
    server.apply(config_map.clone());
    let again = send(
        &url,
        "POST",
        "/api/v1/namespaces/shop/configmaps",
        JSON,
        &config_map,
    );
    assert_eq!(
        (again.status, again.json()["reason"].as_str()),
        (409, Some("AlreadyExists"))
    );

    let current = server.get("v1", "ConfigMap", Some("shop"), "c").unwrap();
    let mut stale = current.clone();
    stale["metadata"]["resourceVersion"] = json!("1");
    let path = "/api/v1/namespaces/shop/configmaps/c";
    let conflict = send(&url, "PUT", path, JSON, &stale);
    assert_eq!(
        (conflict.status, conflict.json()["reason"].as_str()),
        (409, Some("Conflict"))
    );

    let mut fresh = current.clone();
    fresh["data"]["k"] = json!("2");
    let replaced = send(&url, "PUT", path, JSON, &fresh).json();
    assert_eq!(replaced["data"]["k"], "2");
    assert_ne!(
        replaced["metadata"]["resourceVersion"],
        current["metadata"]["resourceVersion"]
    );
    assert_eq!(replaced["metadata"]["uid"], current["metadata"]["uid"]);
}

#[test]
fn label_selectors_filter_lists() {
    let server = KubeServer::start();
    server.apply(pod(
        "shop",
        "web-1",
        json!({ "app": "web", "env": "prod" }),
        "n1",
        "Running",
    ));
    server.apply(pod(
        "shop",
        "web-2",
        json!({ "app": "web", "env": "dev", "tier": "canary" }),
        "n1",
        "Running",
    ));
    server.apply(pod(
        "shop",
        "db-1",
        json!({ "app": "db", "env": "prod" }),
        "n2",
        "Running",
    ));
    let cases = [
        ("app%3Dweb", vec!["web-1", "web-2"]),
        ("app%3D%3Dweb%2Ctier%21%3Dcanary", vec!["web-1"]),
        ("env+in+%28prod%2Cstaging%29", vec!["db-1", "web-1"]),
        ("env+notin+%28prod%29", vec!["web-2"]),
        ("tier", vec!["web-2"]),
        ("%21tier", vec!["db-1", "web-1"]),
    ];
    for (selector, expected) in cases {
        let list = get(
            &server.url(),
            &format!("/api/v1/namespaces/shop/pods?labelSelector={selector}"),
        );
        assert_eq!(names(&list.json()), expected, "{selector}");
    }
    let bad = get(&server.url(), "/api/v1/pods?labelSelector=env+in+prod%29");
    assert_eq!(
        (bad.status, bad.json()["reason"].as_str()),
        (400, Some("BadRequest"))
    );
}

#[test]
fn field_selectors_filter_lists_across_namespaces() {
    let server = KubeServer::start();
    server.apply(pod("a", "p1", json!({}), "n1", "Running"));
    server.apply(pod("b", "p2", json!({}), "n1", "Pending"));
    server.apply(pod("b", "p3", json!({}), "n2", "Running"));
    server.apply(json!({
        "apiVersion": "v1", "kind": "Event", "metadata": { "name": "p2.1", "namespace": "b" },
        "involvedObject": { "kind": "Pod", "name": "p2", "namespace": "b" }, "reason": "FailedScheduling"
    }));
    let list = |query: &str| {
        names(
            &get(
                &server.url(),
                &format!("/api/v1/pods?fieldSelector={query}"),
            )
            .json(),
        )
    };
    assert_eq!(list("spec.nodeName%3Dn1"), ["p1", "p2"]);
    assert_eq!(list("status.phase%21%3DRunning"), ["p2"]);
    assert_eq!(
        list("metadata.namespace%3D%3Db%2Cspec.nodeName%3Dn2"),
        ["p3"]
    );
    assert_eq!(list("metadata.name%3Dp1"), ["p1"]);
    let events = get(
        &server.url(),
        "/api/v1/namespaces/b/events?fieldSelector=involvedObject.name%3Dp2%2CinvolvedObject.kind%3DPod",
    );
    assert_eq!(names(&events.json()), ["p2.1"]);
}

#[test]
fn strategic_merge_patches_one_container_while_merge_patch_replaces_the_list() {
    let server = KubeServer::start();
    server.apply(deployment(2));
    let path = "/apis/apps/v1/namespaces/shop/deployments/api";
    let patch = json!({ "spec": { "template": { "spec": { "containers": [
        { "name": "api", "resources": { "limits": { "memory": "256Mi" } } }
    ] } } } });
    let reply = send(
        &server.url(),
        "PATCH",
        path,
        "application/strategic-merge-patch+json",
        &patch,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let patched = reply.json();
    let containers = &patched["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers.as_array().unwrap().len(), 2);
    assert_eq!(containers[0]["resources"]["limits"]["memory"], "256Mi");
    assert_eq!(containers[0]["image"], "api:1");
    assert_eq!(
        patched["metadata"]["generation"], 2,
        "a spec change bumps generation"
    );

    let merged = send(
        &server.url(),
        "PATCH",
        path,
        "application/merge-patch+json",
        &patch,
    )
    .json();
    let containers = merged["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(containers.len(), 1, "a merge patch replaces lists whole");
    assert!(containers[0].get("image").is_none());
}

#[test]
fn json_patch_and_server_side_apply_update_and_create() {
    let server = KubeServer::start();
    let url = server.url();
    server.apply(json!({ "apiVersion": "v1", "kind": "Node", "metadata": { "name": "n1" } }));
    let ops = json!([{ "op": "add", "path": "/spec", "value": { "unschedulable": true } }]);
    let cordoned = send(
        &url,
        "PATCH",
        "/api/v1/nodes/n1",
        "application/json-patch+json",
        &ops,
    );
    assert_eq!(
        (
            cordoned.status,
            cordoned.json()["spec"]["unschedulable"].as_bool()
        ),
        (200, Some(true))
    );
    let bad = json!([{ "op": "remove", "path": "/metadata/labels/nope" }]);
    assert_eq!(
        send(
            &url,
            "PATCH",
            "/api/v1/nodes/n1",
            "application/json-patch+json",
            &bad
        )
        .status,
        422
    );

    let path =
        "/apis/coordination.k8s.io/v1/namespaces/ops/leases/opsbot?fieldManager=opsbot&force=true";
    let lease = json!({ "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": { "name": "opsbot" }, "spec": { "holderIdentity": "a" } });
    let created = send(&url, "PATCH", path, "application/apply-patch+yaml", &lease);
    assert_eq!(
        created.status, 201,
        "apply creates what is missing: {}",
        created.body
    );
    let renew = json!({ "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": { "name": "opsbot" }, "spec": { "renewTime": "2026-01-01T00:00:00.000000Z" } });
    let applied = send(&url, "PATCH", path, "application/apply-patch+yaml", &renew).json();
    assert_eq!(
        applied["spec"],
        json!({ "holderIdentity": "a", "renewTime": "2026-01-01T00:00:00.000000Z" })
    );
    assert_eq!(
        server
            .requests()
            .last()
            .unwrap()
            .param("fieldManager")
            .as_deref(),
        Some("opsbot")
    );
    let unknown = send(&url, "PATCH", "/api/v1/nodes/n1", "text/plain", &json!({}));
    assert_eq!(
        (unknown.status, unknown.json()["reason"].as_str()),
        (415, Some("UnsupportedMediaType"))
    );
}

#[test]
fn status_and_scale_subresources_change_only_their_part() {
    let server = KubeServer::start();
    let url = server.url();
    server.apply(json!({ "apiVersion": "v1", "kind": "Node", "metadata": { "name": "n1" }, "spec": { "podCIDR": "10.0.0.0/24" } }));
    let patch = json!({ "spec": { "podCIDR": "bogus" }, "status": { "conditions": [{ "type": "Ready", "status": "False" }] } });
    let node = send(
        &url,
        "PATCH",
        "/api/v1/nodes/n1/status",
        "application/merge-patch+json",
        &patch,
    )
    .json();
    assert_eq!(node["status"]["conditions"][0]["status"], "False");
    assert_eq!(
        node["spec"]["podCIDR"], "10.0.0.0/24",
        "the status subresource ignores spec"
    );

    server.apply(deployment(2));
    let scale_path = "/apis/apps/v1/namespaces/shop/deployments/api/scale";
    let scale = get(&url, scale_path).json();
    assert_eq!(
        (scale["kind"].as_str(), scale["spec"]["replicas"].as_i64()),
        (Some("Scale"), Some(2))
    );
    assert_eq!(scale["status"]["selector"], "app=api");
    let scaled = send(
        &url,
        "PATCH",
        scale_path,
        "application/merge-patch+json",
        &json!({ "spec": { "replicas": 5 } }),
    );
    assert_eq!(scaled.json()["spec"]["replicas"], 5);
    assert_eq!(
        server
            .get("apps/v1", "Deployment", Some("shop"), "api")
            .unwrap()["spec"]["replicas"],
        5
    );
}

#[test]
fn dry_run_writes_answer_but_change_nothing() {
    let server = KubeServer::start();
    let reply = send(
        &server.url(),
        "POST",
        "/api/v1/namespaces/shop/pods?dryRun=All",
        JSON,
        &pod("shop", "p", json!({}), "n1", "Pending"),
    );
    assert_eq!(reply.status, 201);
    assert!(server.get("v1", "Pod", Some("shop"), "p").is_none());
    server.apply(pod("shop", "p", json!({}), "n1", "Pending"));
    let path = "/api/v1/namespaces/shop/pods/p";
    let deleted = request(
        &server.url(),
        "DELETE",
        path,
        &[("Content-Type", JSON)],
        r#"{"dryRun":["All"]}"#,
    );
    assert_eq!(deleted.status, 200);
    assert!(server.get("v1", "Pod", Some("shop"), "p").is_some());
}

#[test]
fn delete_with_finalizers_waits_until_they_are_removed() {
    let server = KubeServer::start();
    server.apply(json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": "old", "finalizers": ["example.com/cleanup"] } }));
    let deleting = request(&server.url(), "DELETE", "/api/v1/namespaces/old", &[], "");
    assert_eq!(deleting.status, 202);
    let ns = server
        .get("v1", "Namespace", None, "old")
        .expect("still there");
    assert!(ns["metadata"]["deletionTimestamp"].is_string());
    let release = json!({ "metadata": { "finalizers": null } });
    let reply = send(
        &server.url(),
        "PATCH",
        "/api/v1/namespaces/old",
        "application/merge-patch+json",
        &release,
    );
    assert_eq!(reply.status, 200);
    assert!(server.get("v1", "Namespace", None, "old").is_none());
}
