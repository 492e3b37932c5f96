//! Issue 5, etcd.restore through an API server outage: steps 2–6 run in one node pod whose
//! status and log the runner follows through the API server, and step 2 takes that API server
//! away. The test kubelet plays the pod: it prints the first steps, takes the test server
//! away while the bot follows the log, prints the rest while it is gone, brings it back and
//! ends the pod. The run must finish with every line, its result, and no Job left behind.

use std::time::{Duration, Instant};

use opsbot_tests::bot::Bot;
use opsbot_tests::etcd::EtcdServer;
use opsbot_tests::kube::{KubeServer, kubeconfig};
use opsbot_tests::kubelet::Kubelet;
use serde_json::{Value, json};

use super::bin;

const POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["shell:bob", "shell:alice"]

[[approvals]]
operations = ["etcd.restore"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#;

/// What the restore pod prints before the API server goes away, and while it is away.
const BEFORE: &str = "step 2: mv /etc/kubernetes/manifests/kube-apiserver.yaml /tmp/\n\
                      step 3: mv /var/lib/etcd /var/lib/etcd-backup-x\n";
const WHILE_AWAY: &str = "step 4: etcdctl snapshot restore snapshot.db\n\
                          restored snapshot to /var/lib/etcd\n\
                          step 5: chown -R etcd:etcd /var/lib/etcd\n\
                          step 6: mv /tmp/kube-apiserver.yaml /etc/kubernetes/manifests/\n";
/// How long the API server stays away: several of the runner's polls and a log follow cut.
const OUTAGE: Duration = Duration::from_secs(4);

#[test]
fn etcd_restore_finishes_with_its_whole_log_when_the_api_server_goes_away_mid_run() {
    restore_through_an_outage(|server, pod| {
        server.go_away();
        server.append_log("kube-system", pod, "run", WHILE_AWAY);
        std::thread::sleep(OUTAGE);
        server.come_back();
        // The kubelet ends the pod now, with the API server back.
    });
}

#[test]
fn etcd_restore_finishes_when_its_pod_ends_while_the_api_server_is_away() {
    restore_through_an_outage(|server, pod| {
        server.go_away();
        server.append_log("kube-system", pod, "run", WHILE_AWAY);
        // As on a real control plane: the script ends, then the API server it restarted
        // comes up.
        let mut ended = server
            .get("v1", "Pod", Some("kube-system"), pod)
            .expect("the restore pod");
        ended["status"]["phase"] = json!("Succeeded");
        ended["status"]["containerStatuses"][0]["ready"] = json!(false);
        ended["status"]["containerStatuses"][0]["state"] =
            json!({ "terminated": { "exitCode": 0, "reason": "Completed" } });
        server.apply(ended);
        std::thread::sleep(OUTAGE);
        server.come_back();
    });
}

/// Runs an approved restore; `outage` is what happens to the API server once the bot follows
/// the restore pod's log (the pod has printed [`BEFORE`]); then the test kubelet ends the pod
/// with exit 0 (if `outage` did not already).
fn restore_through_an_outage(outage: impl Fn(&KubeServer, &str) + Send + Sync + 'static) {
    let etcd = EtcdServer::start();
    let server = KubeServer::start();
    let bot = restore_bot(&etcd, &server);
    assert_eq!(bot.shell("bob", "etcd snapshot -c mgmt\n").code, 0);
    let name = only_snapshot(&bot);
    let asked = bot.shell(
        "bob",
        &format!("etcd restore {name} -c mgmt --reason drill\n"),
    );
    let id = approval_id(&asked);

    let kubelet = Kubelet::new();
    kubelet.on(&["etcdctl", "status"], "| HASH | REVISION |\n", 0);
    kubelet.on_with(&["etcd-restore"], BEFORE, 0, move |server| {
        let pod = restore_pod(server);
        wait_for_log_follow(server, &pod);
        outage(server, &pod);
    });
    let run = kubelet.serve(&server, || bot.shell("alice", &format!("approve {id}\n")));

    assert_eq!(run.code, 0, "{}", run.all());
    // Each line of the pod's log is progress of step 4/5 exactly once, in order (the script's
    // text and the final output block repeat them elsewhere in the transcript).
    let progress: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("[4/5]   "))
        .filter(|l| !l.starts_with("Created Job") && !l.starts_with("Pod "))
        .collect();
    let expected: Vec<&str> = BEFORE.lines().chain(WHILE_AWAY.lines()).collect();
    assert_eq!(progress, expected, "{}", run.all());
    assert!(run.stdout.contains("answers again"), "{}", run.stdout);
    assert!(
        server.list("batch/v1", "Job", None).is_empty(),
        "the node Jobs are deleted: {:#?}",
        server.list("batch/v1", "Job", None)
    );
    assert_eq!(kubelet.argvs().len(), 2, "{:?}", kubelet.argvs());
}

