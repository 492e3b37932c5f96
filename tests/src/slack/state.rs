//! What the emulator remembers: every call, the channels' messages, files, views, and the
//! failures a test asked for. All of it sits behind one mutex that is never held across an
//! `.await`, so each Web API call is handled in one critical section and `calls()` is in the
//! order the calls were handled.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

/// The workspace the emulator pretends to be, and the bot user every token belongs to.
pub const TEAM_ID: &str = "T0TEST";
pub const TEAM_NAME: &str = "Opsbot Test";
pub const TEAM_URL: &str = "https://opsbot-test.slack.com/";
pub const APP_ID: &str = "A0OPSBOT";
pub const BOT_USER_ID: &str = "U0OPSBOT";
pub const BOT_ID: &str = "B0OPSBOT";
pub const BOT_NAME: &str = "opsbot";

/// One Web API call as the emulator received and answered it.
#[derive(Clone, Debug)]
pub struct Call {
    /// `chat.postMessage`, `auth.test`, …
    pub method: String,
    /// When the call was handled.
    pub at: Instant,
    /// From `Authorization: Bearer …`, else from a `token` parameter (old form-style clients).
    pub token: Option<String>,
    /// Query parameters merged with the body (a JSON object, or form fields as strings).
    pub params: Value,
    /// The request body as sent (lossy UTF-8).
    pub body: String,
    /// The HTTP status answered: 200 (also for `ok:false`), or an injected 429/5xx.
    pub status: u16,
    /// The `error` of an `ok:false` answer.
    pub error: Option<String>,
}

/// One version of a message's content.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    pub at: Instant,
    pub text: Option<String>,
    pub blocks: Option<Value>,
    pub attachments: Option<Value>,
}

/// A message as it stands now, with every version it had.
#[derive(Clone, Debug)]
pub struct Message {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    /// Who posted it (the bot user for everything posted through the API).
    pub user: String,
    /// Some(user) for an ephemeral message only that user sees.
    pub visible_to: Option<String>,
    pub text: Option<String>,
    pub blocks: Option<Value>,
    pub attachments: Option<Value>,
    /// Ids of files shared with this message (`files.completeUploadExternal`).
    pub files: Vec<String>,
    /// `history[0]` is the content as posted; each `chat.update` appends the content after it.
    pub history: Vec<Revision>,
}

impl Message {
    /// When the message was posted.
    pub fn posted_at(&self) -> Instant {
        self.history[0].at
    }

    /// The versions after the first, i.e. the edits, each with its time.
    pub fn edits(&self) -> &[Revision] {
        &self.history[1..]
    }
}

/// A file uploaded through `files.getUploadURLExternal` and its upload URL.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    pub id: String,
    /// The `filename` given to `files.getUploadURLExternal`.
    pub name: String,
    /// The `length` given to `files.getUploadURLExternal`; compare with `bytes.len()`.
    pub declared_length: u64,
    pub bytes: Vec<u8>,
    /// When the bytes arrived at the upload URL; None while nothing was uploaded.
    pub uploaded_at: Option<Instant>,
    pub title: Option<String>,
    pub channel: Option<String>,
    pub thread_ts: Option<String>,
    pub initial_comment: Option<String>,
    /// When `files.completeUploadExternal` named the file; None while it is only uploaded.
    pub completed_at: Option<Instant>,
}

/// A modal opened with `views.open`, as it stands after any `views.update`.
#[derive(Clone, Debug)]
pub struct View {
    pub id: String,
    pub trigger_id: Option<String>,
    pub external_id: Option<String>,
    pub hash: String,
    /// The view JSON as the app last sent it.
    pub view: Value,
    /// Every version with its time; `history[0]` is what `views.open` got.
    pub history: Vec<(Instant, Value)>,
}

/// A POST to a `response_url`.
#[derive(Clone, Debug)]
pub struct ResponsePost {
    /// The last path segment of the URL (each `response_url()` hands out a new one).
    pub id: String,
    pub at: Instant,
    pub body: Value,
    pub raw: String,
}

/// What a test asked the next call(s) of a method to get instead of a normal answer.
#[derive(Clone, Debug)]
pub(crate) enum Injected {
    Http {
        status: u16,
        retry_after: Option<u64>,
    },
    Api(String),
}

