//! Issue 6, Discord: the real `opsbot serve` against the Discord API emulator on 127.0.0.1.
//! Interactions are signed as Discord signs them (Ed25519 over timestamp + body); what the bot
//! did is read back from the emulator's record of every call and message.

mod approvals;
mod break_glass;
mod commands;
mod judged;
mod local;
mod modals;
mod people;
mod pinned;
mod signatures;
mod slash;

use std::time::Duration;

use opsbot_tests::bot::{Bot, BotBuilder, HttpReply, Served};
use opsbot_tests::discord::sign::{self, APPLICATION_ID};
use opsbot_tests::discord::{DiscordServer, Message};
use serde_json::Value;

pub const BOT_TOKEN: &str = "discord-test-bot-token";

pub const POLICY: &str = r#"
[roles.viewer]
operations = ["contacts", "etcd.status", "cluster.*"]
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "viewer"
subjects = ["discord:100", "discord-role:900"]

[[bindings]]
role = "admin"
subjects = ["discord:200"]
"#;

fn bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_opsbot"))
}

pub struct Rig {
    pub discord: DiscordServer,
    pub bot: Bot,
    pub served: Served,
}

pub fn discord_section(discord: &DiscordServer) -> String {
    format!(
        "[discord]\npublic_key = \"{}\"\nbot_token = \"{BOT_TOKEN}\"\napplication_id = \"{APPLICATION_ID}\"\napi_url = \"{}\"\n",
        sign::public_key_hex(),
        discord.api_url()
    )
}

pub fn rig_with(locale: &str, more: impl FnOnce(BotBuilder) -> BotBuilder) -> Rig {
    let discord = DiscordServer::start();
    let builder = Bot::builder(bin())
        .locale(locale)
        .policy(POLICY)
        .extra(&discord_section(&discord));
    let bot = more(builder).build();
    let served = bot.serve_with_env(&[("RUST_LOG", "warn")]);
    Rig {
        discord,
        bot,
        served,
    }
}

pub fn rig(locale: &str) -> Rig {
    rig_with(locale, |b| b)
}

impl Rig {
    pub fn post_at(&self, body: &Value, timestamp: i64) -> HttpReply {
        let body = body.to_string();
        let ts = timestamp.to_string();
        let signature = sign::sign(&ts, body.as_bytes());
        self.post_raw(body.as_bytes(), &ts, &signature)
    }

    pub fn post(&self, body: &Value) -> HttpReply {
        self.post_at(body, sign::unix_now())
    }

    pub fn post_raw(&self, body: &[u8], ts: &str, signature: &str) -> HttpReply {
        self.served.post(
            "/discord/interactions",
            &[
                ("content-type", "application/json"),
                ("x-signature-ed25519", signature),
                ("x-signature-timestamp", ts),
            ],
            body,
        )
    }

    /// `/ops LINE` by `user`; the token it is answered through.
    pub fn command(
        &self,
        user: &str,
        roles: &[&str],
        channel: &str,
        line: &str,
    ) -> (HttpReply, String) {
        let token = self.discord.command_token(channel);
        let reply = self.post(&sign::command_body(&token, user, roles, channel, line));
        (reply, token)
    }

    /// Waits until a message of `channel` satisfies `done`.
    pub fn wait_message(
        &self,
        channel: &str,
        timeout: Duration,
        done: impl Fn(&Message) -> bool,
    ) -> Message {
        let found = self
            .discord
            .wait_until(timeout, |d| d.messages(channel).iter().any(&done));
        let messages = self.discord.messages(channel);
        assert!(
            found,
            "no such message in {channel}: {:#?}\n{}",
            messages.iter().map(text_of).collect::<Vec<_>>(),
            self.served.output()
        );
        messages.into_iter().find(|m| done(m)).expect("found")
    }
}

/// Every string of a message as it stands.
pub fn text_of(message: &Message) -> String {
    let mut out = String::new();
    collect(&message.body, &mut out);
    out
}

fn collect(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => {
            out.push('\n');
            out.push_str(s);
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect(v, out)),
        _ => {}
    }
}

pub fn title_of(message: &Message) -> String {
    message.body["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A run's message is final once its title says done or failed (en or ko).
pub fn is_final(message: &Message) -> bool {
    let title = title_of(message);
    ["done", "failed", "완료", "실패"]
        .iter()
        .any(|w| title.ends_with(w))
}

/// The custom ids of the buttons a message has now.
pub fn buttons(message: &Message) -> Vec<String> {
    let mut out = Vec::new();
    for row in message.body["components"].as_array().into_iter().flatten() {
        for button in row["components"].as_array().into_iter().flatten() {
            if let Some(id) = button["custom_id"].as_str() {
                out.push(id.to_string());
            }
        }
    }
    out
}
