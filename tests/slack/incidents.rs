//! Issue 7 in Slack: the incident channel. An incident is posted once, mentioning the team's
//! user groups, with Acknowledge / Resolve buttons; each change edits it in place and says so
//! in its thread; Slack's refusals and rate limits come back as the outbox's two kinds of
//! failure.

use std::sync::Arc;
use std::time::Duration;

use ::commands::Contact;
use ::commands::incidents::Severity;
use opsbot::adapters::slack::SlackConfig;
use opsbot::adapters::slack::incidents::SlackIncidents;
use opsbot::adapters::slack::service::SlackApi;
use opsbot::config::SlackSection;
use opsbot::i18n::{Locale, Localizer};
use opsbot::paging::{IncidentChannel, IncidentState, IncidentView, SendError};

use super::*;

fn channel(slack: &SlackServer, locale: Locale) -> SlackIncidents {
    let section = SlackSection {
        signing_secret: Some(::commands::Secret::new(SIGNING_SECRET)),
        bot_token: Some(::commands::Secret::new(BOT_TOKEN)),
        api_url: Some(slack.api_url()),
        incident_channel: Some("C0INCIDENT".to_string()),
        ..SlackSection::default()
    };
    let config = SlackConfig::from_section(&section).expect("config");
    let api = Arc::new(SlackApi::new(&config).expect("client"));
    SlackIncidents::new(api, Localizer::new(locale), "C0INCIDENT".to_string())
}

fn contact() -> Contact {
    Contact {
        situation: "cluster-failure".to_string(),
        team: "Platform Team".to_string(),
        slack_mentions: vec!["S0PLATFORM".to_string(), "S0ONCALL".to_string()],
        discord_mentions: Vec::new(),
        pagerduty_routing_key: Some(::commands::Secret::new("R0UTINGKEY")),
        opsgenie_team: None,
        webhook: None,
        email: Vec::new(),
    }
}

fn view(state: IncidentState) -> IncidentView {
    IncidentView {
        id: "inc42".to_string(),
        situation: "cluster-failure".to_string(),
        team: "Platform Team".to_string(),
        severity: Severity::Critical,
        summary: "node worker-1 is NotReady".to_string(),
        source: "prod".to_string(),
        details: vec![("node".to_string(), "worker-1".to_string())],
        state,
        raised_by: Some("opsbot".to_string()),
        changed_by: (state != IncidentState::Open).then(|| "slack:U0ADMIN".to_string()),
        opened_at: 1_764_000_000,
        pages: vec![("pagerduty".to_string(), "delivered".to_string())],
    }
}

/// Button values of a message's actions blocks.
fn buttons(message: &Message) -> Vec<String> {
    let blocks = message.blocks.as_ref().and_then(Value::as_array);
    blocks
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["value"].as_str().map(str::to_string))
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn an_incident_is_posted_with_mentions_and_buttons_then_updated_in_place_and_in_its_thread() {
    let slack = SlackServer::start();
    let incidents = channel(&slack, Locale::En);
    let rt = runtime();
    assert_eq!(incidents.target(), "slack");

    let reference = rt
        .block_on(incidents.post(&contact(), &view(IncidentState::Open)))
        .expect("posted");
    let messages = slack.messages("C0INCIDENT");
    assert_eq!(messages.len(), 1);
    assert_eq!(reference, format!("C0INCIDENT/{}", messages[0].ts));
    let posted = text_of(&messages[0]);
    for expected in [
        "<!subteam^S0PLATFORM>",
        "<!subteam^S0ONCALL>",
        "node worker-1 is NotReady",
        "prod",
        "Critical",
        "worker-1",
        "open",
        "pagerduty: delivered",
    ] {
        assert!(posted.contains(expected), "{expected} missing in {posted}");
    }
    // The notification text itself mentions the groups, so they are notified.
    let text = messages[0].text.clone().unwrap_or_default();
    assert!(text.contains("<!subteam^S0PLATFORM>"), "{text}");
    assert!(
        !posted.contains("R0UTINGKEY"),
        "no credential in the channel"
    );
    assert_eq!(
        buttons(&messages[0]),
        vec!["incident-ack:inc42", "incident-resolve:inc42"]
    );

    rt.block_on(incidents.update(&reference, &contact(), &view(IncidentState::Acknowledged)))
        .expect("acknowledged");
    rt.block_on(incidents.update(&reference, &contact(), &view(IncidentState::Resolved)))
        .expect("resolved");

    let messages = slack.messages("C0INCIDENT");
    let top = top_level(&messages);
    assert_eq!(top.len(), 1, "one message per incident");
    assert_eq!(top[0].edits().len(), 2, "edited in place twice");
    assert!(
        text_of(&top[0]).contains("resolved by <@U0ADMIN>"),
        "{}",
        text_of(&top[0])
    );
    assert!(buttons(&top[0]).is_empty(), "no buttons once resolved");
    let thread: Vec<String> = messages
        .iter()
        .filter(|m| m.thread_ts.as_deref() == Some(top[0].ts.as_str()))
        .map(text_of)
        .collect();
    assert_eq!(thread.len(), 2, "{thread:?}");
    assert!(
        thread[0].contains("Acknowledged by <@U0ADMIN>"),
        "{thread:?}"
    );
    assert!(thread[1].contains("Resolved by <@U0ADMIN>"), "{thread:?}");
}

