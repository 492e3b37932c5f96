//! Issue 11, point 7 through Slack: with `slack.team_id` set, a request from another
//! workspace (HTTP or Socket Mode) is refused with one sentence, changes nothing and is
//! audited; without it, `check-config` warns that `*` reaches every workspace.

use std::time::Duration;

use opsbot_tests::slack::{TEAM_ID, slash_command_envelope};

use super::*;

const FOREIGN: &str = "T0FOREIGN";

/// `(kind, subject, detail)` of every audit record, oldest first.
fn audit_rows(bot: &Bot) -> Vec<(String, String, String)> {
    use sqlx::Connection;
    let url = format!("sqlite://{}", bot.state_db().display());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            let mut conn = sqlx::SqliteConnection::connect(&url)
                .await
                .expect("open state db");
            sqlx::query_as("SELECT kind, subject, detail FROM audit_log ORDER BY seq")
                .fetch_all(&mut conn)
                .await
                .expect("query")
        })
}

fn rejected(bot: &Bot) -> Vec<(String, String, String)> {
    audit_rows(bot)
        .into_iter()
        .filter(|(kind, _, _)| kind == "rejected")
        .collect()
}

/// The same command Slack would send, from workspace `team`.
fn from_team(rig: &Rig, user: &str, channel: &str, text: &str, team: &str) -> String {
    let body = rig.command_body(user, channel, text);
    let home = format!("team_id={TEAM_ID}&");
    assert!(body.contains(&home), "{body}");
    body.replace(&home, &format!("team_id={team}&"))
}

/// Closes "no workspace pinning": on the old code a correctly signed command from a second
/// workspace the app was installed in ran for its user (a `*` subject matched them).
#[test]
fn a_signed_command_from_another_workspace_changes_nothing_and_is_audited() {
    let rig = rig_with("en", |b, _| b.extra(&format!("team_id = \"{TEAM_ID}\"")));
    let body = from_team(&rig, "U0ADMIN", "C0FAR", "contacts", FOREIGN);
    let reply = rig.post_signed("/slack/commands", &body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let text = reply.json()["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        text.contains("does not act on requests from this Slack workspace"),
        "{text}"
    );
    // The home workspace still works.
    rig.command("U0ADMIN", "C0HOME", "contacts");
    rig.wait_final("C0HOME", 1, Duration::from_secs(20));
    assert!(rig.slack.messages("C0FAR").is_empty(), "nothing was posted");
    let ok = rig
        .slack
        .wait_until(Duration::from_secs(10), |_| !rejected(&rig.bot).is_empty());
    assert!(ok, "{:#?}", audit_rows(&rig.bot));
    let refused = rejected(&rig.bot);
    assert_eq!(refused.len(), 1, "{refused:#?}");
    assert_eq!(refused[0].1, "slack:U0ADMIN");
    assert!(refused[0].2.contains(FOREIGN), "{}", refused[0].2);
    let ran = audit_rows(&rig.bot)
        .iter()
        .filter(|(kind, _, detail)| kind == "invocation" && detail.contains("contacts"))
        .count();
    assert_eq!(
        ran, 1,
        "only the home workspace's command reached the engine"
    );
}

#[test]
fn a_socket_mode_command_from_another_workspace_is_refused_too() {
    let rig = rig_with("en", |b, _| {
        b.extra(&format!(
            "app_token = \"{APP_TOKEN}\"\nteam_id = \"{TEAM_ID}\""
        ))
    });
    assert!(
        rig.slack
            .wait_until(Duration::from_secs(20), |s| s.socket_connected()),
        "no Socket Mode connection\n{}",
        rig.served.output()
    );
    let mut sent = slash_command_envelope(
        "/ops",
        "contacts",
        "U0ADMIN",
        "C0FARSOCK",
        &rig.slack.response_url(),
        &trigger(),
    );
    sent["payload"]["team_id"] = json!(FOREIGN);
    let id = sent["envelope_id"].as_str().unwrap_or_default().to_string();
    assert!(rig.slack.socket_send(sent));
    let acked = rig.slack.wait_until(Duration::from_secs(10), |s| {
        s.socket_acks().iter().any(|a| {
            a["envelope_id"] == id.as_str()
                && a.pointer("/payload/text")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.contains("does not act on requests"))
        })
    });
    assert!(acked, "{:#?}", rig.slack.socket_acks());
    let ok = rig
        .slack
        .wait_until(Duration::from_secs(10), |_| !rejected(&rig.bot).is_empty());
    assert!(ok, "{:#?}", audit_rows(&rig.bot));
    assert!(rig.slack.messages("C0FARSOCK").is_empty());
}

#[test]
fn check_config_warns_when_no_workspace_is_pinned() {
    let slack = opsbot_tests::slack::SlackServer::start();
    let bot = Bot::builder(bin())
        .policy(POLICY)
        .extra(&format!(
            "[slack]\nsigning_secret = \"{SIGNING_SECRET}\"\nbot_token = \"{BOT_TOKEN}\"\n\
             api_url = \"{}\"\n",
            slack.api_url()
        ))
        .build();
    let run = bot.run(&["check-config"]);
    assert_eq!(run.code, 0, "allowed, only warned: {}", run.all());
    assert!(run.stderr.contains("slack.team_id"), "{}", run.all());
    assert!(
        run.stderr.contains("every Slack workspace"),
        "{}",
        run.all()
    );
}

/// A click (or modal submission) from another workspace: no sentence can go back there, so it
/// is only refused and audited. On the old code it reached the engine (here: the stale notice).
#[test]
fn a_click_from_another_workspace_reaches_nothing_and_is_audited() {
    let rig = rig_with("en", |b, _| b.extra(&format!("team_id = \"{TEAM_ID}\"")));
    let mut payload = click_payload(
        "U0ADMIN",
        "C0FARCLICK",
        "approval:feedbeef",
        &rig.slack.response_url(),
    );
    payload["team"]["id"] = json!(FOREIGN);
    payload["user"]["team_id"] = json!(FOREIGN);
    let reply = rig.post_signed("/slack/interactions", &block_actions_body(&payload));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let ok = rig
        .slack
        .wait_until(Duration::from_secs(10), |_| !rejected(&rig.bot).is_empty());
    assert!(ok, "{:#?}", audit_rows(&rig.bot));
    std::thread::sleep(Duration::from_secs(1));
    assert!(rig.slack.messages("C0FARCLICK").is_empty());
    assert!(
        !audit_rows(&rig.bot)
            .iter()
            .any(|(kind, _, _)| kind == "invocation"),
        "the click reached the engine"
    );
}
