//! Issue 11, points 1 and 5 in the chats: approvals count people across Slack and Discord, and
//! everyone is judged with the groups their chat gives now, at the click and before the run.

use std::time::Duration;

use opsbot_tests::discord::DiscordServer;
use opsbot_tests::discord::sign::{self as discord_sign, APPLICATION_ID};
use opsbot_tests::etcd::EtcdServer;

use super::approvals::buttons;
use super::*;

/// Admins: bob by subject, everyone else through the Slack group S0ADMINS.
fn group_policy(approvers: u32) -> String {
    format!(
        r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["slack:U0BOB", "slack-group:S0ADMINS"]

[[approvals]]
operations = ["etcd.snapshot"]
approvers = {approvers}
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#
    )
}

/// A Slack rig whose `[slack]` section has `more` appended (e.g. `group_cache_ttl`), and
/// whatever else `extra` adds to the file.
fn rig_slack_with(
    slack_keys: &str,
    extra: impl FnOnce(BotBuilder, &SlackServer) -> BotBuilder,
) -> Rig {
    let slack = SlackServer::start();
    let builder = Bot::builder(bin()).locale("en").extra(&format!(
        "[slack]\nsigning_secret = \"{SIGNING_SECRET}\"\nbot_token = \"{BOT_TOKEN}\"\n\
         api_url = \"{}\"\n{slack_keys}\n",
        slack.api_url()
    ));
    let bot = extra(builder, &slack).build();
    let served = bot.serve_with_env(&[("RUST_LOG", "warn")]);
    Rig { slack, bot, served }
}

fn approve_button(rig: &Rig) -> String {
    assert!(
        rig.slack
            .wait_until(Duration::from_secs(10), |s| !buttons(s, "C0OPS").is_empty()),
        "no card\n{}",
        rig.served.output()
    );
    buttons(&rig.slack, "C0OPS")
        .into_iter()
        .find(|v| v.starts_with("approve:"))
        .expect("approve button")
}

fn click(rig: &Rig, user: &str, value: &str) {
    let body = rig.click_body(user, "C0OPS", value);
    assert_eq!(rig.post_signed("/slack/interactions", &body).status, 200);
}

/// Waits for any message (ephemeral or not) of C0OPS containing `text`.
fn wait_text(rig: &Rig, text: &str) {
    let found = rig.slack.wait_until(Duration::from_secs(20), |s| {
        s.messages("C0OPS")
            .iter()
            .chain(s.ephemeral_messages("C0OPS").iter())
            .any(|m| text_of(m).contains(text))
    });
    let seen: Vec<String> = rig
        .slack
        .messages("C0OPS")
        .iter()
        .chain(rig.slack.ephemeral_messages("C0OPS").iter())
        .map(text_of)
        .collect();
    assert!(found, "no {text:?} in {seen:#?}\n{}", rig.served.output());
}

fn snapshots(rig: &Rig) -> usize {
    std::fs::read_dir(rig.bot.backups("mgmt")).map_or(0, |d| d.count())
}

/// Attack closed: approvers who hold their role through a Slack group were re-checked at run
/// time with no groups, so an approved request could never run. Fails on the old code.
#[test]
fn an_approver_bound_through_a_slack_group_approves_and_the_run_happens() {
    let etcd = EtcdServer::start();
    let rig = rig_slack_with("", |b, _| {
        b.policy(&group_policy(1)).etcd("mgmt", etcd.endpoint())
    });
    rig.slack.add_usergroup("S0ADMINS", &["U0ALICE"]);
    rig.command("U0BOB", "C0OPS", "etcd snapshot -c mgmt --reason drill");
    let approve = approve_button(&rig);
    click(&rig, "U0ALICE", &approve);
    wait_text(&rig, "approved by slack:U0ALICE: done");
    assert_eq!(snapshots(&rig), 1, "the snapshot ran once");
}

/// Attack closed: an approver removed from the group after their click still counted when the
/// request ran. The second approver's click starts the run; the re-check refuses it.
#[test]
fn an_approver_removed_from_the_group_between_click_and_run_stops_the_run() {
    let etcd = EtcdServer::start();
    let rig = rig_slack_with("group_cache_ttl = \"0s\"", |b, _| {
        b.policy(&group_policy(2)).etcd("mgmt", etcd.endpoint())
    });
    rig.slack.add_usergroup("S0ADMINS", &["U0ALICE", "U0CAROL"]);
    rig.command("U0BOB", "C0OPS", "etcd snapshot -c mgmt --reason drill");
    let approve = approve_button(&rig);
    click(&rig, "U0ALICE", &approve);
    wait_text(&rig, "1 of 2");

    rig.slack.add_usergroup("S0ADMINS", &["U0CAROL"]);
    click(&rig, "U0CAROL", &approve);
    wait_text(&rig, "was invalidated");
    assert_eq!(snapshots(&rig), 0, "nothing ran");
}

