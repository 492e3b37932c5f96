//! Private prompts: a secret the person who ran the command types (such as a key share).
//!
//! Discord opens a modal only as the immediate answer (type 9) to an interaction, so a run
//! that needs a secret cannot open one by itself: it sends its requester an ephemeral
//! follow-up with the question and a button carrying `prompt:ID`, and the click (a fresh
//! interaction) is answered with the modal. The submission hands the value to the run waiting
//! on that id, through a oneshot, and nowhere else: it is not logged, echoed, stored or put in
//! a message. Discord's text inputs cannot mask what is typed; only the person typing sees the
//! modal. Discord says nothing when a modal is dismissed, so the button stays usable until the
//! prompt is answered or times out.

use std::sync::Arc;

use async_trait::async_trait;
use commands::{Message, Secret, msg};
use reqwest::Method;
use serde_json::{Value, json};

use super::encoder;
use super::inbound::Interaction;
use super::service::{ApiError, Auth};
use super::sink::{Chat, Origin};
use super::{Answer, CHANNEL_MESSAGE, EPHEMERAL};
use crate::i18n::Localizer;

/// What a prompt's button and modal carry before the prompt id.
pub(crate) const PROMPT_PREFIX: &str = "prompt:";
/// The custom_id of the modal's one text input.
pub(crate) const INPUT_ID: &str = "secret";
/// Interaction response type: open a modal.
const MODAL: u8 = 9;
/// Component types and styles (Discord's numbers).
const ACTION_ROW: u8 = 1;
const BUTTON: u8 = 2;
const TEXT_INPUT: u8 = 4;
const PRIMARY: u8 = 1;
const SHORT: u8 = 1;
/// Discord's limits on a modal's title, a text input's label and its value.
const MAX_TITLE: usize = 45;
const MAX_LABEL: usize = 45;
const MAX_VALUE: u64 = 4000;
/// Discord's limit on a button's label.
const MAX_BUTTON: usize = 80;

pub(crate) use crate::adapters::prompts::{Prompts, Refusal};

/// A run's private questions to its requester: the engine's [`commands::Prompt`] for Discord.
pub(crate) struct Asker {
    pub chat: Arc<Chat>,
    pub origin: Origin,
}

#[async_trait]
impl commands::Prompt for Asker {
    async fn secret(&self, question: &Message) -> Option<Secret> {
        let chat = &self.chat;
        let question = chat.l10n.text(question);
        let (id, answer) = chat.prompts.open(&self.origin.user, &question);
        let shown = match post(
            chat,
            &self.origin,
            &prompt_message(&chat.l10n, &question, &id),
        )
        .await
        {
            Ok(shown) => shown,
            Err(e) => {
                tracing::error!(error = %e, user = %self.origin.user, "a private prompt could not be shown");
                chat.prompts.forget(&id);
                return None;
            }
        };
        let answered = tokio::time::timeout(chat.prompts.timeout, answer).await;
        chat.prompts.forget(&id);
        // The button is of no use any more: the follow-up goes, so no stale prompt is left.
        if let Shown::Followup(message) = &shown {
            remove(chat, &self.origin, message).await;
        }
        match answered {
            Ok(Ok(answer)) => answer.filter(|s| !s.is_empty()),
            Ok(Err(_)) => None,
            Err(_) => {
                let expired = encoder::sentence("✗", &chat.l10n, &msg!("discord-prompt-expired"));
                if let Err(e) = post(chat, &self.origin, &notice(&expired)).await {
                    tracing::warn!(error = %e, "an expired prompt could not be reported");
                }
                None
            }
        }
    }
}

/// Where a prompt's message went.
enum Shown {
    /// An ephemeral follow-up of the interaction, by message id.
    Followup(String),
    /// A channel message (the interaction token had expired); it stays, its button stale.
    Channel,
}

