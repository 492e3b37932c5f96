//! cluster.status across the three clusters.

use super::Platform;
use opsbot_tests::fixtures::platform;

#[test]
fn status_of_all_clusters_shows_nodes_cilium_and_mesh() {
    let p = Platform::start();
    let bot = p.bot("en");
    let run = bot.shell("victor", "status\n");
    assert_eq!(run.code, 0, "{}", run.all());
    for cluster in ["mgmt", "app1", "app2"] {
        assert!(
            run.stdout.contains(&format!("== {cluster} ==")),
            "{}",
            run.stdout
        );
        for node in platform::node_names(cluster) {
            assert!(run.stdout.contains(&node), "{node}: {}", run.stdout);
        }
    }
    assert!(run.stdout.contains("control-plane"), "{}", run.stdout);
    assert!(run.stdout.contains("v1.34.2"), "{}", run.stdout);
    let cilium: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("Cilium agents ready:"))
        .collect();
    assert_eq!(cilium.len(), 3, "{}", run.stdout);
    assert!(cilium.iter().all(|l| l.ends_with(" 3/3")), "{cilium:?}");
    assert!(
        run.stdout.contains("app1, app2"),
        "mgmt's mesh remotes: {}",
        run.stdout
    );
    assert!(run.stdout.contains("all ready"), "{}", run.stdout);
}

#[test]
fn a_dead_cluster_is_one_line_while_the_others_report() {
    let mut p = Platform::start();
    let bot = p.bot("en");
    p.app2.stop();
    let run = bot.shell("victor", "status -c all\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("== mgmt =="), "{}", run.stdout);
    assert!(run.stdout.contains("== app1 =="), "{}", run.stdout);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("app2: "))
        .unwrap_or_else(|| panic!("no app2 line: {}", run.stdout));
    assert!(line.contains("unreachable"), "{line}");
}

#[test]
fn a_not_ready_node_and_a_crashing_system_pod_show() {
    let p = Platform::start();
    p.app1.apply(platform::node("app1-w2", false, false));
    p.app1.apply(platform::pod(
        "kube-system",
        "coredns-5d78c9869d-9zt2m",
        "app1-w2",
        false,
    ));
    let bot = p.bot("ko");
    let run = bot.shell("victor", "status -c app1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("NotReady"), "{}", run.stdout);
    assert!(
        run.stdout.contains("coredns-5d78c9869d-9zt2m"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("준비된 Cilium 에이전트"),
        "{}",
        run.stdout
    );
}
