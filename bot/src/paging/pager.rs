//! A pager: one way of calling people (PagerDuty, Opsgenie, a webhook, email).
//!
//! The outbox hands each pager one [`Page`] at a time and decides from the [`SendError`] whether
//! to try again. Pagers cut texts to their provider's limits and never put a credential in one;
//! credentials come from the contact row and `[paging]` when the page is sent, so the state
//! store never holds them.

use std::time::Duration;

use async_trait::async_trait;
use commands::Contact;
use commands::incidents::Severity;
use thiserror::Error;

/// What a delivery asks the provider to do with the incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageAction {
    Trigger,
    Acknowledge,
    Resolve,
}

impl PageAction {
    pub fn as_str(self) -> &'static str {
        match self {
            PageAction::Trigger => "trigger",
            PageAction::Acknowledge => "acknowledge",
            PageAction::Resolve => "resolve",
        }
    }

    pub fn parse(text: &str) -> Option<PageAction> {
        match text {
            "trigger" => Some(PageAction::Trigger),
            "acknowledge" => Some(PageAction::Acknowledge),
            "resolve" => Some(PageAction::Resolve),
            _ => None,
        }
    }
}

/// One page as a provider sees it. Texts are in the bot's locale and not yet cut.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub action: PageAction,
    /// The same for trigger, acknowledge and resolve of one incident.
    pub dedup_key: String,
    /// The incident's short id.
    pub incident: String,
    pub situation: String,
    pub team: String,
    pub severity: Severity,
    pub summary: String,
    /// Where: a cluster, or `opsbot`.
    pub source: String,
    pub details: Vec<(String, String)>,
    /// Who raised, acknowledged or resolved it (`slack:U…`, or `opsbot` for a watcher).
    pub by: Option<String>,
    /// Unix seconds.
    pub opened_at: i64,
}

/// Why a delivery did not happen.
#[derive(Debug, Error, PartialEq)]
pub enum SendError {
    /// 429, 5xx, a network error: try again later (after `after` when the provider said).
    #[error("{reason}")]
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    /// 4xx other than 429, or a contact this pager cannot reach: trying again cannot help.
    #[error("{reason}")]
    Permanent { reason: String },
}

#[async_trait]
pub trait Pager: Send + Sync {
    /// `pagerduty`, `opsgenie`, `webhook`, `email`: the outbox's name for it.
    fn target(&self) -> &'static str;

    /// Whether `contact` has this pager (a routing key, a team, a URL, addresses).
    fn reaches(&self, contact: &Contact) -> bool;

    /// Whether the provider has a notion of `action` (email has no acknowledge).
    fn takes(&self, action: PageAction) -> bool;

    /// Sends it, waiting for the provider's rate limit first.
    async fn send(&self, contact: &Contact, page: &Page) -> Result<(), SendError>;
}
