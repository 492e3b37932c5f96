//! The HTTP side: a background thread with its own tokio runtime serving the axum app, and the
//! one handler every Web API method goes through (parameters, token, injected failures, rate
//! limits), so the methods themselves only deal with Slack's semantics.

use std::net::SocketAddr;

use crate::background::Background;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::{Map, Value, json};

use super::sign::form_decode;
use super::state::{Call, Injected, ResponsePost, State};
use super::{files, methods, socket};

/// Uploads may be whole logs or snapshots; axum's 2 MB default would refuse them.
const BODY_LIMIT: usize = 256 * 1024 * 1024;

/// The state shared by the handlers and the test's [`super::SlackServer`].
#[derive(Clone, Default)]
pub(crate) struct Shared(Arc<Mutex<State>>);

impl Shared {
    /// Locks the state. A panic elsewhere (a failed assertion in a test thread) must not turn
    /// every later call into a second panic, so poisoning is ignored.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The server thread; dropping it stops the runtime and with it every connection.
pub(crate) struct Running {
    pub shared: Shared,
    pub addr: SocketAddr,
    /// Dropping it stops the runtime and with it every connection.
    _server: Background,
}

impl Running {
    pub fn start() -> Running {
        // Bound here, not in the thread, so the port is known before start() returns and a
        // client can never race the listener.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("listener address");
        let shared = Shared::default();
        shared.lock().base_url = format!("http://{addr}");
        let app = router(shared.clone());
        let server = Background::serve(&format!("slack-emulator-{}", addr.port()), listener, app);
        Running {
            shared,
            addr,
            _server: server,
        }
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/api/{method}", any(api))
        .route("/upload/{file_id}", post(files::upload))
        .route("/response/{id}", post(response_url))
        .route("/socket", get(socket::upgrade))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

/// A Web API call after parsing: what every method handler gets.
pub(crate) struct ApiRequest {
    pub params: Map<String, Value>,
    pub token: Option<String>,
    pub at: Instant,
}

impl ApiRequest {
    /// A string parameter; empty strings count as absent, as Slack treats them.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.params
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A structured parameter (`blocks`, `view`, `files`): JSON bodies carry it as JSON, form
    /// bodies as a string holding JSON, and Slack accepts both.
    pub fn json(&self, key: &str) -> Option<Value> {
        match self.params.get(key)? {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => serde_json::from_str(s)
                .ok()
                .or(Some(Value::String(s.clone()))),
            Value::Null => None,
            v => Some(v.clone()),
        }
    }
}

/// A method's answer: the fields beside `"ok": true`, or the `error` of `"ok": false`.
pub(crate) type Reply = Result<Map<String, Value>, String>;

/// Builds the fields of an ok answer from a `json!({...})` object.
pub(crate) fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        other => panic!("reply fields must be an object, not {other}"),
    }
}

async fn api(
    AxumState(shared): AxumState<Shared>,
    Path(method): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = parse_params(uri.query(), &headers, &body);
    let token = bearer(&headers).or_else(|| {
        params
            .get("token")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let request = ApiRequest {
        params,
        token,
        at: Instant::now(),
    };
    let mut state = shared.lock();
    let (status, retry_after, answer) = answer(&mut state, &method, &request);
    state.calls.push(Call {
        method,
        at: request.at,
        token: request.token,
        params: Value::Object(request.params),
        body: String::from_utf8_lossy(&body).into_owned(),
        status: status.as_u16(),
        error: answer
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_string),
    });
    drop(state);
    let mut response = (status, json_body(&answer)).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Slack's order of refusals: no token, wrong kind of token, then (this emulator's) injected
/// failures and rate limits, then the method itself.
fn answer(
    state: &mut State,
    method: &str,
    request: &ApiRequest,
) -> (StatusCode, Option<u64>, Value) {
    let refuse = |error: &str| (StatusCode::OK, None, json!({"ok": false, "error": error}));
    let Some(token) = request.token.as_deref() else {
        return refuse("not_authed");
    };
    let app_token = token.starts_with("xapp-");
    if !app_token && !token.starts_with("xox") {
        return refuse("invalid_auth");
    }
    // Socket Mode needs the app-level token and nothing else accepts it.
    if app_token != (method == "apps.connections.open") {
        return refuse("not_allowed_token_type");
    }
    match state.take_injection(method) {
        Some(Injected::Http {
            status,
            retry_after,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let error = if status == StatusCode::TOO_MANY_REQUESTS {
                "ratelimited"
            } else {
                "internal_error"
            };
            return (status, retry_after, json!({"ok": false, "error": error}));
        }
        Some(Injected::Api(error)) => return refuse(&error),
        None => {}
    }
    let channel = request
        .str("channel")
        .or(request.str("channel_id"))
        .unwrap_or("");
    if let Err(seconds) = state.rate_check(method, channel, request.at) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            Some(seconds),
            json!({"ok": false, "error": "ratelimited"}),
        );
    }
    let reply = match method {
        "apps.connections.open" => socket::connections_open(state, request),
        "files.getUploadURLExternal" => files::get_upload_url(state, request),
        "files.completeUploadExternal" => files::complete_upload(state, request),
        _ => methods::dispatch(state, method, request)
            .unwrap_or_else(|| Err("unknown_method".to_string())),
    };
    let body = match reply {
        Ok(mut map) => {
            map.insert("ok".to_string(), Value::Bool(true));
            Value::Object(map)
        }
        Err(error) => json!({"ok": false, "error": error}),
    };
    (StatusCode::OK, None, body)
}

/// Query parameters, then the body on top: JSON (`application/json`, what slack-morphism sends
/// for POSTs) or a form (`application/x-www-form-urlencoded`, what other clients send).
fn parse_params(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Map<String, Value> {
    let mut params: Map<String, Value> = form_decode(query.unwrap_or(""))
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let text = String::from_utf8_lossy(body);
    let json_body = content_type.starts_with("application/json")
        || (!content_type.contains("form") && text.trim_start().starts_with('{'));
    if json_body {
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&text) {
            params.extend(map);
        }
    } else {
        params.extend(
            form_decode(&text)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v))),
        );
    }
    params
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_string())
}

/// A JSON answer with the content type Slack uses (clients check it before decoding).
pub(crate) fn json_body(value: &Value) -> impl IntoResponse + use<> {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        value.to_string(),
    )
}

/// A `response_url`: Slack takes a JSON message and answers `{"ok":true}`, or 400
/// `invalid_payload` when the body is not JSON.
async fn response_url(
    AxumState(shared): AxumState<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let raw = String::from_utf8_lossy(&body).into_owned();
    let Ok(parsed) = serde_json::from_str::<Value>(&raw) else {
        return (StatusCode::BAD_REQUEST, "invalid_payload").into_response();
    };
    shared.lock().responses.push(ResponsePost {
        id,
        at: Instant::now(),
        body: parsed,
        raw,
    });
    json_body(&json!({"ok": true})).into_response()
}
