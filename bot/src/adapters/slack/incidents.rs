//! The incident channel in Slack (`slack.incident_channel`): one message per incident that
//! mentions the team's user groups, shows where the incident stands and how its pages went,
//! and carries Acknowledge / Resolve buttons (`incident-ack:ID`, `incident-resolve:ID`) until
//! it is resolved. Each change edits the message and says what changed in its thread.
//!
//! The outbox retries deliveries itself, so each call here is tried once and its failure is
//! classified for it ([`SendError`]); posts and edits still wait for the channel's pace.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use commands::incidents::Severity;
use commands::{Contact, Message, msg};
use slack_morphism::prelude::{
    SlackActionId, SlackActionsBlock, SlackBlockButtonElement, SlackBlockButtonStyle,
};

use super::encoder::{self, Rendered, escape};
use super::service::{ApiError, RetryPolicy, SlackApi};
use crate::i18n::Localizer;
use crate::paging::{IncidentChannel, IncidentState, IncidentView, SendError};

/// Slack refuses a section over this many characters.
const MAX_SECTION: usize = 3000;

pub struct SlackIncidents {
    api: Arc<SlackApi>,
    l10n: Localizer,
    channel: String,
}

impl SlackIncidents {
    pub fn new(api: Arc<SlackApi>, l10n: Localizer, channel: String) -> Self {
        SlackIncidents { api, l10n, channel }
    }
}

/// One attempt: the outbox owns the retrying, with its own backoff.
const ONCE: RetryPolicy = RetryPolicy {
    attempts: 1,
    backoff: Duration::from_secs(1),
    max_backoff: Duration::from_secs(1),
    max_retry_after: Duration::from_secs(600),
};

/// 429, 5xx and network errors may pass later; Slack's `ok:false` refusals and other 4xx not.
pub(crate) fn send_error(error: ApiError) -> SendError {
    match error {
        ApiError::Refused { .. } => SendError::Permanent {
            reason: error.to_string(),
        },
        ApiError::GaveUp { retry_after, .. } => SendError::Retry {
            reason: error.to_string(),
            after: retry_after,
        },
    }
}

#[async_trait]
impl IncidentChannel for SlackIncidents {
    fn target(&self) -> &'static str {
        crate::paging::SLACK
    }

    async fn post(&self, contact: &Contact, view: &IncidentView) -> Result<String, SendError> {
        let rendered = incident_message(&self.l10n, contact, view);
        let _turn = self.api.post_slot(&self.channel).await;
        let ts = self
            .api
            .post_message_with(ONCE, &self.channel, None, || rendered.clone())
            .await
            .map_err(send_error)?;
        Ok(format!("{}/{ts}", self.channel))
    }

    async fn update(
        &self,
        reference: &str,
        contact: &Contact,
        view: &IncidentView,
    ) -> Result<(), SendError> {
        let Some((channel, ts)) = reference.split_once('/') else {
            return Err(SendError::Permanent {
                reason: format!("not a Slack message reference: {reference}"),
            });
        };
        let rendered = incident_message(&self.l10n, contact, view);
        self.api.edit_slot(channel, ts).await;
        self.api
            .update_with(ONCE, channel, ts, || rendered.clone())
            .await
            .map_err(send_error)?;
        let change = self.l10n.text(&changed(view));
        let reply = Rendered {
            blocks: vec![encoder::section(escape(&change))],
            text: change,
            files: Vec::new(),
        };
        let _turn = self.api.post_slot(channel).await;
        self.api
            .post_message_with(ONCE, channel, Some(ts), || reply.clone())
            .await
            .map_err(send_error)?;
        Ok(())
    }

    async fn note(&self, text: &Message) -> Result<(), SendError> {
        let text = self.l10n.text(text);
        let note = Rendered {
            blocks: vec![encoder::section(escape(&text))],
            text,
            files: Vec::new(),
        };
        let _turn = self.api.post_slot(&self.channel).await;
        self.api
            .post_message_with(ONCE, &self.channel, None, || note.clone())
            .await
            .map_err(send_error)?;
        Ok(())
    }
}

