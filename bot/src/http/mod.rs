//! The HTTP side of `opsbot serve`, as one axum [`Router`] that tests call without a socket.
//!
//! Each chat brings its own routes (Slack: [`slack::routes`]); [`router`] merges those that
//! are configured with the service endpoints: `/healthz`, `/readyz`, `/metrics`. Where
//! `server.admin_listen` is set, `/metrics` and the detailed `/readyz` are served there only
//! ([`admin_router`]), and the public `/readyz` says ready or not.

pub mod discord;
pub mod health;
pub mod metrics;
pub mod slack;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::adapters::discord::DiscordAdapter;
use crate::adapters::slack::SlackAdapter;
use crate::config::Config;
use crate::store::Store;

/// What the endpoints need. A chat that is not configured is None and has no routes.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    /// None when another recorder owns the process (then `/metrics` says so).
    pub metrics: Option<PrometheusHandle>,
    pub slack: Option<Arc<SlackAdapter>>,
    pub discord: Option<Arc<DiscordAdapter>>,
}

pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz));
    // Without an admin listener the metrics stay where scrapers have always found them.
    if state.config.admin_listen.is_none() {
        app = app.route("/metrics", get(metrics::render));
    }
    let mut app = app.with_state(state.clone());
    if let Some(slack) = state.slack {
        app = app.merge(slack::routes(slack));
    }
    if let Some(discord) = state.discord {
        app = app.merge(discord::routes(discord));
    }
    app
}

/// The admin listener's endpoints (`server.admin_listen`): for the operator's network only.
pub fn admin_router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz_detailed))
        .route("/metrics", get(metrics::render))
        .with_state(state)
}
