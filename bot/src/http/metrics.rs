//! `/metrics` in Prometheus text format. Code anywhere records through the `metrics` facade
//! (`metrics::counter!(…)`); this installs the Prometheus recorder, once per process, and
//! renders it.
//!
//! | metric | labels |
//! |---|---|
//! | `opsbot_commands_total` | `chat`, `operation`, `outcome` |
//! | `opsbot_slack_ack_seconds` (histogram) | `route` |
//! | `opsbot_runs_in_flight` (gauge) | |
//! | `opsbot_slack_api_errors_total` | `method`, `kind` (`ratelimited`, `transient`, `refused`, `gave_up`) |
//! | `opsbot_slack_api_ratelimited_total` | `method` |
//! | `opsbot_slack_rejected_total` | `reason` (signature checks that failed; `foreign_team`) |
//! | `opsbot_discord_rejected_total` | `reason` (signature checks that failed; `foreign_guild`) |
//! | `opsbot_autocomplete_shed_total` | (lookups not made: too many at once) |
//! | `opsbot_slack_duplicates_total` | `kind` (replays and Slack retries not acted on) |

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::AppState;

pub const ACK_SECONDS: &str = "opsbot_slack_ack_seconds";

/// An ack must come within 3 s; the buckets resolve the millisecond range where it should be.
const ACK_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first call. None if another recorder was installed
/// first (the metrics are then not ours to render).
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(ACK_SECONDS.to_string()), &ACK_BUCKETS)
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the metrics recorder could not be installed");
                    None
                }
            }
        })
        .clone()
}

fn describe() {
    metrics::describe_counter!(
        "opsbot_commands_total",
        "Commands and clicks handled, by chat, operation and outcome."
    );
    metrics::describe_histogram!(
        ACK_SECONDS,
        metrics::Unit::Seconds,
        "Time from a Slack request's arrival to its answer."
    );
    metrics::describe_gauge!("opsbot_runs_in_flight", "Runs executing now.");
    metrics::describe_counter!(
        "opsbot_slack_api_errors_total",
        "Failed Slack Web API calls, by method and kind."
    );
    metrics::describe_counter!(
        "opsbot_slack_api_ratelimited_total",
        "Slack Web API calls answered 429, by method."
    );
    metrics::describe_counter!(
        "opsbot_slack_rejected_total",
        "Requests refused because their signature did not check."
    );
    metrics::describe_counter!(
        "opsbot_slack_duplicates_total",
        "Replayed or retried Slack requests answered without acting."
    );
    // Present from the start, so a dashboard sees 0 rather than nothing.
    metrics::gauge!("opsbot_runs_in_flight").set(0.0);
}

pub async fn render(State(state): State<AppState>) -> Response {
    match &state.metrics {
        Some(handle) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            handle.render(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are not available\n",
        )
            .into_response(),
    }
}
