//! Slack's three endpoints. Every request passes [`verified`] first: the raw body is read,
//! the signature checked against it, and only then does a handler parse anything. A failed
//! check is a 401 and nothing else happens; a replay of a request already accepted is a 200
//! and nothing else happens.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use super::metrics::ACK_SECONDS;
use crate::adapters::slack::{
    Ack, EventAck, EventRequest, Freshness, Interaction, SignatureError, SlackAdapter, SlashCommand,
};

/// Slack's bodies are small; this bounds what an unauthenticated sender can make us read.
const BODY_LIMIT: usize = 1024 * 1024;

pub fn routes(slack: Arc<SlackAdapter>) -> Router {
    Router::new()
        .route("/slack/commands", post(commands))
        .route("/slack/interactions", post(interactions))
        .route("/slack/events", post(events))
        .layer(middleware::from_fn_with_state(slack.clone(), verified))
        .with_state(slack)
}

fn route_label(path: &str) -> &'static str {
    match path {
        "/slack/commands" => "commands",
        "/slack/interactions" => "interactions",
        "/slack/events" => "events",
        _ => "other",
    }
}

/// The signature check, and the ack-latency measurement around the whole answer.
async fn verified(
    State(slack): State<Arc<SlackAdapter>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = route_label(request.uri().path());
    let (parts, body) = request.into_parts();
    let response = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Err(_) => StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        Ok(bytes) => {
            let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
            let verdict = slack.verify(
                header("x-slack-request-timestamp"),
                header("x-slack-signature"),
                &bytes,
            );
            match verdict {
                Err(e) => refuse(route, &e),
                Ok(Freshness::Replay) => {
                    tracing::info!(route, "a replayed request was answered and not acted on");
                    metrics::counter!("opsbot_slack_duplicates_total", "kind" => "replay")
                        .increment(1);
                    StatusCode::OK.into_response()
                }
                Ok(Freshness::Fresh) => {
                    next.run(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
            }
        }
    };
    metrics::histogram!(ACK_SECONDS, "route" => route).record(started.elapsed().as_secs_f64());
    response
}

fn refuse(route: &'static str, error: &SignatureError) -> Response {
    let reason = match error {
        SignatureError::MissingHeader(_) => "missing",
        SignatureError::NotUtf8 | SignatureError::Mismatch => "mismatch",
        SignatureError::Stale => "stale",
        SignatureError::NoSecret => "no_secret",
    };
    tracing::warn!(route, reason = %error, "a request with a bad signature was refused");
    metrics::counter!("opsbot_slack_rejected_total", "reason" => reason).increment(1);
    StatusCode::UNAUTHORIZED.into_response()
}

fn ack(ack: Ack) -> Response {
    match ack {
        Ack::Working(text) | Ack::Refused(text) => {
            Json(json!({"response_type": "ephemeral", "text": text})).into_response()
        }
        Ack::Empty | Ack::Duplicate => StatusCode::OK.into_response(),
        Ack::ClearModals => Json(json!({"response_action": "clear"})).into_response(),
    }
}

fn bad_request(what: &str, error: &dyn std::fmt::Display) -> Response {
    tracing::warn!(what, error = %error, "a signed Slack request could not be read");
    StatusCode::BAD_REQUEST.into_response()
}

async fn commands(State(slack): State<Arc<SlackAdapter>>, body: Bytes) -> Response {
    match SlashCommand::from_form(&body) {
        Ok(command) => ack(slack.command(command)),
        Err(e) => bad_request("slash command", &e),
    }
}

async fn interactions(State(slack): State<Arc<SlackAdapter>>, body: Bytes) -> Response {
    match Interaction::from_form(&body) {
        Ok(interaction) => ack(slack.interaction(interaction)),
        Err(e) => bad_request("interaction", &e),
    }
}

async fn events(State(slack): State<Arc<SlackAdapter>>, body: Bytes) -> Response {
    match EventRequest::from_body(&body) {
        Ok(request) => match slack.event(request) {
            EventAck::Challenge(challenge) => {
                Json(json!({ "challenge": challenge })).into_response()
            }
            EventAck::Ok => StatusCode::OK.into_response(),
        },
        Err(e) => bad_request("event", &e),
    }
}
