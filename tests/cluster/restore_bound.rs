//! Issue 11, point 10: an etcd restore is bound to the snapshot it was approved for, and a
//! failed restore puts the control-plane node back as it was.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use opsbot_tests::etcd::EtcdServer;
use opsbot_tests::kube::KubeServer;
use opsbot_tests::kubelet::Kubelet;

use super::restore_outage::{approval_id, only_snapshot, restore_bot};

/// The attack: the snapshot is approved, then someone with write access to `backup.dir`
/// puts other content at the same path (here another whole, valid snapshot, so every
/// integrity check passes). Before, the approval named only the file, and the run restored
/// whatever lay there; now the run refuses and no node Job is ever created.
#[test]
fn a_snapshot_swapped_after_approval_is_refused_and_nothing_runs_on_the_node() {
    let etcd = EtcdServer::start();
    let server = KubeServer::start();
    let bot = restore_bot(&etcd, &server);
    assert_eq!(bot.shell("bob", "etcd snapshot -c mgmt\n").code, 0);
    let approved = only_snapshot(&bot);
    let asked = bot.shell(
        "bob",
        &format!("etcd restore {approved} -c mgmt --reason drill\n"),
    );
    let id = approval_id(&asked);

    // A later snapshot, with other keys, copied over the approved one.
    etcd.put_keys(20, 64);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(bot.shell("bob", "etcd snapshot -c mgmt\n").code, 0);
    let dir = bot.backups("mgmt");
    let other = std::fs::read_dir(&dir)
        .expect("backups")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| *n != approved)
        .expect("a second snapshot");
    std::fs::copy(dir.join(&other), dir.join(&approved)).expect("swap");

    let kubelet = Kubelet::new();
    let run = kubelet.serve(&server, || bot.shell("alice", &format!("approve {id}\n")));
    assert!(
        run.stdout
            .contains("is no longer the file that was approved"),
        "{}",
        run.all()
    );
    assert!(kubelet.argvs().is_empty(), "{:?}", kubelet.argvs());
    assert!(server.list("batch/v1", "Job", None).is_empty());
    assert!(!run.stdout.contains("answers again"), "{}", run.stdout);
}

/// The failure: `etcdctl snapshot restore` fails on the node. Before, the script stopped
/// there with the API server manifest in /tmp and /var/lib/etcd moved away; now it puts both
/// back and the run says so. The node pod's script really runs here, against a node laid out
/// in a temporary directory, with an etcdctl that fails.
#[test]
fn a_failing_restore_puts_the_manifest_back_and_the_run_says_so() {
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

    let node = tempfile::tempdir().expect("node root");
    lay_out_node(node.path());
    let root = node.path().to_path_buf();
    let kubelet = Kubelet::new();
    kubelet.on(&["etcdctl", "status"], "| HASH | REVISION |\n", 0);
    kubelet.on_exec(&["etcd-restore"], move |argv| run_rooted(&root, argv));
    let run = kubelet.serve(&server, || bot.shell("alice", &format!("approve {id}\n")));

    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains(
            "the API server manifest and the previous etcd data were put back, so the node is as it was before"
        ),
        "{}",
        run.all()
    );
    let at = |p: &str| node.path().join(p);
    assert_eq!(
        std::fs::read_to_string(at("etc/kubernetes/manifests/kube-apiserver.yaml")).ok(),
        Some(MANIFEST.to_string()),
        "{}",
        run.all()
    );
    assert!(!at("tmp/kube-apiserver.yaml").exists());
    assert_eq!(
        std::fs::read_to_string(at("var/lib/etcd/member/old")).ok(),
        Some("old data".to_string())
    );
    assert!(!run.stdout.contains("answers again"), "{}", run.stdout);
}

const MANIFEST: &str = "kind: Pod # kube-apiserver\n";

/// A control-plane node's files under `root`, and an etcdctl that fails to restore.
fn lay_out_node(root: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let at = |p: &str| root.join(p);
    std::fs::create_dir_all(at("etc/kubernetes/manifests")).expect("manifests");
    std::fs::write(at("etc/kubernetes/manifests/kube-apiserver.yaml"), MANIFEST).expect("yaml");
    std::fs::create_dir_all(at("var/lib/etcd/member")).expect("data");
    std::fs::write(at("var/lib/etcd/member/old"), "old data").expect("data");
    std::fs::create_dir_all(at("tmp")).expect("tmp");
    std::fs::create_dir_all(at("bin")).expect("bin");
    let etcdctl = at("bin/etcdctl");
    std::fs::write(
        &etcdctl,
        "#!/bin/sh\necho 'Error: snapshot missing hash but --skip-hash-check=false'\nexit 1\n",
    )
    .expect("etcdctl");
    std::fs::set_permissions(&etcdctl, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Runs the pod's `sh -c SCRIPT …` with the node's absolute paths moved under `root`, no
/// settle time, and `root/bin` first on PATH.
fn run_rooted(root: &Path, argv: &[String]) -> (String, i32) {
    let mut argv = argv.to_vec();
    let rooted = root.display().to_string();
    argv[2] = argv[2]
        .replace("/tmp/", "@ROOT@/tmp/")
        .replace("/etc/kubernetes", "@ROOT@/etc/kubernetes")
        .replace("/var/lib/etcd", "@ROOT@/var/lib/etcd")
        .replace("@ROOT@", &rooted);
    argv[7] = "0".to_string();
    let path = format!(
        "{}:{}",
        root.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .env("PATH", path)
        .output()
        .expect("sh runs");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (text, out.status.code().unwrap_or(-1))
}
