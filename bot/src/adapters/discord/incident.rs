//! The incident channel on Discord (`discord.incident_channel`): one bot message per
//! incident that mentions the contact's roles, shows the incident in an embed and carries
//! Acknowledge / Resolve buttons (`incident-ack:ID`, `incident-resolve:ID`) until it is
//! resolved. Updates edit that message and reply to it with what changed.
//!
//! Each call is tried once: the paging outbox retries on its own schedule, so a 429, a 5xx or
//! a network failure is [`SendError::Retry`] (with Discord's wait when it gave one) and any
//! other refusal is [`SendError::Permanent`].

use std::sync::Arc;

use async_trait::async_trait;
use commands::incidents::Severity;
use commands::{Contact, Message, msg};
use reqwest::Method;
use serde_json::{Value, json};
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton, CreateEmbed};

use super::encoder::{
    self, CONTENT_MAX, DESCRIPTION_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX, FIELDS_MAX, TITLE_MAX,
};
use super::service::{ApiError, Auth, DiscordApi};
use crate::i18n::Localizer;
use crate::paging::{IncidentChannel, IncidentState, IncidentView, SendError};

pub struct DiscordIncidents {
    api: Arc<DiscordApi>,
    l10n: Localizer,
    channel: String,
}

impl DiscordIncidents {
    pub(crate) fn new(api: Arc<DiscordApi>, l10n: Localizer, channel: String) -> Self {
        DiscordIncidents { api, l10n, channel }
    }

    /// The message: mentions first (they notify only in `content`), the embed, the buttons.
    fn body(&self, contact: &Contact, view: &IncidentView) -> Value {
        let roles: Vec<&str> = contact
            .discord_mentions
            .iter()
            .map(|r| r.trim())
            .filter(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()))
            .collect();
        let mentions: Vec<String> = roles.iter().map(|r| format!("<@&{r}>")).collect();
        let lead = self.l10n.text(&msg!(
            "discord-incident-lead",
            team = view.team.as_str(),
            situation = view.situation.as_str()
        ));
        let content = format!("{} {lead}", mentions.join(" "));
        json!({
            "content": encoder::truncate(content.trim(), CONTENT_MAX),
            "embeds": [to_json(&self.embed(view))],
            "components": self.buttons(view).iter().map(to_json).collect::<Vec<_>>(),
            // Only the contact's roles are pinged, whatever the texts contain.
            "allowed_mentions": {"parse": [], "roles": roles},
        })
    }

    fn embed(&self, view: &IncidentView) -> CreateEmbed {
        let l10n = &self.l10n;
        let title = l10n.text(&msg!(
            "discord-incident-title",
            severity = l10n.text(&Message::new(severity_id(view.severity))),
            summary = view.summary.as_str()
        ));
        let state = l10n.text(&match (&view.state, view.changed_by.as_deref()) {
            (IncidentState::Open, _) => msg!("discord-incident-state-open"),
            (IncidentState::Acknowledged, by) => {
                msg!(
                    "discord-incident-state-acknowledged",
                    by = by.unwrap_or("-")
                )
            }
            (IncidentState::Resolved, by) => {
                msg!("discord-incident-state-resolved", by = by.unwrap_or("-"))
            }
        });
        let mut fields: Vec<(String, String)> = vec![
            (
                l10n.text(&msg!("discord-incident-source")),
                view.source.clone(),
            ),
            (
                l10n.text(&msg!("discord-incident-severity")),
                l10n.text(&Message::new(severity_id(view.severity))),
            ),
            (l10n.text(&msg!("discord-incident-state")), state),
            (
                l10n.text(&msg!("discord-incident-opened")),
                // Discord shows this in each reader's own time zone.
                format!("<t:{}:f>", view.opened_at),
            ),
        ];
        if let Some(by) = &view.raised_by {
            fields.push((l10n.text(&msg!("discord-incident-raised-by")), by.clone()));
        }
        fields.extend(view.details.iter().cloned());
        if !view.pages.is_empty() {
            let pages: Vec<String> = view
                .pages
                .iter()
                .map(|(target, status)| format!("{target}: {status}"))
                .collect();
            fields.push((l10n.text(&msg!("discord-incident-pages")), pages.join("\n")));
        }
        let mut embed = CreateEmbed::new()
            .title(encoder::truncate(&title, TITLE_MAX))
            .description(encoder::truncate(&view.summary, DESCRIPTION_MAX))
            .colour(colour(view));
        for (name, value) in fields.into_iter().take(FIELDS_MAX) {
            let value = if value.trim().is_empty() {
                "-".to_string()
            } else {
                value
            };
            embed = embed.field(
                encoder::truncate(&name, FIELD_NAME_MAX),
                encoder::truncate(&value, FIELD_VALUE_MAX),
                true,
            );
        }
        embed
    }

    /// Acknowledge while open, Resolve until resolved; none once resolved.
    fn buttons(&self, view: &IncidentView) -> Vec<CreateActionRow> {
        let mut buttons = Vec::new();
        if view.state == IncidentState::Open {
            buttons.push(
                CreateButton::new(format!("incident-ack:{}", view.id))
                    .label(self.l10n.text(&msg!("discord-incident-ack")))
                    .style(ButtonStyle::Primary),
            );
        }
        if view.state != IncidentState::Resolved {
            buttons.push(
                CreateButton::new(format!("incident-resolve:{}", view.id))
                    .label(self.l10n.text(&msg!("discord-incident-resolve")))
                    .style(ButtonStyle::Success),
            );
        }
        if buttons.is_empty() {
            Vec::new()
        } else {
            vec![CreateActionRow::Buttons(buttons)]
        }
    }

    /// The short reply saying what changed.
    fn change(&self, view: &IncidentView) -> String {
        let by = view.changed_by.as_deref().unwrap_or("-");
        let message = match view.state {
            IncidentState::Open => {
                let pages: Vec<String> = view
                    .pages
                    .iter()
                    .map(|(target, status)| format!("{target}: {status}"))
                    .collect();
                msg!("discord-incident-changed-pages", pages = pages.join(", "))
            }
            IncidentState::Acknowledged => msg!("discord-incident-changed-acknowledged", by = by),
            IncidentState::Resolved => msg!("discord-incident-changed-resolved", by = by),
        };
        self.l10n.text(&message)
    }
}