/// Posts a message for the origin's person: an ephemeral follow-up while the interaction
/// token is good, else (ephemeral being impossible with the bot token) a channel message.
async fn post(chat: &Chat, origin: &Origin, body: &Value) -> Result<Shown, ApiError> {
    let token_good = !origin.token.is_empty() && origin.received.elapsed() < chat.token_lifetime;
    if token_good {
        let path = format!(
            "/webhooks/{}/{}?wait=true",
            chat.api.application_id, origin.token
        );
        let message = chat
            .api
            .call(Method::POST, &path, Auth::Webhook, body, &[])
            .await?;
        let id = message
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Ok(Shown::Followup(id.to_string()))
    } else {
        let path = format!("/channels/{}/messages", origin.channel);
        let mut body = body.clone();
        if let Some(map) = body.as_object_mut() {
            map.remove("flags");
        }
        chat.api
            .call(Method::POST, &path, Auth::Bot, &body, &[])
            .await?;
        Ok(Shown::Channel)
    }
}

/// Deletes an answered prompt's ephemeral follow-up (the token's only way to remove it).
async fn remove(chat: &Chat, origin: &Origin, message: &str) {
    if message.is_empty() || origin.received.elapsed() >= chat.token_lifetime {
        return;
    }
    let path = format!(
        "/webhooks/{}/{}/messages/{message}",
        chat.api.application_id, origin.token
    );
    if let Err(e) = chat
        .api
        .call(Method::DELETE, &path, Auth::Webhook, &Value::Null, &[])
        .await
    {
        tracing::info!(error = %e, "an answered prompt's message stays");
    }
}

/// An ephemeral text message body.
fn notice(text: &str) -> Value {
    json!({
        "content": encoder::truncate(text, encoder::CONTENT_MAX),
        "flags": EPHEMERAL,
        "allowed_mentions": {"parse": []},
    })
}

/// The ephemeral message that stands for a prompt: the question and one button.
pub(crate) fn prompt_message(l10n: &Localizer, question: &str, id: &str) -> Value {
    let text = l10n.text(&msg!("discord-prompt-ask", question = question));
    let label = l10n.text(&msg!("discord-prompt-button"));
    let mut body = notice(&text);
    body["components"] = json!([{
        "type": ACTION_ROW,
        "components": [{
            "type": BUTTON,
            "style": PRIMARY,
            "label": encoder::truncate(&label, MAX_BUTTON),
            "custom_id": format!("{PROMPT_PREFIX}{id}"),
        }],
    }]);
    body
}

/// The prompt's modal (response type 9): its question as the one short input's label.
pub(crate) fn prompt_modal(l10n: &Localizer, id: &str, question: &str) -> Value {
    json!({
        "type": MODAL,
        "data": {
            "custom_id": format!("{PROMPT_PREFIX}{id}"),
            "title": encoder::truncate(&l10n.text(&msg!("discord-prompt-title")), MAX_TITLE),
            "components": [{
                "type": ACTION_ROW,
                "components": [{
                    "type": TEXT_INPUT,
                    "custom_id": INPUT_ID,
                    "style": SHORT,
                    "label": encoder::truncate(question, MAX_LABEL),
                    "required": true,
                    "min_length": 1,
                    "max_length": MAX_VALUE,
                }],
            }],
        },
    })
}

/// An immediate ephemeral answer (type 4, flags 64) to an interaction.
fn ephemeral_answer(l10n: &Localizer, mark: &str, message: &Message) -> Answer {
    Answer::Json(json!({
        "type": CHANNEL_MESSAGE,
        "data": notice(&encoder::sentence(mark, l10n, message)),
    }))
}

fn refusal_answer(l10n: &Localizer, refusal: Refusal) -> Answer {
    let message = match refusal {
        Refusal::Stale => msg!("discord-prompt-stale"),
        Refusal::NotYours => msg!("discord-prompt-not-yours"),
    };
    ephemeral_answer(l10n, "✗", &message)
}

