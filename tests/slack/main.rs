//! Issue 4, Slack: the real `opsbot serve` against the Slack Web API emulator on 127.0.0.1.
//! Requests are signed as Slack signs them; what the bot did is read back from the emulator's
//! record of every call and message.

mod approvals;
mod clicks;
mod commands;
mod files;
mod incidents;
mod modals;
mod pacing;
mod people;
mod pinned;
mod replicas;
mod service;
mod socket;
mod watched;

use std::time::Duration;

use opsbot_tests::bot::{Bot, BotBuilder, HttpReply, Served};
use opsbot_tests::slack::{
    Message, SlackServer, block_actions_body, sign, sign_now, slash_command_body, unix_now,
};
use serde_json::{Value, json};

pub const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const BOT_TOKEN: &str = "xoxb-test-token";
pub const APP_TOKEN: &str = "xapp-1-test-token";

/// viewer may look (contacts, etcd status); the on-call group too; admin anything.
pub const POLICY: &str = r#"
[roles.viewer]
operations = ["contacts", "etcd.status", "cluster.*"]
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "viewer"
subjects = ["slack:U0VIEWER", "slack-group:S0ONCALL"]

[[bindings]]
role = "admin"
subjects = ["slack:U0ADMIN"]
"#;

fn bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_opsbot"))
}

/// The emulator, a configured bot and `opsbot serve` running against them.
pub struct Rig {
    pub slack: SlackServer,
    pub bot: Bot,
    pub served: Served,
}

/// A Slack bot speaking `locale`; `more` adjusts the configuration.
pub fn rig_with(locale: &str, more: impl FnOnce(BotBuilder, &SlackServer) -> BotBuilder) -> Rig {
    let slack = SlackServer::start();
    let builder = Bot::builder(bin())
        .locale(locale)
        .policy(POLICY)
        .extra(&format!(
            "[slack]\nsigning_secret = \"{SIGNING_SECRET}\"\nbot_token = \"{BOT_TOKEN}\"\n\
             api_url = \"{}\"\n",
            slack.api_url()
        ));
    let bot = more(builder, &slack).build();
    let served = bot.serve_with_env(&[("RUST_LOG", "warn")]);
    Rig { slack, bot, served }
}

pub fn rig(locale: &str) -> Rig {
    rig_with(locale, |b, _| b)
}

static TRIGGER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A new trigger_id, as Slack gives each request.
pub fn trigger() -> String {
    let n = TRIGGER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{n}.{}.trigger", std::process::id())
}

impl Rig {
    /// POSTs `body` with the headers Slack would put on it, signed at `timestamp`.
    pub fn post_signed_at(&self, path: &str, body: &str, timestamp: i64) -> HttpReply {
        let (ts, signature) = sign(SIGNING_SECRET, timestamp, body);
        self.post_with(path, body, &ts, &signature)
    }

    pub fn post_signed(&self, path: &str, body: &str) -> HttpReply {
        let (ts, signature) = sign_now(SIGNING_SECRET, body);
        self.post_with(path, body, &ts, &signature)
    }

