//! `page`, `pages`, `ack` and `resolve` through `opsbot shell`, with PagerDuty played by a
//! local receiver: one page per open incident, retried until delivered, across a restart.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use opsbot_tests::bot::Bot;
use opsbot_tests::pagers::Receiver;

use super::bin;

const POLICY: &str = r#"
[roles.oncall]
operations = ["page", "pages", "contacts"]

[[bindings]]
role = "oncall"
subjects = ["shell:alice", "shell:bob"]
"#;

fn bot_paging(receiver: &Receiver) -> Bot {
    Bot::builder(bin())
        .policy(POLICY)
        .paging(&format!(
            "pagerduty_url = \"{}\"\nretry_initial = \"100ms\"\nretry_max = \"400ms\"",
            receiver.url()
        ))
        .build()
}

fn enqueued(receiver: &Receiver) -> Vec<serde_json::Value> {
    receiver
        .requests()
        .iter()
        .filter(|r| r.path == "/v2/enqueue")
        .map(|r| r.json())
        .collect()
}

/// The incident id the shell printed ("Incident ID opened …").
fn incident_id(stdout: &str) -> String {
    stdout
        .split("Incident ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("an incident id in the output")
        .to_string()
}

#[test]
fn a_page_triggers_pagerduty_once_and_the_same_page_again_opens_nothing() {
    let receiver = Receiver::start();
    let bot = bot_paging(&receiver);
    let run = bot.shell(
        "alice",
        "page cluster-failure app1 API server down\npage cluster-failure app1  api server DOWN\n",
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("opened for Platform Team"),
        "{}",
        run.all()
    );
    assert!(run.stdout.contains("already open"), "{}", run.all());
    let sent = enqueued(&receiver);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let event = &sent[0];
    assert_eq!(event["event_action"], "trigger");
    assert_eq!(event["routing_key"], "R0UTINGKEY-SECRET");
    assert_eq!(event["payload"]["summary"], "app1 API server down");
    assert_eq!(event["payload"]["severity"], "critical");
    assert!(event["dedup_key"].as_str().is_some_and(|k| !k.is_empty()));
    // The routing key is a credential: it appears in the request, never in what people see.
    assert!(!run.all().contains("R0UTINGKEY"), "{}", run.all());
}

#[test]
fn a_receiver_answering_500_then_202_gets_the_page_exactly_once() {
    let receiver = Receiver::start();
    receiver.respond_with([500]);
    let bot = bot_paging(&receiver);
    let run = bot.shell("alice", "page cluster-failure etcd on mgmt lost quorum\n");
    assert_eq!(run.code, 0, "{}", run.all());
    let sent = enqueued(&receiver);
    assert_eq!(sent.len(), 2, "one refused attempt, one delivery: {sent:?}");
    assert_eq!(sent[0]["dedup_key"], sent[1]["dedup_key"]);
    let pages = bot.shell("alice", "pages\n");
    assert!(pages.stdout.contains("delivered"), "{}", pages.all());
    assert_eq!(enqueued(&receiver).len(), 2, "nothing was sent again");
}

#[test]
fn a_bad_request_is_not_retried_and_pages_says_so() {
    let receiver = Receiver::start();
    receiver.respond_with([400]);
    let bot = bot_paging(&receiver);
    bot.shell("alice", "page cluster-failure mgmt down\n");
    assert_eq!(enqueued(&receiver).len(), 1);
    let pages = bot.shell("alice", "pages\n");
    assert!(pages.stdout.contains("failed"), "{}", pages.all());
    assert!(pages.stdout.contains("400"), "{}", pages.all());
    assert_eq!(enqueued(&receiver).len(), 1);
}

#[test]
fn a_page_left_undelivered_by_a_killed_opsbot_is_delivered_by_the_next() {
    let receiver = Receiver::start();
    receiver.set_default(503);
    let bot = bot_paging(&receiver);
    let mut first = Command::new(bin())
        .args(["shell", "--config"])
        .arg(bot.config())
        .args(["--as", "alice"])
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start opsbot shell");
    let mut stdin = first.stdin.take().expect("stdin");
    stdin
        .write_all(b"page cluster-failure app2 nodes NotReady\n")
        .expect("write");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while enqueued(&receiver).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first opsbot never tried"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let the refused attempt be recorded, then the process dies without a goodbye.
    std::thread::sleep(Duration::from_millis(300));
    first.kill().expect("kill");
    let _ = first.wait();
    let tried = enqueued(&receiver).len();

    receiver.set_default(202);
    let second = bot.shell("bob", "pages\n");
    assert_eq!(second.code, 0, "{}", second.all());
    let sent = enqueued(&receiver);
    assert_eq!(
        sent.len(),
        tried + 1,
        "delivered once more, and only once: {sent:?}"
    );
    assert_eq!(sent[tried]["event_action"], "trigger");
    assert_eq!(sent[tried]["payload"]["summary"], "app2 nodes NotReady");
    let after = bot.shell("bob", "pages\n");
    assert!(after.stdout.contains("delivered"), "{}", after.all());
}

#[test]
fn ack_and_resolve_reach_pagerduty_with_the_same_dedup_key() {
    let receiver = Receiver::start();
    let bot = bot_paging(&receiver);
    let run = bot.shell("alice", "page cluster-failure vault sealed on mgmt\n");
    let id = incident_id(&run.stdout);
    let run = bot.shell(
        "bob",
        &format!("ack {id}\nack {id}\nresolve {id}\nresolve {id}\n"),
    );
    assert!(
        run.stdout.contains("acknowledged by shell:bob"),
        "{}",
        run.all()
    );
    assert!(run.stdout.contains("already"), "{}", run.all());
    let sent = enqueued(&receiver);
    let actions: Vec<&str> = sent
        .iter()
        .map(|e| e["event_action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(actions, ["trigger", "acknowledge", "resolve"], "{sent:?}");
    assert!(sent.iter().all(|e| e["dedup_key"] == sent[0]["dedup_key"]));
    assert!(sent.iter().all(|e| e["routing_key"] == "R0UTINGKEY-SECRET"));
    // Resolved, the same words open a new incident.
    let again = bot.shell("alice", "page cluster-failure vault sealed on mgmt\n");
    assert!(again.stdout.contains("opened"), "{}", again.all());
    assert_eq!(enqueued(&receiver).len(), 4);
}

#[test]
fn paging_an_unknown_situation_or_without_the_right_changes_nothing() {
    let receiver = Receiver::start();
    let bot = Bot::builder(bin())
        .locale("ko")
        .policy("[roles.pager]\noperations = [\"page\"]\n[[bindings]]\nrole = \"pager\"\nsubjects = [\"shell:alice\"]\n")
        .paging(&format!("pagerduty_url = \"{}\"", receiver.url()))
        .build();
    let run = bot.shell("alice", "page cluster-failur app1 down\n");
    assert!(run.stdout.contains("cluster-failure"), "{}", run.all());
    let run = bot.shell("mallory", "page cluster-failure app1 down\nack abc\n");
    assert!(run.stdout.contains("shell:mallory"), "{}", run.all());
    assert!(enqueued(&receiver).is_empty());
}

#[test]
fn check_config_refuses_a_situation_that_reaches_nobody() {
    let bot = Bot::builder(bin())
        .extra(
            "[[contacts]]\nsituation = \"security-incident\"\nteam = \"Security Team\"\n\
             slack_mentions = [\"S0SECURITY\"]\n\
             [[contacts]]\nsituation = \"external-outage\"\nteam = \"Infra Team\"\n\
             email = [\"infra@example.com\"]\n",
        )
        .build();
    let run = bot.run(&["check-config"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.all().contains("contacts[1].situation"), "{}", run.all());
    assert!(run.all().contains("reaches nobody"), "{}", run.all());
    assert!(run.all().contains("paging.smtp_url"), "{}", run.all());
}

#[test]
fn a_failed_snapshot_is_an_incident_until_the_next_one_succeeds() {
    let etcd = opsbot_tests::etcd::EtcdServer::start();
    let bot = Bot::builder(bin())
        .etcd("mgmt", etcd.endpoint())
        .policy(
            "[roles.oncall]\noperations = [\"etcd.snapshot\", \"pages\"]\n\
             [[bindings]]\nrole = \"oncall\"\nsubjects = [\"shell:alice\"]\n",
        )
        .build();
    // A file where the backup directory should be: the snapshot cannot be written.
    std::fs::write(bot.dir().join("backups"), b"in the way").expect("block backups");
    let failed = bot.shell("alice", "etcd snapshot -c mgmt\npages\n");
    assert!(failed.stdout.contains("Open incidents"), "{}", failed.all());
    assert!(
        failed.stdout.contains("etcd.snapshot failed on mgmt"),
        "{}",
        failed.all()
    );

    std::fs::remove_file(bot.dir().join("backups")).expect("unblock");
    let fixed = bot.shell("alice", "etcd snapshot -c mgmt\npages\n");
    assert!(!fixed.stdout.contains("Open incidents"), "{}", fixed.all());
}
