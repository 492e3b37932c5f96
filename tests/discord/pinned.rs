//! Issue 11, points 7 and 11 through Discord: pinned guilds (an interaction from another
//! guild, or a DM, is refused, changes nothing and is audited), replayed clicks acted on once,
//! and interaction tokens kept out of the logs.

use opsbot_tests::discord::sign::{self, APPLICATION_ID, GUILD_ID};
use serde_json::json;

use super::approvals::APPROVAL_POLICY;
use super::*;

const OTHER_GUILD: &str = "1399999999999999999";

/// `(kind, subject, detail)` of every audit record, oldest first.
pub(crate) fn audit_rows(bot: &Bot) -> Vec<(String, String, String)> {
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

fn pinned() -> Rig {
    rig_with("en", |b| {
        b.extra(&format!("guild_ids = [\"{GUILD_ID}\"]\n"))
    })
}

/// The sentence of an immediate ephemeral answer (type 4, flags 64).
fn refusal(reply: &HttpReply) -> String {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let json = reply.json();
    assert_eq!(json["type"], 4, "{json}");
    assert_eq!(json["data"]["flags"], 64, "{json}");
    json["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Closes "no guild pinning": on the old code a correctly signed interaction from any guild
/// the app was in ran as its member (a `*` subject matched), unaudited as foreign.
#[test]
fn a_signed_command_from_another_guild_changes_nothing_and_is_audited() {
    let rig = pinned();
    let before = audit_rows(&rig.bot).len();
    let token = rig.discord.command_token("810");
    let mut body = sign::command_body(&token, "200", &[], "810", "contacts");
    body["guild_id"] = json!(OTHER_GUILD);
    let said = refusal(&rig.post(&body));
    assert!(
        said.contains("does not act on requests from this Discord server"),
        "{said}"
    );

    // A DM has no guild: refused too.
    let dm = json!({
        "type": 2, "id": sign::fresh("8"), "application_id": APPLICATION_ID,
        "token": rig.discord.command_token("811"), "version": 1, "channel_id": "811",
        "user": {"id": "200", "username": "200", "discriminator": "0"},
        "data": {"id": "1300000000000000099", "name": "ops", "type": 1,
                 "options": [{"name": "command", "type": 3, "value": "contacts"}]}
    });
    let said = refusal(&rig.post(&dm));
    assert!(said.contains("not in direct messages"), "{said}");

    // Autocomplete from another guild: no choices.
    let options = json!([{"name": "events", "type": 1, "options": [
        {"name": "cluster", "type": 3, "value": "", "focused": true}
    ]}]);
    let mut complete = sign::autocomplete_body("200", "812", "ops", options);
    complete["guild_id"] = json!(OTHER_GUILD);
    let reply = rig.post(&complete);
    assert_eq!(reply.json()["data"]["choices"], json!([]), "{}", reply.body);

    // The pinned guild still works.
    rig.command("200", &[], "813", "contacts");
    rig.wait_message("813", Duration::from_secs(20), is_final);

    assert!(
        rig.discord.messages("810").is_empty() && rig.discord.messages("811").is_empty(),
        "nothing was written for the refused requests"
    );
    let ok = rig.discord.wait_until(Duration::from_secs(10), |_| {
        audit_rows(&rig.bot)
            .iter()
            .filter(|(kind, _, _)| kind == "rejected")
            .count()
            >= 3
    });
    let rows = audit_rows(&rig.bot);
    assert!(ok, "{rows:#?}");
    let rejected: Vec<&(String, String, String)> = rows[before..]
        .iter()
        .filter(|(kind, _, _)| kind == "rejected")
        .collect();
    assert_eq!(rejected.len(), 3, "{rows:#?}");
    assert!(
        rejected
            .iter()
            .all(|(_, subject, _)| subject == "discord:200")
    );
    assert!(rejected[0].2.contains(OTHER_GUILD), "{}", rejected[0].2);
    // Refused at the door: no invocation of `contacts` was recorded for them.
    let invocations = rows
        .iter()
        .filter(|(kind, _, detail)| kind == "invocation" && detail.contains("contacts"))
        .count();
    assert_eq!(invocations, 1, "only the pinned guild's command: {rows:#?}");
}

/// Closes "clicks are not deduplicated": on the old code the same signed click presented
/// twice was acted on twice (two refusals here; for an approval, two runs of its action).
#[test]
fn a_replayed_signed_click_is_acted_on_once() {
    let etcd = opsbot_tests::etcd::EtcdServer::start();
    let rig = rig_with("en", |b| {
        b.policy(APPROVAL_POLICY).etcd("mgmt", etcd.endpoint())
    });
    rig.command("200", &[], "820", "etcd snapshot -c mgmt --reason x");
    let card = rig.wait_message("820", Duration::from_secs(10), |m| !buttons(m).is_empty());
    let approve = buttons(&card)
        .into_iter()
        .find(|v| v.starts_with("approve:"))
        .expect("approve");
    let view = json!({"id": card.id, "channel_id": "820"});
    let token = rig.discord.click_token("820", &card.id);
    // The requester's own click: each time it is acted on, it is refused privately.
    let click = sign::click_body(&token, "200", &[], "820", &view, &approve);
    let ts = sign::unix_now();
    assert_eq!(rig.post_at(&click, ts).json()["type"], 6);
    assert_eq!(
        rig.post_at(&click, ts).json()["type"],
        6,
        "the replay is acked"
    );
    rig.wait_message("820", Duration::from_secs(10), |m| m.ephemeral);
    std::thread::sleep(Duration::from_secs(2));
    let refusals = rig
        .discord
        .messages("820")
        .into_iter()
        .filter(|m| m.ephemeral)
        .count();
    assert_eq!(refusals, 1, "the replay was acted on");
    let actions = audit_rows(&rig.bot)
        .into_iter()
        .filter(|(kind, _, detail)| kind == "invocation" && detail.contains("\"action\""))
        .count();
    assert_eq!(actions, 1);
}

/// Closes "interaction tokens end up in logs": a follow-up that cannot reach Discord was
/// logged with reqwest's error text, which holds the webhook URL and so the token.
#[test]
fn a_failing_follow_up_is_logged_without_its_token() {
    let bot = Bot::builder(bin())
        .policy(POLICY)
        .extra(&format!(
            "[discord]\npublic_key = \"{}\"\nbot_token = \"{BOT_TOKEN}\"\n\
             application_id = \"{APPLICATION_ID}\"\napi_url = \"http://127.0.0.1:9\"\n",
            sign::public_key_hex()
        ))
        .build();
    let served = bot.serve_with_env(&[("RUST_LOG", "warn")]);
    let token = sign::fresh("tok-SECRET-");
    let body = sign::command_body(&token, "200", &[], "830", "contacts").to_string();
    let ts = sign::unix_now().to_string();
    let signature = sign::sign(&ts, body.as_bytes());
    let reply = served.post(
        "/discord/interactions",
        &[
            ("content-type", "application/json"),
            ("x-signature-ed25519", &signature),
            ("x-signature-timestamp", &ts),
        ],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !served.output().contains("could not be written") && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = served.output();
    assert!(output.contains("could not be written"), "{output}");
    assert!(!output.contains(&token), "the token was logged:\n{output}");
}

/// Closes "absurd Retry-After panics": Discord (or something in its place) answering a 429
/// with a wait of 1e300 s made `Duration::from_secs_f64` panic in the writer; now the call is
/// given up at `discord.retry_after_max` and the bot carries on.
#[test]
fn an_absurd_retry_after_gives_the_call_up_without_a_panic() {
    let rig = rig("en");
    rig.discord.fail_next("/messages/@original", 429, 1e300, 1);
    rig.command("200", &[], "840", "contacts");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !rig.served.output().contains("could not be written")
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = rig.served.output();
    assert!(output.contains("could not be written"), "{output}");
    assert!(!output.contains("panicked"), "{output}");
    // The bot still answers.
    rig.command("200", &[], "841", "contacts");
    rig.wait_message("841", Duration::from_secs(20), is_final);
}
