//! Issue 6 gaps 3, 4 and 5 with the adapter built in this process (as `opsbot serve` builds
//! it), so that a test can set what the configuration file does not offer: a token lifetime
//! of one second, a busy limit of one run. The engine, the store and the Discord API
//! emulator are the real ones; interactions are handed to the adapter as the endpoint would.

use std::sync::Arc;

use ::commands::Contact;
use ::commands::incidents::Severity;
use opsbot::adapters::discord::{DiscordAdapter, DiscordConfig, Interaction};
use opsbot::engine::Engine;
use opsbot::paging::{IncidentState, IncidentView, SendError};
use opsbot::store::SqliteStore;
use opsbot_tests::discord::sign;
use serde_json::json;

use super::*;

struct Local {
    discord: DiscordServer,
    _bot: Bot,
    adapter: Arc<DiscordAdapter>,
    runtime: tokio::runtime::Runtime,
    /// Holds its port open and never answers: an etcd that hangs until the timeout.
    _silent: std::net::TcpListener,
}

/// A bot whose cluster `slow` has an etcd that never answers (each run takes its 2 s
/// timeout), with the adapter's settings changed by `tweak`.
fn local(locale: &str, extra: &str, tweak: impl FnOnce(&mut DiscordConfig)) -> Local {
    let discord = DiscordServer::start();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let bot = Bot::builder(bin())
        .locale(locale)
        .policy(POLICY)
        .extra(&format!("{}{extra}", discord_section(&discord)))
        .extra(&format!(
            "[clusters.slow.etcd]\nendpoints = [\"http://127.0.0.1:{port}\"]\ntimeout = \"2s\"\n"
        ))
        .build();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let config = opsbot::config::load(&bot.config()).expect("configuration");
    let mut settings =
        DiscordConfig::from_section(config.discord.as_ref().expect("[discord]")).expect("valid");
    tweak(&mut settings);
    let adapter = runtime.block_on(async {
        let store = SqliteStore::open(&config.state_path).await.expect("store");
        let engine = Arc::new(Engine::new(Arc::new(config), Arc::new(store)));
        DiscordAdapter::new(settings, engine).expect("adapter")
    });
    Local {
        discord,
        _bot: bot,
        adapter,
        runtime,
        _silent: silent,
    }
}

impl Local {
    /// `/ops-line LINE` by `user` in `channel`: the endpoint's answer and the token.
    fn command(&self, user: &str, channel: &str, line: &str) -> (Value, String) {
        let token = self.discord.command_token(channel);
        let body = sign::command_body(&token, user, &[], channel, line);
        let interaction = Interaction::from_body(body.to_string().as_bytes()).expect("parse");
        match self.runtime.block_on(self.adapter.interaction(interaction)) {
            opsbot::adapters::discord::Answer::Json(v) => (v, token),
            other => panic!("{other:?}"),
        }
    }

    fn wait(&self, channel: &str, done: impl Fn(&Message) -> bool) -> Message {
        let found = self.discord.wait_until(Duration::from_secs(20), |d| {
            d.messages(channel).iter().any(&done)
        });
        let messages = self.discord.messages(channel);
        assert!(
            found,
            "{:#?}",
            messages.iter().map(text_of).collect::<Vec<_>>()
        );
        messages.into_iter().find(|m| done(m)).expect("found")
    }
}

#[test]
fn past_the_token_lifetime_the_result_arrives_as_a_channel_message_with_the_bot_token() {
    let local = local("en", "", |c| c.token_lifetime = Duration::from_secs(1));
    let (answer, token) = local.command("100", "900", "etcd status -c slow");
    assert_eq!(answer["type"], 5);
    let last = local.wait("900", is_final);
    assert!(last.by_bot_token, "{last:#?}");
    assert_eq!(title_of(&last), "etcd.status: failed");
    let calls = local.discord.calls();
    let final_post = calls
        .iter()
        .find(|c| c.method == "POST" && c.path == "/channels/900/messages")
        .expect("a channel message");
    assert_eq!(
        final_post.authorization.as_deref(),
        Some(format!("Bot {BOT_TOKEN}").as_str())
    );
    // Before that, while the token was good, the original response was used.
    assert!(
        calls
            .iter()
            .any(|c| c.path.contains(&token) && c.path.ends_with("@original"))
    );
}