    pub fn post_with(&self, path: &str, body: &str, ts: &str, signature: &str) -> HttpReply {
        let content_type = if path.ends_with("events") {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        self.served.post(
            path,
            &[
                ("content-type", content_type),
                ("x-slack-request-timestamp", ts),
                ("x-slack-signature", signature),
            ],
            body.as_bytes(),
        )
    }

    /// The form body of `/ops TEXT` by `user` in `channel`.
    pub fn command_body(&self, user: &str, channel: &str, text: &str) -> String {
        slash_command_body(
            "/ops",
            text,
            user,
            channel,
            &self.slack.response_url(),
            &trigger(),
        )
    }

    /// A signed `/ops TEXT`.
    pub fn command(&self, user: &str, channel: &str, text: &str) -> HttpReply {
        let body = self.command_body(user, channel, text);
        self.post_signed("/slack/commands", &body)
    }

    /// Waits until `channel` holds `count` top-level messages whose newest version is final.
    pub fn wait_final(&self, channel: &str, count: usize, timeout: Duration) -> Vec<Message> {
        let done = self.slack.wait_until(timeout, |s| {
            top_level(&s.messages(channel))
                .iter()
                .filter(|m| is_final(m))
                .count()
                >= count
        });
        let messages = top_level(&self.slack.messages(channel));
        assert!(
            done,
            "expected {count} final messages in {channel}, got {:#?}\n{}",
            messages.iter().map(text_of).collect::<Vec<_>>(),
            self.served.output()
        );
        messages
    }

    pub fn wait_ephemeral(&self, channel: &str, timeout: Duration) -> Vec<Message> {
        let found = self
            .slack
            .wait_until(timeout, |s| !s.ephemeral_messages(channel).is_empty());
        assert!(
            found,
            "no ephemeral message in {channel}\n{}",
            self.served.output()
        );
        self.slack.ephemeral_messages(channel)
    }
}

pub fn top_level(messages: &[Message]) -> Vec<Message> {
    messages
        .iter()
        .filter(|m| m.thread_ts.is_none())
        .cloned()
        .collect()
}

/// All the text of a message as it stands: its `text` and every string in its blocks.
pub fn text_of(message: &Message) -> String {
    let mut out = message.text.clone().unwrap_or_default();
    if let Some(blocks) = &message.blocks {
        collect_text(blocks, &mut out);
    }
    out
}

fn collect_text(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => {
            out.push('\n');
            out.push_str(s);
        }
        Value::Array(items) => items.iter().for_each(|v| collect_text(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_text(v, out)),
        _ => {}
    }
}

/// The header block's text.
pub fn header_of(blocks: &Option<Value>) -> String {
    blocks
        .as_ref()
        .and_then(|b| b.as_array())
        .and_then(|b| b.iter().find(|b| b["type"] == "header"))
        .and_then(|b| b.pointer("/text/text"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A run's message is final once its header says done or failed (en or ko).
pub fn is_final(message: &Message) -> bool {
    let header = header_of(&message.blocks);
    ["done", "failed", "완료", "실패"]
        .iter()
        .any(|w| header.ends_with(w))
}

/// A `block_actions` payload as Slack sends it for a button in a channel message.
pub fn click_payload(user: &str, channel: &str, value: &str, response_url: &str) -> Value {
    json!({
        "type": "block_actions",
        "team": {"id": "T0TEST", "domain": "opsbot-test"},
        "user": {"id": user, "username": user, "name": user, "team_id": "T0TEST"},
        "api_app_id": "A0OPSBOT",
        "token": "verification-token-unused",
        "container": {"type": "message", "message_ts": "1732590000.000100", "channel_id": channel, "is_ephemeral": false},
        "trigger_id": trigger(),
        "channel": {"id": channel, "name": channel},
        "response_url": response_url,
        "actions": [{
            "type": "button", "action_id": "approve", "block_id": "b1",
            "text": {"type": "plain_text", "text": "Approve"},
            "value": value, "action_ts": "1732590001.000200"
        }]
    })
}

impl Rig {
    /// The form body of a click on a button made with `value`.
    pub fn click_body(&self, user: &str, channel: &str, value: &str) -> String {
        block_actions_body(&click_payload(
            user,
            channel,
            value,
            &self.slack.response_url(),
        ))
    }
}

pub fn now() -> i64 {
    unix_now()
}

/// A TCP port that accepts connections and never answers: an etcd that hangs, so a run of
/// `etcd status` takes its full timeout (2 s) and its message is edited at least once.
pub struct Blackhole {
    _listener: std::net::TcpListener,
    pub endpoint: String,
}

pub fn blackhole() -> Blackhole {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    Blackhole {
        _listener: listener,
        endpoint,
    }
}

/// The value of one Prometheus sample whose labels include all of `labels`.
pub fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .find(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}
