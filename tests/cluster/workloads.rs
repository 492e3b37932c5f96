//! The workload operations of runbook §1.2, §5.1, §5.3, §6.2 and §6.3 (top, pvc/pv, pod
//! describe, pod logs, events, storage, oom) through the real binary against the three test
//! clusters, with the application fixtures on app1.

use std::time::{Duration, Instant};

use super::Platform;
use opsbot_tests::fixtures::workloads::{
    API_POD, GRAFANA_POD, POSTGRES_POD, POSTGRES_PV, RELEASED_PV, WEB_POD, WORKER_POD, metrics,
    workloads,
};

/// The platform with the application fixtures (and metrics-server's view) on app1.
fn platform() -> Platform {
    let p = Platform::start();
    workloads(&p.app1, "app1");
    metrics(&p.app1, "app1");
    p
}

/// The whitespace-separated cells of the first output line that starts with `first`.
fn row<'a>(stdout: &'a str, first: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(first))
        .unwrap_or_else(|| panic!("no row starting with {first}:\n{stdout}"))
        .split_whitespace()
        .collect()
}

/// The whitespace-separated cells of the first output line that contains `needle`.
fn cells<'a>(stdout: &'a str, needle: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle}:\n{stdout}"))
        .split_whitespace()
        .collect()
}

/// Where `needle` first appears, for checking order.
fn at(stdout: &str, needle: &str) -> usize {
    stdout
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in:\n{stdout}"))
}

// ---------------------------------------------------------------------------------------------
// cluster.top

