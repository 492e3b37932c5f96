//! What Slack sends to an app, built the way Slack builds it: signed request headers, slash
//! command and interaction bodies, and Socket Mode envelopes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::state::{APP_ID, TEAM_ID, View};

/// The headers Slack puts on an inbound request: `X-Slack-Request-Timestamp` (the returned
/// timestamp) and `X-Slack-Signature` = `v0=` + hex(HMAC-SHA256(secret, `v0:{ts}:{body}`)).
pub fn sign(signing_secret: &str, timestamp: i64, body: &str) -> (String, String) {
    let mut mac = Hmac::<Sha256>::new_from_slice(signing_secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    let signature = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
    (timestamp.to_string(), signature)
}

/// [`sign`] with the current time, as a fresh request from Slack would carry.
pub fn sign_now(signing_secret: &str, body: &str) -> (String, String) {
    sign(signing_secret, unix_now(), body)
}

/// Seconds since the Unix epoch, the unit of `X-Slack-Request-Timestamp`.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A slash command's `application/x-www-form-urlencoded` body with the fields Slack sends, in
/// Slack's order. `channel_name` and `user_name` repeat the ids: Slack's names are display
/// data that apps must not rely on.
pub fn slash_command_body(
    command: &str,
    text: &str,
    user_id: &str,
    channel_id: &str,
    response_url: &str,
    trigger_id: &str,
) -> String {
    form_encode(&[
        ("token", "verification-token-unused"),
        ("team_id", TEAM_ID),
        ("team_domain", "opsbot-test"),
        ("channel_id", channel_id),
        ("channel_name", channel_id),
        ("user_id", user_id),
        ("user_name", user_id),
        ("command", command),
        ("text", text),
        ("api_app_id", APP_ID),
        ("is_enterprise_install", "false"),
        ("response_url", response_url),
        ("trigger_id", trigger_id),
    ])
}

/// An interaction body (`block_actions`, `view_submission`, …): `payload=<urlencoded JSON>`.
pub fn block_actions_body(payload: &Value) -> String {
    form_encode(&[("payload", &payload.to_string())])
}

/// A `view_submission` payload for a modal the app opened (as the emulator holds it, see
/// `SlackServer::views`), submitted by `user` with `values` typed in: `(block_id, action_id,
/// value)`. The view's `state.values` is built as Slack builds it, each value under its input
/// block and element, typed as that element is.
pub fn view_submission_payload(view: &View, user: &str, values: &[(&str, &str, &str)]) -> Value {
    let mut state = serde_json::Map::new();
    for (block, action, value) in values {
        let kind = view.view["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|b| b["block_id"] == *block)
            .and_then(|b| b.pointer("/element/type"))
            .and_then(Value::as_str)
            .unwrap_or("plain_text_input");
        let entry = state.entry(block.to_string()).or_insert_with(|| json!({}));
        entry[*action] = json!({"type": kind, "value": value});
    }
    let mut payload = view_payload("view_submission", view, user, Value::Object(state));
    payload["trigger_id"] = json!(next_trigger("view"));
    payload["response_urls"] = json!([]);
    payload
}

/// A `view_closed` payload: `user` dismissed the modal (sent only for views opened with
/// `notify_on_close`).
pub fn view_closed_payload(view: &View, user: &str) -> Value {
    let mut payload = view_payload("view_closed", view, user, json!({}));
    payload["is_cleared"] = json!(false);
    payload
}

fn view_payload(kind: &str, view: &View, user: &str, values: Value) -> Value {
    let mut stated = super::methods::view_json(view);
    stated["state"] = json!({ "values": values });
    json!({
        "type": kind,
        "team": {"id": TEAM_ID, "domain": "opsbot-test"},
        "user": {"id": user, "username": user, "name": user, "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "view": stated,
        "is_enterprise_install": false,
        "enterprise": null,
    })
}

/// A trigger_id of Slack's shape, unique in this process.
fn next_trigger(tag: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{n}.{}.{tag}", std::process::id())
}

/// A Socket Mode envelope of the given type (`slash_commands`, `interactive`, `events_api`)
/// around a payload, with a fresh `envelope_id`, as Slack pushes it.
pub fn envelope(kind: &str, payload: Value) -> Value {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    json!({
        "type": kind,
        "envelope_id": format!("{n:08x}-0000-4000-8000-{:012x}", unix_now()),
        "accepts_response_payload": kind != "events_api",
        "payload": payload,
    })
}

/// The `slash_commands` envelope Socket Mode delivers for a command: the same fields as
/// [`slash_command_body`], as a JSON object.
pub fn slash_command_envelope(
    command: &str,
    text: &str,
    user_id: &str,
    channel_id: &str,
    response_url: &str,
    trigger_id: &str,
) -> Value {
    let body = slash_command_body(command, text, user_id, channel_id, response_url, trigger_id);
    let payload: serde_json::Map<String, Value> = form_decode(&body)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    envelope("slash_commands", Value::Object(payload))
}

/// `application/x-www-form-urlencoded` as browsers and Slack write it: unreserved bytes as
/// they are, space as `+`, everything else `%XX`.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Parses a form body or query string; malformed escapes are kept literally, as lenient
/// servers do, so a bad client shows up in the recorded params rather than as a lost call.
pub fn form_decode(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(k), decode_component(v))
        })
        .collect()
}

fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            hex_value(bytes.get(i + 1)),
            hex_value(bytes.get(i + 2)),
        ) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(hi), Some(lo)) => {
                out.push(hi << 4 | lo);
                i += 2;
            }
            (b, _, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: Option<&u8>) -> Option<u8> {
    (*b? as char).to_digit(16).map(|d| d as u8)
}
