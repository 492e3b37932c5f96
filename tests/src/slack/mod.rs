//! A Slack Web API emulator on 127.0.0.1 for the integration tests, plus what Slack sends to
//! an app (signed slash commands, interactions, Socket Mode envelopes).
//!
//! The bot points `slack.api_url` at [`SlackServer::api_url`] and talks to it with the real
//! slack-morphism client. The emulator behaves generically, as Slack documents each method
//! (`{"ok":true,…}`, or `{"ok":false,"error":…}` with HTTP 200), remembers every call and the
//! resulting state (messages with their edit history, files, views, acks), and fails only when
//! a test asks it to ([`SlackServer::fail_next`], [`SlackServer::rate_limit`]). It never has a
//! canned answer for one test.
//!
//! It runs on its own thread and tokio runtime, so plain synchronous `#[test]`s can use it:
//!
//! ```no_run
//! let slack = opsbot_tests::slack::SlackServer::start();
//! // config: slack.api_url = slack.api_url(), then run `opsbot serve` …
//! assert!(slack.calls_to("chat.postMessage").is_empty());
//! ```

mod files;
mod methods;
mod server;
mod sign;
mod socket;
mod state;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use serde_json::Value;

pub use sign::{
    block_actions_body, envelope, form_encode, sign, sign_now, slash_command_body,
    slash_command_envelope, unix_now, view_closed_payload, view_submission_payload,
};
pub use socket::disconnect_envelope;
pub use state::{
    APP_ID, BOT_ID, BOT_USER_ID, Call, Message, ResponsePost, Revision, TEAM_ID, UploadedFile, View,
};

use server::Running;
use state::{Injected, Injection, Outgoing};

/// The emulator; stops when dropped.
pub struct SlackServer {
    running: Running,
}

impl SlackServer {
    /// Starts on a free port of 127.0.0.1; ready when this returns.
    pub fn start() -> SlackServer {
        SlackServer {
            running: Running::start(),
        }
    }