#[test]
fn the_incident_message_is_in_korean_for_a_korean_bot() {
    let slack = SlackServer::start();
    let incidents = channel(&slack, Locale::Ko);
    runtime()
        .block_on(incidents.post(&contact(), &view(IncidentState::Open)))
        .expect("posted");
    let posted = text_of(&slack.messages("C0INCIDENT")[0]);
    assert!(posted.contains("긴급"), "{posted}");
    assert!(posted.contains("확인"), "{posted}");
}

#[test]
fn refusals_are_permanent_and_rate_limits_and_outages_are_retried_later() {
    let slack = SlackServer::start();
    let incidents = channel(&slack, Locale::En);
    let rt = runtime();
    let post = || rt.block_on(incidents.post(&contact(), &view(IncidentState::Open)));

    slack.fail_next_with("chat.postMessage", "channel_not_found", 1);
    assert!(matches!(post(), Err(SendError::Permanent { .. })));
    slack.fail_next_with("chat.postMessage", "invalid_auth", 1);
    assert!(matches!(post(), Err(SendError::Permanent { .. })));

    slack.fail_next("chat.postMessage", 503, None, 1);
    assert!(matches!(post(), Err(SendError::Retry { after: None, .. })));
    assert!(slack.messages("C0INCIDENT").is_empty(), "nothing posted");

    let refused = rt.block_on(incidents.update(
        "C0INCIDENT/1.000001",
        &contact(),
        &view(IncidentState::Resolved),
    ));
    assert!(
        matches!(refused, Err(SendError::Permanent { .. })),
        "{refused:?}"
    );

    // Last: a 429 also holds the method back for its Retry-After.
    slack.fail_next("chat.postMessage", 429, Some(7), 1);
    match post() {
        Err(SendError::Retry { after, .. }) => assert_eq!(after, Some(Duration::from_secs(7))),
        other => panic!("a 429 is retried after Retry-After: {other:?}"),
    }
}

#[test]
fn a_network_error_is_retried_later() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/api", dead.local_addr().expect("addr"));
    drop(dead);
    let section = SlackSection {
        signing_secret: Some(::commands::Secret::new(SIGNING_SECRET)),
        bot_token: Some(::commands::Secret::new(BOT_TOKEN)),
        api_url: Some(url),
        ..SlackSection::default()
    };
    let config = SlackConfig::from_section(&section).expect("config");
    let api = Arc::new(SlackApi::new(&config).expect("client"));
    let incidents = SlackIncidents::new(api, Localizer::new(Locale::En), "C0X".to_string());
    let sent = runtime().block_on(incidents.post(&contact(), &view(IncidentState::Open)));
    assert!(matches!(sent, Err(SendError::Retry { .. })), "{sent:?}");
}

/// Issue 11: the audit head is anchored in the chat too. A note is one plain line: nobody is
/// mentioned, there is nothing to click.
#[test]
fn a_note_is_one_plain_line_with_no_mentions_or_buttons() {
    let slack = SlackServer::start();
    let incidents = channel(&slack, Locale::En);
    let note = ::commands::msg!("audit-head-post", seq = 7, hash = "ab12", at = "now");
    runtime().block_on(incidents.note(&note)).expect("posted");
    let messages = slack.messages("C0INCIDENT");
    assert_eq!(messages.len(), 1);
    let text = text_of(&messages[0]);
    assert!(text.contains("#7") && text.contains("ab12"), "{text}");
    assert!(!text.contains("<!subteam"), "{text}");
    assert!(buttons(&messages[0]).is_empty());
}

/// Issue 11: `audit.head_post_interval` posts the head to the incident channel, and what is
/// posted is the log's real head (as `audit export` reads it from the database).
#[test]
fn serve_posts_the_audit_head_to_the_incident_channel_on_its_interval() {
    let rig = rig_with("en", |builder, _| {
        builder
            .extra("incident_channel = \"C0INCIDENT\"\n[audit]\nhead_post_interval = \"1s\"\n")
            .paging("retry_initial = \"100ms\"")
    });
    // Something in the log (allowed or not, a command is recorded), so the head is past the start.
    rig.bot.shell("alice", "contacts\n");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let posted = loop {
        let notes: Vec<String> = rig
            .slack
            .messages("C0INCIDENT")
            .iter()
            .map(text_of)
            .filter(|t| t.contains("Audit log head"))
            .collect();
        if let Some(note) = notes.into_iter().next() {
            break note;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no head was posted: {}",
            rig.served.output()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let seq: i64 = posted
        .split("record #")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no record number in {posted}"));
    let exported = rig.bot.run(&["audit", "export"]);
    assert_eq!(exported.code, 0, "{}", exported.all());
    let record: Value = exported
        .stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|r| r["seq"].as_i64() == Some(seq))
        .unwrap_or_else(|| panic!("no record {seq} in the log"));
    let hash = record["hash"].as_str().expect("hash");
    assert!(
        posted.contains(hash),
        "{posted} names record {seq} with another hash than {hash}"
    );
}