#[test]
fn beyond_the_busy_limit_a_command_is_answered_busy_in_korean_and_nothing_runs() {
    let local = local("ko", "", |c| {
        c.max_running = 1;
        c.max_waiting = 0;
    });
    let (first, _) = local.command("100", "901", "etcd status -c slow");
    assert_eq!(first["type"], 5);
    let (busy, token) = local.command("100", "902", "contacts");
    assert_eq!(busy["type"], 4, "{busy}");
    assert_eq!(busy["data"]["flags"], 64, "only the user sees it");
    let text = busy["data"]["content"].as_str().unwrap_or_default();
    assert!(text.contains("바쁩니다"), "{text}");
    assert!(text.contains("아무것도 실행하지 않았습니다"), "{text}");
    // A click could start a run too: refused the same way.
    let click_token = local.discord.click_token("902", "1");
    let click = sign::click_body(
        &click_token,
        "200",
        &[],
        "902",
        &json!({"id": "1", "channel_id": "902"}),
        "approve:nothing",
    );
    let interaction = Interaction::from_body(click.to_string().as_bytes()).expect("parse");
    let refused = local
        .runtime
        .block_on(local.adapter.interaction(interaction));
    match refused {
        opsbot::adapters::discord::Answer::Json(v) => {
            assert_eq!(v["type"], 4, "{v}");
            assert_eq!(v["data"]["flags"], 64);
        }
        other => panic!("{other:?}"),
    }
    // Once the first run is over there is room again. Its final message can land a moment
    // before its run gives its place back, and a busy answer changes nothing, so ask again.
    local.wait("901", is_final);
    let accepted = (0..40).any(|_| {
        let (after, _) = local.command("100", "902", "contacts");
        let ok = after["type"] == 5;
        if !ok {
            std::thread::sleep(Duration::from_millis(50));
        }
        ok
    });
    assert!(accepted, "still busy after the first run ended");
    local.wait("902", is_final);
    assert!(
        !local
            .discord
            .calls()
            .iter()
            .any(|c| c.path.contains(&token)),
        "the refused command wrote nothing"
    );
}

fn contact() -> Contact {
    Contact {
        situation: "cluster-failure".into(),
        team: "Platform Team".into(),
        slack_mentions: vec![],
        discord_mentions: vec!["1600000000000000009".into()],
        pagerduty_routing_key: None,
        opsgenie_team: None,
        webhook: None,
        email: vec![],
    }
}

fn view(state: IncidentState) -> IncidentView {
    IncidentView {
        id: "inc42".into(),
        situation: "cluster-failure".into(),
        team: "Platform Team".into(),
        severity: Severity::Critical,
        summary: "node app1-w1 is not Ready".into(),
        source: "app1".into(),
        details: vec![("node".into(), "app1-w1".into())],
        state,
        raised_by: Some("opsbot".into()),
        changed_by: (state != IncidentState::Open).then(|| "discord:200".into()),
        opened_at: 1_790_000_000,
        pages: vec![("pagerduty".into(), "delivered".into())],
    }
}

