//! Issue 11, points 2 and 3: every cluster and namespace a request touches is judged, through
//! the real binary against two Kubernetes API test servers playing `prod` and `stage`. Each
//! test says which attack it proves closed; each failed on 5c114e2.

use opsbot_tests::bot::approval_id;
use opsbot_tests::bot::{Bot, Run};
use opsbot_tests::fixtures::platform::{self, pod};
use opsbot_tests::fixtures::velero;
use opsbot_tests::kube::{KubeServer, kubeconfig};
use serde_json::json;

use super::bin;

/// Admins everywhere; tina's team may restore, back up and read only namespace `team-a` on
/// `prod`; nobody backs up `kube-system`; prod asks two approvals where stage asks one.
const POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]
[roles.team]
operations = ["velero.restore", "velero.backup", "get", "yaml", "contacts"]

[[bindings]]
role = "admin"
subjects = ["shell:bob", "shell:alice", "shell:carol"]

[[bindings]]
role = "team"
subjects = ["shell:tina"]
clusters = ["prod"]
namespaces = ["team-a"]

[[deny]]
subjects = ["*"]
operations = ["velero.backup"]
namespaces = ["kube-system"]

[[approvals]]
operations = ["pod.delete", "cluster.status"]
clusters = ["prod*"]
approvers = 2
approver_roles = ["admin"]
ttl = "30m"

[[approvals]]
operations = ["pod.delete", "cluster.status", "velero.restore"]
clusters = ["*"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
"#;

struct Clusters {
    prod: KubeServer,
    stage: KubeServer,
    bot: Bot,
}

fn start() -> Clusters {
    let prod = KubeServer::start();
    let stage = KubeServer::start();
    platform::healthy_cluster(&prod, "prod", &["stage"]);
    platform::healthy_cluster(&stage, "stage", &["prod"]);
    for server in [&prod, &stage] {
        server.apply(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": { "name": "team-a" }, "status": { "phase": "Active" }
        }));
        server.apply(pod("app", "web-7d9f-abcde", "w1", true));
        velero::installed(server);
        server.apply(velero::backup(
            "nightly",
            &["team-a", "kube-system"],
            velero::Finished::completed(12),
            600,
        ));
    }
    let bot = Bot::builder(bin())
        .kubeconfig(kubeconfig(&[("prod", &prod), ("stage", &stage)]))
        .kube("prod", "prod")
        .kube("stage", "stage")
        .policy(POLICY)
        .build();
    Clusters { prod, stage, bot }
}

fn shell(bot: &Bot, who: &str, line: &str) -> Run {
    bot.shell(who, &format!("{line}\n"))
}

fn denied(run: &Run) -> bool {
    run.stdout.contains("may not run")
}

fn sent(server: &KubeServer, method: &str, path_part: &str) -> bool {
    server
        .requests()
        .iter()
        .any(|r| r.method == method && r.path.contains(path_part))
}

/// Attack: `pod delete … -c all` asked for stage's one approval and then deleted the pod in
/// prod. A single-cluster form now refuses `all` and lists, and nothing is asked or deleted.
#[test]
fn a_single_cluster_form_refuses_all_and_a_list_of_clusters() {
    let c = start();
    for cluster in ["all", "prod,stage"] {
        let run = shell(
            &c.bot,
            "bob",
            &format!("pod delete web-7d9f-abcde -n app -c {cluster} --reason x"),
        );
        assert_eq!(run.code, 1, "{}", run.all());
        assert!(
            run.stdout
                .contains("This command acts on one cluster, so -c cannot be"),
            "{}",
            run.all()
        );
        assert!(!run.stdout.contains("approve "), "{}", run.all());
    }
    let pending = shell(&c.bot, "alice", "pending");
    assert!(!pending.stdout.contains("pod delete"), "{}", pending.all());
    for server in [&c.prod, &c.stage] {
        assert!(!sent(server, "DELETE", "/pods/"), "nothing was deleted");
    }
    // Named alone, prod's own rule applies: two approvals.
    let prod = shell(
        &c.bot,
        "bob",
        "pod delete web-7d9f-abcde -n app -c prod --reason x",
    );
    assert!(prod.stdout.contains("(0 of 2"), "{}", prod.all());
}

