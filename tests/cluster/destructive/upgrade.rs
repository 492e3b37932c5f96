//! k8s.upgrade: the checklist (one minor step, a recent etcd snapshot, no blocking
//! PodDisruptionBudget) and the run: the control plane through kubeadm, then each worker
//! cordoned, drained through the Eviction API, upgraded and uncordoned.

use chrono::Utc;
use opsbot_tests::bot::{Bot, Run};
use opsbot_tests::fixtures::platform::pod;
use opsbot_tests::kube::KubeServer;
use opsbot_tests::kubelet::Kubelet;
use serde_json::json;

use super::{Platform, approval_id, asked_for_approval, bot, shell};

/// An etcd snapshot of `cluster` taken `hours_ago`, where the bot keeps them.
fn snapshot(bot: &Bot, cluster: &str, hours_ago: i64) {
    let dir = bot.backups(cluster);
    std::fs::create_dir_all(&dir).expect("backup dir");
    let taken = Utc::now() - chrono::Duration::hours(hours_ago);
    let name = format!("etcd-snapshot-{}.db", taken.format("%Y%m%d-%H%M%S"));
    std::fs::write(dir.join(name), b"snapshot").expect("snapshot");
}

/// A budget over `app=LABEL` pods in `app` allowing `allowed` disruptions.
fn budget(server: &KubeServer, name: &str, label: &str, allowed: i64) {
    server.apply(json!({
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": { "name": name, "namespace": "app" },
        "spec": { "minAvailable": 1, "selector": { "matchLabels": { "app": label } } },
        "status": { "disruptionsAllowed": allowed, "currentHealthy": 2, "desiredHealthy": 1,
                    "expectedPods": 2, "observedGeneration": 1 }
    }));
}

/// Makes the cilium pods DaemonSet pods, as they are on a real cluster.
fn cilium_is_a_daemonset(server: &KubeServer) {
    for mut p in server.list("v1", "Pod", Some("kube-system")) {
        if p["metadata"]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("cilium-w") || n.starts_with("cilium-cp"))
        {
            p["metadata"]["ownerReferences"] = json!([{ "apiVersion": "apps/v1", "kind": "DaemonSet",
                "name": "cilium", "uid": "ds-uid", "controller": true }]);
            server.apply(p);
        }
    }
}

fn ask(bot: &Bot, line: &str) -> Run {
    shell(
        bot,
        "bob",
        &format!("{line} --reason \"quarterly upgrade\""),
    )
}

fn assert_gate_failed(run: &Run, says: &str) {
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains(says), "{says}:\n{}", run.stdout);
    assert!(
        run.stdout.contains("nobody was asked to approve"),
        "{}",
        run.stdout
    );
    assert!(!asked_for_approval(run), "{}", run.stdout);
}

#[test]
fn upgrading_two_minor_versions_at_once_is_refused_by_the_checklist() {
    let p = Platform::start();
    let bot = bot(&p);
    snapshot(&bot, "app1", 1);
    let run = ask(&bot, "upgrade k8s 1.36.0 -c app1");
    assert_gate_failed(
        &run,
        "From 1.34.2 the next step is 1.35: minor versions are upgraded one at a time, so 1.36.0 is refused.",
    );
    let downgrade = ask(&bot, "upgrade k8s 1.33.5 -c app1");
    assert_gate_failed(&downgrade, "Downgrades are refused");
}

#[test]
fn an_upgrade_without_a_recent_etcd_snapshot_is_refused() {
    let p = Platform::start();
    let bot = bot(&p);
    let none = ask(&bot, "upgrade k8s 1.35.1 -c app1");
    assert_gate_failed(&none, "There is no etcd snapshot of app1");
    snapshot(&bot, "app1", 30);
    let old = ask(&bot, "upgrade k8s 1.35.1 -c app1");
    assert_gate_failed(&old, "The newest etcd snapshot of app1");
    assert!(old.stdout.contains("take one first"), "{}", old.stdout);
}

#[test]
fn a_budget_that_would_block_a_drain_is_named_by_the_checklist() {
    let p = Platform::start();
    p.app1.apply(pod("app", "web-1", "app1-w1", true));
    budget(&p.app1, "web-pdb", "web", 0);
    let bot = bot(&p);
    snapshot(&bot, "app1", 2);
    let run = ask(&bot, "upgrade k8s 1.35.1 -c app1");
    assert_gate_failed(&run, "would block draining: app/web-pdb (app1-w1)");
}

/// The Unschedulable flag of a node.
fn cordoned(server: &KubeServer, node: &str) -> bool {
    server
        .get("v1", "Node", None, node)
        .is_some_and(|n| n["spec"]["unschedulable"] == true)
}