#[test]
fn an_incident_is_posted_mentioning_its_roles_then_updated_with_a_reply() {
    let local = local("en", "incident_channel = \"950\"\n", |_| {});
    let channel = local.adapter.incident_channel().expect("configured");
    let reference = local
        .runtime
        .block_on(channel.post(&contact(), &view(IncidentState::Open)))
        .expect("posted");
    let posted = local.discord.messages("950");
    assert_eq!(posted.len(), 1);
    let message = &posted[0];
    assert_eq!(message.id, reference);
    assert!(message.by_bot_token);
    let body = &message.body;
    assert!(
        body["content"]
            .as_str()
            .is_some_and(|c| c.starts_with("<@&1600000000000000009>"))
    );
    assert_eq!(body["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        body["allowed_mentions"]["roles"],
        json!(["1600000000000000009"])
    );
    let embed = text_of(message);
    for expected in [
        "node app1-w1 is not Ready",
        "app1",
        "critical",
        "open",
        "pagerduty: delivered",
    ] {
        assert!(embed.contains(expected), "{expected} in {embed}");
    }
    assert_eq!(
        buttons(message),
        ["incident-ack:inc42", "incident-resolve:inc42"]
    );

    local
        .runtime
        .block_on(channel.update(&reference, &contact(), &view(IncidentState::Resolved)))
        .expect("updated");
    let messages = local.discord.messages("950");
    assert_eq!(messages.len(), 2, "the message and one reply");
    let edited = &messages[0];
    assert!(buttons(edited).is_empty(), "no buttons once resolved");
    assert!(text_of(edited).contains("resolved by discord:200"));
    let reply = &messages[1];
    assert_eq!(
        reply.body["message_reference"]["message_id"],
        reference.as_str()
    );
    assert!(text_of(reply).contains("Resolved by discord:200"));
    assert_eq!(reply.body["allowed_mentions"]["parse"], json!([]));
}

#[test]
fn incident_channel_failures_are_retry_or_permanent_as_discord_answers() {
    let local = local("en", "incident_channel = \"951\"\n", |_| {});
    let channel = local.adapter.incident_channel().expect("configured");
    local
        .discord
        .fail_next("/channels/951/messages", 429, 2.5, 1);
    let limited = local
        .runtime
        .block_on(channel.post(&contact(), &view(IncidentState::Open)));
    match limited {
        Err(SendError::Retry {
            after: Some(after), ..
        }) => {
            assert!(after >= Duration::from_secs(2), "{after:?}")
        }
        other => panic!("{other:?}"),
    }
    local
        .discord
        .fail_next("/channels/951/messages", 503, 0.0, 1);
    assert!(matches!(
        local
            .runtime
            .block_on(channel.post(&contact(), &view(IncidentState::Open))),
        Err(SendError::Retry { after: None, .. })
    ));
    local
        .discord
        .fail_next("/channels/951/messages", 403, 0.0, 1);
    assert!(matches!(
        local
            .runtime
            .block_on(channel.post(&contact(), &view(IncidentState::Open))),
        Err(SendError::Permanent { .. })
    ));
    assert!(local.discord.messages("951").is_empty());
}

#[test]
fn without_an_incident_channel_there_is_none() {
    let local = local("en", "", |_| {});
    assert!(local.adapter.incident_channel().is_none());
}

/// A private prompt nobody answers gives up after `prompt_timeout`: the runner is told
/// privately (in Korean here), and the run ends without a share, Vault still sealed.
#[test]
fn an_unanswered_prompt_times_out_and_vault_stays_sealed() {
    let vault = opsbot_tests::vault::VaultServer::start();
    vault.set_sealed(true);
    let vault_section = format!("[vault]\naddress = \"{}\"\n", vault.url());
    let local = local("ko", &vault_section, |c| {
        c.prompt_timeout = Duration::from_secs(1)
    });
    let (answer, token) = local.command("200", "903", "vault unseal");
    assert_eq!(answer["type"], 5, "{answer}");
    let run = local.wait("903", |m| !m.ephemeral && is_final(m));
    assert!(title_of(&run).ends_with("실패"), "{}", text_of(&run));
    let followups = local.discord.followups(&token);
    let prompt = followups
        .iter()
        .find(|m| buttons(m).iter().any(|b| b.starts_with("prompt:")))
        .expect("a prompt was shown");
    assert!(prompt.ephemeral, "{prompt:#?}");
    assert!(text_of(prompt).contains("비공개"), "{}", text_of(prompt));
    assert!(
        followups
            .iter()
            .any(|m| m.ephemeral && text_of(m).contains("시간 안에 비공개 입력이 없어")),
        "{:#?}",
        followups.iter().map(text_of).collect::<Vec<_>>()
    );
    assert!(vault.status()["sealed"].as_bool().unwrap_or(false));
}
