//! Issue 5's destructive and node operations through the real binary: pod.delete, limits.set,
//! velero.restore, node.kubelet / node.disk / node.prune and k8s.upgrade. Destructive ones go
//! through the approval flow (bob asks, alice approves in a second shell); node work is done
//! by the test kubelet, which runs the node runner's Jobs.

mod nodes;
mod upgrade;

use opsbot_tests::bot::approval_id;
use std::time::Duration;

use opsbot_tests::bot::{Bot, Run};
use opsbot_tests::fixtures::platform::pod;
use opsbot_tests::fixtures::velero;
use opsbot_tests::kube::{KubeServer, kubeconfig};
use serde_json::json;

use super::{Platform, bin};

/// bob and alice are admins; destructive operations need one approver; pod.delete is denied
/// on mgmt.
const POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["shell:bob", "shell:alice"]

[[deny]]
subjects = ["*"]
operations = ["pod.delete"]
clusters = ["mgmt"]

[[approvals]]
operations = ["pod.delete", "velero.restore", "k8s.upgrade", "etcd.restore"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#;

/// A bot over the three clusters with [`POLICY`].
fn bot(p: &Platform) -> Bot {
    Bot::builder(bin())
        .kubeconfig(kubeconfig(&[
            ("mgmt", &p.mgmt),
            ("app1", &p.app1),
            ("app2", &p.app2),
        ]))
        .kube("mgmt", "mgmt")
        .kube("app1", "app1")
        .kube("app2", "app2")
        .policy(POLICY)
        .build()
}

fn shell(bot: &Bot, who: &str, line: &str) -> Run {
    bot.shell(who, &format!("{line}\n"))
}

/// Whether a card with an "approve ID" line was shown.
fn asked_for_approval(run: &Run) -> bool {
    run.stdout.lines().any(|l| l.trim().starts_with("approve "))
}

/// bob asks for `line`; alice approves; alice's run is returned.
fn approved(bot: &Bot, line: &str) -> Run {
    let asked = shell(bot, "bob", &format!("{line} --reason \"incident 42\""));
    assert!(
        asked.stdout.contains("waits for approval"),
        "{}",
        asked.all()
    );
    let id = approval_id(&asked);
    shell(bot, "alice", &format!("approve {id}"))
}

// ---------------------------------------------------------------------------------------------
// pod.delete

/// The DELETE the bot sent for `pod`: its gracePeriodSeconds, in the body or the query.
fn grace_period(server: &KubeServer, pod: &str) -> Option<i64> {
    let delete = server
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE" && r.path.ends_with(&format!("/pods/{pod}")))
        .unwrap_or_else(|| panic!("no DELETE of {pod}"));
    delete
        .json()
        .and_then(|b| b["gracePeriodSeconds"].as_i64())
        .or_else(|| {
            delete
                .param("gracePeriodSeconds")
                .and_then(|v| v.parse().ok())
        })
}

#[test]
fn pod_delete_force_is_approved_then_deletes_with_grace_period_zero() {
    let p = Platform::start();
    p.app1.apply(pod("app", "web-7d9f-abcde", "app1-w1", true));
    let bot = bot(&p);
    let run = approved(&bot, "pod delete web-7d9f-abcde -n app -c app1 --force");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains(
            "Force-deleted pod web-7d9f-abcde in app on app1 with grace period 0 (it was Running on node app1-w1)."
        ),
        "{}",
        run.stdout
    );
    assert!(
        p.app1
            .get("v1", "Pod", Some("app"), "web-7d9f-abcde")
            .is_none()
    );
    assert_eq!(grace_period(&p.app1, "web-7d9f-abcde"), Some(0));
}

#[test]
fn pod_delete_without_force_keeps_the_pods_grace_period() {
    let p = Platform::start();
    p.app1.apply(pod("app", "api-5c6d-fghij", "app1-w2", true));
    let bot = bot(&p);
    let run = approved(&bot, "pod delete api-5c6d-fghij -n app -c app1");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains(
            "Deleted pod api-5c6d-fghij in app on app1 (it was Running on node app1-w2)."
        ),
        "{}",
        run.stdout
    );
    assert_eq!(grace_period(&p.app1, "api-5c6d-fghij"), None);
}

#[test]
fn pod_delete_of_an_unknown_pod_is_one_sentence_and_deletes_nothing() {
    let p = Platform::start();
    let bot = bot(&p);
    let run = approved(&bot, "pod delete ghost-1 -n app -c app1 --force");
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("ghost-1"), "{}", run.stdout);
    assert!(p.app1.requests().iter().all(|r| r.method != "DELETE"));
}

#[test]
fn pod_delete_on_mgmt_is_denied_before_anyone_is_asked() {
    let p = Platform::start();
    p.mgmt.apply(pod("app", "web-1", "mgmt-w1", true));
    let run = shell(
        &bot(&p),
        "bob",
        "pod delete web-1 -n app -c mgmt --force --reason x",
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("may not run pod.delete on mgmt in namespace app: denied by"),
        "{}",
        run.stdout
    );
    assert!(!asked_for_approval(&run), "{}", run.stdout);
    assert!(p.mgmt.get("v1", "Pod", Some("app"), "web-1").is_some());
}

