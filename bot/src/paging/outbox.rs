//! Sends what the desk queued. Each due row is claimed for a while (so another opsbot on the
//! same state does not send it too), sent through its pager or chat, and marked delivered,
//! retried later with backoff and jitter (429, 5xx, network), or failed (a refusal such as a
//! 400). A row claimed by a process that died is picked up again when its claim runs out.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use super::desk::{Desk, delivery};
use super::{IncidentView, Page, PageAction, SendError};
use crate::store::{Delivery, DeliveryOutcome, DeliveryState, Incident};

/// How long a claimed row is ours; longer than any one send takes (pagers time out sooner).
const LEASE_MS: i64 = 120_000;
/// Rows taken per round.
const BATCH: u32 = 32;
/// How often to look for due rows when nothing woke us (retries coming due, other replicas).
const POLL: Duration = Duration::from_millis(500);

/// When to try again after `attempts` failures: doubling from `initial` up to `max`, with
/// jitter so a fleet of retries does not hit a recovering provider at once.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    /// The longest a provider's `Retry-After` may hold a page back (`paging.retry_after_max`):
    /// a provider asking for a week, or a broken header, must not silence a page that long.
    pub retry_after_max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(2),
            max: Duration::from_secs(300),
            retry_after_max: Duration::from_secs(300),
        }
    }
}

impl Backoff {
    /// The delay before attempt `attempts + 1`: between half and all of the doubled delay.
    pub fn delay(&self, attempts: u32, at_least: Option<Duration>) -> Duration {
        let doubled = self
            .initial
            .saturating_mul(2u32.saturating_pow(attempts.min(20)))
            .min(self.max);
        let jittered = doubled.mul_f64(0.5 + fastrand::f64() * 0.5);
        let told = at_least.unwrap_or_default().min(self.retry_after_max);
        jittered.max(told)
    }
}

/// Runs until the process ends.
pub async fn run(desk: Arc<Desk>, owner: String, backoff: Backoff) {
    loop {
        let now = chrono::Utc::now().timestamp_millis();
        let targets = desk.deliverable();
        let claimed = match desk
            .store
            .claim_deliveries(&owner, &targets, now, LEASE_MS, BATCH)
            .await
        {
            Ok(claimed) => claimed,
            Err(e) => {
                tracing::warn!(error = %e, "the outbox could not be read");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            let _ = tokio::time::timeout(POLL, desk.queued.notified()).await;
            continue;
        }
        let mut sends = JoinSet::new();
        for row in claimed {
            let desk = desk.clone();
            let owner = owner.clone();
            sends.spawn(async move { deliver(&desk, &owner, row, backoff).await });
        }
        while sends.join_next().await.is_some() {}
    }
}

async fn deliver(desk: &Desk, owner: &str, row: Delivery, backoff: Backoff) {
    let result = attempt(desk, &row).await;
    let now = chrono::Utc::now().timestamp_millis();
    let outcome = match &result {
        Ok(()) => DeliveryOutcome::Delivered { at_ms: now },
        Err(SendError::Retry { reason, after }) => {
            let wait = backoff.delay(row.attempts, *after);
            tracing::info!(
                delivery = %row.id, target = %row.target, action = %row.action,
                attempt = row.attempts + 1, retry_in = ?wait, error = %reason,
                "delivery failed; will retry"
            );
            DeliveryOutcome::Retry {
                next_ms: now + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2),
                error: reason.clone(),
            }
        }
        Err(SendError::Permanent { reason }) => {
            tracing::warn!(
                delivery = %row.id, target = %row.target, action = %row.action, error = %reason,
                "delivery refused; not retried"
            );
            DeliveryOutcome::Failed {
                error: reason.clone(),
            }
        }
    };
    if let Err(e) = desk.store.finish_delivery(&row.id, owner, &outcome).await {
        tracing::warn!(delivery = %row.id, error = %e, "could not record a delivery");
        return;
    }
    if row.action == PageAction::Trigger.as_str()
        && !matches!(outcome, DeliveryOutcome::Retry { .. })
    {
        show_pages_settled(desk, &row.incident_id).await;
    }
}

/// Once every trigger of an incident has an answer, its chat messages show how they went.
async fn show_pages_settled(desk: &Desk, incident_id: &str) {
    let Ok(rows) = desk.store.deliveries(Some(incident_id), 0).await else {
        return;
    };
    let triggers_pending = rows
        .iter()
        .any(|d| d.action == PageAction::Trigger.as_str() && d.state == DeliveryState::Pending);
    if triggers_pending {
        return;
    }
    let updates: Vec<_> = desk
        .chat_targets()
        .into_iter()
        .map(|target| delivery(target, "update", None))
        .collect();
    if updates.is_empty() {
        return;
    }
    if desk
        .store
        .enqueue_deliveries(incident_id, &updates)
        .await
        .is_ok()
    {
        desk.queued.notify_one();
    }
}

