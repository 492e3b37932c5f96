//! Slash commands over HTTP: the signature, the ack, the message and who may do what.

use std::time::Duration;

use super::*;

#[test]
fn signed_slash_command_is_acked_at_once_and_its_message_ends_in_the_final_state() {
    let rig = rig("en");
    let reply = rig.command("U0VIEWER", "C0OPS", "contacts");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.elapsed < Duration::from_secs(1),
        "ack took {:?}",
        reply.elapsed
    );
    let ack = reply.json();
    assert_eq!(ack["response_type"], "ephemeral");
    assert!(
        ack["text"].as_str().unwrap().contains("/ops contacts"),
        "{ack}"
    );

    let messages = rig.wait_final("C0OPS", 1, Duration::from_secs(20));
    assert_eq!(messages.len(), 1, "one message per run");
    let message = &messages[0];
    let text = text_of(message);
    assert_eq!(header_of(&message.blocks), "contacts: done");
    assert!(text.contains("Requested by <@U0VIEWER>"), "{text}");
    assert!(
        text.contains("✓ *1/1* Read the emergency contacts table"),
        "{text}"
    );
    assert!(text.contains("Platform Team"), "the report's table: {text}");
    assert!(text.contains("```"), "tables go in code blocks: {text}");
    assert!(text.contains("✓ done in"), "{text}");
    // The first version was posted, later ones (if any) edited in place.
    assert_eq!(rig.slack.calls_to("chat.postMessage").len(), 1);
    for call in rig.slack.calls_to("chat.postMessage") {
        assert_eq!(call.token.as_deref(), Some(BOT_TOKEN));
    }
}

#[test]
fn forged_signature_is_refused_with_401_and_no_slack_call() {
    let rig = rig("en");
    let body = rig.command_body("U0ADMIN", "C0OPS", "contacts");
    let (ts, _) = sign_now(SIGNING_SECRET, &body);
    let (_, wrong_secret) = sign_now("not-the-signing-secret", &body);
    let forged = rig.post_with("/slack/commands", &body, &ts, &wrong_secret);
    assert_eq!(forged.status, 401);
    // A body changed after signing.
    let (ts, signature) = sign_now(SIGNING_SECRET, &body);
    let tampered = body.replace("contacts", "etcd+status");
    let tampered = rig.post_with("/slack/commands", &tampered, &ts, &signature);
    assert_eq!(tampered.status, 401);
    // No signature at all.
    let unsigned = rig.served.post("/slack/commands", &[], body.as_bytes());
    assert_eq!(unsigned.status, 401);

    std::thread::sleep(Duration::from_millis(500));
    assert!(rig.slack.calls().is_empty(), "{:?}", rig.slack.calls());
    let metrics = rig.served.get("/metrics").body;
    assert!(
        metrics.contains("opsbot_slack_rejected_total{reason=\"mismatch\"} 2"),
        "{metrics}"
    );
}

#[test]
fn stale_timestamp_is_refused_with_401() {
    let rig = rig("en");
    let body = rig.command_body("U0ADMIN", "C0OPS", "contacts");
    let old = rig.post_signed_at("/slack/commands", &body, now() - 301);
    assert_eq!(old.status, 401, "a correct signature over an old timestamp");
    let future = rig.post_signed_at("/slack/commands", &body, now() + 301);
    assert_eq!(future.status, 401);
    let inside = rig.post_signed_at("/slack/commands", &body, now() - 200);
    assert_eq!(inside.status, 200, "inside the window");
    rig.wait_final("C0OPS", 1, Duration::from_secs(20));
}

