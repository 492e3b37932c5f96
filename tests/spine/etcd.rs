//! The etcd operations end to end: allowed, denied, verified, and with etcd down.

use super::{bin, bot_with_etcd};
use opsbot_tests::bot::Bot;
use opsbot_tests::etcd::{EtcdServer, snapshot_status};

fn snapshots_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries.map(|e| e.expect("entry").path()).collect();
    files.sort();
    files
}

#[test]
fn allowed_user_takes_a_snapshot_that_etcdctl_verifies() {
    let (bot, etcd) = bot_with_etcd("en");
    etcd.put_keys(200, 64);
    let run = bot.shell("bob", "etcd snapshot -c mgmt\n");
    assert_eq!(run.code, 0, "{}", run.all());
    let files = snapshots_in(&bot.backups("mgmt"));
    assert_eq!(files.len(), 1, "exactly one file, no partials: {files:?}");
    let name = files[0].file_name().and_then(|n| n.to_str()).expect("name");
    assert!(
        name.starts_with("etcd-snapshot-")
            && name.ends_with(".db")
            && name.len() == "etcd-snapshot-YYYYmmdd-HHMMSS.db".len(),
        "{name}"
    );
    let status = snapshot_status(&files[0]);
    // What opsbot reported is what etcdctl reads from the file.
    assert!(
        run.stdout.contains(&status.revision.to_string()),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&status.total_key.to_string()),
        "{}",
        run.stdout
    );
    // Progress was shown step by step, then the outcome.
    assert!(
        run.stdout.contains("[1/3]") && run.stdout.contains("[3/3]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("✓ done in"), "{}", run.stdout);
}

#[test]
fn status_reports_a_live_cluster_and_names_a_dead_one() {
    let etcd = EtcdServer::start();
    let dead = format!("http://127.0.0.1:{}", opsbot_tests::etcd::free_port());
    let bot = Bot::new(bin(), &[("mgmt", etcd.endpoint()), ("app2", dead)], "en");
    let run = bot.shell("victor", "etcd status -c all\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("3.4."),
        "version of the live etcd: {}",
        run.stdout
    );
    assert!(run.stdout.contains("app2"), "{}", run.stdout);
}

#[test]
fn denied_user_is_told_why_and_nothing_is_written() {
    let (bot, _etcd) = bot_with_etcd("en");
    let run = bot.shell("victor", "etcd snapshot -c mgmt\n");
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("shell:victor may not run etcd.snapshot on mgmt"),
        "{}",
        run.stdout
    );
    assert!(snapshots_in(&bot.backups("mgmt")).is_empty());
    let stranger = bot.shell("mallory", "etcd status\n");
    assert_eq!(stranger.code, 1);
    assert!(
        stranger.stdout.contains("no rule of the policy allows it"),
        "{}",
        stranger.stdout
    );
}

#[test]
fn etcd_down_fails_in_one_sentence_and_leaves_no_file() {
    let (bot, mut etcd) = bot_with_etcd("en");
    etcd.stop();
    let run = bot.shell("bob", "etcd snapshot -c mgmt\n");
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("unreachable"), "{}", run.stdout);
    assert!(!run.all().contains("panicked"), "{}", run.all());
    assert!(
        snapshots_in(&bot.backups("mgmt")).is_empty(),
        "no partial file"
    );
}

#[test]
fn snapshots_lists_what_was_kept() {
    let (bot, _etcd) = bot_with_etcd("en");
    let run = bot.shell("bob", "etcd snapshot -c mgmt\netcd snapshots\n");
    assert_eq!(run.code, 0, "{}", run.all());
    let name = snapshots_in(&bot.backups("mgmt"))[0]
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .expect("a snapshot");
    assert!(run.stdout.matches(&name).count() >= 2, "{}", run.stdout);
}

#[test]
fn contacts_come_from_the_configuration_without_secrets() {
    let (bot, _etcd) = bot_with_etcd("en");
    let run = bot.shell("victor", "contacts\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("Platform Team"), "{}", run.stdout);
    assert!(run.stdout.contains("cluster failure"), "{}", run.stdout);
    assert!(!run.all().contains("R0UTINGKEY"), "{}", run.all());
}
