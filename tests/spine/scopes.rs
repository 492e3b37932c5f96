//! Issue 11 in the tools: `check-config` shows who is which person and refuses an account
//! listed under two people; `can-i` names the person and judges every cluster and namespace
//! a request names, as the engine does.

use super::bin;
use opsbot_tests::bot::Bot;

const PEOPLE: &str = r#"
[[people]]
name = "bob"
subjects = ["slack:U0BOB", "shell:bob"]
"#;

const POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]
[roles.team]
operations = ["velero.restore", "contacts"]

[[bindings]]
role = "admin"
subjects = ["person:bob", "shell:alice"]

[[bindings]]
role = "team"
subjects = ["shell:tina"]
clusters = ["prod"]
namespaces = ["team-a"]

[[approvals]]
operations = ["pod.delete", "velero.restore"]
clusters = ["prod*"]
approvers = 2
approver_roles = ["admin"]
ttl = "30m"

[[approvals]]
operations = ["pod.delete", "velero.restore"]
clusters = ["*"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
"#;

fn bot(policy: &str) -> Bot {
    // Names only: nothing here dials a cluster.
    Bot::builder(bin())
        .etcd("prod", "http://127.0.0.1:9".to_string())
        .etcd("stage", "http://127.0.0.1:9".to_string())
        .policy(policy)
        .build()
}

/// Attack: Bob's Slack and shell accounts were two approvers. The operator sees the mapping
/// that makes them one.
#[test]
fn check_config_shows_the_people_table() {
    let bot = bot(&format!("{PEOPLE}{POLICY}"));
    let run = bot.run(&["check-config"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("People (1)"), "{}", run.stdout);
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with("person:bob"))
        .unwrap_or_else(|| panic!("no row for bob:\n{}", run.stdout));
    assert!(row.contains("slack:U0BOB, shell:bob"), "{row}");
}

/// One account under two people would let it count for either: refused, with the key.
#[test]
fn check_config_refuses_an_account_listed_under_two_people() {
    let twice =
        format!("{PEOPLE}\n[[people]]\nname = \"robert\"\nsubjects = [\"slack:U0BOB\"]\n{POLICY}");
    let run = bot(&twice).run(&["check-config"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("people[1].subjects[0]")
            && run.stderr.contains("already listed under person \"bob\""),
        "{}",
        run.all()
    );
}

#[test]
fn can_i_names_the_person_and_judges_every_cluster_and_namespace() {
    let bot = bot(&format!("{PEOPLE}{POLICY}"));
    let run = bot.run(&[
        "can-i",
        "slack:U0BOB",
        "pod.delete",
        "-c",
        "all",
        "-n",
        "app",
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("once 2 of admin approve"),
        "the strictest of prod and stage: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("slack:U0BOB is person:bob (slack:U0BOB, shell:bob)"),
        "{}",
        run.stdout
    );
    let alone = bot.run(&["can-i", "shell:alice", "contacts"]);
    assert!(
        alone.stdout.contains("a person of its own"),
        "{}",
        alone.stdout
    );
    // tina's binding stops at namespace team-a of prod: a list reaching past it is no.
    let inside = bot.run(&[
        "can-i",
        "shell:tina",
        "velero.restore",
        "-c",
        "prod",
        "-n",
        "team-a",
    ]);
    assert_eq!(inside.code, 0, "{}", inside.all());
    let past = bot.run(&[
        "can-i",
        "shell:tina",
        "velero.restore",
        "-c",
        "prod",
        "-n",
        "team-a,kube-system",
    ]);
    assert_eq!(past.code, 1, "{}", past.all());
    let global = bot.run(&["can-i", "shell:tina", "contacts"]);
    assert_eq!(
        global.code, 1,
        "a one-cluster binding grants no global operation"
    );
    let unknown = bot.run(&["can-i", "shell:tina", "contacts", "-c", "prod,nope"]);
    assert_eq!(unknown.code, 2, "{}", unknown.all());
}

/// Incidents about no cluster come from `opsbot`; a cluster of that name would let a grant on
/// it reach them.
#[test]
fn check_config_refuses_a_cluster_named_like_the_bot() {
    let bot = Bot::builder(bin())
        .etcd("opsbot", "http://127.0.0.1:9".to_string())
        .policy(POLICY)
        .build();
    let run = bot.run(&["check-config"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("clusters.opsbot") && run.stderr.contains("names the bot itself"),
        "{}",
        run.all()
    );
}
