//! A Discord API emulator on 127.0.0.1 for the integration tests, plus what Discord sends to
//! an app (signed interactions, [`sign`]).
//!
//! The bot points `discord.api_url` at [`DiscordServer::api_url`]. The emulator answers as
//! Discord documents: interaction webhooks (`@original` and follow-ups), channel messages with
//! a bot token, application and guild commands. It records every call with its time, keeps
//! messages with their edit history and attachments (multipart), and fails only when a test
//! asks ([`DiscordServer::fail_next`]): a 429 with Discord's headers and body, or a 5xx.
//!
//! A test tells it about each interaction token it hands the bot
//! ([`DiscordServer::command_token`], [`DiscordServer::click_token`]), as Discord knows which
//! message `@original` is. Messages written through an interaction token remember it, so
//! that the ephemeral follow-ups of one interaction can be told apart
//! ([`DiscordServer::followups`]); deleted messages are kept aside ([`DiscordServer::deleted`]).

mod server;
pub mod sign;
pub mod validate;

use std::time::{Duration, Instant};

use serde_json::Value;

use server::Running;
pub use server::{Call, Message};

pub struct DiscordServer {
    running: Running,
}

impl DiscordServer {
    pub fn start() -> DiscordServer {
        DiscordServer {
            running: Running::start(),
        }
    }

    /// `http://127.0.0.1:PORT`, what `discord.api_url` is set to.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.running.addr)
    }

    /// A token for a slash command in `channel`: its `@original` is created on first write.
    pub fn command_token(&self, channel: &str) -> String {
        let token = sign::fresh("cmd-");
        self.running
            .shared
            .lock()
            .tokens
            .insert(token.clone(), (channel.to_string(), None));
        token
    }

    /// A token for a click on `message` in `channel`: its `@original` is that message.
    pub fn click_token(&self, channel: &str, message: &str) -> String {
        let token = sign::fresh("clk-");
        self.running.shared.lock().tokens.insert(
            token.clone(),
            (channel.to_string(), Some(message.to_string())),
        );
        token
    }

    /// A token for an interaction that is on no message, such as a modal submission.
    pub fn interaction_token(&self, channel: &str) -> String {
        self.command_token(channel)
    }

    /// Every message created through the interaction token `token` (its original response
    /// and follow-ups, ephemeral ones included), deleted ones too, oldest first.
    pub fn followups(&self, token: &str) -> Vec<Message> {
        let state = self.running.shared.lock();
        let mut out: Vec<Message> = state
            .messages
            .iter()
            .chain(&state.deleted)
            .filter(|m| m.token.as_deref() == Some(token))
            .cloned()
            .collect();
        // Ids grow with each message and have the same number of digits.
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// Messages deleted (through a webhook or the bot token), as they stood, oldest first.
    pub fn deleted(&self) -> Vec<Message> {
        self.running.shared.lock().deleted.clone()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.running.shared.lock().calls.clone()
    }

    /// Messages of a channel as they stand, oldest first (ephemeral ones included, flagged).
    pub fn messages(&self, channel: &str) -> Vec<Message> {
        let state = self.running.shared.lock();
        state
            .messages
            .iter()
            .filter(|m| m.channel_id == channel)
            .cloned()
            .collect()
    }

    /// The registered commands: global (None) or of a guild.
    pub fn commands(&self, guild: Option<&str>) -> Vec<Value> {
        let state = self.running.shared.lock();
        state
            .commands
            .get(guild.unwrap_or(""))
            .cloned()
            .unwrap_or_default()
    }

    /// Makes `user` a member of `guild` holding `roles` (replacing what they held), as
    /// `GET /guilds/{guild}/members/{user}` answers.
    pub fn set_member_roles(&self, guild: &str, user: &str, roles: &[&str]) {
        let mut state = self.running.shared.lock();
        let roles = roles.iter().map(|r| r.to_string()).collect();
        state
            .members
            .entry(guild.to_string())
            .or_default()
            .insert(user.to_string(), roles);
    }

    /// The next `times` calls whose path contains `path` answer `status`; a 429 carries
    /// `retry_after` seconds in Discord's headers and body.
    pub fn fail_next(&self, path: &str, status: u16, retry_after: f64, times: usize) {
        let mut state = self.running.shared.lock();
        for _ in 0..times {
            state.inject.push((path.to_string(), status, retry_after));
        }
    }

    pub fn wait_until(
        &self,
        timeout: Duration,
        condition: impl Fn(&DiscordServer) -> bool,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if condition(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
