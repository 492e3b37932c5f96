//! The HTTP side: a background thread with its own tokio runtime serving the axum app; one
//! handler takes every call (records it, applies injected failures, reads JSON or multipart)
//! and then acts as Discord documents for the route.

use std::collections::HashMap;
use std::net::SocketAddr;

use crate::background::Background;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};

/// One API call as received.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub at: Instant,
    pub status: u16,
    pub body: Value,
    pub files: Vec<(String, Vec<u8>)>,
    pub authorization: Option<String>,
}

/// A message as it stands, with every version it had.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: String,
    pub channel_id: String,
    pub body: Value,
    pub history: Vec<Value>,
    pub files: Vec<(String, Vec<u8>)>,
    pub ephemeral: bool,
    /// Whether written with the bot token (a channel message) or through a webhook.
    pub by_bot_token: bool,
    /// The interaction token a webhook message was created through (None: bot token), so a
    /// test can tell whose interaction an ephemeral follow-up answers.
    pub token: Option<String>,
}

#[derive(Default)]
pub(crate) struct State {
    pub calls: Vec<Call>,
    pub messages: Vec<Message>,
    /// Messages deleted, as they stood when deleted, oldest deletion first.
    pub deleted: Vec<Message>,
    /// token → (channel, its @original message once known).
    pub tokens: HashMap<String, (String, Option<String>)>,
    /// guild ("" for global) → commands.
    pub commands: HashMap<String, Vec<Value>>,
    pub inject: Vec<(String, u16, f64)>,
    /// guild → user → role ids, for `GET /guilds/{guild}/members/{user}` and the bot's
    /// guild list (`GET /users/@me/guilds`).
    pub members: HashMap<String, HashMap<String, Vec<String>>>,
    next_id: u64,
}

impl State {
    fn id(&mut self) -> String {
        self.next_id += 1;
        (1_400_000_000_000_000_000u64 + self.next_id).to_string()
    }

    fn create(
        &mut self,
        channel: &str,
        body: Value,
        files: Vec<(String, Vec<u8>)>,
        token: Option<&str>,
    ) -> Value {
        let bot = token.is_none();
        let id = self.id();
        let ephemeral = body["flags"].as_u64().is_some_and(|f| f & 64 != 0);
        let view = view(&id, channel, &body);
        self.messages.push(Message {
            id,
            channel_id: channel.to_string(),
            history: vec![body.clone()],
            body,
            files,
            ephemeral,
            by_bot_token: bot,
            token: token.map(str::to_string),
        });
        view
    }

    fn delete(&mut self, id: &str) {
        if let Some(i) = self.messages.iter().position(|m| m.id == id) {
            let message = self.messages.remove(i);
            self.deleted.push(message);
        }
    }

    fn edit(&mut self, id: &str, body: Value, files: Vec<(String, Vec<u8>)>) -> Option<Value> {
        let message = self.messages.iter_mut().find(|m| m.id == id)?;
        let mut merged = message.body.clone();
        if let (Some(m), Some(b)) = (merged.as_object_mut(), body.as_object()) {
            for (k, v) in b {
                m.insert(k.clone(), v.clone());
            }
        }
        message.history.push(body);
        message.body = merged;
        message.files.extend(files);
        Some(view(&message.id, &message.channel_id, &message.body))
    }
}

fn view(id: &str, channel: &str, body: &Value) -> Value {
    let mut out = body.clone();
    if let Some(map) = out.as_object_mut() {
        map.insert("id".into(), json!(id));
        map.insert("channel_id".into(), json!(channel));
        map.insert("type".into(), json!(0));
    }
    out
}

#[derive(Clone, Default)]
pub(crate) struct Shared(Arc<Mutex<State>>);

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) struct Running {
    pub shared: Shared,
    pub addr: SocketAddr,
    /// Dropping it stops the runtime and with it every connection.
    _server: Background,
}

