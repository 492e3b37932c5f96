//! The incident channel of a chat (`slack.incident_channel`, `discord.incident_channel`): one
//! message per incident, mentioning the team, with Acknowledge and Resolve buttons, updated in
//! place as the incident moves. Chat adapters implement [`IncidentChannel`]; the desk never
//! names a chat.

use async_trait::async_trait;
use commands::Contact;
use commands::Message;
use commands::incidents::Severity;

use super::SendError;

/// Where an incident stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncidentState {
    Open,
    Acknowledged,
    Resolved,
}

impl IncidentState {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentState::Open => "open",
            IncidentState::Acknowledged => "acknowledged",
            IncidentState::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<IncidentState> {
        match text {
            "open" => Some(IncidentState::Open),
            "acknowledged" => Some(IncidentState::Acknowledged),
            "resolved" => Some(IncidentState::Resolved),
            _ => None,
        }
    }
}

/// What an incident message shows. Texts are in the bot's locale already; adapters add their
/// own labels (state, buttons) from the bundles.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentView {
    /// Short id; the buttons carry `incident-ack:ID` and `incident-resolve:ID`.
    pub id: String,
    pub situation: String,
    pub team: String,
    pub severity: Severity,
    pub summary: String,
    pub source: String,
    pub details: Vec<(String, String)>,
    pub state: IncidentState,
    /// Who raised it, then who acknowledged or resolved it (`opsbot` when a watcher saw the
    /// condition clear).
    pub raised_by: Option<String>,
    pub changed_by: Option<String>,
    /// Unix seconds.
    pub opened_at: i64,
    /// Each pager target and how its delivery stands (`pagerduty: delivered`).
    pub pages: Vec<(String, String)>,
}

#[async_trait]
pub trait IncidentChannel: Send + Sync {
    /// `slack`, `discord`: the outbox's name for it.
    fn target(&self) -> &'static str;

    /// Posts the incident to the incident channel, mentioning the contact's groups or roles
    /// for this chat, with Acknowledge and Resolve buttons while it is not resolved. Returns
    /// the adapter's reference to the message (for [`IncidentChannel::update`]).
    async fn post(&self, contact: &Contact, view: &IncidentView) -> Result<String, SendError>;

    /// Rewrites the message in place (state, who, pages; no buttons once resolved) and says
    /// what changed in its thread.
    async fn update(
        &self,
        reference: &str,
        contact: &Contact,
        view: &IncidentView,
    ) -> Result<(), SendError>;

    /// Posts one plain line, mentioning nobody and with no buttons: the audit log's head,
    /// anchored outside the database where its writer cannot reach.
    async fn note(&self, text: &Message) -> Result<(), SendError>;
}
