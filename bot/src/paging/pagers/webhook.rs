//! A generic JSON webhook: `POST` to the contact's `webhook` URL, any 2xx is delivered.
//!
//! The body, version 1 (fields are only ever added; a change of meaning bumps `version`):
//!
//! ```json
//! {
//!   "version": 1,
//!   "action": "trigger",              // trigger | acknowledge | resolve
//!   "dedup_key": "cluster-failure/app1/node/w1",  // the same for all three actions
//!   "incident": "inc-42",             // the incident's short id
//!   "situation": "cluster-failure",
//!   "team": "Platform Team",
//!   "severity": "critical",           // critical | error | warning | info
//!   "summary": "node w1 NotReady",    // at most 4000 characters, secrets masked
//!   "source": "app1",                 // a cluster, or `opsbot`
//!   "details": {"node": "w1"},        // name → text, secrets masked
//!   "by": "slack:U012ABC",            // or null; `opsbot` for a watcher
//!   "opened_at": 1764131072           // Unix seconds
//! }
//! ```
//!
//! The URL itself may be a credential (Slack-style incoming hooks), so it never appears in a
//! reason or a log line.

use std::num::NonZeroU32;

use async_trait::async_trait;
use commands::Contact;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::{Map, Value, json};
use url::Url;

use super::{PagerSetupError, http};
use crate::paging::text::Redactor;
use crate::paging::{Page, PageAction, Pager, SendError};

/// Not a protocol limit: keeps a body small enough for any receiver.
const SUMMARY_MAX: usize = 4000;
const DETAIL_MAX: usize = 4000;
/// Per URL: a receiver we know nothing about should not see a burst.
const PER_SECOND: NonZeroU32 = match NonZeroU32::new(5) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

pub(super) fn reaches(contact: &Contact) -> bool {
    contact
        .webhook
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
}

/// The contact's webhook must be an http(s) URL; checked when the pagers are built.
pub(super) fn check_url(contact: &Contact) -> Result<Url, PagerSetupError> {
    let text = contact.webhook.as_deref().unwrap_or_default();
    http::parse_base(text, &format!("contacts.{}.webhook", contact.situation))
}

/// Posts the version-1 body to each contact's own URL.
pub struct WebhookPager {
    client: reqwest::Client,
    redactor: Redactor,
    pacing: DefaultKeyedRateLimiter<String>,
}

impl WebhookPager {
    pub(super) fn new(client: reqwest::Client, redactor: Redactor) -> WebhookPager {
        WebhookPager {
            client,
            redactor,
            pacing: RateLimiter::keyed(Quota::per_second(PER_SECOND)),
        }
    }

    fn body(&self, page: &Page) -> Value {
        let details: Map<String, Value> = page
            .details
            .iter()
            .map(|(name, value)| {
                (
                    self.redactor.clean(name, 200),
                    Value::String(self.redactor.clean(value, DETAIL_MAX)),
                )
            })
            .collect();
        json!({
            "version": 1,
            "action": page.action.as_str(),
            "dedup_key": page.dedup_key,
            "incident": page.incident,
            "situation": page.situation,
            "team": page.team,
            "severity": page.severity.as_str(),
            "summary": self.redactor.clean(&page.summary, SUMMARY_MAX),
            "source": self.redactor.clean(&page.source, 255),
            "details": details,
            "by": page.by,
            "opened_at": page.opened_at,
        })
    }
}

#[async_trait]
impl Pager for WebhookPager {
    fn target(&self) -> &'static str {
        "webhook"
    }

    fn reaches(&self, contact: &Contact) -> bool {
        reaches(contact)
    }

    fn takes(&self, _action: PageAction) -> bool {
        true
    }

    async fn send(&self, contact: &Contact, page: &Page) -> Result<(), SendError> {
        let url = check_url(contact).map_err(|_| SendError::Permanent {
            reason: format!("contact `{}` has no usable webhook URL", contact.situation),
        })?;
        self.pacing.until_key_ready(&url.to_string()).await;
        let request = self.client.post(url).json(&self.body(page));
        http::deliver(request, "the webhook", &self.redactor).await
    }
}
