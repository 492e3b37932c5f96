//! What Slack sends, reduced to what opsbot uses. The HTTP endpoints and Socket Mode deliver
//! the same things in different wrappings; both end up here, so both take one path.
//!
//! Everything here runs after the signature check (HTTP) or on an authenticated websocket
//! (Socket Mode).

use serde::Deserialize;
use serde_json::Value;
use slack_morphism::prelude::{SlackCommandEvent, SlackInteractionEvent};
use thiserror::Error;

use commands::Secret;

#[derive(Debug, Error)]
pub enum InboundError {
    #[error("the slash command form is malformed: {0}")]
    Form(#[from] serde_urlencoded::de::Error),
    #[error("the interaction has no payload field")]
    NoPayload,
    #[error("the payload is not JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// A slash command: `/ops TEXT` typed by `user` in `channel`.
#[derive(Clone, Debug, PartialEq)]
pub struct SlashCommand {
    pub command: String,
    pub text: String,
    pub user: String,
    pub channel: String,
    pub response_url: String,
    pub trigger_id: String,
    /// The workspace it was typed in (`T…`); empty if Slack did not say.
    pub team: String,
}

/// The form fields of a slash command (Slack sends more; they are not needed).
#[derive(Deserialize)]
struct CommandForm {
    command: String,
    #[serde(default)]
    text: String,
    user_id: String,
    channel_id: String,
    response_url: String,
    #[serde(default)]
    trigger_id: String,
    #[serde(default)]
    team_id: String,
}

impl SlashCommand {
    /// From the `application/x-www-form-urlencoded` body of `POST /slack/commands`.
    pub fn from_form(body: &[u8]) -> Result<Self, InboundError> {
        let form: CommandForm = serde_urlencoded::from_bytes(body)?;
        Ok(SlashCommand {
            command: form.command,
            text: form.text,
            user: form.user_id,
            channel: form.channel_id,
            response_url: form.response_url,
            trigger_id: form.trigger_id,
            team: form.team_id,
        })
    }

    /// From a Socket Mode `slash_commands` envelope, as slack-morphism decoded it.
    pub fn from_event(event: &SlackCommandEvent) -> Self {
        SlashCommand {
            command: event.command.to_string(),
            text: event.text.clone().unwrap_or_default(),
            user: event.user_id.to_string(),
            channel: event.channel_id.to_string(),
            response_url: event.response_url.0.to_string(),
            trigger_id: event.trigger_id.to_string(),
            team: event.team_id.to_string(),
        }
    }
}

/// An interaction: `block_actions` (button clicks, menu choices) and the modals' `view_submission`
/// and `view_closed`; other kinds are acknowledged and otherwise ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// `block_actions`, `view_submission`, `shortcut`, …
    pub kind: String,
    pub user: String,
    /// Where the clicked message is; None for clicks inside a modal.
    pub channel: Option<String>,
    /// The opaque values the clicked elements were made with.
    pub values: Vec<String>,
    pub trigger_id: String,
    pub response_url: Option<String>,
    /// The modal of a `view_submission` or `view_closed`.
    pub view: Option<ViewPayload>,
    /// The workspace of the click (`team.id`, else the user's `team_id`); empty if unsaid.
    pub team: String,
}

/// A modal as Slack hands it back: which of ours it is and what was typed into it.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewPayload {
    pub id: String,
    pub callback_id: String,
    /// What the bot put in the view when it opened it.
    pub private_metadata: String,
    /// `(block_id, action_id)` → the typed value. Kept as a [`Secret`], because a private
    /// prompt's answer is one and must not reach a log through `{:?}`.
    pub values: Vec<((String, String), Secret)>,
}

impl ViewPayload {
    fn from_value(view: &Value) -> Self {
        let field = |k: &str| {
            view.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let mut values = Vec::new();
        // state.values: { block_id: { action_id: { "type": "plain_text_input", "value": … } } }
        if let Some(blocks) = view.pointer("/state/values").and_then(Value::as_object) {
            for (block, actions) in blocks {
                for (action, input) in actions.as_object().into_iter().flatten() {
                    if let Some(value) = input.get("value").and_then(Value::as_str) {
                        values.push(((block.clone(), action.clone()), Secret::new(value)));
                    }
                }
            }
        }
        ViewPayload {
            id: field("id"),
            callback_id: field("callback_id"),
            private_metadata: field("private_metadata"),
            values,
        }
    }

    /// The value typed into `block_id`'s input, if any.
    pub fn value(&self, block_id: &str) -> Option<&Secret> {
        self.values
            .iter()
            .find(|((block, _), _)| block == block_id)
            .map(|(_, value)| value)
    }
}

impl Interaction {
    /// From the body of `POST /slack/interactions`: `payload=<urlencoded JSON>`.
    pub fn from_form(body: &[u8]) -> Result<Self, InboundError> {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body)?;
        let payload = fields
            .into_iter()
            .find(|(k, _)| k == "payload")
            .map(|(_, v)| v)
            .ok_or(InboundError::NoPayload)?;
        Ok(Self::from_value(&serde_json::from_str(&payload)?))
    }

    /// From a Socket Mode `interactive` envelope. slack-morphism's types serialise back to
    /// Slack's JSON, so both paths read the same shape.
    pub fn from_event(event: &SlackInteractionEvent) -> Result<Self, InboundError> {
        Ok(Self::from_value(&serde_json::to_value(event)?))
    }

    /// Reads the fields opsbot needs; anything missing is left empty rather than refused, as
    /// the engine decides what an empty value means.
    pub fn from_value(payload: &Value) -> Self {
        let text = |pointer: &str| {
            payload
                .pointer(pointer)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let values = payload
            .get("actions")
            .and_then(Value::as_array)
            .map(|actions| {
                actions
                    .iter()
                    .filter_map(|a| {
                        a.get("value")
                            .or_else(|| a.pointer("/selected_option/value"))
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Interaction {
            kind: text("/type").unwrap_or_default(),
            user: text("/user/id").unwrap_or_default(),
            channel: text("/channel/id").or_else(|| text("/container/channel_id")),
            values,
            trigger_id: text("/trigger_id").unwrap_or_default(),
            response_url: text("/response_url"),
            view: payload.get("view").map(ViewPayload::from_value),
            team: text("/team/id")
                .or_else(|| text("/user/team_id"))
                .unwrap_or_default(),
        }
    }
}

/// What `POST /slack/events` asks for.
#[derive(Debug, PartialEq)]
pub enum EventRequest {
    /// Slack checks the URL when it is configured: echo the challenge.
    UrlVerification {
        challenge: String,
    },
    /// An event; its id, for de-duplicating Slack's retries.
    Callback {
        event_id: String,
    },
    Other,
}

impl EventRequest {
    pub fn from_body(body: &[u8]) -> Result<Self, InboundError> {
        let value: Value = serde_json::from_slice(body)?;
        let field = |k: &str| value.get(k).and_then(Value::as_str).unwrap_or_default();
        Ok(match field("type") {
            "url_verification" => EventRequest::UrlVerification {
                challenge: field("challenge").to_string(),
            },
            "event_callback" => EventRequest::Callback {
                event_id: field("event_id").to_string(),
            },
            _ => EventRequest::Other,
        })
    }
}
