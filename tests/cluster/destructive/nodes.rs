//! node.disk, node.kubelet and node.prune: the commands run on the node through the node
//! runner's Job, played by the test kubelet.

use opsbot_tests::kubelet::Kubelet;

use super::{Platform, bot, shell};

const DF: &str = "Filesystem      Size  Used Avail Use% Mounted on
/dev/sda1        39G   36G  2.9G  93% /
tmpfs           2.0G     0  2.0G   0% /dev/shm
";

#[test]
fn node_disk_runs_df_on_the_node_and_names_full_filesystems() {
    let p = Platform::start();
    let bot = bot(&p);
    let kubelet = Kubelet::new();
    kubelet.on(&["df", "-h"], DF, 0);
    let run = kubelet.serve(&p.app1, || shell(&bot, "bob", "node disk app1-w1 -c app1"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(kubelet.argvs(), [vec!["df", "-h"]]);
    assert_eq!(kubelet.seen()[0].node, "app1-w1");
    assert!(
        run.stdout
            .contains("/dev/sda1        39G   36G  2.9G  93% /"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Filesystems of app1-w1 running out of space: / (93%)."),
        "{}",
        run.stdout
    );
}

#[test]
fn node_kubelet_shows_a_stopped_kubelet_and_its_journal() {
    let p = Platform::start();
    let bot = bot(&p);
    let kubelet = Kubelet::new();
    kubelet.on(
        &["systemctl", "status"],
        "○ kubelet.service - kubelet: The Kubernetes Node Agent\n     Active: inactive (dead)\n",
        3,
    );
    kubelet.on(
        &["journalctl"],
        "Nov 26 02:59:01 app1-w2 kubelet[812]: E1126 failed to run Kubelet: running with swap on is not supported\n",
        0,
    );
    let run = kubelet.serve(&p.app1, || {
        shell(&bot, "bob", "node kubelet app1-w2 --logs 50 -c app1")
    });
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        kubelet.argvs(),
        [
            vec!["systemctl", "status", "kubelet", "--no-pager"],
            vec!["journalctl", "-u", "kubelet", "-n", "50", "--no-pager"],
        ]
    );
    assert!(
        run.stdout.contains("Active: inactive (dead)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("The kubelet on app1-w2 is NOT running"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("running with swap on is not supported"),
        "{}",
        run.stdout
    );
}

#[test]
fn node_prune_removes_unused_images_then_old_journals() {
    let p = Platform::start();
    let bot = bot(&p);
    let kubelet = Kubelet::new();
    kubelet.on(&["crictl"], "Deleted: registry.local/web:0.9\n", 0);
    kubelet.on(
        &["journalctl"],
        "Vacuuming done, freed 1.2G of archived journals from /var/log/journal.\n",
        0,
    );
    let run = kubelet.serve(&p.app1, || shell(&bot, "bob", "node prune app1-w1 -c app1"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        kubelet.argvs(),
        [
            vec!["crictl", "rmi", "--prune"],
            vec!["journalctl", "--vacuum-time=3d"]
        ]
    );
    assert!(
        run.stdout.contains("Deleted: registry.local/web:0.9"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("freed 1.2G"), "{}", run.stdout);
    assert!(
        p.app1.list("batch/v1", "Job", None).is_empty(),
        "the runner's Jobs are gone"
    );
}

#[test]
fn node_work_on_an_unknown_node_creates_nothing() {
    let p = Platform::start();
    let kubelet = Kubelet::new();
    let run = kubelet.serve(&p.app1, || {
        shell(&bot(&p), "bob", "node disk app1-w9 -c app1")
    });
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("app1-w9"), "{}", run.stdout);
    assert!(kubelet.argvs().is_empty());
}
