//! Issue 11, points 1 and 3 through the shell: approvals count people, not accounts, and
//! `pending` lists a request only to its requester and to those who may approve it.

use super::bin;
use opsbot_tests::bot::Bot;
use opsbot_tests::bot::approval_id;
use opsbot_tests::etcd::EtcdServer;

/// bob has two accounts (`shell:bob`, `shell:bobby`); alice and carol one each; victor may
/// only look.
const POLICY: &str = r#"
[roles.viewer]
operations = ["etcd.status", "contacts"]
[roles.admin]
operations = ["*"]
approve = ["*"]

[[people]]
name = "bob"
subjects = ["shell:bob", "shell:bobby"]

[[bindings]]
role = "admin"
subjects = ["shell:alice", "person:bob", "shell:carol"]

[[bindings]]
role = "viewer"
subjects = ["shell:victor"]

[[approvals]]
operations = ["etcd.snapshot"]
approvers = 2
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#;

fn bot(etcd: &EtcdServer) -> Bot {
    Bot::builder(bin())
        .etcd("mgmt", etcd.endpoint())
        .policy(POLICY)
        .build()
}

fn snapshots(bot: &Bot) -> usize {
    std::fs::read_dir(bot.backups("mgmt")).map_or(0, |d| d.count())
}

/// Attack closed: one person approving a 2-approver request twice from two accounts. On the
/// old code bobby's vote was a second approver and the snapshot ran.
#[test]
fn two_accounts_of_one_person_give_one_approval() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd);
    let asked = bot.shell("alice", "etcd snapshot -c mgmt --reason drill\n");
    let id = approval_id(&asked);

    let first = bot.shell("bob", &format!("approve {id}\n"));
    assert!(first.stdout.contains("1 of 2"), "{}", first.all());
    let second = bot.shell("bobby", &format!("approve {id}\n"));
    assert!(
        second.stdout.contains("already approved request") && second.stdout.contains("one person"),
        "{}",
        second.all()
    );
    assert_eq!(snapshots(&bot), 0, "one person is one approval");

    // The card names the person and the account used.
    let listed = bot.shell("carol", "pending\n");
    assert!(listed.stdout.contains("1/2"), "{}", listed.all());

    let third = bot.shell("carol", &format!("approve {id}\n"));
    assert_eq!(third.code, 0, "{}", third.all());
    assert!(
        third.stdout.contains("bob (shell:bob)"),
        "approvers shown as people: {}",
        third.all()
    );
    assert_eq!(snapshots(&bot), 1, "two people approved: it ran");
}

/// Attack closed: a person approving their own request from another of their accounts.
#[test]
fn a_person_cannot_approve_their_own_request_from_another_account() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd);
    let asked = bot.shell("bob", "etcd snapshot -c mgmt --reason drill\n");
    let id = approval_id(&asked);
    let own = bot.shell("bobby", &format!("approve {id}\n"));
    assert!(
        own.stdout.contains("cannot approve your own request"),
        "{}",
        own.all()
    );
    assert_eq!(snapshots(&bot), 0);
}

/// Attack closed: `pending` showed every request, requester and reason to anyone.
#[test]
fn pending_shows_a_request_only_to_its_requester_and_its_approvers() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd);
    let asked = bot.shell(
        "alice",
        "etcd snapshot -c mgmt --reason \"secret incident 42\"\n",
    );
    let id = approval_id(&asked);

    for stranger in ["victor", "mallory"] {
        let listed = bot.shell(stranger, "pending\n");
        assert!(
            !listed.stdout.contains(&id) && !listed.stdout.contains("secret incident"),
            "{stranger} sees nothing: {}",
            listed.all()
        );
        assert!(
            listed.stdout.contains("No request is waiting"),
            "{}",
            listed.all()
        );
    }
    for allowed in ["alice", "bobby", "carol"] {
        let listed = bot.shell(allowed, "pending\n");
        assert!(listed.stdout.contains(&id), "{allowed}: {}", listed.all());
    }

    // The read is in the audit log, with what was shown to whom.
    let reads = audit_details(&bot, "shell:victor");
    assert!(
        reads
            .iter()
            .any(|d| d.contains("\"read\":\"pending\"") && d.contains("\"shown\":[]")),
        "{reads:?}"
    );
    let reads = audit_details(&bot, "shell:carol");
    assert!(
        reads
            .iter()
            .any(|d| d.contains("\"read\":\"pending\"") && d.contains(&id)),
        "{reads:?}"
    );
}

/// The audit details recorded for `subject`.
fn audit_details(bot: &Bot, subject: &str) -> Vec<String> {
    use sqlx::Connection;
    let url = format!("sqlite://{}", bot.state_db().display());
    let subject = subject.to_string();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async move {
            let mut conn = sqlx::SqliteConnection::connect(&url)
                .await
                .expect("open state db");
            sqlx::query_scalar("SELECT detail FROM audit_log WHERE subject = ? ORDER BY seq")
                .bind(subject)
                .fetch_all(&mut conn)
                .await
                .expect("query")
        })
}

/// `slack.group_cache_ttl` and `discord.group_cache_ttl` are durations; check-config names a
/// bad one with its key, and accepts good ones.
#[test]
fn check_config_names_a_bad_group_cache_ttl() {
    let etcd = EtcdServer::start();
    let chats = |slack_ttl: &str, discord_ttl: &str| {
        format!(
            "[slack]\nsigning_secret = \"s\"\nbot_token = \"xoxb-1\"\ngroup_cache_ttl = \"{slack_ttl}\"\n\
             [discord]\npublic_key = \"{}\"\nbot_token = \"t\"\napplication_id = \"1\"\n\
             group_cache_ttl = \"{discord_ttl}\"\n",
            "ab".repeat(32)
        )
    };
    let bad = Bot::builder(bin())
        .etcd("mgmt", etcd.endpoint())
        .policy(POLICY)
        .extra(&chats("soon", "5 fortnights?"))
        .build();
    let run = bad.run(&["check-config"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("slack.group_cache_ttl"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("discord.group_cache_ttl"),
        "{}",
        run.stderr
    );

    let good = Bot::builder(bin())
        .etcd("mgmt", etcd.endpoint())
        .policy(POLICY)
        .extra(&chats("30s", "2m"))
        .build();
    let run = good.run(&["check-config"]);
    assert!(!run.stderr.contains("group_cache_ttl"), "{}", run.all());
}
