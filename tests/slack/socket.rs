//! Socket Mode end to end: envelopes over the emulator's websocket, acked, then acted on.

use std::time::Duration;

use opsbot_tests::slack::{envelope, slash_command_envelope};

use super::*;

fn socket_rig(locale: &str) -> Rig {
    let rig = rig_with(locale, |b, _| {
        b.extra(&format!("app_token = \"{APP_TOKEN}\""))
    });
    assert!(
        rig.slack
            .wait_until(Duration::from_secs(20), |s| s.socket_connected()),
        "no Socket Mode connection\n{}",
        rig.served.output()
    );
    rig
}

fn ack_of(rig: &Rig, envelope_id: &str) -> Value {
    let acked = rig.slack.wait_until(Duration::from_secs(10), |s| {
        s.socket_acks()
            .iter()
            .any(|a| a["envelope_id"] == envelope_id)
    });
    assert!(
        acked,
        "envelope {envelope_id} was not acked\n{}",
        rig.served.output()
    );
    rig.slack
        .socket_acks()
        .into_iter()
        .find(|a| a["envelope_id"] == envelope_id)
        .unwrap()
}

#[test]
fn socket_mode_slash_command_is_acked_and_its_message_posted() {
    let rig = socket_rig("en");
    let sent = slash_command_envelope(
        "/ops",
        "contacts",
        "U0VIEWER",
        "C0SOCK",
        &rig.slack.response_url(),
        &trigger(),
    );
    let id = sent["envelope_id"].as_str().unwrap().to_string();
    assert!(rig.slack.socket_send(sent));
    let ack = ack_of(&rig, &id);
    let text = ack
        .pointer("/payload/text")
        .and_then(Value::as_str)
        .unwrap_or_default();
    assert!(text.contains("Working on it: /ops contacts"), "{ack}");
    let messages = rig.wait_final("C0SOCK", 1, Duration::from_secs(20));
    assert_eq!(header_of(&messages[0].blocks), "contacts: done");
}

#[test]
fn socket_mode_click_is_acked_and_answered_with_the_stale_notice() {
    let rig = socket_rig("en");
    let payload = click_payload(
        "U0ADMIN",
        "C0SOCK",
        "approval:feedbeef",
        &rig.slack.response_url(),
    );
    let sent = envelope("interactive", payload);
    let id = sent["envelope_id"].as_str().unwrap().to_string();
    assert!(rig.slack.socket_send(sent));
    ack_of(&rig, &id);
    let ephemeral = rig.wait_ephemeral("C0SOCK", Duration::from_secs(10));
    assert!(
        text_of(&ephemeral[0]).contains("no longer valid"),
        "{}",
        text_of(&ephemeral[0])
    );
}

#[test]
fn socket_mode_and_http_share_one_bot() {
    let rig = socket_rig("ko");
    rig.command("U0VIEWER", "C0BOTH", "contacts");
    let messages = rig.wait_final("C0BOTH", 1, Duration::from_secs(20));
    assert_eq!(header_of(&messages[0].blocks), "contacts: 완료");
}