impl Running {
    pub fn start() -> Running {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("listener address");
        let shared = Shared::default();
        let app = Router::new()
            .route("/api/v10/{*rest}", any(handle))
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(shared.clone());
        let server = Background::serve(&format!("discord-emulator-{}", addr.port()), listener, app);
        Running {
            shared,
            addr,
            _server: server,
        }
    }
}

fn error(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"code": code, "message": message})),
    )
        .into_response()
}

async fn handle(
    AxumState(shared): AxumState<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().trim_start_matches("/api/v10").to_string();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (json_body, files) = if content_type.starts_with("multipart/form-data") {
        parse_multipart(content_type, &body)
    } else {
        (
            serde_json::from_slice(&body).unwrap_or(Value::Null),
            Vec::new(),
        )
    };
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut state = shared.lock();
    let mut call = Call {
        method: method.to_string(),
        path: path.clone(),
        at: Instant::now(),
        status: 200,
        body: json_body.clone(),
        files: files.clone(),
        authorization: authorization.clone(),
    };
    if let Some(i) = state
        .inject
        .iter()
        .position(|(p, _, _)| path.contains(p.as_str()))
    {
        let (_, status, retry_after) = state.inject.remove(i);
        call.status = status;
        state.calls.push(call);
        if status == 429 {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    ("retry-after", format!("{}", retry_after.ceil() as u64)),
                    ("x-ratelimit-limit", "5".to_string()),
                    ("x-ratelimit-remaining", "0".to_string()),
                    ("x-ratelimit-reset-after", format!("{retry_after:.3}")),
                    ("x-ratelimit-bucket", "emulated".to_string()),
                    ("x-ratelimit-scope", "user".to_string()),
                ],
                axum::Json(json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": false, "code": 0})),
            )
                .into_response();
        }
        return error(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            0,
            "injected",
        );
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let bot = authorization
        .as_deref()
        .is_some_and(|a| a.starts_with("Bot "));
    let (status, answer) = route(&mut state, &method, &parts, json_body, files, bot);
    call.status = status.as_u16();
    state.calls.push(call);
    match answer {
        Some(v) if status.is_success() || status == StatusCode::BAD_REQUEST => {
            (status, axum::Json(v)).into_response()
        }
        None if status == StatusCode::NO_CONTENT => status.into_response(),
        _ => error(status, 10008, "Unknown Message"),
    }
}

fn route(
    state: &mut State,
    method: &Method,
    parts: &[&str],
    body: Value,
    files: Vec<(String, Vec<u8>)>,
    bot: bool,
) -> (StatusCode, Option<Value>) {
    let ok = |v: Option<Value>| match v {
        Some(v) => (StatusCode::OK, Some(v)),
        None => (StatusCode::NOT_FOUND, None),
    };
    match (method.as_str(), parts) {
        ("POST", ["webhooks", _app, token]) => {
            let Some((channel, _)) = state.tokens.get(*token).cloned() else {
                return (StatusCode::UNAUTHORIZED, None);
            };
            ok(Some(state.create(&channel, body, files, Some(*token))))
        }
        ("PATCH", ["webhooks", _app, token, "messages", id]) => {
            let Some((channel, original)) = state.tokens.get(*token).cloned() else {
                return (StatusCode::UNAUTHORIZED, None);
            };
            if *id != "@original" {
                return ok(state.edit(id, body, files));
            }
            match original {
                Some(original) => ok(state.edit(&original, body, files)),
                None => {
                    let created = state.create(&channel, body, files, Some(*token));
                    let id = created["id"].as_str().map(str::to_string);
                    if let Some(entry) = state.tokens.get_mut(*token) {
                        entry.1 = id;
                    }
                    ok(Some(created))
                }
            }
        }
        ("DELETE", ["webhooks", _app, token, "messages", id]) => {
            let target = match (*id, state.tokens.get(*token)) {
                ("@original", Some((_, Some(o)))) => o.clone(),
                _ => id.to_string(),
            };
            state.delete(&target);
            (StatusCode::NO_CONTENT, None)
        }
        (_, ["channels", ..]) | (_, ["applications", ..]) if !bot => {
            (StatusCode::UNAUTHORIZED, None)
        }
        ("POST", ["channels", channel, "messages"]) => {
            ok(Some(state.create(channel, body, files, None)))
        }
        ("PATCH", ["channels", _channel, "messages", id]) => ok(state.edit(id, body, files)),
        ("DELETE", ["channels", _channel, "messages", id]) => {
            state.delete(id);
            (StatusCode::NO_CONTENT, None)
        }
        (_, ["users", ..]) | (_, ["guilds", ..]) if !bot => (StatusCode::UNAUTHORIZED, None),
        ("GET", ["users", "@me", "guilds"]) => {
            let mut guilds: Vec<&String> = state.members.keys().collect();
            guilds.sort();
            let list = guilds.iter().map(|g| json!({"id": g, "name": g})).collect();
            (StatusCode::OK, Some(Value::Array(list)))
        }
        ("GET", ["guilds", guild, "members", user]) => {
            let roles = state.members.get(*guild).and_then(|m| m.get(*user));
            match roles {
                Some(roles) => (
                    StatusCode::OK,
                    Some(json!({"user": {"id": user}, "roles": roles})),
                ),
                None => (StatusCode::NOT_FOUND, None),
            }
        }
        (m, ["applications", _app, "commands"]) => commands(state, m, "", body),
        (m, ["applications", _app, "guilds", guild, "commands"]) => commands(state, m, guild, body),
        _ => (StatusCode::NOT_FOUND, None),
    }
}

