//! Cilium: net.endpoints (§5.2) and cilium.status (§1.1, §4.3).

use opsbot_tests::fixtures::platform_crds as crds;

use super::{bob, order, section};
use crate::Platform;

#[test]
fn net_endpoints_put_non_ready_first_and_count_them_per_cluster() {
    let p = Platform::start();
    crds::cilium_endpoints(&p.mgmt);
    p.app1.apply(crds::cilium_endpoint(
        "app",
        "web-6c7b8d9f5-p3l7s",
        (901, 48213),
        "ready",
        "10.1.1.12",
    ));
    let run = bob(&p.bot("en"), "net endpoints -c all");
    assert_eq!(run.code, 0, "{}", run.all());
    let mgmt = section(&run.stdout, "mgmt");
    let first_two: Vec<&str> = order(
        &mgmt,
        &[
            "api-7c9f8d6b5-h2j4k",
            "worker-6b8d9c7f4-z9v1c",
            "web-5d8f7c9b6d-x2k4p",
            "grafana-6f7d9b8c5-r4t6y",
        ],
    );
    assert_eq!(
        first_two[..2],
        ["api-7c9f8d6b5-h2j4k", "worker-6b8d9c7f4-z9v1c"],
        "{}",
        run.stdout
    );
    let api = mgmt
        .iter()
        .find(|l| l.contains("api-7c9f8d6b5-h2j4k"))
        .expect("row");
    for expected in ["3305", "51020", "waiting-for-identity", "10.0.2.57"] {
        assert!(api.contains(expected), "{expected}: {api}");
    }
    assert!(
        mgmt.contains(&"2 of 5 endpoints not ready."),
        "{}",
        run.stdout
    );
    assert!(
        section(&run.stdout, "app1").contains(&"0 of 1 endpoints not ready."),
        "{}",
        run.stdout
    );
    assert_eq!(
        section(&run.stdout, "app2"),
        ["No Cilium endpoints."],
        "{}",
        run.stdout
    );

    let app_only = bob(&p.bot("en"), "net endpoints -n monitoring -c mgmt");
    assert!(
        app_only.stdout.contains("grafana-6f7d9b8c5-r4t6y"),
        "{}",
        app_only.stdout
    );
    assert!(
        !app_only.stdout.contains("api-7c9f8d6b5-h2j4k"),
        "{}",
        app_only.stdout
    );
}

#[test]
fn cilium_status_shows_agents_operator_mesh_and_relay_but_never_mesh_secrets() {
    let p = Platform::start();
    crds::cilium_operator_and_relay(&p.mgmt, "v1.16.0", 1);
    let run = bob(&p.bot("en"), "cilium status -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    let lines = section(&run.stdout, "mgmt");
    let field = |name: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{name}:")))
            .map(|l| l.split_once(':').map_or("", |(_, v)| v.trim()))
            .unwrap_or_else(|| panic!("no {name}: {}", run.stdout))
    };
    assert_eq!(field("agents"), "3/3 ready, 3 up to date, 3 available");
    assert_eq!(field("version"), "v1.16.0");
    assert_eq!(field("operator"), "1/2 ready");
    assert_eq!(field("operator version"), "v1.16.0");
    assert_eq!(field("ClusterMesh API server"), "1/1 ready");
    assert_eq!(field("ClusterMesh remote clusters"), "app1, app2");
    assert_eq!(field("Hubble Relay"), "1/1 ready");
    // The mesh Secret's values are remote etcd configs; only its keys may show.
    assert!(!run.stdout.contains("mesh.cilium.io"), "{}", run.stdout);

    let bare = bob(&p.bot("en"), "cilium status -c app1");
    assert!(bare.stdout.contains("Hubble Relay:"), "{}", bare.stdout);
    assert!(bare.stdout.contains("not deployed"), "{}", bare.stdout);
}

#[test]
fn cilium_version_highlights_agents_that_disagree_mid_upgrade() {
    let p = Platform::start();
    crds::cilium_agents(
        &p.mgmt,
        "mgmt",
        "v1.16.0",
        &["v1.16.0", "v1.15.6", "v1.16.0"],
    );
    crds::cilium_agents(&p.app1, "app1", "v1.16.0", &["v1.16.0"; 3]);
    crds::cilium_agents(&p.app2, "app2", "v1.15.6", &["v1.15.6"; 3]);
    crds::cilium_operator_and_relay(&p.mgmt, "v1.16.0", 2);
    let run = bob(&p.bot("en"), "cilium version");
    assert_eq!(run.code, 0, "{}", run.all());
    let row = |cluster: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{cluster} ")))
            .unwrap_or_else(|| panic!("no {cluster} row: {}", run.stdout))
    };
    assert!(
        row("mgmt").contains("⚠ v1.15.6 ×1, v1.16.0 ×2"),
        "{}",
        run.stdout
    );
    assert!(row("app1").contains("v1.16.0 ×3"), "{}", run.stdout);
    assert!(!row("app1").contains('⚠'), "{}", run.stdout);
    assert!(row("app2").contains("v1.15.6 ×3"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "mgmt: the agents disagree (v1.15.6 ×1, v1.16.0 ×2) while the DaemonSet wants v1.16.0"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("different Cilium versions (app1 v1.16.0, app2 v1.15.6, mgmt v1.16.0)"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("app1: the agents disagree"),
        "{}",
        run.stdout
    );
}