#[derive(Debug)]
pub(crate) struct Injection {
    pub what: Injected,
    pub remaining: usize,
}

/// A message to one Socket Mode connection's writer task.
#[derive(Debug)]
pub(crate) enum Outgoing {
    Text(String),
    Close,
}

pub(crate) struct SocketConn {
    pub id: u64,
    pub tx: UnboundedSender<Outgoing>,
}

#[derive(Default)]
pub(crate) struct State {
    pub base_url: String,
    pub calls: Vec<Call>,
    /// Channel id → messages in the order they were posted (threads included).
    pub messages: HashMap<String, Vec<Message>>,
    pub ephemerals: Vec<Message>,
    pub channel_names: HashMap<String, String>,
    pub users: HashMap<String, (String, String)>,
    pub usergroups: HashMap<String, Vec<String>>,
    pub files: Vec<UploadedFile>,
    pub views: Vec<View>,
    pub responses: Vec<ResponsePost>,
    pub injections: HashMap<String, VecDeque<Injection>>,
    /// Method → allowed calls per second per channel.
    pub rate_limits: HashMap<String, u32>,
    /// (method, channel) → when recent accepted calls happened.
    pub recent: HashMap<(String, String), VecDeque<Instant>>,
    pub socket_tickets: Vec<String>,
    pub socket_conns: Vec<SocketConn>,
    pub socket_connects: usize,
    pub socket_acks: Vec<Value>,
    pub last_ts_micros: u128,
    pub counter: u64,
}

impl State {
    /// A message ts as Slack writes them ("1732590000.000100"): the wall clock in
    /// microseconds, bumped when needed so that every ts is unique and increasing, as clients
    /// rely on ts to order and to address messages.
    pub fn next_ts(&mut self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_micros();
        self.last_ts_micros = now.max(self.last_ts_micros + 1);
        format!(
            "{}.{:06}",
            self.last_ts_micros / 1_000_000,
            self.last_ts_micros % 1_000_000
        )
    }

    /// A fresh id with Slack's shape for the kind (`F…` files, `V…` views).
    pub fn next_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}0{:08X}", self.counter)
    }

    pub fn find_message(&mut self, channel: &str, ts: &str) -> Option<&mut Message> {
        self.messages
            .get_mut(channel)?
            .iter_mut()
            .find(|m| m.ts == ts)
    }

    /// Takes one injected failure for the method, if a test queued one.
    pub fn take_injection(&mut self, method: &str) -> Option<Injected> {
        let queue = self.injections.get_mut(method)?;
        let front = queue.front_mut()?;
        let what = front.what.clone();
        front.remaining -= 1;
        if front.remaining == 0 {
            queue.pop_front();
        }
        Some(what)
    }

    /// Counts a call against the method's per-channel limit; on refusal, how many seconds
    /// until a call would be accepted again (Slack's `Retry-After`, whole seconds, at least 1).
    pub fn rate_check(&mut self, method: &str, channel: &str, at: Instant) -> Result<(), u64> {
        let Some(&per_second) = self.rate_limits.get(method) else {
            return Ok(());
        };
        let window = Duration::from_secs(1);
        let recent = self
            .recent
            .entry((method.to_string(), channel.to_string()))
            .or_default();
        while recent
            .front()
            .is_some_and(|t| at.duration_since(*t) >= window)
        {
            recent.pop_front();
        }
        if recent.len() >= per_second as usize {
            let oldest = *recent.front().expect("a full window is not empty");
            let wait = window.saturating_sub(at.duration_since(oldest));
            return Err(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        recent.push_back(at);
        Ok(())
    }
}

/// UTC offsets of a few zones without daylight saving, so `users.info` can give `tz_offset`
/// as Slack does; other zones get no offset rather than a wrong one.
pub fn fixed_tz_offset(tz: &str) -> Option<i64> {
    let hours: f64 = match tz {
        "UTC" | "Etc/UTC" | "GMT" => 0.0,
        "Asia/Seoul" | "Asia/Tokyo" => 9.0,
        "Asia/Shanghai" | "Asia/Singapore" | "Asia/Taipei" | "Asia/Hong_Kong" => 8.0,
        "Asia/Kolkata" => 5.5,
        "Asia/Dubai" => 4.0,
        _ => return None,
    };
    Some((hours * 3600.0) as i64)
}