/// Attack: a request over prod and stage waited for the last cluster's rule (stage: one
/// approval). It now waits for the strictest (prod: two), and its card names both clusters.
#[test]
fn a_multi_cluster_request_takes_the_strictest_rule_and_its_card_names_every_cluster() {
    let c = start();
    let asked = shell(&c.bot, "bob", "status -c all --reason checking");
    assert!(asked.stdout.contains("(0 of 2"), "{}", asked.all());
    assert!(
        asked.stdout.contains("touches: clusters prod, stage"),
        "{}",
        asked.all()
    );
    let id = approval_id(&asked);
    let first = shell(&c.bot, "alice", &format!("approve {id}"));
    assert!(first.stdout.contains("recorded: 1 of 2"), "{}", first.all());
    let pending = shell(&c.bot, "carol", "pending");
    assert!(pending.stdout.contains(&id), "one approval is not enough");
}

/// Attack: `velero restore --namespaces` was judged with no namespace, so a team bound to
/// `team-a` restored `kube-system`; a restore of the whole backup passed as well.
#[test]
fn a_velero_restore_into_a_namespace_outside_the_binding_is_refused() {
    let c = start();
    for line in [
        "velero restore nightly --namespaces team-a,kube-system -c prod --reason x",
        "velero restore nightly -c prod --reason x",
    ] {
        let run = shell(&c.bot, "tina", line);
        assert_eq!(run.code, 1, "{line}: {}", run.all());
        assert!(denied(&run), "{line}: {}", run.all());
        assert!(run.stdout.contains("kube-system") || !line.contains("kube-system"));
    }
    assert!(
        !sent(&c.prod, "POST", "/restores"),
        "no Restore was created"
    );
    // Inside the binding it goes on to approval, and the card names the namespace.
    let own = shell(
        &c.bot,
        "tina",
        "velero restore nightly --namespaces team-a -c prod --reason x",
    );
    assert!(!denied(&own), "{}", own.all());
    assert!(
        own.stdout
            .contains("touches: clusters prod · namespaces team-a"),
        "{}",
        own.all()
    );
}

/// Attack: a `[[deny]]` on namespace `kube-system` did not reach a Velero backup naming it.
#[test]
fn a_namespace_deny_reaches_a_velero_backup_naming_it() {
    let c = start();
    let run = shell(
        &c.bot,
        "bob",
        "velero backup create --namespaces app,kube-system -c prod",
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("denied by deny[0]"), "{}", run.all());
    assert!(!sent(&c.prod, "POST", "/backups"), "no Backup was created");
}

/// Attack: `get nodes` (and other cluster-scoped kinds) passed a binding limited to one
/// namespace, because `-n` was taken at its word.
#[test]
fn reading_cluster_scoped_kinds_needs_a_grant_over_every_namespace() {
    let c = start();
    for line in [
        "get nodes -n team-a -c prod",
        "get clusterroles -c prod",
        "yaml node/prod-w1 -n team-a -c prod",
    ] {
        let run = shell(&c.bot, "tina", line);
        assert_eq!(run.code, 1, "{line}: {}", run.all());
        assert!(denied(&run), "{line}: {}", run.all());
    }
    assert!(!sent(&c.prod, "GET", "/api/v1/nodes"), "no node was read");
    let pods = shell(&c.bot, "tina", "get pods -n team-a -c prod");
    assert!(!denied(&pods), "{}", pods.all());
}

/// Attack: a binding limited to one cluster also granted operations with no cluster at all.
#[test]
fn a_binding_limited_to_one_cluster_grants_no_global_operation() {
    let c = start();
    let run = shell(&c.bot, "tina", "contacts");
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(denied(&run), "{}", run.all());
    let admin = shell(&c.bot, "bob", "contacts");
    assert_eq!(admin.code, 0, "{}", admin.all());
}
