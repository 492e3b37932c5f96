//! Approvals through the shell: distinct approvers, never the requester, rights checked at
//! click time and again before the run, deny, expiry, changed requests, concurrent clicks.

use super::bin;
use opsbot_tests::bot::approval_id;
use opsbot_tests::bot::{Bot, Run};
use opsbot_tests::etcd::EtcdServer;

fn policy(approvers: u32, ttl: &str) -> String {
    format!(
        r#"
[roles.viewer]
operations = ["etcd.status", "etcd.snapshots", "contacts"]
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["shell:bob", "shell:alice", "shell:carol"]

[[bindings]]
role = "viewer"
subjects = ["shell:victor"]

[[approvals]]
operations = ["etcd.snapshot"]
approvers = {approvers}
approver_roles = ["admin"]
ttl = "{ttl}"
reason = true
"#
    )
}

fn bot(etcd: &EtcdServer, approvers: u32, ttl: &str) -> Bot {
    Bot::builder(bin())
        .etcd("mgmt", etcd.endpoint())
        .policy(&policy(approvers, ttl))
        .build()
}

fn snapshots(bot: &Bot) -> usize {
    std::fs::read_dir(bot.backups("mgmt")).map_or(0, |d| d.count())
}

#[test]
fn another_admin_approves_and_the_request_runs_once() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, 1, "30m");
    let asked = bot.shell(
        "bob",
        "etcd snapshot -c mgmt --reason \"before the upgrade\"\n",
    );
    assert!(
        asked
            .stdout
            .contains("waits for approval (0 of 1, from: admin)"),
        "{}",
        asked.stdout
    );
    assert!(
        asked.stdout.contains("reason: before the upgrade"),
        "{}",
        asked.stdout
    );
    assert_eq!(snapshots(&bot), 0, "nothing runs before approval");
    let id = approval_id(&asked);

    let listed = bot.shell("alice", "pending\n");
    assert!(listed.stdout.contains(&id), "{}", listed.stdout);
    assert!(listed.stdout.contains("shell:bob"), "{}", listed.stdout);

    let approved = bot.shell("alice", &format!("approve {id}\n"));
    assert_eq!(approved.code, 0, "{}", approved.all());
    assert!(
        approved.stdout.contains("approved by shell:alice: done"),
        "{}",
        approved.stdout
    );
    assert_eq!(snapshots(&bot), 1);

    let again = bot.shell("carol", &format!("approve {id}\n"));
    assert!(
        again
            .stdout
            .contains("can no longer be approved: it is succeeded"),
        "{}",
        again.stdout
    );
    assert_eq!(snapshots(&bot), 1, "never twice");
    assert_eq!(bot.run(&["audit", "verify"]).code, 0);
}

#[test]
fn the_requester_never_approves_their_own_request() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, 1, "30m");
    let id = approval_id(&bot.shell("bob", "etcd snapshot -c mgmt --reason r\n"));
    let own = bot.shell("bob", &format!("approve {id}\n"));
    assert_eq!(own.code, 1);
    assert!(
        own.stdout.contains("cannot approve your own request"),
        "{}",
        own.stdout
    );
    assert_eq!(snapshots(&bot), 0);
}

#[test]
fn someone_without_the_approver_role_cannot_approve() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, 1, "30m");
    let id = approval_id(&bot.shell("bob", "etcd snapshot -c mgmt --reason r\n"));
    let run = bot.shell("victor", &format!("approve {id}\n"));
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("approvers need one of the roles admin"),
        "{}",
        run.stdout
    );
    assert!(
        bot.shell("alice", "pending\n").stdout.contains(&id),
        "still pending"
    );
}

#[test]
fn two_approvals_need_two_distinct_people() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, 2, "30m");
    let id = approval_id(&bot.shell("bob", "etcd snapshot -c mgmt --reason r\n"));
    let first = bot.shell("alice", &format!("approve {id}\napprove {id}\n"));
    assert!(
        first.stdout.contains("recorded: 1 of 2"),
        "{}",
        first.stdout
    );
    assert!(
        first.stdout.contains("already approved request"),
        "{}",
        first.stdout
    );
    assert_eq!(snapshots(&bot), 0);
    let second = bot.shell("carol", &format!("approve {id}\n"));
    assert!(second.stdout.contains("done"), "{}", second.stdout);
    assert_eq!(snapshots(&bot), 1);
}

#[test]
fn a_deny_with_its_reason_ends_the_request() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, 1, "30m");
    let id = approval_id(&bot.shell("bob", "etcd snapshot -c mgmt --reason r\n"));
    let no_reason = bot.shell("alice", &format!("deny {id}\n"));
    assert!(
        no_reason.stdout.contains("a denial needs a reason"),
        "{}",
        no_reason.stdout
    );
    let denied = bot.shell("alice", &format!("deny {id} not during the freeze\n"));
    assert!(
        denied
            .stdout
            .contains("denied by shell:alice: not during the freeze"),
        "{}",
        denied.stdout
    );
    let late = bot.shell("carol", &format!("approve {id}\n"));
    assert!(late.stdout.contains("it is denied"), "{}", late.stdout);
    assert_eq!(snapshots(&bot), 0);
}

#[test]
fn a_request_expires_after_its_ttl() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, 1, "1s");
    let id = approval_id(&bot.shell("bob", "etcd snapshot -c mgmt --reason r\n"));
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let run = bot.shell("alice", &format!("approve {id}\n"));
    assert!(
        run.stdout.contains("expired before it was approved"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("expired without approval"),
        "the card says so: {}",
        run.stdout
    );
    assert_eq!(snapshots(&bot), 0);
}

#[test]
fn a_changed_request_loses_its_approvals() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, 1, "30m");
    let id = approval_id(&bot.shell("bob", "etcd snapshot -c mgmt --reason r\n"));
    super::audit::sql(
        &bot,
        "UPDATE approvals SET line = 'etcd snapshot -c mgmt --reason other'",
    );
    let run = bot.shell("alice", &format!("approve {id}\n"));
    assert!(
        run.stdout.contains("changed since it was asked for"),
        "{}",
        run.stdout
    );
    assert_eq!(snapshots(&bot), 0);
}

#[test]
fn a_failed_reason_check_asks_nobody() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, 1, "30m");
    let run = bot.shell("bob", "etcd snapshot -c mgmt\n");
    assert!(run.stdout.contains("needs a reason"), "{}", run.stdout);
    assert!(
        bot.shell("alice", "pending\n")
            .stdout
            .contains("No request is waiting")
    );
}

#[test]
fn concurrent_approvals_run_the_request_exactly_once() {
    let etcd = EtcdServer::start();
    let bot = std::sync::Arc::new(bot(&etcd, 1, "30m"));
    let id = approval_id(&bot.shell("bob", "etcd snapshot -c mgmt --reason r\n"));
    let clicks: Vec<_> = ["alice", "carol", "alice", "carol"]
        .into_iter()
        .map(|who| {
            let bot = bot.clone();
            let line = format!("approve {id}\n");
            std::thread::spawn(move || bot.shell(who, &line))
        })
        .collect();
    let runs: Vec<Run> = clicks
        .into_iter()
        .map(|c| c.join().expect("click"))
        .collect();
    let executed = runs
        .iter()
        .filter(|r| r.stdout.contains("▶ etcd.snapshot"))
        .count();
    assert_eq!(
        executed,
        1,
        "{}",
        runs.iter().map(Run::all).collect::<String>()
    );
    assert_eq!(snapshots(&bot), 1);
}
