//! A Vault HTTP API test server: `GET /v1/sys/seal-status` and `PUT /v1/sys/unseal` on
//! 127.0.0.1, answering in the shapes Vault 1.17 answers with.
//!
//! It starts initialized and unsealed with Shamir shares (5 shares, threshold 3). Tests seal
//! it or set its progress, read the valid shares with [`VaultServer::keys`], and check what
//! the bot sent with [`VaultServer::requests`]. Unsealing works as Vault's does: each new
//! valid share advances the progress, a repeated one is ignored, a wrong one is refused, and
//! the threshold unseals it.
//!
//! ```no_run
//! use opsbot_tests::vault::VaultServer;
//!
//! let vault = VaultServer::start();
//! vault.set_sealed(true);
//! let config = format!("[vault]\naddress = \"{}\"\n", vault.url());
//! # let _ = config;
//! ```

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::background::Background;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// One request the server received. An unseal request's body holds a key share: tests that
/// check shares are sent read it here; nothing else should ever see it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub body: String,
}

impl Recorded {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// The seal, as Vault keeps it.
struct Seal {
    initialized: bool,
    sealed: bool,
    threshold: u32,
    keys: Vec<String>,
    /// Shares entered in the current unseal attempt.
    entered: Vec<String>,
    progress: u32,
    nonce: String,
    /// Answer every request with this status and error instead (a standby, a 503).
    failure: Option<(u16, String)>,
}

struct Shared {
    seal: Mutex<Seal>,
    requests: Mutex<Vec<Recorded>>,
    port: u16,
}

impl Shared {
    fn seal(&self) -> MutexGuard<'_, Seal> {
        self.seal.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running Vault. Dropping it stops the server.
pub struct VaultServer {
    shared: Arc<Shared>,
    server: Background,
}

impl VaultServer {
    /// Binds `127.0.0.1:0` and serves on a background thread; it is listening on return.
    pub fn start() -> VaultServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let keys = (1..=5).map(|i| share(port, i)).collect();
        let shared = Arc::new(Shared {
            seal: Mutex::new(Seal {
                initialized: true,
                sealed: false,
                threshold: 3,
                keys,
                entered: Vec::new(),
                progress: 0,
                nonce: String::new(),
                failure: None,
            }),
            requests: Mutex::new(Vec::new()),
            port,
        });
        let app = Router::new().fallback(dispatch).with_state(shared.clone());
        let server = Background::serve(&format!("vault-test-server-{port}"), listener, app);
        VaultServer { shared, server }
    }

    /// `http://127.0.0.1:PORT`, for `vault.address`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.shared.port)
    }

    /// Seals (forgetting any unseal in progress) or unseals it.
    pub fn set_sealed(&self, sealed: bool) {
        let mut seal = self.shared.seal();
        seal.sealed = sealed;
        seal.entered.clear();
        seal.progress = 0;
        seal.nonce.clear();
    }

    /// Pretends `progress` shares of an unseal attempt were entered already.
    pub fn set_progress(&self, progress: u32) {
        let mut seal = self.shared.seal();
        seal.progress = progress;
        seal.nonce = if progress == 0 {
            String::new()
        } else {
            nonce(self.shared.port)
        };
    }

    /// A Vault that was never `vault operator init`ed: sealed, no shares.
    pub fn set_uninitialized(&self) {
        let mut seal = self.shared.seal();
        seal.initialized = false;
        seal.sealed = true;
        seal.progress = 0;
        seal.entered.clear();
    }

    /// Answers every request with `status` and `{"errors": [message]}` until `None`.
    pub fn fail_with(&self, failure: Option<(u16, &str)>) {
        self.shared.seal().failure = failure.map(|(code, m)| (code, m.to_string()));
    }

    /// The valid unseal key shares, hex as `vault operator init` prints them.
    pub fn keys(&self) -> Vec<String> {
        self.shared.seal().keys.clone()
    }

    pub fn threshold(&self) -> u32 {
        self.shared.seal().threshold
    }