/// A subject as Slack shows it: a Slack user as a mention, anyone else as written.
fn who(subject: Option<&str>) -> String {
    match subject {
        Some(s) if s.starts_with("slack:") => encoder::mention(&s["slack:".len()..]),
        Some(s) => escape(s),
        None => "opsbot".to_string(),
    }
}

/// A user group id as Slack's mention; anything but id characters is dropped, so a
/// configuration typo cannot become markup.
fn group_mention(id: &str) -> String {
    let id: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("<!subteam^{id}>")
}

fn severity(s: Severity) -> Message {
    match s {
        Severity::Info => msg!("slack-incident-sev-info"),
        Severity::Warning => msg!("slack-incident-sev-warning"),
        Severity::Error => msg!("slack-incident-sev-error"),
        Severity::Critical => msg!("slack-incident-sev-critical"),
    }
}

fn state(view: &IncidentView) -> Message {
    let by = who(view.changed_by.as_deref());
    match view.state {
        IncidentState::Open => msg!("slack-incident-state-open"),
        IncidentState::Acknowledged => msg!("slack-incident-state-acknowledged", who = by),
        IncidentState::Resolved => msg!("slack-incident-state-resolved", who = by),
    }
}

fn pages(view: &IncidentView) -> String {
    view.pages
        .iter()
        .map(|(target, stands)| format!("{target}: {stands}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the thread reply says about the change.
fn changed(view: &IncidentView) -> Message {
    let by = who(view.changed_by.as_deref());
    match view.state {
        IncidentState::Open => msg!("slack-incident-changed-open", pages = pages(view)),
        IncidentState::Acknowledged => msg!("slack-incident-changed-acknowledged", who = by),
        IncidentState::Resolved => msg!("slack-incident-changed-resolved", who = by),
    }
}

/// The incident's message as it stands.
pub(crate) fn incident_message(
    l10n: &Localizer,
    contact: &Contact,
    view: &IncidentView,
) -> Rendered {
    let mentions: Vec<String> = contact
        .slack_mentions
        .iter()
        .map(|g| group_mention(g))
        .collect();
    let mentions = mentions.join(" ");
    let level = l10n.text(&severity(view.severity));
    let title = l10n.text(&msg!(
        "slack-incident-header",
        severity = level.as_str(),
        summary = view.summary.as_str()
    ));
    let mut lines = vec![
        l10n.text(&msg!(
            "slack-incident-state",
            state = l10n.text(&state(view))
        )),
        l10n.text(&msg!("slack-incident-severity", severity = level.as_str())),
        l10n.text(&msg!(
            "slack-incident-source",
            source = escape(&view.source)
        )),
        l10n.text(&msg!(
            "slack-incident-team",
            team = escape(&view.team),
            situation = escape(&view.situation)
        )),
    ];
    lines.extend(
        view.details
            .iter()
            .map(|(k, v)| format!("*{}:* {}", escape(k), escape(v))),
    );
    lines.push(if view.pages.is_empty() {
        l10n.text(&msg!("slack-incident-no-pages"))
    } else {
        l10n.text(&msg!("slack-incident-pages", pages = escape(&pages(view))))
    });
    let summary = if mentions.is_empty() {
        escape(&view.summary)
    } else {
        format!("{mentions} {}", escape(&view.summary))
    };
    // Slack renders the date in each reader's time zone; the fallback is UTC.
    let opened = format!(
        "<!date^{}^{{date_short_pretty}} {{time}}|{}>",
        view.opened_at,
        crate::engine::expiry_text(view.opened_at)
    );
    let context = l10n.text(&msg!(
        "slack-incident-context",
        id = view.id.as_str(),
        opened = opened,
        who = who(view.raised_by.as_deref())
    ));
    let mut blocks = vec![
        encoder::header(&title),
        encoder::section(encoder::truncate(&summary, MAX_SECTION)),
        encoder::section(encoder::truncate(&lines.join("\n"), MAX_SECTION)),
        encoder::context(context),
    ];
    if view.state != IncidentState::Resolved {
        let button = |id: &str, label: Message, value: String| {
            SlackBlockButtonElement::new(l10n.text(&label).into())
                .with_action_id(SlackActionId::new(id.to_string()))
                .with_value(value)
        };
        let mut buttons = Vec::new();
        if view.state == IncidentState::Open {
            buttons.push(
                button(
                    "opsbot-incident-ack",
                    msg!("slack-incident-ack"),
                    format!("incident-ack:{}", view.id),
                )
                .with_style(SlackBlockButtonStyle::Primary)
                .into(),
            );
        }
        buttons.push(
            button(
                "opsbot-incident-resolve",
                msg!("slack-incident-resolve"),
                format!("incident-resolve:{}", view.id),
            )
            .into(),
        );
        blocks.push(SlackActionsBlock::new(buttons).into());
    }
    // The notification text carries the mentions, so the groups are notified.
    Rendered {
        text: format!("{summary} ({level}, {})", escape(&view.source)),
        blocks,
        files: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    fn contact() -> Contact {
        Contact {
            situation: "security-incident".to_string(),
            team: "Security Team".to_string(),
            slack_mentions: vec!["S0SEC<!here>".to_string()],
            discord_mentions: Vec::new(),
            pagerduty_routing_key: None,
            opsgenie_team: None,
            webhook: None,
            email: Vec::new(),
        }
    }

    fn view(state: IncidentState) -> IncidentView {
        IncidentView {
            id: "i1".to_string(),
            situation: "security-incident".to_string(),
            team: "Security Team".to_string(),
            severity: Severity::Error,
            summary: "<!channel> & friends".to_string(),
            source: "mgmt".to_string(),
            details: Vec::new(),
            state,
            raised_by: Some("slack:U0ALICE".to_string()),
            changed_by: None,
            opened_at: 0,
            pages: Vec::new(),
        }
    }

    #[test]
    fn texts_from_outside_cannot_become_markup() {
        let rendered = incident_message(
            &Localizer::new(Locale::En),
            &contact(),
            &view(IncidentState::Open),
        );
        let json = serde_json::to_string(&rendered.blocks).expect("json");
        assert!(json.contains("<!subteam^S0SEChere>"), "{json}");
        // Only mrkdwn parses mentions; the plain_text header shows the text as it is.
        let mrkdwn = json.split("\"mrkdwn\"").skip(1).collect::<String>();
        assert!(!mrkdwn.contains("<!channel>"), "{json}");
        assert!(json.contains("&lt;!channel&gt; &amp; friends"), "{json}");
        assert!(json.contains("<@U0ALICE>"), "{json}");
    }

    #[test]
    fn acknowledged_keeps_resolve_and_resolved_has_no_buttons() {
        let l10n = Localizer::new(Locale::Ko);
        let acked = incident_message(&l10n, &contact(), &view(IncidentState::Acknowledged));
        let json = serde_json::to_string(&acked.blocks).expect("json");
        assert!(json.contains("incident-resolve:i1") && !json.contains("incident-ack:i1"));
        let resolved = incident_message(&l10n, &contact(), &view(IncidentState::Resolved));
        let json = serde_json::to_string(&resolved.blocks).expect("json");
        assert!(!json.contains("\"actions\""), "{json}");
    }

    #[test]
    fn failures_map_to_the_outbox_kinds() {
        let refused = ApiError::Refused {
            method: "chat.postMessage",
            code: "channel_not_found".to_string(),
        };
        assert!(matches!(send_error(refused), SendError::Permanent { .. }));
        let limited = ApiError::GaveUp {
            method: "chat.postMessage",
            attempts: 1,
            last: "429".to_string(),
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(
            send_error(limited),
            SendError::Retry {
                reason: "chat.postMessage kept failing, gave up after 1 attempts: 429".to_string(),
                after: Some(Duration::from_secs(3)),
            }
        );
    }
}