async fn attempt(desk: &Desk, row: &Delivery) -> Result<(), SendError> {
    let permanent = |reason: String| SendError::Permanent { reason };
    let incident = match desk.store.incident(&row.incident_id).await {
        Ok(Some(incident)) => incident,
        Ok(None) => return Err(permanent(format!("incident {} is gone", row.incident_id))),
        Err(e) => {
            return Err(SendError::Retry {
                reason: e.to_string(),
                after: None,
            });
        }
    };
    let Some(contact) = desk.contact(&incident.situation) else {
        return Err(permanent(format!(
            "situation {} is no longer in the contacts table",
            incident.situation
        )));
    };
    if let Some(pager) = desk.pagers.iter().find(|p| p.target() == row.target) {
        let Some(action) = PageAction::parse(&row.action) else {
            return Err(permanent(format!("unknown action {}", row.action)));
        };
        let page = page(&incident, contact.team.as_str(), action, row.by.clone());
        return pager.send(contact, &page).await;
    }
    let channel = desk
        .channels()
        .into_iter()
        .find(|c| c.target() == row.target);
    let Some(channel) = channel else {
        // This process has no such chat (a shell, or a replica configured differently):
        // leave it for one that has, a little later.
        return Err(SendError::Retry {
            reason: format!("{} is not set up in this opsbot", row.target),
            after: Some(Duration::from_secs(60)),
        });
    };
    let view = view(desk, &incident, contact.team.as_str()).await;
    match row.action.as_str() {
        "post" => {
            let reference = channel.post(contact, &view).await?;
            desk.store
                .set_post(&incident.id, &row.target, &reference)
                .await
                .map_err(|e| SendError::Retry {
                    reason: e.to_string(),
                    after: None,
                })
        }
        "update" => match desk.store.post(&incident.id, &row.target).await {
            Ok(Some(reference)) => channel.update(&reference, contact, &view).await,
            Ok(None) => Err(permanent("the incident was never posted there".to_string())),
            Err(e) => Err(SendError::Retry {
                reason: e.to_string(),
                after: None,
            }),
        },
        other => Err(permanent(format!("unknown action {other}"))),
    }
}

fn page(incident: &Incident, team: &str, action: PageAction, by: Option<String>) -> Page {
    Page {
        action,
        dedup_key: format!("opsbot/{}", incident.dedup_key),
        incident: incident.id.clone(),
        situation: incident.situation.clone(),
        team: team.to_string(),
        severity: incident.severity,
        summary: incident.summary.clone(),
        source: incident.source.clone(),
        details: incident.details.clone(),
        by: by
            .or_else(|| incident.changed_by.clone())
            .or_else(|| incident.raised_by.clone()),
        opened_at: incident.opened_at,
    }
}

async fn view(desk: &Desk, incident: &Incident, team: &str) -> IncidentView {
    let rows = desk
        .store
        .deliveries(Some(&incident.id), 0)
        .await
        .unwrap_or_default();
    // The last word of each pager on this incident.
    let mut pages: Vec<(String, String)> = Vec::new();
    for row in rows
        .iter()
        .filter(|d| PageAction::parse(&d.action).is_some())
    {
        let state = format!("{} {}", row.action, row.state.as_str());
        match pages.iter_mut().find(|(t, _)| *t == row.target) {
            Some(entry) => entry.1 = state,
            None => pages.push((row.target.clone(), state)),
        }
    }
    IncidentView {
        id: incident.id.clone(),
        situation: incident.situation.clone(),
        team: team.to_string(),
        severity: incident.severity,
        summary: incident.summary.clone(),
        source: incident.source.clone(),
        details: incident.details.clone(),
        state: incident.state,
        raised_by: incident.raised_by.clone(),
        changed_by: incident.changed_by.clone(),
        opened_at: incident.opened_at,
        pages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let backoff = Backoff {
            initial: Duration::from_secs(2),
            max: Duration::from_secs(60),
            retry_after_max: Duration::from_secs(300),
        };
        for attempts in 0..10 {
            let full = Duration::from_secs(2 * 2u64.pow(attempts)).min(Duration::from_secs(60));
            let delay = backoff.delay(attempts, None);
            assert!(delay >= full / 2 && delay <= full, "{attempts}: {delay:?}");
        }
        let told = backoff.delay(0, Some(Duration::from_secs(30)));
        assert!(told >= Duration::from_secs(30));
    }

    /// Issue 11 (Retry-After capped): a provider answering `Retry-After` of a week, or the
    /// largest duration there is, held the page back that long; now it waits the cap.
    #[test]
    fn a_provider_cannot_hold_a_page_back_past_the_cap() {
        let backoff = Backoff {
            initial: Duration::from_secs(2),
            max: Duration::from_secs(60),
            retry_after_max: Duration::from_secs(300),
        };
        for asked in [Duration::from_secs(7 * 86_400), Duration::MAX] {
            assert_eq!(backoff.delay(3, Some(asked)), Duration::from_secs(300));
        }
        assert_eq!(
            backoff.delay(0, Some(Duration::from_secs(120))),
            Duration::from_secs(120)
        );
    }
}