/// A bot whose `mgmt` has a live etcd and the test server, with one control-plane node.
pub(super) fn restore_bot(etcd: &EtcdServer, server: &KubeServer) -> Bot {
    server.apply(json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": { "name": "mgmt-cp", "labels": {
            "kubernetes.io/hostname": "mgmt-cp",
            "node-role.kubernetes.io/control-plane": ""
        } }
    }));
    Bot::builder(bin())
        .etcd("mgmt", etcd.endpoint())
        .kubeconfig(kubeconfig(&[("mgmt", server)]))
        .kube("mgmt", "mgmt")
        .policy(POLICY)
        .build()
}

pub(super) fn only_snapshot(bot: &Bot) -> String {
    let mut names: Vec<String> = std::fs::read_dir(bot.backups("mgmt"))
        .expect("backups")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    names.remove(0)
}

pub(super) use opsbot_tests::bot::approval_id;

/// The kubelet's pod for the restore script (the one whose command names `etcd-restore`).
fn restore_pod(server: &KubeServer) -> String {
    server
        .list("v1", "Pod", Some("kube-system"))
        .into_iter()
        .find(|p| {
            p["spec"]["containers"][0]["command"]
                .as_array()
                .is_some_and(|c| c.contains(&Value::from("etcd-restore")))
        })
        .and_then(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .expect("the restore pod")
}

/// Waits until the bot follows the pod's log, so the outage cuts a live stream.
fn wait_for_log_follow(server: &KubeServer, pod: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let log_path = format!("/api/v1/namespaces/kube-system/pods/{pod}/log");
    while !server
        .requests()
        .iter()
        .any(|r| r.path == log_path && r.param("follow").as_deref() == Some("true"))
    {
        assert!(
            Instant::now() < deadline,
            "the bot never followed {pod}'s log"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let the first lines reach the bot before the stream is cut.
    std::thread::sleep(Duration::from_millis(300));
}

// ---------------------------------------------------------------------------------------------
// the node runner alone: progress after an outage

/// Lines a node command prints after the API server came back reach the person as progress
/// while the command still runs, as the lines before the outage did: the runner follows the
/// log again once the outage cut its stream (commands/src/runner/node/follow.rs,
/// `stream_log`), rather than leaving steps 4–6 of a restore to the read that catches up.
#[test]
fn a_node_command_keeps_streaming_its_lines_after_the_api_server_came_back() {
    let server = KubeServer::start();
    server.apply(json!({
        "apiVersion": "v1", "kind": "Node", "metadata": { "name": "mgmt-cp" }
    }));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, kubeconfig(&[("mgmt", &server)])).expect("kubeconfig");
    let mut settings = commands::Settings::default();
    settings.clusters.insert(
        "mgmt".to_string(),
        commands::ClusterSettings {
            context: Some("mgmt".to_string()),
            kubeconfig: Some(path),
            etcd: None,
            timeout: None,
        },
    );
    let progress = std::sync::Arc::new(Lines::default());
    let seen_while_running = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

    let kubelet = Kubelet::new();
    let (lines, seen) = (progress.clone(), seen_while_running.clone());
    kubelet.on_with(&["restore"], "before\n", 0, move |server| {
        let pod = server
            .list("v1", "Pod", Some("kube-system"))
            .into_iter()
            .find_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
            .expect("the pod");
        wait_for_log_follow(server, &pod);
        server.go_away();
        std::thread::sleep(Duration::from_secs(2));
        server.come_back();
        server.append_log("kube-system", &pod, "run", "after the outage\n");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if lines.contains("after the outage") {
                seen.store(true, std::sync::atomic::Ordering::SeqCst);
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let exit = kubelet.serve(&server, || {
        runtime.block_on(async {
            let client = commands::k8s::Clusters::default()
                .client(&settings, "mgmt")
                .await
                .expect("a client");
            let call = commands::runner::NodeCommand::new("mgmt", "mgmt-cp", ["restore"]);
            commands::runner::node::run(client, &settings.runners.node, &call, progress.as_ref())
                .await
        })
    });
    assert!(exit.is_ok(), "{exit:?}");
    assert!(
        progress.contains("after the outage"),
        "delivered at the end"
    );
    assert!(
        seen_while_running.load(std::sync::atomic::Ordering::SeqCst),
        "the line after the outage reached progress while the command still ran"
    );
}

/// Progress as text.
#[derive(Default)]
struct Lines(std::sync::Mutex<Vec<String>>);

impl Lines {
    fn contains(&self, text: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|l| l.contains(text))
    }
}

impl commands::Progress for Lines {
    fn report(&self, message: commands::Message) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(message.to_string());
    }
}
