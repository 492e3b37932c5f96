//! What Discord sends to an app: interactions signed with Ed25519 over `timestamp + body`, in
//! the `X-Signature-Ed25519` and `X-Signature-Timestamp` headers. A fixed test key pair.

use std::sync::atomic::{AtomicU64, Ordering};

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};

/// The test application's id.
pub const APPLICATION_ID: &str = "1300000000000000001";
/// A guild for the tests.
pub const GUILD_ID: &str = "1300000000000000002";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

/// The hex public key, what `discord.public_key` is set to.
pub fn public_key_hex() -> String {
    hex::encode(key().verifying_key().to_bytes())
}

/// The signature header Discord would send for `body` at `timestamp`.
pub fn sign(timestamp: &str, body: &[u8]) -> String {
    let message = [timestamp.as_bytes(), body].concat();
    hex::encode(key().sign(&message).to_bytes())
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

static NEXT: AtomicU64 = AtomicU64::new(1);

/// A fresh interaction id or token.
pub fn fresh(prefix: &str) -> String {
    format!(
        "{prefix}{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn ping_body() -> Value {
    json!({"type": 1, "id": fresh("9"), "application_id": APPLICATION_ID, "token": fresh("tok-"), "version": 1})
}

fn member(user: &str, roles: &[&str]) -> Value {
    json!({"user": {"id": user, "username": user, "discriminator": "0", "global_name": user},
           "roles": roles, "permissions": "0", "joined_at": "2024-01-01T00:00:00+00:00"})
}

/// `/ops command:LINE` by `user` with `roles` in `channel`, answered through `token`.
pub fn command_body(token: &str, user: &str, roles: &[&str], channel: &str, line: &str) -> Value {
    json!({
        "type": 2, "id": fresh("8"), "application_id": APPLICATION_ID, "token": token,
        "version": 1, "guild_id": GUILD_ID, "channel_id": channel,
        "channel": {"id": channel, "type": 0},
        "member": member(user, roles), "locale": "en-US",
        "data": {"id": "1300000000000000099", "name": "ops", "type": 1,
                 "options": [{"name": "command", "type": 3, "value": line}]}
    })
}

/// A slash command `name` with typed `options` (subcommand groups, subcommands and values,
/// as Discord nests them) by `user` in `channel`, answered through `token`.
pub fn slash_body(
    token: &str,
    user: &str,
    roles: &[&str],
    channel: &str,
    name: &str,
    options: Value,
) -> Value {
    json!({
        "type": 2, "id": fresh("8"), "application_id": APPLICATION_ID, "token": token,
        "version": 1, "guild_id": GUILD_ID, "channel_id": channel,
        "channel": {"id": channel, "type": 0},
        "member": member(user, roles), "locale": "en-US",
        "data": {"id": "1300000000000000099", "name": name, "type": 1, "options": options}
    })
}

/// An autocomplete request (type 4) while `user` types in the option marked `"focused": true`
/// somewhere in `options`.
pub fn autocomplete_body(user: &str, channel: &str, name: &str, options: Value) -> Value {
    json!({
        "type": 4, "id": fresh("6"), "application_id": APPLICATION_ID, "token": fresh("ac-"),
        "version": 1, "guild_id": GUILD_ID, "channel_id": channel,
        "member": member(user, &[]), "locale": "en-US",
        "data": {"id": "1300000000000000099", "name": name, "type": 1, "options": options}
    })
}

/// A click on the button `custom_id` of `message` by `user`, answered through `token`.
pub fn click_body(
    token: &str,
    user: &str,
    roles: &[&str],
    channel: &str,
    message: &Value,
    custom_id: &str,
) -> Value {
    json!({
        "type": 3, "id": fresh("7"), "application_id": APPLICATION_ID, "token": token,
        "version": 1, "guild_id": GUILD_ID, "channel_id": channel,
        "member": member(user, roles), "message": message,
        "data": {"custom_id": custom_id, "component_type": 2}
    })
}

/// A modal submission (type 5) of the modal `custom_id` by `user`, with `inputs` as
/// (text input custom_id, typed value), each in its own action row as Discord sends them;
/// answered through `token`.
pub fn modal_submit_body(
    token: &str,
    user: &str,
    roles: &[&str],
    channel: &str,
    custom_id: &str,
    inputs: &[(&str, &str)],
) -> Value {
    let rows: Vec<Value> = inputs
        .iter()
        .map(|(id, value)| {
            json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]})
        })
        .collect();
    json!({
        "type": 5, "id": fresh("5"), "application_id": APPLICATION_ID, "token": token,
        "version": 1, "guild_id": GUILD_ID, "channel_id": channel,
        "member": member(user, roles), "locale": "en-US",
        "data": {"custom_id": custom_id, "components": rows}
    })
}
