//! Liveness and readiness. `/healthz` answers while the process serves HTTP; `/readyz` also
//! checks what a request needs: the state store answers a query, and the policy is loaded.
//!
//! The public listener's `/readyz` says which check failed and nothing more: a store's error
//! text names files and paths of the bot host, which the internet has no business reading.
//! The admin listener (`server.admin_listen`) adds the policy file and the error.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;

pub async fn healthz() -> &'static str {
    "ok\n"
}

/// For the public listener: ready or not, and which check, without paths or error text.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    checks(&state, false).await
}

/// For the admin listener: the same checks with the policy file and the store's error.
pub async fn readyz_detailed(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    checks(&state, true).await
}

async fn checks(state: &AppState, detailed: bool) -> (StatusCode, Json<Value>) {
    // Reading the audit head is the cheapest query that touches the database file.
    let mut store = json!({"ok": true});
    if let Err(e) = state.store.audit_head().await {
        tracing::warn!(error = %e, "readiness: the state store does not answer");
        store = json!({"ok": false});
        if detailed {
            store["error"] = json!(e.to_string());
        }
    }
    // A configuration is only built from a policy that parsed and checked, so a running bot
    // always has one; the check names the file it came from.
    let mut policy = json!({"ok": true});
    if detailed {
        policy["file"] = json!(state.config.policy_path.display().to_string());
    }
    let ready = store["ok"] == true && policy["ok"] == true;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({"ready": ready, "checks": {"store": store, "policy": policy}})),
    )
}
