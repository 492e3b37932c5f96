//! `dr rebuild` and `etcd restore` end to end: their checklists stop a request before anyone
//! is asked, and once approved they run the runbook's stages and steps in order.

use std::path::Path;

use opsbot_tests::bot::Bot;
use opsbot_tests::etcd::EtcdServer;
use opsbot_tests::kube::{KubeServer, kubeconfig};
use opsbot_tests::kubelet::Kubelet;
use serde_json::json;

use super::{Fakes, POLICY, approval_id, approved, builder, call, has_card};
use crate::bin;

fn velero(server: &KubeServer, backup: Option<(&str, String)>) {
    server.apply(json!({
        "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": "velero" }
    }));
    if let Some((name, completed)) = backup {
        server.apply(json!({
            "apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": { "name": name, "namespace": "velero" },
            "spec": { "includedNamespaces": ["*"] },
            "status": { "phase": "Completed", "completionTimestamp": completed }
        }));
    }
}

/// RFC 3339 (UTC) for `seconds` ago.
fn ago(seconds: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let t = now - seconds;
    let (days, rest) = ((t / 86_400) as i64, t % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

fn dr_fakes() -> Fakes {
    Fakes::new()
        .program(
            "terraform",
            "echo \"Apply complete! Resources: 9 added, 0 changed, 0 destroyed.\"",
        )
        .program("init-cluster", "echo \"cluster $1 initialised\"")
        .program("install-platform", "echo 'platform installed'")
}

#[test]
fn dr_rebuild_without_a_recent_backup_stops_at_its_gate() {
    let server = KubeServer::start();
    let old = ago(9 * 86_400);
    velero(&server, Some(("full-backup-old", old)));
    let fakes = dr_fakes();
    let bot = builder(&server, &fakes).build();
    let run = bot.shell("bob", "dr rebuild --reason \"site lost\"\n");
    assert!(run.stdout.contains("full-backup-old"), "{}", run.all());
    assert!(run.stdout.contains("older than 7 days"), "{}", run.all());
    assert!(!has_card(&run), "no card: {}", run.stdout);
    assert!(fakes.calls().is_empty());
}

#[test]
fn dr_rebuild_runs_the_four_stages_in_order_and_restores_the_latest_backup() {
    let server = KubeServer::start();
    let recent = ago(3 * 3600);
    velero(&server, Some(("full-backup-20261126", recent)));
    let fakes = dr_fakes();
    let bot = builder(&server, &fakes).build();
    let asked = bot.shell("bob", "dr rebuild --reason \"site lost\"\n");
    assert!(
        asked.stdout.contains("full-backup-20261126"),
        "{}",
        asked.all()
    );
    let id = approval_id(&asked);
    // Velero's part: the Restore it is asked for completes.
    let done = std::sync::atomic::AtomicBool::new(false);
    let run = std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                for mut r in server.list("velero.io/v1", "Restore", Some("velero")) {
                    if r["status"]["phase"].is_null() {
                        r["status"] = json!({ "phase": "Completed" });
                        server.apply(r);
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        });
        let run = bot.shell("alice", &format!("approve {id}\n"));
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        run
    });
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        fakes.calls(),
        [
            call("terraform", &["destroy", "-auto-approve"]),
            call("terraform", &["apply", "-auto-approve"]),
            call("init-cluster", &["mgmt"]),
            call("install-platform", &[]),
        ]
    );
    let restores = server.list("velero.io/v1", "Restore", Some("velero"));
    assert_eq!(restores.len(), 1);
    assert_eq!(restores[0]["spec"]["backupName"], "full-backup-20261126");
}

#[test]
fn dr_rebuild_stops_at_the_first_failing_script_naming_it() {
    let server = KubeServer::start();
    velero(&server, Some(("b", ago(60))));
    let fakes = Fakes::new()
        .program(
            "terraform",
            "echo 'Error: creating VM: multipass launch failed' >&2; exit 1",
        )
        .program("init-cluster", "true")
        .program("install-platform", "true");
    let bot = builder(&server, &fakes).build();
    let run = approved(&bot, "dr rebuild");
    assert!(
        run.stdout.contains("terraform failed with exit code 1"),
        "{}",
        run.all()
    );
    assert_eq!(
        fakes.calls(),
        [call("terraform", &["destroy", "-auto-approve"])]
    );
    assert!(
        server
            .list("velero.io/v1", "Restore", Some("velero"))
            .is_empty()
    );
}

