//! Incidents and the outbox of their deliveries, as stored.
//!
//! An incident is open at most once per dedup key (the store enforces it). Every message it
//! causes is an outbox row, written in the same transaction as the change that caused it and
//! sent later, so a crash between deciding and sending loses nothing.

use commands::incidents::Severity;

use crate::paging::IncidentState;

/// An incident as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    /// Short id, shown on buttons and in `pages`.
    pub id: String,
    pub dedup_key: String,
    pub situation: String,
    pub severity: Severity,
    /// In the bot's locale, as it was when raised.
    pub summary: String,
    pub source: String,
    pub details: Vec<(String, String)>,
    /// Whether pagers were called, or only the incident channel told.
    pub paged: bool,
    pub state: IncidentState,
    pub raised_by: Option<String>,
    pub changed_by: Option<String>,
    /// Unix seconds.
    pub opened_at: i64,
    pub changed_at: i64,
}

/// A delivery to queue: one target, one action.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDelivery {
    pub id: String,
    /// `pagerduty`, `opsgenie`, `webhook`, `email`, `slack`, `discord`.
    pub target: String,
    /// `trigger`, `acknowledge`, `resolve` for pagers; `post`, `update` for chats.
    pub action: String,
    pub by: Option<String>,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    /// The provider refused it for good (a 400, an unknown channel): not retried.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryState> {
        match text {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "failed" => Some(DeliveryState::Failed),
            _ => None,
        }
    }
}

/// A delivery as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub incident_id: String,
    pub target: String,
    pub action: String,
    pub by: Option<String>,
    pub state: DeliveryState,
    pub attempts: u32,
    /// Unix milliseconds.
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    /// Unix milliseconds; orders the deliveries of one incident to one target.
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

/// What opening an incident did.
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    pub incident: Incident,
    /// False when an open incident with the same key was there already; nothing was queued.
    pub opened: bool,
}
