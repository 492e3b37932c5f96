//! The router called as a service (`oneshot`), no socket: routes, the signature gate, acks.
//! The Slack Web API is the emulator, so what the bot does after an ack can be seen.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use opsbot_tests::slack::{SlackServer, sign_now, slash_command_body};
use serde_json::Value;
use tower::ServiceExt;

use super::{AppState, router};
use crate::adapters::slack::{SlackAdapter, SlackConfig};
use crate::engine::Engine;
use crate::store::{SqliteStore, Store};

const SECRET: &str = "router-test-secret";

struct Fixture {
    _dir: tempfile::TempDir,
    state: AppState,
}

async fn fixture(slack: Option<&SlackServer>) -> Fixture {
    fixture_with(slack, "").await
}

/// `server` is the `[server]` section's lines.
async fn fixture_with(slack: Option<&SlackServer>, server: &str) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = format!(
        "locale = \"en\"\n[server]\n{server}\n[state]\npath = \"state.db\"\n\
         [policy]\nfile = \"policy.toml\"\n"
    );
    if let Some(slack) = slack {
        text.push_str(&format!(
            "[slack]\nsigning_secret = \"{SECRET}\"\nbot_token = \"xoxb-1\"\napi_url = \"{}\"\n",
            slack.api_url()
        ));
    }
    std::fs::write(dir.path().join("opsbot.toml"), text).expect("config");
    std::fs::write(
        dir.path().join("policy.toml"),
        "[roles.viewer]\noperations = [\"contacts\"]\n[[bindings]]\nrole = \"viewer\"\nsubjects = [\"slack:U1\"]\n",
    )
    .expect("policy");
    let config = Arc::new(crate::config::load(&dir.path().join("opsbot.toml")).expect("config"));
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&config.state_path).await.expect("store"));
    let engine = Arc::new(Engine::new(config.clone(), store.clone()));
    let adapter = config.slack.as_ref().map(|section| {
        SlackAdapter::new(
            SlackConfig::from_section(section).expect("slack config"),
            engine,
        )
        .expect("adapter")
    });
    Fixture {
        _dir: dir,
        state: AppState {
            config,
            store,
            metrics: super::metrics::install(),
            slack: adapter,
            discord: None,
        },
    }
}

async fn call(state: &AppState, request: Request<Body>) -> (StatusCode, String) {
    let response = router(state.clone())
        .oneshot(request)
        .await
        .expect("infallible");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).expect("request")
}