/// A bot whose `mgmt` has both a live etcd and the test server, with a control-plane node.
fn etcd_bot(etcd: &EtcdServer, server: &KubeServer) -> Bot {
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

fn only_snapshot(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("backups")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    names.remove(0)
}

#[test]
fn etcd_restore_of_a_missing_snapshot_stops_before_anyone_is_asked() {
    let etcd = EtcdServer::start();
    let server = KubeServer::start();
    let bot = etcd_bot(&etcd, &server);
    let run = bot.shell(
        "bob",
        "etcd restore etcd-snapshot-20261126-020000.db -c mgmt --reason r\n",
    );
    assert!(run.stdout.contains("is not there"), "{}", run.all());
    assert!(!has_card(&run), "no card: {}", run.stdout);
    assert!(server.list("batch/v1", "Job", None).is_empty());
}

#[test]
fn etcd_restore_of_a_corrupted_snapshot_stops_before_anyone_is_asked() {
    let etcd = EtcdServer::start();
    let server = KubeServer::start();
    let bot = etcd_bot(&etcd, &server);
    assert_eq!(bot.shell("bob", "etcd snapshot -c mgmt\n").code, 0);
    let name = only_snapshot(&bot.backups("mgmt"));
    let path = bot.backups("mgmt").join(&name);
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[4096] ^= 0xff;
    std::fs::write(&path, bytes).expect("corrupt");
    let run = bot.shell("bob", &format!("etcd restore {name} -c mgmt --reason r\n"));
    assert!(run.stdout.contains("is damaged"), "{}", run.all());
    assert!(!has_card(&run), "no card: {}", run.stdout);
    assert!(server.list("batch/v1", "Job", None).is_empty());
}

#[test]
fn etcd_restore_runs_the_six_runbook_steps_on_the_control_plane_node_in_order() {
    let etcd = EtcdServer::start();
    let server = KubeServer::start();
    let bot = etcd_bot(&etcd, &server);
    assert_eq!(bot.shell("bob", "etcd snapshot -c mgmt\n").code, 0);
    let name = only_snapshot(&bot.backups("mgmt"));
    let asked = bot.shell(
        "bob",
        &format!("etcd restore {name} -c mgmt --reason drill\n"),
    );
    assert!(
        asked.stdout.contains("approval card is posted"),
        "{}",
        asked.all()
    );
    let id = approval_id(&asked);
    let kubelet = Kubelet::new();
    kubelet.on(
        &["etcdctl", "status"],
        "| HASH | REVISION | TOTAL KEYS |\n",
        0,
    );
    let run = kubelet.serve(&server, || bot.shell("alice", &format!("approve {id}\n")));
    assert_eq!(run.code, 0, "{}", run.all());
    let file = bot.backups("mgmt").join(&name).display().to_string();
    let argvs = kubelet.argvs();
    // Step 1 alone; steps 2–6 in one pod, which outlives the API server's absence.
    assert_eq!(argvs.len(), 2, "{argvs:?}");
    let words = |a: &[&str]| a.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    assert_eq!(
        argvs[0],
        words(&["etcdctl", "snapshot", "status", &file, "--write-out=table"])
    );
    let one_pod = &argvs[1];
    assert_eq!(one_pod[..2], words(&["sh", "-c"]), "{one_pod:?}");
    // The values are positional arguments, never part of the script's text.
    assert_eq!(one_pod[3..6], words(&["etcd-restore", &file, "mgmt-cp"]));
    assert!(
        one_pod[6].len() == 15 && one_pod[6].chars().nth(8) == Some('-'),
        "{one_pod:?}"
    );
    let script = &one_pod[2];
    assert!(
        !script.contains(&name) && !script.contains("mgmt-cp"),
        "{script}"
    );
    let order = [
        "mv /etc/kubernetes/manifests/kube-apiserver.yaml /tmp/",
        "mv /var/lib/etcd \"/var/lib/etcd-backup-$stamp\"",
        "etcdctl snapshot restore \"$file\" --data-dir=/var/lib/etcd --name=\"$node\"",
        "chown -R etcd:etcd /var/lib/etcd",
        "mv /tmp/kube-apiserver.yaml /etc/kubernetes/manifests/",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|c| {
            script
                .find(c)
                .unwrap_or_else(|| panic!("{c} not in {script}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "in runbook order: {script}"
    );
    assert!(kubelet.seen().iter().all(|s| s.node == "mgmt-cp"));
    assert!(run.stdout.contains("answers again"), "{}", run.stdout);
}