#[test]
fn top_nodes_shows_usage_and_share_of_allocatable_heaviest_first() {
    let p = platform();
    let run = p.bot("en").shell("bob", "top nodes -c app1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    // 1.25 cores of 2 allocatable; 2560Mi of 3907804Ki.
    assert_eq!(
        row(&run.stdout, "app1-w1"),
        ["app1-w1", "1250m", "63%", "2560Mi", "67%"]
    );
    assert_eq!(
        row(&run.stdout, "app1-cp"),
        ["app1-cp", "412m", "21%", "1800Mi", "47%"]
    );
    assert!(at(&run.stdout, "app1-w1") < at(&run.stdout, "app1-cp"));
    assert!(at(&run.stdout, "app1-cp") < at(&run.stdout, "app1-w2  "));
}

#[test]
fn top_pods_sorts_by_memory_across_namespaces_and_honours_the_limit() {
    let p = platform();
    let run = p.bot("en").shell("bob", "top pods -c app1 --limit 3\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        row(&run.stdout, "monitoring"),
        [
            "monitoring",
            "prometheus-kube-prometheus-stack-prometheus-0",
            "300m",
            "1200Mi"
        ]
    );
    assert_eq!(
        row(&run.stdout, "app"),
        ["app", POSTGRES_POD, "50m", "700Mi"]
    );
    assert!(at(&run.stdout, POSTGRES_POD) < at(&run.stdout, API_POD));
    assert!(!run.stdout.contains(WORKER_POD), "{}", run.stdout);
    assert!(
        run.stdout.contains("Showing the top 3 of 6"),
        "{}",
        run.stdout
    );

    // A pod's containers are summed: web 200Mi + istio-proxy 56Mi.
    let run = p.bot("en").shell("bob", "top pods -c app1 --sort cpu\n");
    assert_eq!(row(&run.stdout, "app")[1], WORKER_POD, "{}", run.stdout);
    assert!(at(&run.stdout, WORKER_POD) < at(&run.stdout, "prometheus-kube"));
    assert_eq!(
        cells(&run.stdout, WEB_POD),
        ["app", WEB_POD, "135m", "256Mi"]
    );
}

#[test]
fn metrics_absent_on_one_cluster_is_one_sentence_while_the_others_report() {
    let p = platform();
    metrics(&p.mgmt, "mgmt");
    p.app2.enable_metrics(false);
    let run = p.bot("en").shell("bob", "top nodes\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains("== app2 ==\nmetrics-server is not installed on app2.\n"),
        "{}",
        run.stdout
    );
    assert_eq!(row(&run.stdout, "mgmt-w1")[1], "1250m");
    assert_eq!(row(&run.stdout, "app1-w1")[1], "1250m");
    assert!(!run.stdout.contains("mgmt-w1  -"), "{}", run.stdout);
}

#[test]
fn top_in_korean_says_metrics_server_is_missing() {
    let p = platform();
    p.app2.enable_metrics(false);
    let run = p.bot("ko").shell("bob", "top pods -c app2\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains("app2에는 metrics-server가 설치되어 있지 않습니다."),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// storage.pvc

#[test]
fn pvc_lists_claims_of_every_namespace_with_volume_and_capacity() {
    let p = platform();
    let run = p.bot("en").shell("bob", "pvc -c app1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        row(&run.stdout, "app"),
        [
            "app",
            "data-postgres-0",
            "Bound",
            POSTGRES_PV,
            "10Gi",
            "RWO",
            "local-path",
            "20d"
        ]
    );
    assert_eq!(
        cells(&run.stdout, " grafana ")[..3],
        ["monitoring", "grafana", "Pending"]
    );

    let run = p.bot("en").shell("bob", "pvc -n app -c app1\n");
    assert!(run.stdout.contains("data-postgres-0"), "{}", run.stdout);
    assert!(!run.stdout.contains("grafana"), "{}", run.stdout);
}

#[test]
fn pvc_in_an_unknown_namespace_is_one_sentence() {
    let p = platform();
    let run = p.bot("en").shell("bob", "pvc -n shop -c app1\n");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains("Namespace \"shop\" does not exist on cluster app1."),
        "{}",
        run.stdout
    );
}

#[test]
fn pvc_reports_the_live_clusters_when_one_is_down() {
    let mut p = platform();
    let bot = p.bot("en");
    p.app2.stop();
    let run = bot.shell("bob", "pvc\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("data-postgres-0"), "{}", run.stdout);
    assert!(
        run.stdout.contains("No persistent volume claims on mgmt."),
        "{}",
        run.stdout
    );
    // A dead cluster is one line, "app2: unreachable (…)", while the others report.
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("app2: ") && l.contains("unreachable")),
        "{}",
        run.stdout
    );
}

#[test]
fn pv_released_lists_only_the_volumes_nobody_claims_any_more() {
    let p = platform();
    let run = p.bot("en").shell("bob", "pv -c app1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(row(&run.stdout, POSTGRES_PV)[4], "Bound");
    assert!(
        run.stdout.contains("1 volume is Released"),
        "{}",
        run.stdout
    );

    let run = p.bot("en").shell("bob", "pv --released -c app1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        row(&run.stdout, RELEASED_PV),
        [
            RELEASED_PV,
            "20Gi",
            "RWO",
            "Retain",
            "Released",
            "monitoring/storage-loki-0",
            "local-path",
            "20d"
        ]
    );
    assert!(!run.stdout.contains(POSTGRES_PV), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------------
// pod.describe

#[test]
fn pod_describe_shows_node_containers_last_termination_and_its_own_events() {
    let p = platform();
    let run = p
        .bot("en")
        .shell("bob", &format!("pod describe {API_POD} -n app -c app1\n"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(row(&run.stdout, "Node:"), ["Node:", "app1-w1"]);
    assert_eq!(row(&run.stdout, "IP:"), ["IP:", "10.0.1.23"]);
    assert_eq!(row(&run.stdout, "PodScheduled")[1], "True");
    // name, image, state, ready, restarts, last termination, exit code
    assert_eq!(
        row(&run.stdout, "api"),
        [
            "api",
            "registry.local/api:2.4.1",
            "Running",
            "yes",
            "4",
            "OOMKilled",
            "137"
        ]
    );
    assert!(at(&run.stdout, "Unhealthy") < at(&run.stdout, "BackOff"));
    assert!(
        run.stdout
            .contains("Back-off restarting failed container api"),
        "{}",
        run.stdout
    );
    // Only this pod's events: not the ReplicaSet's, not web's.
    assert!(!run.stdout.contains("SuccessfulCreate"), "{}", run.stdout);
}

#[test]
fn pod_describe_of_an_unknown_pod_or_namespace_is_one_sentence() {
    let p = platform();
    let bot = p.bot("en");
    let run = bot.shell("bob", "pod describe nope -n app -c app1\n");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("app1: pods \"nope\" not found"),
        "{}",
        run.stdout
    );
    let run = bot.shell("bob", &format!("pod describe {API_POD} -n shop -c app1\n"));
    assert!(
        run.stdout
            .contains("Namespace \"shop\" does not exist on cluster app1."),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// pod.logs

#[test]
fn pod_logs_shows_the_last_200_lines_by_default() {
    let p = platform();
    let log: String = (1..=300).map(|i| format!("request {i:03} ok\n")).collect();
    p.app1.set_log("app", WORKER_POD, "worker", false, &log);
    let run = p.bot("en").shell(
        "bob",
        &format!("pod logs {WORKER_POD} -n app --cluster app1\n"),
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("request 101 ok\n"), "{}", run.stdout);
    assert!(run.stdout.contains("request 300 ok\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("request 100 ok"), "{}", run.stdout);
    let asked = p
        .app1
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/log"))
        .expect("a log request");
    assert_eq!(asked.param("tailLines").as_deref(), Some("200"));
    assert_eq!(asked.param("container").as_deref(), Some("worker"));
}

#[test]
fn pod_logs_previous_shows_the_run_that_was_oomkilled() {
    let p = platform();
    p.app1.set_log(
        "app",
        API_POD,
        "api",
        true,
        "loading 1.2M rows into cache\nfatal error: runtime: out of memory\n",
    );
    let run = p.bot("en").shell(
        "bob",
        &format!("pod logs {API_POD} -n app --cluster app1 --previous --tail 1\n"),
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("fatal error: runtime: out of memory"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("loading 1.2M rows"), "{}", run.stdout);
}

#[test]
fn pod_logs_previous_of_a_container_that_never_restarted_is_the_servers_sentence() {
    let p = platform();
    let run = p.bot("en").shell(
        "bob",
        &format!("pod logs {WORKER_POD} -n app --cluster app1 --previous\n"),
    );
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains(&format!(
            "previous terminated container \"worker\" in pod \"{WORKER_POD}\" not found"
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn pod_logs_of_a_multi_container_pod_without_c_names_its_containers() {
    let p = platform();
    p.app1.set_log(
        "app",
        WEB_POD,
        "istio-proxy",
        false,
        "[2026-03-01T10:00:00.000Z] \"GET /healthz HTTP/1.1\" 200 - via_upstream\n",
    );
    let bot = p.bot("en");
    let run = bot.shell(
        "bob",
        &format!("pod logs {WEB_POD} -n app --cluster app1\n"),
    );
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains(&format!(
            "Pod {WEB_POD} has several containers (web, istio-proxy); pick one with -c."
        )),
        "{}",
        run.stdout
    );
    let run = bot.shell(
        "bob",
        &format!("pod logs {WEB_POD} -n app --cluster app1 -c istio-proxy\n"),
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("\"GET /healthz HTTP/1.1\" 200"),
        "{}",
        run.stdout
    );
}

#[test]
fn pod_logs_follow_streams_lines_appended_meanwhile_and_stops_at_the_deadline() {
    let p = platform();
    p.app1
        .set_log("app", WORKER_POD, "worker", false, "job 1 done\n");
    let bot = p.bot("en");
    let started = Instant::now();
    let run =
        std::thread::scope(|scope| {
            scope.spawn(|| {
                // Append once the bot is following, so the lines can only come through the stream.
                let following = Instant::now();
                while !p.app1.requests().iter().any(|r| {
                    r.path.ends_with("/log") && r.param("follow").as_deref() == Some("true")
                }) {
                    assert!(
                        following.elapsed() < Duration::from_secs(20),
                        "never followed"
                    );
                    std::thread::sleep(Duration::from_millis(20));
                }
                p.app1
                    .append_log("app", WORKER_POD, "worker", "job 2 done\n");
                std::thread::sleep(Duration::from_millis(300));
                p.app1
                    .append_log("app", WORKER_POD, "worker", "job 3 done\n");
            });
            bot.shell(
                "bob",
                &format!("pod logs {WORKER_POD} -n app --cluster app1 --follow 2s\n"),
            )
        });
    let elapsed = started.elapsed();
    assert_eq!(run.code, 0, "{}", run.all());
    // As progress while following…
    assert!(run.stdout.contains("[1/1]   job 3 done"), "{}", run.stdout);
    // …and in the report.
    assert!(
        run.stdout.contains("job 1 done\njob 2 done\njob 3 done\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Followed for 2s and stopped there."),
        "{}",
        run.stdout
    );
    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
}

// ---------------------------------------------------------------------------------------------
// events

#[test]
fn events_are_sorted_by_last_seen_newest_last_with_the_warnings_counted() {
    let p = platform();
    let run = p.bot("en").shell("bob", "events -n app -c app1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    let order = [
        "SuccessfulCreate",
        "Scheduled",
        "Unhealthy",
        "Pulled",
        "BackOff",
    ];
    for pair in order.windows(2) {
        assert!(
            at(&run.stdout, pair[0]) < at(&run.stdout, pair[1]),
            "{pair:?}: {}",
            run.stdout
        );
    }
    // The event with only eventTime still has an age.
    assert_eq!(row(&run.stdout, "29m")[2], "Scheduled");
    assert_eq!(
        cells(&run.stdout, "BackOff")[..4],
        ["4m", "Warning", "BackOff", &format!("pod/{API_POD}")]
    );
    assert!(
        run.stdout.contains("replicaset/web-5f6d7c8b9"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("2 warnings among them."),
        "{}",
        run.stdout
    );
}

#[test]
fn events_of_an_unknown_namespace_is_one_sentence() {
    let p = platform();
    let run = p.bot("en").shell("bob", "events -n shop -c app1\n");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains("Namespace \"shop\" does not exist on cluster app1."),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// storage.describe

#[test]
fn storage_of_a_pod_stuck_on_an_unbound_claim_shows_the_claim_and_mount_error() {
    let p = platform();
    let run = p.bot("en").shell(
        "bob",
        &format!("storage {GRAFANA_POD} -n monitoring -c app1\n"),
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        row(&run.stdout, "storage"),
        ["storage", "PVC", "grafana", "grafana:/var/lib/grafana"]
    );
    assert_eq!(
        row(&run.stdout, "config")[..3],
        ["config", "configMap", "grafana"]
    );
    assert_eq!(row(&run.stdout, "grafana")[1], "Pending");
    assert!(
        run.stdout
            .contains("Claim grafana is Pending, not Bound: no volume backs it yet."),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("1 mount error:"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "MountVolume.SetUp failed for volume \"storage\" : persistentvolumeclaim \"grafana\" is not bound"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn storage_of_a_healthy_pod_shows_its_bound_volume_and_no_mount_errors() {
    let p = platform();
    let run = p
        .bot("en")
        .shell("bob", &format!("storage {POSTGRES_POD} -n app -c app1\n"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        row(&run.stdout, "data-postgres-0"),
        [
            "data-postgres-0",
            "Bound",
            POSTGRES_PV,
            "10Gi",
            "RWO",
            "local-path"
        ]
    );
    assert_eq!(
        row(&run.stdout, "credentials")[..3],
        ["credentials", "secret", "postgres-credentials"]
    );
    assert_eq!(
        cells(&run.stdout, "kube-api-access-7xk2p")[1..5],
        [
            "projected",
            "serviceAccountToken,",
            "configMap",
            "kube-root-ca.crt"
        ]
    );
    assert!(
        run.stdout
            .contains("No mount errors reported for this pod."),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// oom

#[test]
fn oom_finds_the_oomkilled_container_with_its_limit_and_the_heaviest_pods() {
    let p = platform();
    let run = p.bot("en").shell("bob", "oom -c app1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("1 container was OOMKilled:"),
        "{}",
        run.stdout
    );
    let killed: Vec<&str> = run
        .stdout
        .lines()
        .rfind(|l| l.contains(API_POD))
        .map(|l| l.split_whitespace().collect())
        .unwrap_or_default();
    assert_eq!(killed, ["app", API_POD, "api", "5m", "ago", "4", "512Mi"]);
    // Heaviest first; the api pod runs at 480Mi of its 512Mi.
    assert!(at(&run.stdout, "prometheus-kube") < at(&run.stdout, POSTGRES_POD));
    assert_eq!(
        cells(&run.stdout, API_POD),
        ["app", API_POD, "480Mi", "512Mi", "94%"]
    );
}

#[test]
fn oom_in_korean_without_metrics_still_lists_oomkilled_containers() {
    let p = platform();
    p.app1.enable_metrics(false);
    let run = p.bot("ko").shell("bob", "oom -c app1\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains(
            "app1에는 metrics-server가 설치되어 있지 않아 현재 메모리 사용량을 알 수 없습니다."
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("OOMKilled된 컨테이너 1개:"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("5m 전"), "{}", run.stdout);
}
