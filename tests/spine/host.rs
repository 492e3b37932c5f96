//! Host and runbook operations through the real binary: multipass, helm, cilium and hubble
//! played by small `#!/bin/sh` scripts configured under `[runners.programs]`, each appending
//! the argv it got (one call a line, every argument quoted) to a log the test reads back;
//! `dr rebuild` and `etcd restore` against the Kubernetes test server.

use std::path::PathBuf;

use opsbot_tests::bot::{Bot, BotBuilder, Run};
use opsbot_tests::kube::{KubeServer, kubeconfig};
use serde_json::json;

use super::bin;

mod interrupted;
mod recovery;

pub(super) const POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["shell:bob", "shell:alice"]

[[approvals]]
operations = ["vm.restart", "cilium.upgrade", "dr.rebuild", "etcd.restore"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#;

/// Fake programs in a directory of their own, logging to `calls.log` there.
pub(super) struct Fakes {
    pub(super) dir: tempfile::TempDir,
    programs: Vec<(String, PathBuf)>,
}

impl Fakes {
    pub(super) fn new() -> Fakes {
        Fakes {
            dir: tempfile::tempdir().expect("temp dir"),
            programs: Vec::new(),
        }
    }

    /// A program that logs its argv, then runs `body` (shell, with "$1" etc.).
    pub(super) fn program(mut self, name: &str, body: &str) -> Fakes {
        let path = self.dir.path().join(name);
        let log = self.log_path();
        let script = format!(
            "#!/bin/sh\n{{ printf '%s' '{name}'; for a in \"$@\"; do printf \" '%s'\" \"$a\"; done; echo; }} >> '{}'\n{body}\n",
            log.display()
        );
        std::fs::write(&path, script).expect("write fake");
        let mut perms = std::fs::metadata(&path).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).expect("chmod");
        self.programs.push((name.to_string(), path));
        self
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("calls.log")
    }

    /// Every call so far, one line each: `helm 'upgrade' 'web' …`.
    pub(super) fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.log_path())
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn config(&self) -> String {
        let mut toml = String::from("[runners.programs]\n");
        for (name, path) in &self.programs {
            toml.push_str(&format!("{name} = \"{}\"\n", path.display()));
        }
        toml
    }
}

/// How a call is logged: the program, then each argument single-quoted.
pub(super) fn call(program: &str, args: &[&str]) -> String {
    let mut line = program.to_string();
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    line
}

/// A bot whose cluster `mgmt` is the test server `server`, with `fakes` configured.
pub(super) fn builder(server: &KubeServer, fakes: &Fakes) -> BotBuilder {
    Bot::builder(bin())
        .kubeconfig(kubeconfig(&[("mgmt", server)]))
        .kube("mgmt", "mgmt")
        .extra(&fakes.config())
        .policy(POLICY)
}

pub(super) use opsbot_tests::bot::approval_id;

/// Whether the output holds an approval card ("approve ID | deny ID REASON").
pub(super) fn has_card(run: &Run) -> bool {
    run.stdout.lines().any(|l| l.trim().starts_with("approve "))
}

/// Bob asks with a reason, Alice approves; the approval's output.
pub(super) fn approved(bot: &Bot, line: &str) -> Run {
    let asked = bot.shell("bob", &format!("{line} --reason \"runbook drill\"\n"));
    let id = approval_id(&asked);
    bot.shell("alice", &format!("approve {id}\n"))
}

const MULTIPASS: &str = r#"case "$1" in
list) cat <<'J'
{
    "list": [
        {"ipv4": ["10.10.0.11"], "name": "mgmt-cp", "release": "22.04 LTS", "state": "Running"},
        {"ipv4": [], "name": "app1-w1", "release": "22.04 LTS", "state": "Stopped"}
    ]
}
J
;;
restart) echo "Restarting $2" ;;
info) cat <<J
{"errors": [], "info": {"$2": {"state": "Running", "ipv4": ["10.10.0.12"], "release": "Ubuntu 22.04.4 LTS"}}}
J
;;
esac"#;

