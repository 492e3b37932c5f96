//! PagerDuty Events API v2: one `POST /v2/enqueue` per trigger, acknowledge or resolve.
//!
//! The routing key says which service; `dedup_key` ties the three actions of one incident
//! together, so a repeated trigger updates the open incident instead of opening another.
//! PagerDuty allows 120 events a minute per routing key, so each key has its own pacer.

use std::num::NonZeroU32;

use async_trait::async_trait;
use commands::Contact;
use commands::incidents::Severity;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::{Map, Value, json};
use url::Url;

use super::{PagerSetupError, http};
use crate::paging::text::Redactor;
use crate::paging::{Page, PageAction, Pager, SendError};

/// Events API v2 limits, in characters.
const SUMMARY_MAX: usize = 1024;
const SOURCE_MAX: usize = 255;
/// Not a PagerDuty limit (the whole event may be 512 KB); keeps one noisy detail from
/// crowding out the others.
const DETAIL_MAX: usize = 4096;
const PER_MINUTE: NonZeroU32 = match NonZeroU32::new(120) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

pub(super) fn reaches(contact: &Contact) -> bool {
    contact
        .pagerduty_routing_key
        .as_ref()
        .is_some_and(|k| !k.is_empty())
}

/// Sends events to `{paging.pagerduty_url}/v2/enqueue`.
pub struct PagerDutyPager {
    enqueue: Url,
    client: reqwest::Client,
    redactor: Redactor,
    /// Keyed by routing key: the limit is per integration.
    pacing: DefaultKeyedRateLimiter<String>,
}

impl PagerDutyPager {
    pub(super) fn new(
        base: &str,
        client: reqwest::Client,
        redactor: Redactor,
    ) -> Result<PagerDutyPager, PagerSetupError> {
        let base = http::parse_base(base, "paging.pagerduty_url")?;
        Ok(PagerDutyPager {
            enqueue: http::join(&base, &["v2", "enqueue"]),
            client,
            redactor,
            pacing: RateLimiter::keyed(Quota::per_minute(PER_MINUTE)),
        })
    }

    /// The event as PagerDuty reads it; acknowledge and resolve carry only the keys.
    fn event(&self, routing_key: &str, page: &Page) -> Value {
        let mut event = json!({
            "routing_key": routing_key,
            "event_action": page.action.as_str(),
            "dedup_key": page.dedup_key,
        });
        if page.action == PageAction::Trigger {
            event["payload"] = json!({
                "summary": self.redactor.clean(&page.summary, SUMMARY_MAX),
                "source": self.redactor.clean(&page.source, SOURCE_MAX),
                "severity": severity(page.severity),
                "group": page.situation,
                "class": page.situation,
                "custom_details": self.custom_details(page),
            });
            if let Some(timestamp) = timestamp(page.opened_at) {
                event["payload"]["timestamp"] = json!(timestamp);
            }
            event["client"] = json!("opsbot");
        }
        event
    }

    fn custom_details(&self, page: &Page) -> Value {
        let mut details = Map::new();
        for (name, value) in &page.details {
            details.insert(
                self.redactor.clean(name, 100),
                Value::String(self.redactor.clean(value, DETAIL_MAX)),
            );
        }
        details.insert("situation".into(), json!(page.situation));
        details.insert("team".into(), json!(page.team));
        details.insert("incident".into(), json!(page.incident));
        if let Some(by) = &page.by {
            details.insert("by".into(), json!(by));
        }
        Value::Object(details)
    }
}

/// PagerDuty's four severities are ours.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// ISO 8601, as the payload's `timestamp` wants; absent when the time is not representable.
fn timestamp(unix_seconds: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(unix_seconds, 0).map(|t| t.to_rfc3339())
}

#[async_trait]
impl Pager for PagerDutyPager {
    fn target(&self) -> &'static str {
        "pagerduty"
    }

    fn reaches(&self, contact: &Contact) -> bool {
        reaches(contact)
    }

    fn takes(&self, _action: PageAction) -> bool {
        true
    }

    async fn send(&self, contact: &Contact, page: &Page) -> Result<(), SendError> {
        let Some(key) = contact
            .pagerduty_routing_key
            .as_ref()
            .filter(|k| !k.is_empty())
        else {
            return Err(SendError::Permanent {
                reason: format!(
                    "contact `{}` has no pagerduty_routing_key",
                    contact.situation
                ),
            });
        };
        let routing_key = key.expose().to_string();
        self.pacing.until_key_ready(&routing_key).await;
        let request = self
            .client
            .post(self.enqueue.clone())
            .json(&self.event(&routing_key, page));
        http::deliver(request, "PagerDuty", &self.redactor).await
    }
}
