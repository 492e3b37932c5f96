//! Opsgenie Alert API v2: create an alert for the contact's team, then acknowledge or close
//! it by alias.
//!
//! The alias is the page's dedup key, so Opsgenie itself folds a repeated trigger into the
//! open alert. Opsgenie answers 202 and works asynchronously; its request limits are a few a
//! second per account, so one pacer serves every team.

use std::num::NonZeroU32;

use async_trait::async_trait;
use commands::incidents::Severity;
use commands::{Contact, Secret};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde_json::{Map, Value, json};
use url::Url;

use super::{PagerSetupError, http};
use crate::paging::text::{Redactor, cut};
use crate::paging::{Page, PageAction, Pager, SendError};

/// Alert API limits, in characters.
const MESSAGE_MAX: usize = 130;
const ALIAS_MAX: usize = 512;
const DESCRIPTION_MAX: usize = 15000;
const SOURCE_MAX: usize = 100;
const USER_MAX: usize = 100;
const NOTE_MAX: usize = 25000;
const DETAIL_KEY_MAX: usize = 100;
/// Opsgenie caps the details map at 8000 characters in all; a share each keeps them all.
const DETAIL_VALUE_MAX: usize = 1000;
const PER_SECOND: NonZeroU32 = match NonZeroU32::new(3) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

pub(super) fn reaches(contact: &Contact) -> bool {
    contact
        .opsgenie_team
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty())
}

/// Sends alerts to `{paging.opsgenie_url}/v2/alerts` with the account's API key.
pub struct OpsgeniePager {
    base: Url,
    api_key: Secret,
    client: reqwest::Client,
    redactor: Redactor,
    pacing: DefaultDirectRateLimiter,
}

impl OpsgeniePager {
    pub(super) fn new(
        base: &str,
        api_key: Secret,
        client: reqwest::Client,
        redactor: Redactor,
    ) -> Result<OpsgeniePager, PagerSetupError> {
        Ok(OpsgeniePager {
            base: http::parse_base(base, "paging.opsgenie_url")?,
            api_key,
            client,
            // `Redactor::for_paging` knows the key already.
            redactor,
            pacing: RateLimiter::direct(Quota::per_second(PER_SECOND)),
        })
    }

    /// Where the action goes: create, or `{alias}/acknowledge|close?identifierType=alias`.
    fn url(&self, page: &Page) -> Url {
        let alias = alias(page);
        let mut url = match page.action {
            PageAction::Trigger => return http::join(&self.base, &["v2", "alerts"]),
            PageAction::Acknowledge => {
                http::join(&self.base, &["v2", "alerts", &alias, "acknowledge"])
            }
            PageAction::Resolve => http::join(&self.base, &["v2", "alerts", &alias, "close"]),
        };
        url.query_pairs_mut().append_pair("identifierType", "alias");
        url
    }

    fn body(&self, team: &str, page: &Page) -> Value {
        let user = page
            .by
            .as_deref()
            .map(|by| self.redactor.clean(by, USER_MAX));
        let source = self.redactor.clean(&page.source, SOURCE_MAX);
        match page.action {
            PageAction::Trigger => {
                let mut body = json!({
                    "message": self.redactor.clean(&page.summary, MESSAGE_MAX),
                    "alias": alias(page),
                    "description": self.redactor.clean(&description(page), DESCRIPTION_MAX),
                    "responders": [{"name": team, "type": "team"}],
                    "priority": priority(page.severity),
                    "details": self.details(page),
                    "source": source,
                    "tags": [cut(&page.situation, 50)],
                });
                if let Some(user) = user {
                    body["user"] = json!(user);
                }
                body
            }
            PageAction::Acknowledge | PageAction::Resolve => {
                let mut body = json!({
                    "source": source,
                    "note": self.redactor.clean(
                        &format!("{} by opsbot: {}", page.action.as_str(), page.summary),
                        NOTE_MAX,
                    ),
                });
                if let Some(user) = user {
                    body["user"] = json!(user);
                }
                body
            }
        }
    }

    fn details(&self, page: &Page) -> Value {
        let mut details = Map::new();
        details.insert("situation".into(), json!(cut(&page.situation, 200)));
        details.insert("team".into(), json!(cut(&page.team, 200)));
        details.insert("incident".into(), json!(cut(&page.incident, 200)));
        // Room for six more within Opsgenie's 8000 characters.
        for (name, value) in page.details.iter().take(6) {
            details.insert(
                self.redactor.clean(name, DETAIL_KEY_MAX),
                Value::String(self.redactor.clean(value, DETAIL_VALUE_MAX)),
            );
        }
        Value::Object(details)
    }
}

/// The dedup key, cut the same way for create, acknowledge and close.
fn alias(page: &Page) -> String {
    cut(&page.dedup_key, ALIAS_MAX)
}

/// Opsgenie's P1 (critical) to P5 (informational).
fn priority(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "P1",
        Severity::Error => "P2",
        Severity::Warning => "P3",
        Severity::Info => "P5",
    }
}

/// The long text: the whole summary (the message is cut to 130) and every detail.
fn description(page: &Page) -> String {
    let mut text = format!(
        "{}\n\nsituation: {}\nteam: {}\nincident: {}\nseverity: {}\nsource: {}",
        page.summary,
        page.situation,
        page.team,
        page.incident,
        page.severity.as_str(),
        page.source,
    );
    for (name, value) in &page.details {
        text.push_str(&format!("\n{name}: {value}"));
    }
    text
}

#[async_trait]
impl Pager for OpsgeniePager {
    fn target(&self) -> &'static str {
        "opsgenie"
    }

    fn reaches(&self, contact: &Contact) -> bool {
        reaches(contact)
    }

    fn takes(&self, _action: PageAction) -> bool {
        true
    }

    async fn send(&self, contact: &Contact, page: &Page) -> Result<(), SendError> {
        let Some(team) = contact
            .opsgenie_team
            .as_deref()
            .filter(|t| !t.trim().is_empty())
        else {
            return Err(SendError::Permanent {
                reason: format!("contact `{}` has no opsgenie_team", contact.situation),
            });
        };
        let mut authorization =
            HeaderValue::from_str(&format!("GenieKey {}", self.api_key.expose())).map_err(
                |_| SendError::Permanent {
                    reason: "paging.opsgenie_api_key has characters a header cannot hold".into(),
                },
            )?;
        // Kept out of any Debug output of the request.
        authorization.set_sensitive(true);
        self.pacing.until_ready().await;
        let request = self
            .client
            .post(self.url(page))
            .header(AUTHORIZATION, authorization)
            .json(&self.body(team, page));
        http::deliver(request, "Opsgenie", &self.redactor).await
    }
}