#[async_trait]
impl IncidentChannel for DiscordIncidents {
    fn target(&self) -> &'static str {
        crate::paging::DISCORD
    }

    async fn post(&self, contact: &Contact, view: &IncidentView) -> Result<String, SendError> {
        let path = format!("/channels/{}/messages", self.channel);
        let message = self
            .api
            .call_once(Method::POST, &path, Auth::Bot, &self.body(contact, view))
            .await
            .map_err(send_error)?;
        message
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| SendError::Permanent {
                reason: "Discord answered without a message id".to_string(),
            })
    }

    async fn update(
        &self,
        reference: &str,
        contact: &Contact,
        view: &IncidentView,
    ) -> Result<(), SendError> {
        let path = format!("/channels/{}/messages/{reference}", self.channel);
        self.api
            .call_once(Method::PATCH, &path, Auth::Bot, &self.body(contact, view))
            .await
            .map_err(send_error)?;
        let reply = json!({
            "content": encoder::truncate(&self.change(view), CONTENT_MAX),
            "message_reference": {
                "message_id": reference,
                "channel_id": self.channel,
                "fail_if_not_exists": false,
            },
            // The update itself pings nobody.
            "allowed_mentions": {"parse": [], "replied_user": false},
        });
        let path = format!("/channels/{}/messages", self.channel);
        self.api
            .call_once(Method::POST, &path, Auth::Bot, &reply)
            .await
            .map_err(send_error)?;
        Ok(())
    }

    async fn note(&self, text: &Message) -> Result<(), SendError> {
        let path = format!("/channels/{}/messages", self.channel);
        let body = json!({
            "content": self.l10n.text(text),
            "allowed_mentions": {"parse": []},
        });
        self.api
            .call_once(Method::POST, &path, Auth::Bot, &body)
            .await
            .map_err(send_error)?;
        Ok(())
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// 429, 5xx and the network are worth another try; any other refusal is not.
fn send_error(error: ApiError) -> SendError {
    let reason = error.to_string();
    match error {
        ApiError::RateLimited(wait) => SendError::Retry {
            reason,
            after: Some(wait),
        },
        ApiError::Transport(_) => SendError::Retry {
            reason,
            after: None,
        },
        ApiError::Status { status, .. } if status >= 500 => SendError::Retry {
            reason,
            after: None,
        },
        ApiError::Status { .. } => SendError::Permanent { reason },
    }
}

fn severity_id(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "discord-incident-severity-info",
        Severity::Warning => "discord-incident-severity-warning",
        Severity::Error => "discord-incident-severity-error",
        Severity::Critical => "discord-incident-severity-critical",
    }
}

/// Red while open and serious, amber while open otherwise, blue once acknowledged, green once
/// resolved.
fn colour(view: &IncidentView) -> u32 {
    match (view.state, view.severity) {
        (IncidentState::Resolved, _) => 0x2e_cc71,
        (IncidentState::Acknowledged, _) => 0x34_98db,
        (IncidentState::Open, Severity::Critical | Severity::Error) => 0xe7_4c3c,
        (IncidentState::Open, _) => 0xf1_c40f,
    }
}
