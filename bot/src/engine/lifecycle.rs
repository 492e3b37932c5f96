//! What keeps runs honest across processes: each process beats for its runs, a run whose
//! process is gone is marked interrupted (never re-run), and requests whose time is up expire.

use std::sync::Arc;

use serde_json::json;

use super::{ApprovalCard, Audit, Engine, approval};
use crate::store::AuditKind;

/// How long a chat request's id is remembered: past the 5-minute signature window that lets
/// anyone present it again.
const SEEN_FOR_SECS: i64 = 600;

impl Engine {
    /// True the first time any opsbot on this state sees the chat request `key`; a Slack
    /// retry or a replay that reached another replica is then not run again. Without the
    /// store it says true: the run's own audit append fails and says why.
    pub async fn first_time(&self, key: &str) -> bool {
        let now = chrono::Utc::now().timestamp();
        match self.store.first_seen(key, now, now + SEEN_FOR_SECS).await {
            Ok(first) => first,
            Err(e) => {
                tracing::warn!(error = %e, "could not check a request against earlier ones");
                true
            }
        }
    }

    /// Marks as interrupted the runs whose process is gone (on this host: its pid is dead;
    /// elsewhere: it stopped beating) and returns them, so the caller can say so. None is
    /// ever re-run.
    pub async fn recover(&self) -> Vec<crate::store::InterruptedRun> {
        let running = match self.store.running_runs().await {
            Ok(running) => running,
            Err(e) => {
                tracing::error!(error = %e, "could not look for interrupted runs");
                return Vec::new();
            }
        };
        let stale_before = chrono::Utc::now().timestamp() - HEARTBEAT_STALE_SECS;
        let mut interrupted = Vec::new();
        for (run, owner, heartbeat) in running {
            if owner == self.instance || (heartbeat >= stale_before && owner_alive(&owner)) {
                continue;
            }
            if !matches!(self.store.interrupt_run(&run.request_id).await, Ok(true)) {
                continue;
            }
            let audit = Audit {
                store: self.store.as_ref(),
                request_id: &run.request_id,
                subject: &run.subject,
                glass: None,
            };
            let detail = json!({ "outcome": "interrupted", "started_at": run.started_at });
            let _ = audit
                .record(AuditKind::Result, Some(&run.operation), detail)
                .await;
            interrupted.push(run);
        }
        interrupted
    }

    /// Beats for this process's running runs until the process ends.
    pub fn start_heartbeat(self: &Arc<Self>) {
        let engine = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(HEARTBEAT_SECS));
            loop {
                tick.tick().await;
                let now = chrono::Utc::now().timestamp();
                if let Err(e) = engine.store.heartbeat(&engine.instance, now).await {
                    tracing::warn!(error = %e, "heartbeat failed");
                }
            }
        });
    }

    /// Expires the pending requests whose time is up and returns their cards to update.
    pub async fn expire_due(&self) -> Vec<ApprovalCard> {
        let Ok(pending) = self
            .store
            .approvals_in(crate::store::ApprovalState::Pending)
            .await
        else {
            return Vec::new();
        };
        let now = chrono::Utc::now().timestamp();
        let mut cards = Vec::new();
        for approval in pending.into_iter().filter(|a| a.request.expires_at <= now) {
            let id = approval.request.id.clone();
            let moved = self
                .store
                .transition(
                    &id,
                    crate::store::ApprovalState::Pending,
                    crate::store::ApprovalState::Expired,
                    None,
                    None,
                )
                .await;
            if let (Ok(true), Ok(Some(expired))) = (moved, self.store.approval(&id).await) {
                cards.push(approval::card(&self.config.policy, &expired, Vec::new()));
            }
        }
        cards
    }

    /// Remembers where an adapter shows a request's card.
    pub async fn set_card(&self, id: &str, reference: &str) {
        if let Err(e) = self.store.set_card(id, reference).await {
            tracing::warn!(error = %e, "could not remember an approval card");
        }
    }
}

/// `HOST:PID:RANDOM`: enough for another process on the same host to see that this one is
/// gone without waiting for its heartbeat to go stale.
pub(super) fn instance_id() -> String {
    format!(
        "{}:{}:{}",
        hostname(),
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// False only when the owner is known dead: on this host, with no such process.
fn owner_alive(owner: &str) -> bool {
    let mut parts = owner.splitn(3, ':');
    match (parts.next(), parts.next()) {
        (Some(host), Some(pid)) if host == hostname() => {
            std::path::Path::new("/proc").join(pid).exists()
        }
        _ => true,
    }
}

/// How often a running process says it is alive, and how long a silence means it is gone.
const HEARTBEAT_SECS: u64 = 10;
const HEARTBEAT_STALE_SECS: i64 = 30;