    /// `http://127.0.0.1:PORT/api`, what `slack.api_url` is set to (the client appends
    /// `/chat.postMessage` and so on).
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.running.addr)
    }

    /// A new `response_url` for a slash command or an interaction; POSTs to it are kept in
    /// [`response_posts`](Self::response_posts) under the id that ends the URL.
    pub fn response_url(&self) -> String {
        let id = self.running.shared.lock().next_id("R");
        format!("http://{}/response/{id}", self.running.addr)
    }

    /// Every Web API call in the order handled, refused ones included (see `Call::status`
    /// and `Call::error`).
    pub fn calls(&self) -> Vec<Call> {
        self.running.shared.lock().calls.clone()
    }

    /// The calls of one method, e.g. `"chat.postMessage"`.
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        let state = self.running.shared.lock();
        state
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// The channel's messages as they stand now, oldest first, thread replies included
    /// (see `Message::thread_ts`); deleted messages are gone, as on Slack.
    pub fn messages(&self, channel: &str) -> Vec<Message> {
        let state = self.running.shared.lock();
        state.messages.get(channel).cloned().unwrap_or_default()
    }

    /// Ephemeral messages posted in the channel (`Message::visible_to` names the user).
    pub fn ephemeral_messages(&self, channel: &str) -> Vec<Message> {
        let state = self.running.shared.lock();
        let posted = state.ephemerals.iter().filter(|m| m.channel == channel);
        posted.cloned().collect()
    }

    /// Gives a channel a name for `conversations.info` (any channel id works without this; its
    /// name is then the id in lower case).
    pub fn add_channel(&self, id: &str, name: &str) {
        let mut state = self.running.shared.lock();
        state.channel_names.insert(id.to_string(), name.to_string());
    }

    /// A user group (`S…`) and its members, for `usergroups.users.list`.
    pub fn add_usergroup(&self, id: &str, users: &[&str]) {
        let members = users.iter().map(|u| u.to_string()).collect();
        self.running
            .shared
            .lock()
            .usergroups
            .insert(id.to_string(), members);
    }

    /// A user for `users.info`, with an IANA time zone (`Asia/Seoul`).
    pub fn add_user(&self, id: &str, name: &str, tz: &str) {
        let mut state = self.running.shared.lock();
        let user = (name.to_string(), tz.to_string());
        state.users.insert(id.to_string(), user);
    }

    /// The next `times` calls of `method` get HTTP `status` instead of an answer: 429 (with
    /// `Retry-After: retry_after` when given, body `ratelimited`) or a 5xx. The calls after
    /// them are served normally. Queued injections are used in order.
    pub fn fail_next(&self, method: &str, status: u16, retry_after: Option<u64>, times: usize) {
        self.inject(
            method,
            Injected::Http {
                status,
                retry_after,
            },
            times,
        );
    }

    /// The next `times` calls of `method` get `{"ok":false,"error":error}` with HTTP 200, for
    /// Slack errors the emulator has no other way to cause (`channel_not_found`,
    /// `not_in_channel`, `account_inactive`, …).
    pub fn fail_next_with(&self, method: &str, error: &str, times: usize) {
        self.inject(method, Injected::Api(error.to_string()), times);
    }

    fn inject(&self, method: &str, what: Injected, times: usize) {
        if times == 0 {
            return;
        }
        let mut state = self.running.shared.lock();
        let queue = state.injections.entry(method.to_string()).or_default();
        queue.push_back(Injection {
            what,
            remaining: times,
        });
    }

    /// Refuses calls of `method` with 429 and `Retry-After` when, for one channel, more than
    /// `per_second` arrive within a second (Slack's posting limit is about one a second).
    pub fn rate_limit(&self, method: &str, per_second: u32) {
        let mut state = self.running.shared.lock();
        state.rate_limits.insert(method.to_string(), per_second);
    }

    /// Files uploaded through the upload URLs, in the order their URLs were handed out.
    pub fn uploaded_files(&self) -> Vec<UploadedFile> {
        let state = self.running.shared.lock();
        let uploaded = state.files.iter().filter(|f| f.uploaded_at.is_some());
        uploaded.cloned().collect()
    }

    /// Modals opened with `views.open`, as they stand after any `views.update`.
    pub fn views(&self) -> Vec<View> {
        self.running.shared.lock().views.clone()
    }

    /// POSTs to the URLs [`response_url`](Self::response_url) handed out, in order.
    pub fn response_posts(&self) -> Vec<ResponsePost> {
        self.running.shared.lock().responses.clone()
    }

    /// Pushes an envelope (`slash_commands`, `interactive`, `events_api`, `disconnect`; see
    /// [`envelope`] and [`slash_command_envelope`]) to one connected Socket Mode client; false
    /// if none is connected.
    pub fn socket_send(&self, envelope: Value) -> bool {
        let text = envelope.to_string();
        let state = self.running.shared.lock();
        let mut connections = state.socket_conns.iter();
        connections.any(|c| c.tx.send(Outgoing::Text(text.clone())).is_ok())
    }

    /// Closes every Socket Mode connection from the server side, as when Slack goes away.
    pub fn socket_close_all(&self) {
        let state = self.running.shared.lock();
        for connection in &state.socket_conns {
            let _ = connection.tx.send(Outgoing::Close);
        }
    }

    /// Frames the clients sent that name an envelope: `{"envelope_id":…}` plus any `payload`.
    pub fn socket_acks(&self) -> Vec<Value> {
        self.running.shared.lock().socket_acks.clone()
    }

    /// Whether a Socket Mode client is connected now.
    pub fn socket_connected(&self) -> bool {
        !self.running.shared.lock().socket_conns.is_empty()
    }

    /// How many Socket Mode connections were ever accepted (reconnections count).
    pub fn socket_connects(&self) -> usize {
        self.running.shared.lock().socket_connects
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; whether it held.
    /// For waiting on a bot subprocess without fixed sleeps.
    pub fn wait_until(&self, timeout: Duration, condition: impl Fn(&SlackServer) -> bool) -> bool {
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
