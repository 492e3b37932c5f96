//! The node runner against the Kubernetes test server, with a thread playing the Job
//! controller and the kubelet (the server runs no controllers).

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use opsbot_tests::kube::{KubeServer, kubeconfig};
use serde_json::{Value, json};

use super::Recorded;
use crate::k8s::Clusters;
use crate::runner::Exit;
use crate::runner::node::{self, NodeCommand};
use crate::{ClusterSettings, Message, MessageArg, NodeRunnerSettings, OpError, Settings};

const NAMESPACE: &str = "kube-system";

/// A cluster `app1` with one node, `app1-w1`.
pub(super) struct Cluster {
    pub server: Arc<KubeServer>,
    pub settings: Settings,
    _dir: tempfile::TempDir,
}

impl Cluster {
    pub fn start() -> Cluster {
        let server = Arc::new(KubeServer::start());
        server.apply(json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": { "name": "app1-w1", "labels": { "kubernetes.io/hostname": "app1-w1" } }
        }));
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("kubeconfig");
        std::fs::write(&path, kubeconfig(&[("app1", &server)])).expect("kubeconfig");
        let mut settings = Settings::default();
        settings.clusters.insert(
            "app1".into(),
            ClusterSettings {
                context: Some("app1".into()),
                kubeconfig: Some(path),
                ..ClusterSettings::default()
            },
        );
        Cluster {
            server,
            settings,
            _dir: dir,
        }
    }

    pub async fn client(&self) -> kube::Client {
        Clusters::default()
            .client(&self.settings, "app1")
            .await
            .expect("client")
    }

    fn jobs(&self) -> Vec<Value> {
        self.server.list("batch/v1", "Job", Some(NAMESPACE))
    }

    /// The Job the runner created, as it sent it.
    fn created_job(&self) -> Value {
        self.server
            .requests()
            .into_iter()
            .find(|r| r.method == "POST" && r.path.ends_with("/jobs"))
            .and_then(|r| r.json())
            .expect("a Job was created")
    }

    /// Whether the runner deleted its Job, in the background.
    fn job_deleted_in_background(&self) -> bool {
        self.server.requests().into_iter().any(|r| {
            r.method == "DELETE"
                && r.path.contains("/jobs/opsbot-run-")
                && (r.param("propagationPolicy").as_deref() == Some("Background")
                    || r.json()
                        .is_some_and(|b| b["propagationPolicy"] == "Background"))
        }) && self.jobs().is_empty()
    }
}

/// What the pretend kubelet does with the run's pod.
pub(super) enum Kubelet {
    /// The pod never starts: its container waits with this reason.
    Pending(&'static str),
    /// The container runs, writes `lines` to its log (waiting after the first one until the
    /// runner has reported it), then exits with `exit`, or runs on for ever with `None`.
    Runs {
        lines: &'static [&'static str],
        exit: Option<i32>,
    },
}

impl Kubelet {
    /// Plays it on a thread; the thread returns once its script is done.
    pub fn play(self, server: Arc<KubeServer>, progress: Recorded) -> JoinHandle<()> {
        std::thread::spawn(move || {
            let job = wait_for(|| server.list("batch/v1", "Job", Some(NAMESPACE)).pop());
            let pod_name = format!("{}-x7k2p", job["metadata"]["name"].as_str().unwrap_or(""));
            let mut pod = pod_of(&job, &pod_name);
            match self {
                Kubelet::Pending(reason) => {
                    pod["status"] = status("Pending", json!({ "waiting": { "reason": reason } }));
                    server.apply(pod);
                }
                Kubelet::Runs { lines, exit } => {
                    pod["status"] = status("Running", json!({ "running": {} }));
                    server.apply(pod.clone());
                    for (i, line) in lines.iter().enumerate() {
                        server.append_log(NAMESPACE, &pod_name, "run", &format!("{line}\n"));
                        if i == 0 {
                            // Proves streaming: the rest waits until the first line is shown.
                            wait_for(|| progress.lines().contains(&line.to_string()).then_some(()));
                        }
                    }
                    if let Some(code) = exit {
                        let (phase, reason) = match code {
                            0 => ("Succeeded", "Completed"),
                            _ => ("Failed", "Error"),
                        };
                        let terminated = json!({ "exitCode": code, "reason": reason });
                        pod["status"] = status(phase, json!({ "terminated": terminated }));
                        server.apply(pod);
                    }
                }
            }
        })
    }
}