// ---------------------------------------------------------------------------------------------
// limits.set

#[test]
fn limits_patches_every_container_by_name_and_says_old_and_new() {
    let p = Platform::start();
    p.app1.apply(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": { "name": "api", "namespace": "app" },
        "spec": { "replicas": 2, "selector": { "matchLabels": { "app": "api" } },
                  "template": { "metadata": { "labels": { "app": "api" } }, "spec": { "containers": [
                      { "name": "api", "image": "registry.local/api:1.0",
                        "resources": { "limits": { "memory": "512Mi", "cpu": "250m" }, "requests": { "memory": "2Gi" } } },
                      { "name": "proxy", "image": "envoy:1.30", "env": [{ "name": "MODE", "value": "edge" }] }
                  ] } } }
    }));
    let run = shell(
        &bot(&p),
        "bob",
        "limits api -n app -c app1 --memory 1Gi --cpu 500m",
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let patch = p
        .app1
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH" && r.path.ends_with("/deployments/api"))
        .expect("a PATCH of the deployment");
    assert_eq!(
        patch.header("content-type"),
        Some("application/strategic-merge-patch+json")
    );
    let stored = p
        .app1
        .get("apps/v1", "Deployment", Some("app"), "api")
        .expect("deployment");
    let containers = &stored["spec"]["template"]["spec"]["containers"];
    assert_eq!(
        containers[0]["resources"]["limits"],
        json!({ "memory": "1Gi", "cpu": "500m" })
    );
    assert_eq!(containers[0]["resources"]["requests"]["memory"], "1Gi");
    assert_eq!(
        containers[1]["resources"]["limits"],
        json!({ "memory": "1Gi", "cpu": "500m" })
    );
    assert_eq!(
        containers[1]["env"][0]["value"], "edge",
        "the rest is left alone"
    );
    assert!(run.stdout.contains("512Mi → 1Gi"), "{}", run.stdout);
    assert!(run.stdout.contains("250m → 500m"), "{}", run.stdout);
    assert!(run.stdout.contains("All 2 containers"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("requested more memory (2Gi) than the new limit"),
        "{}",
        run.stdout
    );
}

#[test]
fn limits_of_an_unknown_deployment_is_one_sentence() {
    let p = Platform::start();
    let run = shell(&bot(&p), "bob", "limits nope -n app -c app1 --memory 1Gi");
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("There is no deployment nope in namespace app on app1."),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// velero.restore

#[test]
fn restore_of_a_backup_that_did_not_complete_stops_at_the_checklist() {
    let p = Platform::start();
    velero::installed(&p.mgmt);
    let run = shell(
        &bot(&p),
        "bob",
        "velero restore daily-backup-20261124020000 -c mgmt --reason r",
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("Backup daily-backup-20261124020000 is PartiallyFailed, not Completed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("nobody was asked to approve"),
        "{}",
        run.stdout
    );
    assert!(!asked_for_approval(&run), "{}", run.stdout);
    assert!(p.mgmt.list("velero.io/v1", "Restore", None).is_empty());
}

#[test]
fn restore_is_created_and_followed_to_completed() {
    let p = Platform::start();
    velero::installed(&p.mgmt);
    let bot = bot(&p);
    let asked = shell(
        &bot,
        "bob",
        "velero restore daily-backup-20261125020000 --namespaces app -c mgmt --reason r",
    );
    let id = approval_id(&asked);
    let run = std::thread::scope(|s| {
        s.spawn(|| {
            // Velero's server: take the restore through its phases.
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            let mut restore = loop {
                if let Some(r) = p.mgmt.list("velero.io/v1", "Restore", None).pop() {
                    break r;
                }
                assert!(std::time::Instant::now() < deadline, "no Restore created");
                std::thread::sleep(Duration::from_millis(50));
            };
            for (phase, done) in [("InProgress", 100), ("Completed", 412)] {
                std::thread::sleep(Duration::from_millis(1200));
                restore["status"] = json!({ "phase": phase, "warnings": 3, "errors": 0,
                    "progress": { "itemsRestored": done, "totalItems": 412 } });
                p.mgmt.apply(restore.clone());
            }
        });
        shell(&bot, "alice", &format!("approve {id}"))
    });
    assert_eq!(run.code, 0, "{}", run.all());
    let restore = p
        .mgmt
        .list("velero.io/v1", "Restore", None)
        .pop()
        .expect("restore");
    assert_eq!(restore["spec"]["backupName"], "daily-backup-20261125020000");
    assert_eq!(restore["spec"]["includedNamespaces"], json!(["app"]));
    assert!(run.stdout.contains("412 / 412"), "{}", run.stdout);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("Warnings:") && l.ends_with('3')),
        "{}",
        run.stdout
    );
}
