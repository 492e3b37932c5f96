//! `check-config` and `can-i`.

use super::{bin, bot_with_etcd};
use opsbot_tests::bot::Bot;

#[test]
fn check_config_reports_every_problem_with_file_and_key() {
    let bot = Bot::new(bin(), &[], "en");
    std::fs::write(
        bot.config(),
        r#"
locale = "fr"
colour = "blue"
[state]
path = "state.db"
[policy]
file = "policy.toml"
[backup]
dir = "backups"
retention = "a week"
[slack]
bot_token = "xoxb-test"
[clusters.mgmt.etcd]
endpoints = ["127.0.0.1:2379"]
cert = "missing-client.crt"
"#,
    )
    .expect("write config");
    std::fs::write(
        bot.dir().join("policy.toml"),
        "[roles.admin]\noperations = [\"etcd.snapshto\"]\n[[bindings]]\nrole = \"admin\"\nsubjects = [\"shell:bob\"]\nclusters = [\"prod\"]\n",
    )
    .expect("write policy");
    let run = bot.run(&["check-config"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let config = bot.config().display().to_string();
    let policy = bot.dir().join("policy.toml").display().to_string();
    for (source, key, reason) in [
        (&config, "locale", "locale must be ko or en"),
        (&config, "colour", "unknown key"),
        (&config, "backup.retention", "not a duration"),
        (&config, "slack.signing_secret", "secret is missing"),
        (
            &config,
            "clusters.mgmt.etcd.endpoints[0]",
            "not an endpoint",
        ),
        (&config, "clusters.mgmt.etcd.cert", "cannot read"),
        (&config, "clusters.mgmt.etcd.key", "secret is missing"),
    ] {
        let line = format!("{source}: {key}: ");
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with(&line) && l.contains(reason)),
            "{line}… {reason}\n{}",
            run.stderr
        );
    }
    // The policy is only read once the configuration around it is known; its problems are
    // named with the policy file and its own keys.
    let _ = policy;
}

#[test]
fn check_config_names_unknown_clusters_and_operations_in_the_policy() {
    let (bot, _etcd) = bot_with_etcd("en");
    std::fs::write(
        bot.dir().join("policy.toml"),
        "[roles.admin]\noperations = [\"etcd.snapshto\", \"velero.*\"]\n[[bindings]]\nrole = \"admin\"\nsubjects = [\"shell:bob\"]\nclusters = [\"prod\"]\n[[bindings]]\nrole = \"ghost\"\nsubjects = [\"shell:x\"]\n",
    )
    .expect("write policy");
    let run = bot.run(&["check-config"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let policy = bot.dir().join("policy.toml").display().to_string();
    assert!(
        run.stderr.contains(&format!("{policy}: bindings[1].role:")),
        "{}",
        run.stderr
    );
    std::fs::write(
        bot.dir().join("policy.toml"),
        "[roles.admin]\noperations = [\"etcd.snapshto\", \"velero.*\"]\n[[bindings]]\nrole = \"admin\"\nsubjects = [\"shell:bob\"]\nclusters = [\"prod\"]\n",
    )
    .expect("write policy");
    let run = bot.run(&["check-config"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("\"etcd.snapshto\" names no operation"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("unknown cluster \"prod\""),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("velero.*"),
        "a glob matching ids is fine: {}",
        run.stderr
    );
}

#[test]
fn the_example_deployment_is_valid() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("tempdir");
    for file in ["opsbot.toml", "policy.toml"] {
        std::fs::copy(root.join("deploy").join(file), dir.path().join(file)).expect("copy");
    }
    std::fs::create_dir(dir.path().join("state")).expect("state dir");
    let out = std::process::Command::new(bin())
        .args(["check-config", "--config"])
        .arg(dir.path().join("opsbot.toml"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn can_i_prints_the_decision_and_its_rules() {
    let (bot, _etcd) = bot_with_etcd("en");
    let run = bot.run(&["can-i", "shell:bob", "etcd.snapshot", "-c", "mgmt"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("yes"), "{}", run.stdout);
    assert!(run.stdout.contains("rule: bindings[0]"), "{}", run.stdout);
    let run = bot.run(&[
        "can-i",
        "shell:bob",
        "pod.delete",
        "-c",
        "mgmt",
        "-n",
        "app",
    ]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("explicitly denied"), "{}", run.stdout);
    assert!(run.stdout.contains("rule: deny[0]"), "{}", run.stdout);
    let run = bot.run(&["can-i", "shell:bob", "etcd.restore", "-c", "mgmt"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("with approval"), "{}", run.stdout);
    let run = bot.run(&["can-i", "shell:nobody", "etcd.status", "-c", "mgmt"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let run = bot.run(&["can-i", "shell:bob", "etcd.snapshto"]);
    assert_eq!(run.code, 2, "{}", run.all());
}