/// A click on `prompt:ID`: the modal for the person it is for; anyone else is told no.
pub(crate) fn click(chat: &Chat, interaction: &Interaction, id: &str) -> Answer {
    let Some(user) = interaction.user_id() else {
        return Answer::BadRequest("no user");
    };
    match chat.prompts.question(id, user) {
        Ok(question) => Answer::Json(prompt_modal(&chat.l10n, id, &question)),
        Err(refusal) => {
            tracing::info!(?refusal, user, "a private prompt's button was refused");
            refusal_answer(&chat.l10n, refusal)
        }
    }
}

/// A submitted modal (interaction type 5): a prompt's answer goes to its run, and nowhere
/// else; a refusal is logged without the value.
pub(crate) fn submit(chat: &Chat, interaction: &Interaction) -> Answer {
    let Some(user) = interaction.user_id() else {
        return Answer::BadRequest("no user");
    };
    let Some(data) = interaction.data.as_ref() else {
        return Answer::BadRequest("no data");
    };
    let Some(id) = data
        .custom_id
        .as_deref()
        .and_then(|c| c.strip_prefix(PROMPT_PREFIX))
    else {
        return Answer::BadRequest("modal");
    };
    let answer = data.input(INPUT_ID).cloned();
    match chat.prompts.answer(id, user, answer) {
        Ok(_) => ephemeral_answer(&chat.l10n, "✓", &msg!("discord-prompt-received")),
        Err(refusal) => {
            tracing::info!(?refusal, user, "a private prompt's answer was refused");
            refusal_answer(&chat.l10n, refusal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    fn submission(custom_id: &str, user: &str, typed: &str) -> Interaction {
        let body = json!({
            "type": 5, "id": "1", "application_id": "A", "token": "T", "channel_id": "C",
            "member": {"user": {"id": user}, "roles": []},
            "data": {"custom_id": custom_id, "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": INPUT_ID, "value": typed}]}
            ]}
        });
        Interaction::from_body(body.to_string().as_bytes()).expect("parse")
    }

    #[test]
    fn a_submitted_value_is_read_and_never_printed() {
        let interaction = submission("prompt:abc", "200", "s3cret");
        let data = interaction.data.as_ref().expect("data");
        assert_eq!(data.input(INPUT_ID).map(Secret::expose), Some("s3cret"));
        assert_eq!(data.input("other"), None);
        assert!(!format!("{interaction:?}").contains("s3cret"));
    }

    #[test]
    fn the_modal_has_one_short_required_input_within_discord_limits() {
        let l10n = Localizer::new(Locale::Ko);
        let modal = prompt_modal(&l10n, "abc", &"열쇠 조각 1/3 ".repeat(10));
        assert_eq!(modal["type"], MODAL);
        assert_eq!(modal["data"]["custom_id"], "prompt:abc");
        let rows = modal["data"]["components"].as_array().expect("rows");
        assert_eq!(rows.len(), 1);
        let inputs = rows[0]["components"].as_array().expect("inputs");
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0]["type"], TEXT_INPUT);
        assert_eq!(inputs[0]["style"], SHORT);
        assert_eq!(inputs[0]["required"], true);
        let label = inputs[0]["label"].as_str().expect("label");
        assert!(label.chars().count() <= MAX_LABEL);
        let title = modal["data"]["title"].as_str().expect("title");
        assert!(!title.is_empty() && title.chars().count() <= MAX_TITLE);
    }

    #[test]
    fn the_prompt_message_is_ephemeral_and_carries_only_the_prompt_id() {
        let body = prompt_message(&Localizer::new(Locale::En), "Key share 1 of 3", "abc");
        assert_eq!(body["flags"], EPHEMERAL);
        assert_eq!(
            body["components"][0]["components"][0]["custom_id"],
            "prompt:abc"
        );
        assert!(
            body["content"]
                .as_str()
                .expect("content")
                .contains("Key share 1 of 3")
        );
    }
}
