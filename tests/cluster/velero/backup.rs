//! velero.backup, velero.backups and velero.schedule against the mgmt test cluster, with a
//! thread playing Velero's server.

use std::time::Duration;

use opsbot_tests::fixtures::velero::{self, await_new_backup, set_backup_status};
use opsbot_tests::kube::KubeServer;
use serde_json::{Value, json};

use super::{bob, field};
use crate::Platform;

/// The names of the Backups in `velero`.
fn backup_names(server: &KubeServer) -> Vec<String> {
    server
        .list("velero.io/v1", "Backup", Some("velero"))
        .iter()
        .filter_map(|b| b["metadata"]["name"].as_str().map(String::from))
        .collect()
}

/// Plays Velero's server for the next new Backup: each (phase, items, total, errors) in turn.
fn play_velero(server: &KubeServer, steps: &[(&str, u64, u64, u64)]) -> Value {
    let known = backup_names(server);
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let created = await_new_backup(server, &known, Duration::from_secs(20))
        .expect("the bot created a Backup");
    let name = created["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for (phase, items, total, errors) in steps {
        std::thread::sleep(Duration::from_millis(300));
        set_backup_status(server, &name, phase, *items, *total, *errors);
    }
    created
}

// ---------------------------------------------------------------------------------------------
// velero.backup

#[test]
fn backup_create_reports_items_as_velero_backs_them_up_and_ends_completed() {
    let p = Platform::start();
    velero::installed(&p.mgmt);
    let bot = p.bot("en");
    let (created, run) = std::thread::scope(|s| {
        let velero = s.spawn(|| {
            play_velero(
                &p.mgmt,
                &[
                    ("InProgress", 0, 340, 0),
                    ("InProgress", 120, 340, 0),
                    ("InProgress", 300, 340, 0),
                    ("Completed", 340, 340, 0),
                ],
            )
        });
        let run = bob(
            &bot,
            "velero backup create --namespaces default,app --ttl 168h -c mgmt",
        );
        (velero.join().expect("velero thread"), run)
    });
    assert_eq!(run.code, 0, "{}", run.all());
    let name = created["metadata"]["name"].as_str().unwrap_or_default();
    // ns-backup-YYYYmmdd-HHMMSS, as the runbook names namespace backups.
    let stamp = name
        .strip_prefix("ns-backup-")
        .unwrap_or_else(|| panic!("{name}"));
    assert_eq!(stamp.len(), 15, "{name}");
    assert!(
        stamp
            .chars()
            .enumerate()
            .all(|(i, c)| if i == 8 { c == '-' } else { c.is_ascii_digit() }),
        "{name}"
    );
    assert_eq!(
        created["spec"]["includedNamespaces"],
        json!(["default", "app"])
    );
    assert_eq!(created["spec"]["ttl"], "168h0m0s");
    assert_eq!(created["spec"]["storageLocation"], "default");
    assert!(
        created["spec"].get("excludedNamespaces").is_none(),
        "{created}"
    );
    for progress in [
        "items backed up 120 of 340",
        "items backed up 300 of 340",
        "Completed: items backed up 340 of 340",
    ] {
        assert!(run.stdout.contains(progress), "{progress}: {}", run.stdout);
    }
    assert_eq!(
        field(&run.stdout, "Phase").as_deref(),
        Some("Completed"),
        "{}",
        run.stdout
    );
    assert_eq!(
        field(&run.stdout, "Items backed up").as_deref(),
        Some("340 of 340")
    );
    assert_eq!(field(&run.stdout, "Errors").as_deref(), Some("0"));
    assert!(
        field(&run.stdout, "Expires")
            .is_some_and(|e| e.contains("(in 6d)") || e.contains("(in 7d)")),
        "{}",
        run.stdout
    );
    let post = p
        .mgmt
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/apis/velero.io/v1/namespaces/velero/backups")
        .expect("the Backup was posted");
    assert_eq!(post.param("fieldManager").as_deref(), Some("opsbot"));
}

#[test]
fn a_partially_failed_full_backup_fails_the_run_with_its_phase_and_errors() {
    let p = Platform::start();
    velero::installed(&p.mgmt);
    let bot = p.bot("en");
    let (created, run) = std::thread::scope(|s| {
        let velero = s.spawn(|| {
            play_velero(
                &p.mgmt,
                &[("InProgress", 50, 100, 0), ("PartiallyFailed", 98, 100, 2)],
            )
        });
        let run = bob(
            &bot,
            "velero backup create --all --exclude kube-system -c mgmt",
        );
        (velero.join().expect("velero thread"), run)
    });
    assert_eq!(run.code, 1, "{}", run.all());
    let name = created["metadata"]["name"].as_str().unwrap_or_default();
    assert!(name.starts_with("full-backup-"), "{name}");
    assert_eq!(created["spec"]["includedNamespaces"], json!(["*"]));
    assert_eq!(
        created["spec"]["excludedNamespaces"],
        json!(["kube-system"])
    );
    let failure = format!("Backup {name} ended PartiallyFailed: 2 errors and 1 warning;");
    assert!(run.stdout.contains(&failure), "{failure}: {}", run.stdout);
    assert_eq!(
        field(&run.stdout, "Items backed up").as_deref(),
        Some("98 of 100"),
        "{}",
        run.stdout
    );
}

