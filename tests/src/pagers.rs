//! A generic HTTP receiver on 127.0.0.1 for pager tests: stands in for PagerDuty, Opsgenie
//! or a webhook, records every request and answers from a programmable queue.
//!
//! It knows no provider: tests check the recorded request shapes themselves. Answers come
//! from the queue in order (`respond_with([500, 202])`), then the default (202 with a small
//! JSON body, as PagerDuty and Opsgenie answer).
//!
//! ```no_run
//! use opsbot_tests::pagers::{Receiver, Reply};
//!
//! let receiver = Receiver::start();
//! receiver.respond_with([Reply::status(429).header("Retry-After", "7"), Reply::status(202)]);
//! let config = format!("[paging]\npagerduty_url = \"{}\"\n", receiver.url());
//! # let _ = config;
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::background::Background;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::Notify;

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Still percent-encoded, as sent (`/v2/alerts/a%2Fb/close`).
    pub path: String,
    pub query: Option<String>,
    /// Names lowercase, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    /// The body as JSON; `Value::Null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One answer: a status, headers and a body.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// `status` with a small JSON body in the providers' style.
    pub fn status(status: u16) -> Reply {
        let body = if (200..300).contains(&status) {
            r#"{"status":"success","message":"Event processed","result":"Request will be processed"}"#
        } else {
            r#"{"status":"error","message":"test receiver says no"}"#
        };
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: &str) -> Reply {
        self.body = body.into();
        self
    }
}

impl From<u16> for Reply {
    fn from(status: u16) -> Reply {
        Reply::status(status)
    }
}

struct Shared {
    queue: Mutex<VecDeque<Reply>>,
    default: Mutex<Reply>,
    requests: Mutex<Vec<Recorded>>,
    arrived: Notify,
    port: u16,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running receiver. Dropping it stops the server.
pub struct Receiver {
    shared: Arc<Shared>,
    server: Background,
}

impl Receiver {
    /// Binds `127.0.0.1:0` and serves on a background thread; it is listening on return.
    pub fn start() -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            default: Mutex::new(Reply::status(202)),
            requests: Mutex::new(Vec::new()),
            arrived: Notify::new(),
            port,
        });
        let app = Router::new().fallback(receive).with_state(shared.clone());
        let server = Background::serve(&format!("pager-receiver-{port}"), listener, app);
        Receiver { shared, server }
    }

    /// `http://127.0.0.1:PORT`, for `paging.pagerduty_url`, `paging.opsgenie_url` or (with a
    /// path) a contact's `webhook`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.shared.port)
    }

    /// Queues answers for the next requests, in order, after any still queued.
    pub fn respond_with<R: Into<Reply>>(&self, replies: impl IntoIterator<Item = R>) {
        lock(&self.shared.queue).extend(replies.into_iter().map(Into::into));
    }

    /// The answer once the queue is empty (202 at first).
    pub fn set_default(&self, reply: impl Into<Reply>) {
        *lock(&self.shared.default) = reply.into();
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// Forgets the requests so far.
    pub fn clear(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Waits until at least `count` requests arrived, or `timeout` passed; returns them all.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Recorded> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            let requests = self.requests();
            if requests.len() >= count {
                return requests;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.requests();
            }
        }
    }

    /// Goes away: the port refuses connections from now on.
    pub fn stop(&mut self) {
        self.server.stop();
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    lock(&shared.requests).push(recorded);
    shared.arrived.notify_waiters();
    let reply = lock(&shared.queue)
        .pop_front()
        .unwrap_or_else(|| lock(&shared.default).clone());
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, reply.body).into_response();
    for (name, value) in &reply.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
