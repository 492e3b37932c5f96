//! Issue 11, point 3 (autocomplete): suggestions are judged by the policy for the member
//! typing, looked up once per few seconds, and audited as reads.

use opsbot_tests::discord::sign;
use opsbot_tests::fixtures::platform;
use opsbot_tests::kube::{KubeServer, kubeconfig};
use serde_json::json;

use super::pinned::audit_rows;
use super::*;

/// discord:300 may read events in namespace team-a of mgmt only; discord:200 anything.
const POLICY: &str = r#"
[roles.reader]
operations = ["events", "velero.*"]
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "reader"
subjects = ["discord:300"]
clusters = ["mgmt"]
namespaces = ["team-a"]

[[bindings]]
role = "admin"
subjects = ["discord:200"]
"#;

fn kube_rig() -> (KubeServer, Rig) {
    let mgmt = KubeServer::start();
    platform::healthy_cluster(&mgmt, "mgmt", &[]);
    for ns in ["team-a", "team-b"] {
        mgmt.apply(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": { "name": ns }, "status": { "phase": "Active" }
        }));
    }
    let rig = rig_with("en", |b| {
        b.policy(POLICY)
            .kubeconfig(kubeconfig(&[("mgmt", &mgmt)]))
            .kube("mgmt", "mgmt")
            .kube("app1", "mgmt")
    });
    (mgmt, rig)
}

fn choices(rig: &Rig, user: &str, name: &str, options: Value) -> Vec<String> {
    let reply = rig.post(&sign::autocomplete_body(user, "850", name, options));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let json = reply.json();
    assert_eq!(json["type"], 8, "{json}");
    json["data"]["choices"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["value"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn cluster_focused() -> Value {
    json!([{"name": "events", "type": 1, "options": [
        {"name": "cluster", "type": 3, "value": "", "focused": true}
    ]}])
}

fn namespace_focused(prefix: &str) -> Value {
    json!([{"name": "events", "type": 1, "options": [
        {"name": "cluster", "type": 3, "value": "mgmt"},
        {"name": "namespace", "type": 3, "value": prefix, "focused": true}
    ]}])
}

/// `GET /api/v1/namespaces`: the LIST a namespace suggestion costs.
fn namespace_lists(mgmt: &KubeServer) -> usize {
    mgmt.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.trim_end_matches('/') == "/api/v1/namespaces")
        .count()
}

fn reads(rig: &Rig, subject: &str) -> usize {
    audit_rows(&rig.bot)
        .iter()
        .filter(|(kind, who, _)| kind == "read" && who == subject)
        .count()
}

/// Closes "autocomplete lists every cluster to any member": on the old code a member no rule
/// names got every cluster and namespace, and each keystroke LISTed namespaces of the cluster.
#[test]
fn a_stranger_gets_no_choices_and_the_cluster_sees_no_list() {
    let (mgmt, rig) = kube_rig();
    mgmt.clear_requests();
    assert!(choices(&rig, "999", "ops", cluster_focused()).is_empty());
    assert!(choices(&rig, "999", "ops", namespace_focused("")).is_empty());
    let line =
        json!([{"name": "command", "type": 3, "value": "events -c mgmt -n ", "focused": true}]);
    assert!(choices(&rig, "999", "ops-line", line).is_empty());
    let backups = json!([{"name": "velero", "type": 2, "options": [
        {"name": "restore", "type": 1, "options": [
            {"name": "cluster", "type": 3, "value": "mgmt"},
            {"name": "backup", "type": 3, "value": "", "focused": true}
        ]}
    ]}]);
    assert!(choices(&rig, "999", "ops", backups).is_empty());
    assert_eq!(namespace_lists(&mgmt), 0, "{:#?}", mgmt.requests());
    assert_eq!(reads(&rig, "discord:999"), 0);
}

/// Closes the same hole for a member with a narrow binding: only team-a is suggested, only
/// the bound cluster, and `all` is not offered.
#[test]
fn a_member_bound_to_team_a_sees_only_team_a_and_each_lookup_is_one_read() {
    let (mgmt, rig) = kube_rig();
    assert_eq!(choices(&rig, "300", "ops", cluster_focused()), ["mgmt"]);
    mgmt.clear_requests();
    assert_eq!(
        choices(&rig, "300", "ops", namespace_focused("")),
        ["team-a"]
    );
    assert!(choices(&rig, "300", "ops", namespace_focused("kube")).is_empty());
    // The second keystroke came from the cache: one LIST, one read record.
    assert_eq!(namespace_lists(&mgmt), 1, "{:#?}", mgmt.requests());
    let recorded = rig
        .discord
        .wait_until(Duration::from_secs(5), |_| reads(&rig, "discord:300") >= 1);
    assert!(recorded);
    assert_eq!(reads(&rig, "discord:300"), 1);
    let row = audit_rows(&rig.bot)
        .into_iter()
        .find(|(kind, _, _)| kind == "read")
        .expect("a read record");
    assert!(
        row.2.contains("namespaces") && row.2.contains("mgmt"),
        "{}",
        row.2
    );

    // An admin still sees every namespace, from the same cached lookup.
    let all = choices(&rig, "200", "ops", namespace_focused("team"));
    assert_eq!(all, ["team-a", "team-b"]);
    assert_eq!(namespace_lists(&mgmt), 1);
}