/// Attack closed: a failed group lookup fell back to the last known list indefinitely. Now it
/// refuses, says Slack could not be asked, and the request stays pending.
#[test]
fn a_failing_group_lookup_denies_and_changes_nothing() {
    let etcd = EtcdServer::start();
    let rig = rig_slack_with("group_cache_ttl = \"0s\"", |b, _| {
        b.policy(&group_policy(1)).etcd("mgmt", etcd.endpoint())
    });
    rig.slack.add_usergroup("S0ADMINS", &["U0ALICE"]);
    rig.command("U0BOB", "C0OPS", "etcd snapshot -c mgmt --reason drill");
    let approve = approve_button(&rig);
    rig.slack
        .fail_next_with("usergroups.users.list", "fatal_error", 50);
    click(&rig, "U0ALICE", &approve);
    wait_text(
        &rig,
        "slack could not be asked which groups slack:U0ALICE is in",
    );
    assert_eq!(snapshots(&rig), 0, "nothing ran");
    assert_eq!(
        approval_states(&rig),
        ["pending"],
        "the request still waits"
    );
}

/// The state of every stored request, read from the bot's database.
fn approval_states(rig: &Rig) -> Vec<String> {
    use sqlx::Connection;
    let url = format!("sqlite://{}", rig.bot.state_db().display());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async move {
            let mut conn = sqlx::SqliteConnection::connect(&url)
                .await
                .expect("open state db");
            sqlx::query_scalar("SELECT state FROM approvals")
                .fetch_all(&mut conn)
                .await
                .expect("query")
        })
}

/// bob is one person with a Slack and a Discord account; alice and carol are other admins.
const PEOPLE_POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[people]]
name = "bob"
subjects = ["slack:U0BOB", "discord:80351110224678912"]

[[bindings]]
role = "admin"
subjects = ["person:bob", "slack:U0ALICE", "slack:U0CAROL"]

[[approvals]]
operations = ["etcd.snapshot"]
approvers = 2
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#;

fn rig_slack_and_discord(etcd: &EtcdServer, discord: &DiscordServer) -> Rig {
    let discord_section = format!(
        "[discord]\npublic_key = \"{}\"\nbot_token = \"discord-test-bot-token\"\n\
         application_id = \"{APPLICATION_ID}\"\napi_url = \"{}\"\n",
        discord_sign::public_key_hex(),
        discord.api_url()
    );
    rig_slack_with("", |b, _| {
        b.policy(PEOPLE_POLICY)
            .etcd("mgmt", etcd.endpoint())
            .extra(&discord_section)
    })
}

/// Bob's Discord account clicks Approve on a card; the ephemeral answer Discord shows him.
fn discord_click(rig: &Rig, discord: &DiscordServer, value: &str) -> String {
    let card = serde_json::json!({"id": "1400000000000000777", "channel_id": "600"});
    let token = discord.click_token("600", "1400000000000000777");
    let body = discord_sign::click_body(&token, "80351110224678912", &[], "600", &card, value);
    let text = body.to_string();
    let ts = discord_sign::unix_now().to_string();
    let signature = discord_sign::sign(&ts, text.as_bytes());
    let reply = rig.served.post(
        "/discord/interactions",
        &[
            ("content-type", "application/json"),
            ("x-signature-ed25519", &signature),
            ("x-signature-timestamp", &ts),
        ],
        text.as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let found = discord.wait_until(Duration::from_secs(20), |d| {
        d.followups(&token).iter().any(|m| m.ephemeral)
    });
    assert!(found, "no private answer\n{}", rig.served.output());
    discord
        .followups(&token)
        .iter()
        .filter(|m| m.ephemeral)
        .map(|m| m.body.to_string())
        .collect()
}

/// Attack closed: Bob approving twice, once from Slack and once from Discord, supplied both
/// votes of a 2-approver request. Fails on the old code (the request ran).
#[test]
fn bobs_slack_and_discord_accounts_give_one_approval() {
    let etcd = EtcdServer::start();
    let discord = DiscordServer::start();
    let rig = rig_slack_and_discord(&etcd, &discord);
    rig.command("U0ALICE", "C0OPS", "etcd snapshot -c mgmt --reason drill");
    let approve = approve_button(&rig);
    click(&rig, "U0BOB", &approve);
    wait_text(&rig, "1 of 2");

    let answer = discord_click(&rig, &discord, &approve);
    assert!(
        answer.contains("already approved request") && answer.contains("one person"),
        "{answer}"
    );
    assert_eq!(snapshots(&rig), 0, "one person is one approval");

    click(&rig, "U0CAROL", &approve);
    wait_text(&rig, "bob (slack:U0BOB)");
    wait_text(&rig, ": done");
    assert_eq!(snapshots(&rig), 1, "two people approved: it ran once");
}

/// Attack closed: Bob approving his own Slack request from his Discord account.
#[test]
fn bobs_discord_account_cannot_approve_bobs_slack_request() {
    let etcd = EtcdServer::start();
    let discord = DiscordServer::start();
    let rig = rig_slack_and_discord(&etcd, &discord);
    rig.command("U0BOB", "C0OPS", "etcd snapshot -c mgmt --reason drill");
    let approve = approve_button(&rig);
    let answer = discord_click(&rig, &discord, &approve);
    assert!(
        answer.contains("cannot approve your own request"),
        "{answer}"
    );
    assert_eq!(snapshots(&rig), 0);
}