/// The Job controller's part: a pod from the Job's template.
fn pod_of(job: &Value, name: &str) -> Value {
    let template = &job["spec"]["template"];
    let mut labels = template["metadata"]["labels"].clone();
    labels["job-name"] = job["metadata"]["name"].clone();
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": { "name": name, "namespace": NAMESPACE, "labels": labels },
        "spec": template["spec"],
    })
}

fn status(phase: &str, state: Value) -> Value {
    json!({
        "phase": phase,
        "containerStatuses": [{
            "name": "run", "image": "busybox", "imageID": "", "ready": phase == "Running",
            "restartCount": 0, "state": state
        }]
    })
}

fn wait_for<T>(mut found: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(found) = found() {
            return found;
        }
        assert!(Instant::now() < deadline, "the kubelet waited in vain");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn command(argv: &[&str], timeout: u64) -> NodeCommand {
    NodeCommand {
        timeout: Some(Duration::from_secs(timeout)),
        ..NodeCommand::new("app1", "app1-w1", argv.iter().copied())
    }
}

async fn run(cluster: &Cluster, call: &NodeCommand, progress: &Recorded) -> Result<Exit, OpError> {
    let settings = NodeRunnerSettings::default();
    node::run(cluster.client().await, &settings, call, progress).await
}

fn failure(result: Result<Exit, OpError>) -> Message {
    match result {
        Err(OpError::Failed(message)) => message,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn text(message: &Message, name: &str) -> String {
    message
        .get(name)
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_job_is_pinned_privileged_and_chroots_into_the_host() {
    let cluster = Cluster::start();
    let progress = Recorded::default();
    let kubelet = Kubelet::Runs {
        lines: &["pruned"],
        exit: Some(0),
    }
    .play(cluster.server.clone(), progress.clone());
    let call = command(&["crictl", "rmi", "--prune"], 30);
    let exit = run(&cluster, &call, &progress).await.expect("runs");
    kubelet.join().expect("kubelet");
    assert_eq!(exit.code, 0);

    let job = cluster.created_job();
    let labels = &job["metadata"]["labels"];
    assert_eq!(labels["app.kubernetes.io/managed-by"], "opsbot");
    assert!(
        labels["opsbot.io/run"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    let spec = &job["spec"];
    assert_eq!(spec["backoffLimit"], 0);
    assert_eq!(spec["ttlSecondsAfterFinished"], 300);
    assert_eq!(spec["activeDeadlineSeconds"], 30);
    let pod = &spec["template"]["spec"];
    assert_eq!(
        spec["template"]["metadata"]["labels"]["opsbot.io/run"],
        labels["opsbot.io/run"]
    );
    assert_eq!(pod["nodeName"], "app1-w1");
    assert_eq!(pod["hostPID"], true);
    assert_eq!(pod["hostNetwork"], true);
    assert_eq!(pod["restartPolicy"], "Never");
    assert_eq!(pod["tolerations"], json!([{ "operator": "Exists" }]));
    let container = &pod["containers"][0];
    assert_eq!(container["image"], "docker.io/library/busybox:1.36");
    assert_eq!(container["securityContext"]["privileged"], true);
    assert_eq!(
        container["command"],
        json!(["chroot", "/host", "crictl", "rmi", "--prune"])
    );
    assert_eq!(container["volumeMounts"][0]["mountPath"], "/host");
    assert_eq!(pod["volumes"][0]["hostPath"]["path"], "/");
    assert!(cluster.job_deleted_in_background(), "the Job is deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn log_lines_stream_as_progress_and_the_exit_code_is_read() {
    let cluster = Cluster::start();
    let progress = Recorded::default();
    let lines = &[
        "Deleted: sha256:aa",
        "Deleted: sha256:bb",
        "Total: 2 images",
    ];
    let kubelet = Kubelet::Runs {
        lines,
        exit: Some(0),
    }
    .play(cluster.server.clone(), progress.clone());
    let exit = run(
        &cluster,
        &command(&["crictl", "rmi", "--prune"], 30),
        &progress,
    )
    .await
    .expect("runs");
    kubelet.join().expect("kubelet");
    assert_eq!(progress.lines(), lines);
    let tail: Vec<&str> = exit.tail.lines().map(|l| l.text.as_str()).collect();
    assert_eq!(tail, lines);
    let seen = progress.seen();
    assert!(
        seen[0].starts_with("runner-node-created(job=opsbot-run-"),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|m| m.starts_with("runner-node-running(")),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_command_names_node_code_and_last_line_and_its_job_is_deleted() {
    let cluster = Cluster::start();
    let progress = Recorded::default();
    let kubelet = Kubelet::Runs {
        lines: &["vacuuming", "E: no space left on device"],
        exit: Some(2),
    }
    .play(cluster.server.clone(), progress.clone());
    let call = command(&["journalctl", "--vacuum-time=3d"], 30);
    let message = failure(run(&cluster, &call, &progress).await);
    kubelet.join().expect("kubelet");
    assert_eq!(message.id, "runner-node-exit");
    assert_eq!(text(&message, "node"), "app1-w1");
    assert_eq!(text(&message, "command"), "journalctl --vacuum-time=3d");
    assert_eq!(message.get("code"), Some(&MessageArg::Number(2.0)));
    assert_eq!(text(&message, "last"), "E: no space left on device");
    assert!(cluster.job_deleted_in_background(), "the Job is deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_that_outlives_its_timeout_is_stopped_and_its_job_deleted() {
    let cluster = Cluster::start();
    let progress = Recorded::default();
    let kubelet = Kubelet::Runs {
        lines: &["upgrading"],
        exit: None,
    }
    .play(cluster.server.clone(), progress.clone());
    let result = run(
        &cluster,
        &command(&["kubeadm", "upgrade", "node"], 3),
        &progress,
    )
    .await;
    kubelet.join().expect("kubelet");
    assert!(
        matches!(&result, Err(OpError::Timeout { what, .. })
            if what == "`kubeadm upgrade node` on node app1-w1"),
        "{result:?}"
    );
    assert!(cluster.job_deleted_in_background(), "the Job is deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pod_pending_too_long_times_out_naming_the_node() {
    let cluster = Cluster::start();
    let progress = Recorded::default();
    let kubelet =
        Kubelet::Pending("ImagePullBackOff").play(cluster.server.clone(), progress.clone());
    let result = run(&cluster, &command(&["df", "-h"], 2), &progress).await;
    kubelet.join().expect("kubelet");
    match &result {
        Err(OpError::Timeout { what, .. }) => {
            assert!(what.contains("on node app1-w1"), "{what}");
            assert!(what.contains("ImagePullBackOff"), "{what}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        progress
            .seen()
            .contains(&"runner-node-waiting(node=app1-w1, reason=ImagePullBackOff)".to_string()),
        "{:?}",
        progress.seen()
    );
    assert!(cluster.job_deleted_in_background(), "the Job is deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_run_still_deletes_its_job() {
    let cluster = Cluster::start();
    let progress = Recorded::default();
    let kubelet = Kubelet::Runs {
        lines: &["working"],
        exit: None,
    }
    .play(cluster.server.clone(), progress.clone());
    let call = command(&["sleep", "600"], 60);
    tokio::select! {
        result = run(&cluster, &call, &progress) => panic!("it ended: {result:?}"),
        () = async {
            while progress.lines().is_empty() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        } => {}
    }
    kubelet.join().expect("kubelet");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cluster.job_deleted_in_background() {
        assert!(Instant::now() < deadline, "the Job outlived its run");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_node_is_refused_before_anything_is_created() {
    let cluster = Cluster::start();
    let call = NodeCommand::new("app1", "app1-w9", ["df", "-h"]);
    let message = failure(run(&cluster, &call, &Recorded::default()).await);
    assert_eq!(message.id, "runner-node-unknown");
    assert_eq!(text(&message, "node"), "app1-w9");
    assert_eq!(text(&message, "cluster"), "app1");
    let writes: Vec<String> = cluster
        .server
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}