    /// What `sys/seal-status` would answer now.
    pub fn status(&self) -> Value {
        status_json(&self.shared.seal())
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Goes away: the port refuses connections from now on.
    pub fn stop(&mut self) {
        self.server.stop();
    }
}

/// A 32-byte share in hex, different per server so a test cannot pass another's keys.
fn share(port: u16, index: u32) -> String {
    hex::encode(Sha256::digest(format!(
        "opsbot-test-vault-{port}-share-{index}"
    )))
}

fn nonce(port: u16) -> String {
    let h = hex::encode(Sha256::digest(format!("opsbot-test-vault-{port}-nonce")));
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Vault's seal-status; cluster_name and cluster_id only once unsealed, as Vault answers.
fn status_json(seal: &Seal) -> Value {
    let (t, n) = if seal.initialized {
        (seal.threshold, seal.keys.len())
    } else {
        (0, 0)
    };
    let mut status = json!({
        "type": "shamir",
        "initialized": seal.initialized,
        "sealed": seal.sealed,
        "t": t,
        "n": n,
        "progress": seal.progress,
        "nonce": seal.nonce,
        "version": "1.17.2",
        "build_date": "2024-07-05T15:19:12Z",
        "migration": false,
        "recovery_seal": false,
        "storage_type": "raft",
    });
    if !seal.sealed {
        status["cluster_name"] = json!("vault-cluster-5f3a9c1e");
        status["cluster_id"] = json!("3a8e9b2c-6d4f-4e1a-9c7b-2f0d5e8a1b63");
    }
    status
}

fn errors(code: StatusCode, message: &str) -> Response {
    (code, axum::Json(json!({ "errors": [message] }))).into_response()
}

async fn dispatch(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let body = String::from_utf8_lossy(&body).into_owned();
    shared
        .requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Recorded {
            method: method.to_string(),
            path: uri.path().to_string(),
            body: body.clone(),
        });
    let mut seal = shared.seal();
    if let Some((code, message)) = &seal.failure {
        let code = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return errors(code, message);
    }
    match (method, uri.path()) {
        (Method::GET, "/v1/sys/seal-status") => axum::Json(status_json(&seal)).into_response(),
        (Method::PUT | Method::POST, "/v1/sys/unseal") => unseal(&mut seal, &body, shared.port),
        _ => errors(StatusCode::NOT_FOUND, "unsupported path"),
    }
}

/// `{"key": "…"}` enters a share, `{"reset": true}` forgets the attempt.
fn unseal(seal: &mut Seal, body: &str, port: u16) -> Response {
    let Ok(request) = serde_json::from_str::<Value>(body) else {
        return errors(StatusCode::BAD_REQUEST, "failed to parse JSON input");
    };
    if !seal.initialized {
        return errors(StatusCode::BAD_REQUEST, "Vault is not initialized");
    }
    if request["reset"].as_bool() == Some(true) {
        seal.entered.clear();
        seal.progress = 0;
        seal.nonce.clear();
        return axum::Json(status_json(seal)).into_response();
    }
    let Some(key) = request["key"].as_str().filter(|k| !k.is_empty()) else {
        return errors(
            StatusCode::BAD_REQUEST,
            "'key' must be specified in request body as JSON, or 'reset' set to true",
        );
    };
    if !seal.sealed {
        return axum::Json(status_json(seal)).into_response();
    }
    if !seal.keys.iter().any(|k| k == key) {
        return errors(StatusCode::BAD_REQUEST, "Unseal failed, invalid key");
    }
    // Vault ignores a share it already has in this attempt.
    if !seal.entered.iter().any(|k| k == key) {
        seal.entered.push(key.to_string());
        seal.progress += 1;
        if seal.nonce.is_empty() {
            seal.nonce = nonce(port);
        }
    }
    if seal.progress >= seal.threshold {
        seal.sealed = false;
        seal.entered.clear();
        seal.progress = 0;
        seal.nonce.clear();
    }
    axum::Json(status_json(seal)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A bare HTTP/1.1 request, so the server is tested without an HTTP client crate.
    fn call(server: &VaultServer, method: &str, path: &str, body: &str) -> (u16, Value) {
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", server.shared.port)).expect("connect");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: vault\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        let code = answer[9..12].parse().expect("status code");
        let json = answer
            .split_once("\r\n\r\n")
            .and_then(|(_, b)| serde_json::from_str(b).ok())
            .unwrap_or(Value::Null);
        (code, json)
    }

    #[test]
    fn shares_unseal_at_the_threshold_and_repeats_do_not_count() {
        let vault = VaultServer::start();
        vault.set_sealed(true);
        let keys = vault.keys();
        let (code, status) = call(&vault, "GET", "/v1/sys/seal-status", "");
        assert_eq!(code, 200);
        assert_eq!(
            (
                status["sealed"].clone(),
                status["t"].clone(),
                status["n"].clone()
            ),
            (json!(true), json!(3), json!(5))
        );
        assert!(status.get("cluster_name").is_none());
        let body = |k: &str| json!({ "key": k }).to_string();
        let (_, s) = call(&vault, "PUT", "/v1/sys/unseal", &body(&keys[0]));
        assert_eq!(s["progress"], 1);
        assert_ne!(s["nonce"], "");
        let (_, s) = call(&vault, "PUT", "/v1/sys/unseal", &body(&keys[0]));
        assert_eq!(s["progress"], 1, "a repeated share is ignored");
        let (code, s) = call(&vault, "PUT", "/v1/sys/unseal", &body("not-a-share"));
        assert_eq!(code, 400);
        assert_eq!(s["errors"][0], "Unseal failed, invalid key");
        call(&vault, "PUT", "/v1/sys/unseal", &body(&keys[3]));
        let (_, s) = call(&vault, "PUT", "/v1/sys/unseal", &body(&keys[4]));
        assert_eq!(
            (s["sealed"].clone(), s["progress"].clone()),
            (json!(false), json!(0))
        );
        assert!(s["cluster_name"].as_str().is_some());
        let unseals = vault
            .requests()
            .iter()
            .filter(|r| r.path == "/v1/sys/unseal")
            .count();
        assert_eq!(unseals, 5);
    }

    #[test]
    fn reset_and_failures_answer_as_vault_does() {
        let vault = VaultServer::start();
        vault.set_sealed(true);
        vault.set_progress(2);
        let (_, s) = call(&vault, "PUT", "/v1/sys/unseal", r#"{"reset": true}"#);
        assert_eq!(s["progress"], 0);
        vault.fail_with(Some((503, "Vault is sealed")));
        let (code, s) = call(&vault, "GET", "/v1/sys/seal-status", "");
        assert_eq!(
            (code, s["errors"][0].clone()),
            (503, json!("Vault is sealed"))
        );
    }
}
