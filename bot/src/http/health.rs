//! Liveness and readiness. `/healthz` answers while the process serves HTTP; `/readyz` also
//! checks what a request needs: the state store answers a query, and the policy is loaded.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;

pub async fn healthz() -> &'static str {
    "ok\n"
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    // Reading the audit head is the cheapest query that touches the database file.
    let store = match state.store.audit_head().await {
        Ok(_) => json!({"ok": true}),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: the state store does not answer");
            json!({"ok": false, "error": e.to_string()})
        }
    };
    // A configuration is only built from a policy that parsed and checked, so a running bot
    // always has one; the check names the file it came from.
    let policy = json!({"ok": true, "file": state.config.policy_path.display().to_string()});
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