#[test]
fn namespaces_with_all_is_refused_before_anything_is_created() {
    let p = Platform::start();
    velero::installed(&p.mgmt);
    let before = backup_names(&p.mgmt);
    let run = bob(
        &p.bot("en"),
        "velero backup create --all --namespaces app -c mgmt",
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("Use either --namespaces or --all, not both"),
        "{}",
        run.stdout
    );
    assert_eq!(backup_names(&p.mgmt), before);
    assert!(p.mgmt.requests().iter().all(|r| r.method != "POST"));
}

#[test]
fn a_backup_name_already_taken_is_one_sentence() {
    let p = Platform::start();
    velero::installed(&p.mgmt);
    let run = bob(
        &p.bot("en"),
        "velero backup create --name daily-backup-20261125020000 --namespaces app -c mgmt",
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("A backup named daily-backup-20261125020000 already exists on mgmt"),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// velero.backups

#[test]
fn backup_list_shows_each_backup_as_velero_backup_get_does() {
    let p = Platform::start();
    velero::installed(&p.mgmt);
    let run = bob(&p.bot("en"), "velero backup list -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    let header = run
        .stdout
        .lines()
        .find(|l| l.starts_with("NAME"))
        .expect("a table");
    for column in [
        "STATUS",
        "ERRORS",
        "WARNINGS",
        "CREATED",
        "EXPIRES",
        "STORAGE LOCATION",
        "SELECTOR",
    ] {
        assert!(header.contains(column), "{header}");
    }
    let row = |name: &str| -> Vec<String> {
        let line = run
            .stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name}: {}", run.stdout));
        line.split_whitespace().map(String::from).collect()
    };
    let newest = row("daily-backup-20261125020000");
    assert_eq!(newest[1..4], ["Completed", "0", "0"]);
    // Kept 168h from a day ago: 5 whole days and some hours left.
    assert_eq!(newest[newest.len() - 3..], ["5d", "default", "<none>"]);
    let older = row("daily-backup-20261124020000");
    assert_eq!(older[1..4], ["PartiallyFailed", "2", "7"]);
    // Newest first.
    let first = run.stdout.find("daily-backup-20261125020000");
    assert!(
        first < run.stdout.find("daily-backup-20261124020000"),
        "{}",
        run.stdout
    );
}

#[test]
fn backup_describe_shows_namespaces_ttl_progress_and_errors() {
    let p = Platform::start();
    velero::installed(&p.mgmt);
    let run = bob(
        &p.bot("en"),
        "velero backup describe daily-backup-20261124020000 -c mgmt",
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let expect = [
        ("Phase", "PartiallyFailed"),
        ("Included namespaces", "default, app"),
        ("Excluded namespaces", "none"),
        ("TTL", "168h0m0s"),
        ("Storage location", "default"),
        ("Items backed up", "398 of 412"),
        ("Errors", "2"),
        ("Warnings", "7"),
    ];
    for (key, value) in expect {
        assert_eq!(
            field(&run.stdout, key).as_deref(),
            Some(value),
            "{key}: {}",
            run.stdout
        );
    }
    let unknown = bob(
        &p.bot("en"),
        "velero backup describe no-such-backup -c mgmt",
    );
    assert_eq!(unknown.code, 1);
    assert!(
        unknown
            .stdout
            .contains("There is no backup no-such-backup in namespace velero on mgmt"),
        "{}",
        unknown.stdout
    );
}

#[test]
fn a_cluster_without_velero_says_so() {
    let p = Platform::start();
    p.app2.delete("v1", "Namespace", None, "velero");
    let run = bob(
        &p.bot("en"),
        "velero backup create --namespaces app -c app2",
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("Velero is not installed on app2: it has no velero namespace."),
        "{}",
        run.stdout
    );
    assert!(p.app2.requests().iter().all(|r| r.method != "POST"));
}

// ---------------------------------------------------------------------------------------------
// velero.schedule

#[test]
fn schedule_create_writes_the_runbook_schedule_and_refuses_a_taken_name() {
    let p = Platform::start();
    velero::installed(&p.mgmt);
    let bot = p.bot("en");
    let line = r#"velero schedule create nightly --cron "0 2 * * *" --ttl 168h --namespaces default,app -c mgmt"#;
    let run = bob(&bot, line);
    assert_eq!(run.code, 0, "{}", run.all());
    let schedule = p
        .mgmt
        .get("velero.io/v1", "Schedule", Some("velero"), "nightly")
        .expect("created");
    assert_eq!(schedule["spec"]["schedule"], "0 2 * * *");
    assert_eq!(
        schedule["spec"]["template"],
        json!({ "ttl": "168h0m0s", "includedNamespaces": ["default", "app"], "storageLocation": "default" })
    );
    assert!(
        field(&run.stdout, "Next run").is_some_and(|t| t.ends_with("02:00:00 UTC")),
        "{}",
        run.stdout
    );

    let again = bob(&bot, line);
    assert_eq!(again.code, 1);
    assert!(
        again
            .stdout
            .contains("A schedule named nightly already exists on mgmt."),
        "{}",
        again.stdout
    );

    let list = bob(&bot, "velero schedule list -c mgmt");
    assert_eq!(list.code, 0, "{}", list.all());
    let daily: Vec<&str> = list
        .stdout
        .lines()
        .find(|l| l.starts_with("daily-backup"))
        .expect("row")
        .split_whitespace()
        .collect();
    assert_eq!(
        daily,
        [
            "daily-backup",
            "Enabled",
            "0",
            "2",
            "*",
            "*",
            "*",
            "5h",
            "ago",
            "168h0m0s",
            "false"
        ]
    );
    let nightly = list
        .stdout
        .lines()
        .find(|l| l.starts_with("nightly"))
        .expect("row");
    assert!(nightly.contains("never"), "{nightly}");
}