#[test]
fn vm_list_shows_the_multipass_vms_as_a_table() {
    let server = KubeServer::start();
    let fakes = Fakes::new().program("multipass", MULTIPASS);
    let bot = builder(&server, &fakes).build();
    let run = bot.shell("bob", "vm list\n");
    assert_eq!(run.code, 0, "{}", run.all());
    for word in [
        "mgmt-cp",
        "Running",
        "10.10.0.11",
        "app1-w1",
        "Stopped",
        "22.04 LTS",
    ] {
        assert!(run.stdout.contains(word), "{word}: {}", run.stdout);
    }
    assert!(
        !run.stdout.contains("\"list\""),
        "the JSON is not shown: {}",
        run.stdout
    );
    assert_eq!(
        fakes.calls(),
        [call("multipass", &["list", "--format", "json"])]
    );
}

#[test]
fn vm_restart_runs_only_after_another_admin_approves_and_reports_the_state() {
    let server = KubeServer::start();
    let fakes = Fakes::new().program("multipass", MULTIPASS);
    let bot = builder(&server, &fakes).build();
    let asked = bot.shell("bob", "vm restart app1-w1 --reason \"hung kubelet\"\n");
    assert!(
        fakes.calls().is_empty(),
        "nothing before approval: {}",
        asked.all()
    );
    let id = approval_id(&asked);
    let run = bot.shell("alice", &format!("approve {id}\n"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("10.10.0.12"), "{}", run.stdout);
    assert!(
        run.stdout.contains("app1-w1 was restarted and is running"),
        "{}",
        run.stdout
    );
    assert_eq!(
        fakes.calls(),
        [
            call("multipass", &["restart", "app1-w1"]),
            call("multipass", &["info", "app1-w1", "--format", "json"]),
        ]
    );
}

/// `[helm]` for the release `web` in `app`: its one chart, values from the fakes' directory.
fn helm_bounds(fakes: &Fakes) -> String {
    format!(
        "[helm]\nvalues_dir = \"{}\"\n[[helm.releases]]\ncluster = \"*\"\nnamespace = \"app\"\n\
         release = \"web\"\ncharts = [\"charts/web;id\", \"charts/web\"]\n",
        fakes.dir.path().display()
    )
}

#[test]
fn helm_upgrade_passes_every_argument_as_one_element_with_the_clusters_context() {
    let server = KubeServer::start();
    let fakes = Fakes::new().program(
        "helm",
        "echo 'Release \"web\" has been upgraded. Happy Helming!'",
    );
    let values = fakes.dir.path().join("my values.yaml");
    std::fs::write(&values, "replicas: 2\n").expect("values");
    let bot = builder(&server, &fakes).extra(&helm_bounds(&fakes)).build();
    let line = "helm upgrade web \"charts/web;id\" -n app --values \"my values.yaml\"\n";
    let run = bot.shell("bob", line);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("Happy Helming"), "{}", run.stdout);
    // helm reads a private copy of the values (issue 11), so its path is the bot's own.
    let calls = fakes.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let upgrade = call(
        "helm",
        &[
            "upgrade",
            "web",
            "charts/web;id",
            "--namespace",
            "app",
            "--values",
        ],
    );
    let tail = call(
        "",
        &["--kube-context", "mgmt", "--wait", "--timeout", "10m"],
    );
    assert!(calls[0].starts_with(&upgrade), "{calls:?}");
    assert!(calls[0].ends_with(&tail), "{calls:?}");
}

#[test]
fn helm_upgrade_with_a_missing_values_file_is_refused_before_running() {
    let server = KubeServer::start();
    let fakes = Fakes::new().program("helm", "echo upgraded");
    let bot = builder(&server, &fakes).extra(&helm_bounds(&fakes)).build();
    let run = bot.shell(
        "bob",
        "helm upgrade web \"charts/web;id\" -n app --values v.yaml\n",
    );
    assert!(
        run.stdout.contains("The values file v.yaml cannot be read"),
        "{}",
        run.all()
    );
    assert!(fakes.calls().is_empty());
}

