//! A kubelet (and Job controller) for the Kubernetes test server, which runs no controllers:
//! a scoped background thread that finds the Jobs opsbot's node runner creates
//! (`app.kubernetes.io/managed-by=opsbot`), makes each one's pod on the Job's `nodeName`, marks
//! it Running, writes its log, and ends it with an exit code, by rules the test registers.
//! It records the argument vector each Job ran (after `chroot /host`), and plays the garbage
//! collector too: the pod of a deleted Job goes.
//!
//! ```no_run
//! # use opsbot_tests::{kube::KubeServer, kubelet::Kubelet};
//! # let server = KubeServer::start();
//! let kubelet = Kubelet::new();
//! kubelet.on(&["df", "-h"], "/dev/sda1 39G 36G 2.9G 93% /\n", 0);
//! let out = kubelet.serve(&server, || "run the bot here");
//! assert_eq!(kubelet.argvs(), [vec!["df", "-h"]]);
//! ```

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};

use crate::kube::KubeServer;

const POLL: Duration = Duration::from_millis(50);

/// Something a rule does to the cluster while its command runs.
type Effect = Box<dyn Fn(&KubeServer) + Send + Sync>;

/// A rule that runs the command for real (the test decides how): output and exit code.
type Exec = Box<dyn Fn(&[String]) -> (String, i32) + Send + Sync>;

/// What a Job whose argv matches does.
struct Rule {
    contains: Vec<String>,
    stdout: String,
    exit: i32,
    effect: Option<Effect>,
    exec: Option<Exec>,
}

/// One command a node ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub namespace: String,
    pub job: String,
    pub node: String,
    /// The command after `chroot /host`.
    pub argv: Vec<String>,
}

#[derive(Default)]
pub struct Kubelet {
    rules: Mutex<Vec<Rule>>,
    seen: Mutex<Vec<Seen>>,
    handled: Mutex<BTreeSet<(String, String)>>,
    stop: AtomicBool,
}

impl Kubelet {
    pub fn new() -> Kubelet {
        Kubelet::default()
    }

    /// A Job whose argv contains every word of `argv_contains` (as whole words) prints
    /// `stdout` and exits with `exit`. Rules are tried in the order registered; a Job no rule
    /// matches exits 0 without output.
    pub fn on(&self, argv_contains: &[&str], stdout: &str, exit: i32) -> &Self {
        self.push(argv_contains, stdout, exit, None)
    }

    /// Like [`on`](Self::on), and `effect` runs on the server before the container ends (a
    /// restarted kubelet marking its node Ready, a restore writing files…).
    pub fn on_with(
        &self,
        argv_contains: &[&str],
        stdout: &str,
        exit: i32,
        effect: impl Fn(&KubeServer) + Send + Sync + 'static,
    ) -> &Self {
        self.push(argv_contains, stdout, exit, Some(Box::new(effect)))
    }

    /// A Job whose argv contains `argv_contains` is run by `exec`, given the argv after
    /// `chroot /host`; its output is the pod's log and its result the exit code (a node
    /// script run against a node laid out in a temporary directory, say).
    pub fn on_exec(
        &self,
        argv_contains: &[&str],
        exec: impl Fn(&[String]) -> (String, i32) + Send + Sync + 'static,
    ) -> &Self {
        self.push(argv_contains, "", 0, None);
        if let Some(rule) = lock(&self.rules).last_mut() {
            rule.exec = Some(Box::new(exec));
        }
        self
    }

    fn push(
        &self,
        argv_contains: &[&str],
        stdout: &str,
        exit: i32,
        effect: Option<Effect>,
    ) -> &Self {
        lock(&self.rules).push(Rule {
            contains: argv_contains.iter().map(|s| s.to_string()).collect(),
            stdout: stdout.to_string(),
            exit,
            effect,
            exec: None,
        });
        self
    }