#[test]
fn a_full_upgrade_runs_kubeadm_then_drains_and_uncordons_each_worker() {
    let p = Platform::start();
    cilium_is_a_daemonset(&p.app1);
    p.app1.apply(pod("app", "web-1", "app1-w1", true));
    p.app1.apply(pod("app", "api-1", "app1-w2", true));
    budget(&p.app1, "web-pdb", "web", 1);
    let bot = bot(&p);
    snapshot(&bot, "app1", 3);
    let asked = ask(&bot, "upgrade k8s 1.35.1 -c app1");
    assert!(
        asked.stdout.contains("waits for approval"),
        "{}",
        asked.all()
    );
    let id = approval_id(&asked);
    let kubelet = Kubelet::new();
    let run = kubelet.serve(&p.app1, || shell(&bot, "alice", &format!("approve {id}")));
    assert_eq!(run.code, 0, "{}", run.all());
    let ran: Vec<(String, String)> = kubelet
        .seen()
        .into_iter()
        .map(|s| (s.node, s.argv.join(" ")))
        .collect();
    let expected = [
        ("app1-cp", "kubeadm upgrade plan"),
        ("app1-cp", "kubeadm upgrade apply -y v1.35.1"),
        ("app1-cp", "systemctl restart kubelet"),
        ("app1-w1", "kubeadm upgrade node"),
        ("app1-w1", "systemctl restart kubelet"),
        ("app1-w2", "kubeadm upgrade node"),
        ("app1-w2", "systemctl restart kubelet"),
    ]
    .map(|(n, c)| (n.to_string(), c.to_string()));
    assert_eq!(ran, expected);
    for gone in ["web-1", "api-1"] {
        assert!(
            p.app1.get("v1", "Pod", Some("app"), gone).is_none(),
            "{gone} evicted"
        );
    }
    let evictions: Vec<String> = p
        .app1
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/eviction"))
        .map(|r| r.path)
        .collect();
    assert!(
        evictions
            .iter()
            .any(|e| e.ends_with("/namespaces/app/pods/web-1/eviction")),
        "{evictions:?}"
    );
    assert!(
        evictions.iter().all(|e| !e.contains("/pods/cilium-")),
        "DaemonSet pods stay: {evictions:?}"
    );
    assert!(
        p.app1
            .get("v1", "Pod", Some("kube-system"), "cilium-w1")
            .is_some()
    );
    assert!(!cordoned(&p.app1, "app1-w1") && !cordoned(&p.app1, "app1-w2"));
    assert!(
        run.stdout.contains("Evicted app/web-1 from app1-w1."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Worker app1-w2 upgraded and uncordoned (2 of 2)."),
        "{}",
        run.stdout
    );
}

#[test]
fn a_second_control_plane_follows_the_first_with_upgrade_node() {
    let p = Platform::start();
    cilium_is_a_daemonset(&p.app1);
    p.app1.apply(opsbot_tests::fixtures::platform::node(
        "app1-cp2", true, true,
    ));
    let bot = bot(&p);
    snapshot(&bot, "app1", 3);
    let id = approval_id(&ask(&bot, "upgrade k8s 1.35.1 -c app1"));
    let kubelet = Kubelet::new();
    let run = kubelet.serve(&p.app1, || shell(&bot, "alice", &format!("approve {id}")));
    assert_eq!(run.code, 0, "{}", run.all());
    let control_planes: Vec<(String, String)> = kubelet
        .seen()
        .into_iter()
        .filter(|s| s.node.starts_with("app1-cp"))
        .map(|s| (s.node, s.argv.join(" ")))
        .collect();
    let expected = [
        ("app1-cp", "kubeadm upgrade plan"),
        ("app1-cp", "kubeadm upgrade apply -y v1.35.1"),
        ("app1-cp", "systemctl restart kubelet"),
        ("app1-cp2", "kubeadm upgrade node"),
        ("app1-cp2", "systemctl restart kubelet"),
    ]
    .map(|(n, c)| (n.to_string(), c.to_string()));
    assert_eq!(control_planes, expected);
    assert!(
        run.stdout
            .contains("Control plane app1-cp2 upgraded to 1.35.1."),
        "{}",
        run.stdout
    );
}

#[test]
fn a_drain_blocked_by_a_budget_stops_naming_it_and_leaves_the_node_cordoned() {
    let p = Platform::start();
    cilium_is_a_daemonset(&p.app1);
    // One disruption allowed: the checklist passes, the second web pod's eviction is blocked.
    p.app1.apply(pod("app", "web-1", "app1-w1", true));
    p.app1.apply(pod("app", "web-2", "app1-w1", true));
    budget(&p.app1, "web-pdb", "web", 1);
    let bot = bot(&p);
    snapshot(&bot, "app1", 3);
    let id = approval_id(&ask(&bot, "upgrade k8s 1.35.1 -c app1 --drain-timeout 3s"));
    let kubelet = Kubelet::new();
    let run = kubelet.serve(&p.app1, || shell(&bot, "alice", &format!("approve {id}")));
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("Waiting for PDB web-pdb: it blocks evicting app/web-2."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "PodDisruptionBudget web-pdb still blocked evicting app/web-2 from app1-w1 after 3s"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("The upgrade stopped on app1-w1 at drain; app1-w1 stays cordoned."),
        "{}",
        run.stdout
    );
    assert!(cordoned(&p.app1, "app1-w1"));
    assert!(
        !cordoned(&p.app1, "app1-w2"),
        "the next worker is untouched"
    );
    assert!(p.app1.get("v1", "Pod", Some("app"), "web-2").is_some());
    assert!(
        kubelet.seen().iter().all(|s| s.node == "app1-cp"),
        "no worker was upgraded: {:?}",
        kubelet.seen()
    );
}
