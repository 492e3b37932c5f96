//! Discord's endpoint. The raw body is read and its Ed25519 signature checked first; a failed
//! check (or a stale timestamp) is a 401 and nothing else happens. Only then is it parsed.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::metrics::ACK_SECONDS;
use crate::adapters::discord::{Answer, DiscordAdapter, Interaction, SignatureError};

/// Interactions are small; this bounds what an unauthenticated sender can make us read.
const BODY_LIMIT: usize = 1024 * 1024;

pub fn routes(discord: Arc<DiscordAdapter>) -> Router {
    Router::new()
        .route("/discord/interactions", post(interactions))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(discord)
}

async fn interactions(
    State(discord): State<Arc<DiscordAdapter>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let response = match discord.verify(
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
        &body,
    ) {
        Err(e) => refuse(&e),
        Ok(()) => match Interaction::from_body(&body) {
            Err(e) => {
                tracing::warn!(error = %e, "a signed Discord interaction could not be read");
                StatusCode::BAD_REQUEST.into_response()
            }
            Ok(interaction) => match discord.interaction(interaction).await {
                Answer::Json(value) => Json(value).into_response(),
                Answer::BadRequest(what) => {
                    tracing::warn!(what, "a signed Discord interaction was not understood");
                    StatusCode::BAD_REQUEST.into_response()
                }
            },
        },
    };
    metrics::histogram!(ACK_SECONDS, "route" => "discord").record(started.elapsed().as_secs_f64());
    response
}

fn refuse(error: &SignatureError) -> Response {
    let reason = match error {
        SignatureError::MissingHeader(_) => "missing",
        SignatureError::Mismatch => "mismatch",
        SignatureError::Stale => "stale",
    };
    tracing::warn!(reason = %error, "a Discord request with a bad signature was refused");
    metrics::counter!("opsbot_discord_rejected_total", "reason" => reason).increment(1);
    StatusCode::UNAUTHORIZED.into_response()
}