fn signed_post(path: &str, body: &str) -> Request<Body> {
    let (ts, signature) = sign_now(SECRET, body);
    Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", signature)
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn command_body(slack: &SlackServer, text: &str, trigger: &str) -> String {
    slash_command_body("/ops", text, "U1", "C1", &slack.response_url(), trigger)
}

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let f = fixture(None).await;
    assert_eq!(
        call(&f.state, get("/healthz")).await,
        (StatusCode::OK, "ok\n".into())
    );
    let (status, body) = call(&f.state, get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    let ready: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(ready["ready"], true);
    let (status, _) = call(&f.state, get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn without_slack_the_slack_routes_do_not_exist() {
    let f = fixture(None).await;
    let (status, _) = call(&f.state, signed_post("/slack/commands", "x=y")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unsigned_or_badly_signed_requests_get_401_before_parsing() {
    let slack = SlackServer::start();
    let f = fixture(Some(&slack)).await;
    for path in ["/slack/commands", "/slack/interactions", "/slack/events"] {
        let unsigned = Request::post(path)
            .body(Body::from("garbage"))
            .expect("request");
        assert_eq!(
            call(&f.state, unsigned).await.0,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        let forged = Request::post(path)
            .header("x-slack-request-timestamp", "1")
            .header("x-slack-signature", "v0=00")
            .body(Body::from("garbage"))
            .expect("request");
        assert_eq!(
            call(&f.state, forged).await.0,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(slack.calls().is_empty());
}

#[tokio::test]
async fn signed_command_is_acked_with_an_ephemeral_and_its_replay_with_nothing() {
    let slack = SlackServer::start();
    let f = fixture(Some(&slack)).await;
    let body = command_body(&slack, "contacts", "1.1");
    let (status, ack) = call(&f.state, signed_post("/slack/commands", &body)).await;
    assert_eq!(status, StatusCode::OK);
    let ack: Value = serde_json::from_str(&ack).expect("json");
    assert_eq!(ack["response_type"], "ephemeral");
    assert_eq!(ack["text"], "Working on it: /ops contacts");
    // The same trigger signed again (Slack's retry): answered, empty, not run again.
    let (status, again) = call(&f.state, signed_post("/slack/commands", &body)).await;
    assert_eq!((status, again.as_str()), (StatusCode::OK, ""));
    // The emulator's own wait would block this test's runtime, and with it the run.
    for _ in 0..500 {
        if !slack.messages("C1").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(slack.messages("C1").len(), 1, "{:?}", slack.calls());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1);
}

#[tokio::test]
async fn signed_but_malformed_bodies_are_400() {
    let slack = SlackServer::start();
    let f = fixture(Some(&slack)).await;
    let (status, _) = call(&f.state, signed_post("/slack/commands", "text=only")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(&f.state, signed_post("/slack/interactions", "nopayload=1")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(&f.state, signed_post("/slack/events", "{not json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn url_verification_echoes_the_challenge() {
    let slack = SlackServer::start();
    let f = fixture(Some(&slack)).await;
    let body = r#"{"type":"url_verification","challenge":"abc"}"#;
    let (status, answer) = call(&f.state, signed_post("/slack/events", body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer, r#"{"challenge":"abc"}"#);
}

#[tokio::test]
async fn a_click_outside_block_actions_is_acked_and_ignored() {
    let slack = SlackServer::start();
    let f = fixture(Some(&slack)).await;
    let payload =
        serde_json::json!({"type": "view_closed", "user": {"id": "U1"}, "trigger_id": "9"});
    let body = opsbot_tests::slack::block_actions_body(&payload);
    let (status, answer) = call(&f.state, signed_post("/slack/interactions", &body)).await;
    assert_eq!((status, answer.as_str()), (StatusCode::OK, ""));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(slack.calls().is_empty());
}

/// Breaks the state store under the running router, as a full disk or a lost volume would.
async fn break_store(f: &Fixture) {
    use sqlx::Connection;
    let url = format!("sqlite://{}", f.state.config.state_path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("db");
    for statement in [
        "DROP TABLE IF EXISTS audit_head",
        "DROP TABLE IF EXISTS audit_log",
    ] {
        sqlx::query(statement)
            .execute(&mut conn)
            .await
            .expect("drop");
    }
}

/// Issue 11 (`/readyz` shows paths and errors): the public listener said which policy file
/// was loaded and the store's error text; now it says which check failed and nothing more.
#[tokio::test]
async fn public_readyz_shows_no_paths_or_error_text() {
    let f = fixture(None).await;
    let (status, body) = call(&f.state, get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("policy.toml"), "{body}");
    break_store(&f).await;
    let (status, body) = call(&f.state, get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let ready: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(ready["ready"], false);
    assert_eq!(ready["checks"]["store"]["ok"], false);
    assert!(
        !body.contains("audit_") && !body.contains("error"),
        "{body}"
    );
    // The admin listener's /readyz keeps the detail for the operator.
    let (status, body) = admin_call(&f.state, get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body.contains("no such table") && body.contains("policy.toml"),
        "{body}"
    );
}

/// With `server.admin_listen`, `/metrics` is served there and not on the public listener.
#[tokio::test]
async fn with_an_admin_listener_metrics_leave_the_public_one() {
    let f = fixture_with(None, "admin_listen = \"127.0.0.1:0\"").await;
    assert!(f.state.config.admin_listen.is_some());
    let (status, _) = call(&f.state, get("/metrics")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin_call(&f.state, get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = admin_call(&f.state, get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("policy.toml"), "{body}");
}

async fn admin_call(state: &AppState, request: Request<Body>) -> (StatusCode, String) {
    let response = super::admin_router(state.clone())
        .oneshot(request)
        .await
        .expect("infallible");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}