#[test]
fn replayed_request_is_acted_on_once() {
    let rig = rig("en");
    let body = rig.command_body("U0VIEWER", "C0OPS", "contacts");
    let (ts, signature) = sign_now(SIGNING_SECRET, &body);
    let first = rig.post_with("/slack/commands", &body, &ts, &signature);
    assert_eq!(first.status, 200);
    let replay = rig.post_with("/slack/commands", &body, &ts, &signature);
    assert_eq!(replay.status, 200, "answered, so Slack would not retry");
    // Slack's own retry: the same request signed again at a later second.
    let (later, resigned) = sign(SIGNING_SECRET, now() + 1, &body);
    let retry = rig.post_with("/slack/commands", &body, &later, &resigned);
    assert_eq!(retry.status, 200);

    rig.wait_final("C0OPS", 1, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(rig.slack.calls_to("chat.postMessage").len(), 1);
    assert_eq!(top_level(&rig.slack.messages("C0OPS")).len(), 1);
    let metrics = rig.served.get("/metrics").body;
    assert!(
        metrics.contains("opsbot_slack_duplicates_total{kind=\"replay\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("opsbot_slack_duplicates_total{kind=\"command\"} 1"),
        "{metrics}"
    );
}

#[test]
fn user_unknown_to_the_policy_is_denied_ephemerally_with_the_policy_sentence() {
    let rig = rig("en");
    let reply = rig.command("U0STRANGER", "C0OPS", "contacts");
    assert_eq!(reply.status, 200);
    let ephemeral = rig.wait_ephemeral("C0OPS", Duration::from_secs(10));
    assert_eq!(ephemeral.len(), 1);
    assert_eq!(ephemeral[0].visible_to.as_deref(), Some("U0STRANGER"));
    let text = text_of(&ephemeral[0]);
    assert!(
        text.contains("slack:U0STRANGER may not run contacts") && text.contains("no rule"),
        "{text}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        rig.slack.messages("C0OPS").is_empty(),
        "nothing in the channel"
    );
}

#[test]
fn bad_input_gets_one_ephemeral_sentence() {
    let rig = rig("en");
    rig.command("U0ADMIN", "C0OPS", "etcd snapsot -c mgmt");
    let ephemeral = rig.wait_ephemeral("C0OPS", Duration::from_secs(10));
    let text = text_of(&ephemeral[0]);
    assert!(text.contains("Did you mean \"etcd snapshot\"?"), "{text}");
    assert!(rig.slack.messages("C0OPS").is_empty());
}

#[test]
fn group_members_are_resolved_through_usergroups_and_cached() {
    let rig = rig("en");
    rig.slack.add_usergroup("S0ONCALL", &["U0GROUPIE"]);
    rig.command("U0GROUPIE", "C0OPS", "contacts");
    rig.wait_final("C0OPS", 1, Duration::from_secs(20));
    rig.command("U0GROUPIE", "C0OPS", "contacts");
    rig.command("U0OUTSIDER", "C0OPS", "contacts");
    rig.wait_final("C0OPS", 2, Duration::from_secs(20));
    let ephemeral = rig.wait_ephemeral("C0OPS", Duration::from_secs(10));
    assert_eq!(ephemeral[0].visible_to.as_deref(), Some("U0OUTSIDER"));
    let lookups = rig.slack.calls_to("usergroups.users.list");
    assert_eq!(lookups.len(), 1, "the list is cached: {lookups:?}");
    assert_eq!(lookups[0].params["usergroup"], "S0ONCALL");
}

#[test]
fn korean_locale_writes_the_ack_the_message_and_refusals_in_korean() {
    let rig = rig("ko");
    let reply = rig.command("U0VIEWER", "C0OPS", "contacts");
    assert!(
        reply.json()["text"]
            .as_str()
            .unwrap()
            .contains("처리하고 있습니다"),
        "{}",
        reply.body
    );
    let messages = rig.wait_final("C0OPS", 1, Duration::from_secs(20));
    assert_eq!(header_of(&messages[0].blocks), "contacts: 완료");
    let text = text_of(&messages[0]);
    assert!(text.contains("요청자 <@U0VIEWER>"), "{text}");
    assert!(text.contains("초 만에 완료"), "{text}");

    rig.command("U0STRANGER", "C0OPS", "contacts");
    let ephemeral = rig.wait_ephemeral("C0OPS", Duration::from_secs(10));
    let text = text_of(&ephemeral[0]);
    assert!(!text.contains("may not run"), "{text}");
    assert!(text.contains("slack:U0STRANGER"), "{text}");
}
