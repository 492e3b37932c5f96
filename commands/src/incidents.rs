//! The incident desk as operations see it: raise an alert, list what was paged.
//!
//! Operations (`page`, `pages`) and the cluster watchers know only this trait. Who is called,
//! how (PagerDuty, Opsgenie, a webhook, email, the incident channel) and with what retries is
//! the bot's business behind it.

use async_trait::async_trait;

use crate::{Message, OpError, msg};

/// How bad it is. Watchers take theirs from configuration; a `page` is critical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// Something that needs people: a page typed in chat, or a condition a watcher saw.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// Stable while the incident lasts: the dedup key every pager gets. A second alert with
    /// the key of an open incident opens nothing new.
    pub key: String,
    /// A row of the contacts table: `cluster-failure`, `security-incident`, …
    pub situation: String,
    pub severity: Severity,
    /// One line for people, in no language yet.
    pub summary: Message,
    /// Where it happened: a cluster name, or `opsbot`.
    pub source: String,
    /// Facts shown under the summary (node, namespace, reason…), as typed: not translated.
    pub details: Vec<(String, String)>,
    /// Whether the pagers are called, or only the incident channel told.
    pub page: bool,
    /// The person who raised it (`slack:U…`), for a page typed in chat.
    pub raised_by: Option<String>,
}

/// What became of an alert.
#[derive(Clone, Debug, PartialEq)]
pub struct Raised {
    /// The incident's short id, as the buttons and `pages` show it.
    pub id: String,
    /// False when an open incident with the same key already existed: nothing new was sent.
    pub opened: bool,
    /// Where it is being delivered: `pagerduty`, `opsgenie`, `webhook`, `email`, `slack`, …
    pub targets: Vec<String>,
    /// Unix seconds the incident was opened.
    pub since: i64,
}

/// One delivery of the outbox, for `pages`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryView {
    pub incident: String,
    pub situation: String,
    pub target: String,
    /// `trigger`, `acknowledge`, `resolve`, `post`, `update`.
    pub action: String,
    /// `pending`, `delivered`, `failed`.
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub next_attempt_at: Option<i64>,
}

/// An incident not yet resolved, for `pages`.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenIncident {
    pub id: String,
    pub situation: String,
    pub severity: Severity,
    /// `open` or `acknowledged`.
    pub state: String,
    pub source: String,
    pub summary: String,
    /// Unix seconds.
    pub opened_at: i64,
}

/// The desk behind `page` and `pages`, and what watchers report to.
#[async_trait]
pub trait Incidents: Send + Sync {
    /// Opens an incident for `alert` (or finds the open one with its key) and queues its
    /// deliveries. Fails, changing nothing, when the situation has no row in the table.
    async fn raise(&self, alert: Alert) -> Result<Raised, OpError>;

    /// Resolves the open incident with this key, and its pages. `false` if none was open.
    async fn clear(&self, key: &str) -> Result<bool, OpError>;

    /// The latest deliveries, newest first.
    async fn deliveries(&self, limit: usize) -> Result<Vec<DeliveryView>, OpError>;

    /// Incidents open or acknowledged, oldest first.
    async fn open(&self) -> Result<Vec<OpenIncident>, OpError>;
}

/// Where paging is not set up (a plain `opsbot shell` with no contacts).
pub struct NoIncidents;

#[async_trait]
impl Incidents for NoIncidents {
    async fn raise(&self, _alert: Alert) -> Result<Raised, OpError> {
        Err(OpError::Failed(msg!("incidents-not-configured")))
    }
    async fn clear(&self, _key: &str) -> Result<bool, OpError> {
        Ok(false)
    }
    async fn deliveries(&self, _limit: usize) -> Result<Vec<DeliveryView>, OpError> {
        Ok(Vec::new())
    }
    async fn open(&self) -> Result<Vec<OpenIncident>, OpError> {
        Ok(Vec::new())
    }
}
