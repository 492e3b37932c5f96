//! Socket Mode and what Slack sends to an app: signatures, slash command bodies, envelopes.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio_tungstenite::tungstenite;

use super::super::sign::form_decode;
use super::super::*;
use super::client::{connect_socket, read_json};

#[test]
fn sign_matches_slacks_documented_example() {
    let secret = "8f742231b10e8888abcd99yyyzzz85a5";
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    let expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:1531420618:{body}").as_bytes());
    let independent = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(independent, expected, "the documented vector itself");
    assert_eq!(
        sign(secret, 1531420618, body),
        ("1531420618".to_string(), expected.to_string())
    );
}

#[test]
fn slash_command_bodies_are_form_encoded_as_slack_sends_them() {
    let body = slash_command_body(
        "/ops",
        "etcd status -c prod",
        "U1",
        "C1",
        "http://r/1",
        "1.2",
    );
    assert!(
        body.contains("command=%2Fops&text=etcd+status+-c+prod&"),
        "{body}"
    );
    let fields = form_decode(&body);
    let field = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(field("response_url"), Some("http://r/1"));
    assert_eq!(field("trigger_id"), Some("1.2"));
    let payload = json!({"type": "block_actions", "actions": [{"value": "a&b=c"}]});
    let decoded = form_decode(&block_actions_body(&payload));
    assert_eq!(decoded[0].0, "payload");
    assert_eq!(
        serde_json::from_str::<Value>(&decoded[0].1).unwrap(),
        payload
    );
}

#[test]
fn socket_mode_sends_hello_delivers_envelopes_and_records_acks() {
    let slack = SlackServer::start();
    assert!(
        !slack.socket_send(envelope("slash_commands", json!({}))),
        "nobody connected"
    );
    let mut socket = connect_socket(&slack);
    let hello = read_json(&mut socket);
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["num_connections"], 1);
    assert!(slack.socket_connected());

    let sent = slash_command_envelope("/ops", "status", "U1", "C1", &slack.response_url(), "1.2");
    assert!(slack.socket_send(sent.clone()));
    let received = read_json(&mut socket);
    assert_eq!(received, sent);
    assert_eq!(received["payload"]["command"], "/ops");
    let ack = json!({"envelope_id": sent["envelope_id"], "payload": {"text": "working"}});
    socket
        .send(tungstenite::Message::text(ack.to_string()))
        .unwrap();
    assert!(slack.wait_until(Duration::from_secs(5), |s| s.socket_acks() == [ack.clone()]));

    // Slack asks for a reconnect; the old ticket is spent, a new one connects.
    assert!(slack.socket_send(disconnect_envelope("refresh_requested")));
    assert_eq!(read_json(&mut socket)["type"], "disconnect");
    socket.close(None).unwrap();
    assert!(slack.wait_until(Duration::from_secs(5), |s| !s.socket_connected()));
    let mut again = connect_socket(&slack);
    assert_eq!(read_json(&mut again)["type"], "hello");
    assert_eq!(slack.socket_connects(), 2);
}