fn commands(
    state: &mut State,
    method: &str,
    guild: &str,
    body: Value,
) -> (StatusCode, Option<Value>) {
    let checked = match method {
        "PUT" => super::validate::commands(&body),
        "POST" => super::validate::commands(&Value::Array(vec![body.clone()])),
        _ => Ok(()),
    };
    if let Err(reason) = checked {
        // Discord answers 400 "Invalid Form Body" (code 50035) with the errors.
        return (
            StatusCode::BAD_REQUEST,
            Some(json!({"code": 50035, "message": "Invalid Form Body", "errors": reason})),
        );
    }
    let list = state.commands.entry(guild.to_string()).or_default();
    match method {
        "GET" => (StatusCode::OK, Some(Value::Array(list.clone()))),
        "PUT" => {
            *list = body.as_array().cloned().unwrap_or_default();
            (StatusCode::OK, Some(Value::Array(list.clone())))
        }
        "POST" => {
            list.retain(|c| c["name"] != body["name"]);
            list.push(body.clone());
            (StatusCode::CREATED, Some(body))
        }
        _ => (StatusCode::METHOD_NOT_ALLOWED, None),
    }
}

/// `payload_json` and `files[N]` parts of a multipart body.
fn parse_multipart(content_type: &str, body: &[u8]) -> (Value, Vec<(String, Vec<u8>)>) {
    let Some(boundary) = content_type.split("boundary=").nth(1) else {
        return (Value::Null, Vec::new());
    };
    let delimiter = format!("--{}", boundary.trim_matches('"'));
    let mut payload = Value::Null;
    let mut files = Vec::new();
    for part in split(body, delimiter.as_bytes()).into_iter().skip(1) {
        let Some(split_at) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split_at]).to_string();
        let mut content = &part[split_at + 4..];
        if content.ends_with(b"\r\n") {
            content = &content[..content.len() - 2];
        }
        if head.contains("name=\"payload_json\"") {
            payload = serde_json::from_slice(content).unwrap_or(Value::Null);
        } else if let Some(name) = head
            .split("filename=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
        {
            files.push((name.to_string(), content.to_vec()));
        }
    }
    (payload, files)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = find(rest, delimiter) {
        out.push(&rest[..i]);
        rest = &rest[i + delimiter.len()..];
    }
    out.push(rest);
    out
}