    /// Plays the kubelet for `server` on a thread while `body` runs, and returns its result.
    pub fn serve<R>(&self, server: &KubeServer, body: impl FnOnce() -> R) -> R {
        self.stop.store(false, Ordering::SeqCst);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while !self.stop.load(Ordering::SeqCst) {
                    self.pass(server);
                    std::thread::sleep(POLL);
                }
            });
            let result = body();
            self.stop.store(true, Ordering::SeqCst);
            result
        })
    }

    /// Every command run so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.seen).clone()
    }

    /// Just the argument vectors, in order.
    pub fn argvs(&self) -> Vec<Vec<String>> {
        self.seen().into_iter().map(|s| s.argv).collect()
    }

    /// One look at the server: new Jobs run, pods of deleted Jobs go.
    pub fn pass(&self, server: &KubeServer) {
        let jobs: Vec<Value> = server
            .list("batch/v1", "Job", None)
            .into_iter()
            .filter(|j| j["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "opsbot")
            .collect();
        for job in &jobs {
            let key = (
                text(&job["metadata"], "namespace"),
                text(&job["metadata"], "name"),
            );
            if lock(&self.handled).insert(key) {
                self.run(server, job);
            }
        }
        let live: BTreeSet<String> = jobs.iter().map(|j| text(&j["metadata"], "name")).collect();
        let mut handled = lock(&self.handled);
        let gone: Vec<(String, String)> = handled
            .iter()
            .filter(|(_, name)| !live.contains(name))
            .cloned()
            .collect();
        for key in gone {
            server.delete("v1", "Pod", Some(&key.0), &format!("{}-k8let", key.1));
            handled.remove(&key);
        }
    }

    fn run(&self, server: &KubeServer, job: &Value) {
        let namespace = text(&job["metadata"], "namespace");
        let name = text(&job["metadata"], "name");
        let template = &job["spec"]["template"];
        let command: Vec<String> = template["spec"]["containers"][0]["command"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter_map(|w| w.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let argv: Vec<String> = match command.as_slice() {
            [chroot, _root, rest @ ..] if chroot == "chroot" => rest.to_vec(),
            all => all.to_vec(),
        };
        let node = text(&template["spec"], "nodeName");
        lock(&self.seen).push(Seen {
            namespace: namespace.clone(),
            job: name.clone(),
            node,
            argv: argv.clone(),
        });
        let container = text(&template["spec"]["containers"][0], "name");
        let pod_name = format!("{name}-k8let");
        let mut labels = template["metadata"]["labels"].clone();
        labels["job-name"] = json!(name);
        let mut pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": { "name": pod_name, "namespace": namespace, "labels": labels },
            "spec": template["spec"],
        });
        pod["status"] = status(&container, "Running", json!({ "running": {} }));
        server.apply(pod.clone());
        let rules = lock(&self.rules);
        let rule = rules
            .iter()
            .find(|r| r.contains.iter().all(|w| argv.contains(w)));
        let executed = rule.and_then(|r| r.exec.as_ref()).map(|exec| exec(&argv));
        let (stdout, exit) = match &executed {
            Some((stdout, exit)) => (stdout.as_str(), *exit),
            None => rule.map_or(("", 0), |r| (r.stdout.as_str(), r.exit)),
        };
        if !stdout.is_empty() {
            server.append_log(&namespace, &pod_name, &container, stdout);
        }
        if let Some(effect) = rule.and_then(|r| r.effect.as_ref()) {
            effect(server);
        }
        let (phase, reason) = match exit {
            0 => ("Succeeded", "Completed"),
            _ => ("Failed", "Error"),
        };
        let terminated = json!({ "terminated": { "exitCode": exit, "reason": reason } });
        pod["status"] = status(&container, phase, terminated);
        server.apply(pod);
    }
}

fn status(container: &str, phase: &str, state: Value) -> Value {
    json!({
        "phase": phase,
        "containerStatuses": [{
            "name": container, "image": "busybox", "imageID": "", "ready": phase == "Running",
            "restartCount": 0, "state": state
        }]
    })
}

fn text(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_default().to_string()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