#[test]
fn helm_rollback_fails_naming_helm_when_it_exits_non_zero() {
    let server = KubeServer::start();
    let fakes = Fakes::new().program(
        "helm",
        "echo 'Error: another operation (install/upgrade/rollback) is in progress' >&2; exit 1",
    );
    // Revision 3 is a chart the release may become (issue 11: the rollback checks it).
    server.apply(opsbot_tests::fixtures::platform_crds::helm_release(
        &opsbot_tests::fixtures::platform_crds::HelmRevision {
            name: "web",
            namespace: "app",
            revision: 3,
            status: "superseded",
            chart: ("web", "1.2.3"),
            app_version: "1.2.3",
            description: "Upgrade complete",
            deployed_days_ago: 2,
            values: serde_json::json!({}),
        },
    ));
    let bot = builder(&server, &fakes).extra(&helm_bounds(&fakes)).build();
    let run = bot.shell("bob", "helm rollback web 3 -n app\n");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("helm failed with exit code 1"),
        "{}",
        run.all()
    );
    assert!(run.stdout.contains("another operation"), "{}", run.all());
    assert_eq!(
        fakes.calls(),
        [call(
            "helm",
            &[
                "rollback",
                "web",
                "3",
                "--namespace",
                "app",
                "--kube-context",
                "mgmt",
                "--wait"
            ]
        )]
    );
}

fn cilium_daemonset(server: &KubeServer, tag: &str) {
    server.apply(json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": { "name": "cilium", "namespace": "kube-system" },
        "spec": {
            "selector": { "matchLabels": { "k8s-app": "cilium" } },
            "template": {
                "metadata": { "labels": { "k8s-app": "cilium" } },
                "spec": { "containers": [
                    { "name": "cilium-agent", "image": format!("quay.io/cilium/cilium:{tag}") }
                ] }
            }
        }
    }));
}

const CILIUM: &str = r#"case "$1" in
upgrade) echo "🔮 Auto-detected Kubernetes kind: kubernetes"; echo "ℹ️  Upgrading Cilium to $3" ;;
status) echo "Cilium:             OK" ;;
connectivity) echo "ℹ️  Single-node environment detected"; echo "✅ [cilium-test] All 42 tests (295 actions) successful, 0 tests skipped, 0 scenarios skipped." ;;
esac"#;

#[test]
fn cilium_upgrade_to_a_newer_version_runs_after_approval() {
    let server = KubeServer::start();
    cilium_daemonset(&server, "v1.16.5");
    let fakes = Fakes::new().program("cilium", CILIUM);
    let bot = builder(&server, &fakes).build();
    let run = approved(&bot, "cilium upgrade 1.17.0 -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        fakes.calls(),
        [
            call(
                "cilium",
                &["upgrade", "--version", "1.17.0", "--context", "mgmt"]
            ),
            call("cilium", &["status", "--wait", "--context", "mgmt"]),
        ]
    );
}

#[test]
fn cilium_upgrade_to_an_older_version_stops_at_its_gate_and_nobody_is_asked() {
    let server = KubeServer::start();
    cilium_daemonset(&server, "v1.16.5");
    let fakes = Fakes::new().program("cilium", CILIUM);
    let bot = builder(&server, &fakes).build();
    let run = bot.shell("bob", "cilium upgrade 1.16.0 -c mgmt --reason drill\n");
    assert!(
        run.stdout.contains("already runs Cilium v1.16.5"),
        "{}",
        run.all()
    );
    assert!(!has_card(&run), "no card: {}", run.stdout);
    assert!(fakes.calls().is_empty());
}

#[test]
fn net_test_streams_the_connectivity_test() {
    let server = KubeServer::start();
    let fakes = Fakes::new().program("cilium", CILIUM);
    let bot = builder(&server, &fakes).build();
    let run = bot.shell("bob", "net test -c mgmt\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("All 42 tests (295 actions) successful"),
        "{}",
        run.stdout
    );
    assert_eq!(
        fakes.calls(),
        [call(
            "cilium",
            &["connectivity", "test", "--context", "mgmt"]
        )]
    );
}

#[test]
fn net_observe_is_one_bounded_hubble_call() {
    let server = KubeServer::start();
    let fakes = Fakes::new().program(
        "hubble",
        "echo 'Nov 26 02:00:01.123: app/web-7d4 (ID:1234) -> app/db-0:5432 (ID:5678) to-endpoint FORWARDED (TCP Flags: SYN)'",
    );
    let bot = builder(&server, &fakes).build();
    let run = bot.shell("bob", "net observe -n app --for 2m\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("app/db-0:5432"), "{}", run.stdout);
    assert_eq!(
        fakes.calls(),
        [call(
            "hubble",
            &[
                "observe",
                "--namespace",
                "app",
                "--since",
                "120s",
                "--last",
                "1000",
                "--port-forward",
                "--kube-context",
                "mgmt",
            ]
        )]
    );
}
