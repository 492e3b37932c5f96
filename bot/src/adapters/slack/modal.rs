//! Modals: a private prompt (a secret the person who ran the command types, such as a key
//! share) and the reason for a Deny.
//!
//! A modal can only be opened with a `trigger_id`, and a trigger_id lives three seconds, so a
//! run that needs a secret cannot open one by itself: it posts an ephemeral message to its
//! requester with a button carrying `prompt:ID`, and the click (a fresh trigger_id) opens the
//! modal. The submission hands the value to the run waiting on that id, through a oneshot,
//! and nowhere else: it is not logged, echoed, stored or put in a message. Slack's
//! plain_text_input cannot mask what is typed; only the person typing sees the modal.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use commands::{Message, Secret, msg};
use serde_json::json;
use slack_morphism::prelude::{
    SlackActionId, SlackActionsBlock, SlackApiChatPostEphemeralRequest, SlackApiViewsOpenRequest,
    SlackBlockButtonElement, SlackBlockId, SlackBlockPlainTextInputElement, SlackCallbackId,
    SlackChannelId, SlackInputBlock, SlackInputBlockElement, SlackModalView, SlackTriggerId,
    SlackUserId, SlackView,
};

use super::encoder::{self, Rendered};
use super::inbound::ViewPayload;
use super::service::{ApiError, SlackApi};
use super::sink::{Chat, Origin, tell};
use crate::i18n::Localizer;

/// The `callback_id`s of our modals, so a submission is routed back to what opened it.
pub(crate) const PROMPT_CALLBACK: &str = "opsbot-prompt";
pub(crate) const DENY_CALLBACK: &str = "opsbot-deny";
/// The one input block of each modal.
pub(crate) const INPUT_BLOCK: &str = "opsbot-input";
const INPUT_ACTION: &str = "value";
/// Slack's limit on a modal's title.
const MAX_TITLE: usize = 24;
/// Slack's limit on an input block's label.
const MAX_LABEL: usize = 2000;

pub(crate) use crate::adapters::prompts::{Prompts, Refusal};

/// A run's private questions to its requester: the engine's [`commands::Prompt`] for Slack.
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
        let rendered = prompt_message(&chat.l10n, &question, &id);
        let shown = chat
            .api
            .post_ephemeral_rendered(&self.origin.channel, &self.origin.user, &rendered)
            .await;
        if let Err(e) = shown {
            tracing::error!(error = %e, user = %self.origin.user, "a private prompt could not be shown");
            chat.prompts.forget(&id);
            return None;
        }
        let answered = tokio::time::timeout(chat.prompts.timeout, answer).await;
        chat.prompts.forget(&id);
        match answered {
            Ok(Ok(answer)) => answer.filter(|s| !s.is_empty()),
            Ok(Err(_)) => None,
            Err(_) => {
                let expired = encoder::sentence("✗", &chat.l10n, &msg!("slack-prompt-expired"));
                tell(chat, &self.origin, expired);
                None
            }
        }
    }
}

/// The ephemeral message that stands for a prompt: the question and one button.
pub(crate) fn prompt_message(l10n: &Localizer, question: &str, id: &str) -> Rendered {
    let text = l10n.text(&msg!("slack-prompt-ask", question = question));
    let button = SlackBlockButtonElement::new(l10n.text(&msg!("slack-prompt-button")).into())
        .with_action_id(SlackActionId::new("opsbot-prompt".to_string()))
        .with_value(format!("prompt:{id}"));
    Rendered {
        blocks: vec![
            encoder::section(encoder::escape(&text)),
            SlackActionsBlock::new(vec![button.into()]).into(),
        ],
        text,
        files: Vec::new(),
    }
}

/// A modal with one text input, routed back by `callback` with `metadata`.
fn input_modal(
    title: String,
    label: String,
    submit: String,
    close: String,
    callback: &str,
    metadata: String,
    multiline: bool,
) -> SlackView {
    let element = SlackBlockPlainTextInputElement::new()
        .with_action_id(SlackActionId::new(INPUT_ACTION.to_string()))
        .with_multiline(multiline);
    let input = SlackInputBlock::new(
        encoder::truncate(&label, MAX_LABEL).into(),
        SlackInputBlockElement::PlainTextInput(element),
    )
    .with_block_id(SlackBlockId::new(INPUT_BLOCK.to_string()));
    SlackView::Modal(
        SlackModalView::new(
            encoder::truncate(&title, MAX_TITLE).into(),
            vec![input.into()],
        )
        .with_submit(encoder::truncate(&submit, MAX_TITLE).into())
        .with_close(encoder::truncate(&close, MAX_TITLE).into())
        .with_callback_id(SlackCallbackId::new(callback.to_string()))
        .with_private_metadata(metadata)
        // view_closed tells the waiting run that nothing will come.
        .with_notify_on_close(true),
    )
}

/// The prompt's modal: its question as the label, its id as the metadata.
pub(crate) fn prompt_view(l10n: &Localizer, id: &str, question: &str) -> SlackView {
    input_modal(
        l10n.text(&msg!("slack-prompt-title")),
        question.to_string(),
        l10n.text(&msg!("slack-prompt-submit")),
        l10n.text(&msg!("slack-prompt-cancel")),
        PROMPT_CALLBACK,
        id.to_string(),
        false,
    )
}

/// What a deny modal remembers: the button's value and where the card is.
pub(crate) fn deny_metadata(value: &str, channel: &str) -> String {
    json!({ "value": value, "channel": channel }).to_string()
}

/// The button value and channel from a deny modal's metadata, if it is one of ours.
pub(crate) fn read_deny_metadata(metadata: &str) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(metadata).ok()?;
    let value = v.get("value")?.as_str()?;
    let channel = v.get("channel")?.as_str()?;
    value
        .starts_with("deny:")
        .then(|| (value.to_string(), channel.to_string()))
}

pub(crate) fn deny_view(l10n: &Localizer, value: &str, channel: &str) -> SlackView {
    input_modal(
        l10n.text(&msg!("slack-deny-title")),
        l10n.text(&msg!("slack-deny-label")),
        l10n.text(&msg!("slack-deny-submit")),
        l10n.text(&msg!("slack-prompt-cancel")),
        DENY_CALLBACK,
        deny_metadata(value, channel),
        true,
    )
}

/// A click on `prompt:ID`: opens the modal for the person it is for; anyone else is told no.
pub(crate) async fn open_prompt(chat: &Arc<Chat>, origin: &Origin, id: &str, trigger_id: &str) {
    let refusal = match chat.prompts.question(id, &origin.user) {
        Ok(question) => {
            chat.prompts.clicked(id, origin.response_url.clone());
            let view = prompt_view(&chat.l10n, id, &question);
            match chat.api.views_open(trigger_id, view).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "a private prompt's modal could not be opened");
                    let reason = e.code().unwrap_or("unavailable").to_string();
                    msg!("slack-prompt-unavailable", error = reason)
                }
            }
        }
        Err(Refusal::Stale) => msg!("slack-prompt-stale"),
        Err(Refusal::NotYours) => msg!("slack-prompt-not-yours"),
    };
    tell(chat, origin, encoder::sentence("✗", &chat.l10n, &refusal));
}

/// A prompt's modal was submitted (`Some` value) or closed: the answer goes to the run.
/// Whether it was accepted; a refusal is logged without the value.
pub(crate) fn answer_prompt(chat: &Chat, user: &str, view: &ViewPayload, submitted: bool) -> bool {
    let answer = submitted
        .then(|| view.value(INPUT_BLOCK).cloned())
        .flatten();
    match chat.prompts.answer(&view.private_metadata, user, answer) {
        Ok(response_url) => {
            if let Some(url) = response_url {
                let api = chat.api.clone();
                chat.tasks.spawn(async move {
                    if let Err(e) = api.delete_original(&url).await {
                        tracing::info!(error = %e, "an answered prompt's message stays");
                    }
                });
            }
            true
        }
        Err(refusal) => {
            tracing::info!(?refusal, user, "a private prompt's answer was refused");
            false
        }
    }
}

impl SlackApi {
    /// `views.open` with a click's trigger_id (valid three seconds, so it is tried once more
    /// at most).
    pub async fn views_open(&self, trigger_id: &str, view: SlackView) -> Result<(), ApiError> {
        let request =
            SlackApiViewsOpenRequest::new(SlackTriggerId::new(trigger_id.to_string()), view);
        let policy = super::service::RetryPolicy {
            attempts: 2,
            backoff: Duration::from_millis(200),
            max_backoff: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(1),
        };
        self.call_with(policy, "views.open", |client, token| {
            let request = request.clone();
            async move {
                let session = client.open_session(&token);
                session.views_open(&request).await.map(|_| ())
            }
        })
        .await
    }

    /// Deletes the message a click came from, through the click's response_url (the only
    /// way to remove an ephemeral message).
    pub async fn delete_original(&self, response_url: &str) -> Result<(), ApiError> {
        let url: url::Url =
            response_url
                .parse()
                .map_err(|e: url::ParseError| ApiError::Refused {
                    method: "response_url",
                    code: e.to_string(),
                })?;
        let request = slack_morphism::prelude::SlackApiPostWebhookMessageRequest::new(
            slack_morphism::prelude::SlackMessageContent::new(),
        )
        .with_delete_original(true);
        self.call("response_url", |client, _token| {
            let request = request.clone();
            let url = slack_morphism::prelude::SlackResponseUrl::new(url.clone());
            async move { client.respond_to_event(&url, &request).await.map(|_| ()) }
        })
        .await
    }

    /// An ephemeral message with blocks (a prompt's button).
    pub async fn post_ephemeral_rendered(
        &self,
        channel: &str,
        user: &str,
        rendered: &Rendered,
    ) -> Result<(), ApiError> {
        let request = SlackApiChatPostEphemeralRequest::new(
            SlackChannelId::new(channel.to_string()),
            SlackUserId::new(user.to_string()),
            slack_morphism::prelude::SlackMessageContent::new()
                .with_text(rendered.text.clone())
                .with_blocks(rendered.blocks.clone()),
        );
        self.call("chat.postEphemeral", |client, token| {
            let request = request.clone();
            async move {
                let session = client.open_session(&token);
                session.chat_post_ephemeral(&request).await.map(|_| ())
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::adapters::slack::inbound::Interaction;
    use crate::i18n::Locale;

    fn submission(callback: &str, metadata: &str, typed: &str) -> Value {
        json!({
            "type": "view_submission",
            "user": {"id": "U0RUNNER"},
            "trigger_id": "1.2.3",
            "view": {
                "id": "V01", "type": "modal", "callback_id": callback,
                "private_metadata": metadata,
                "state": {"values": {INPUT_BLOCK: {"value": {"type": "plain_text_input", "value": typed}}}}
            }
        })
    }

    #[test]
    fn a_submitted_value_is_read_and_never_printed() {
        let interaction = Interaction::from_value(&submission(PROMPT_CALLBACK, "abc", "s3cret"));
        assert_eq!(interaction.kind, "view_submission");
        let view = interaction.view.as_ref().expect("view");
        assert_eq!(view.callback_id, PROMPT_CALLBACK);
        assert_eq!(view.private_metadata, "abc");
        assert_eq!(view.value(INPUT_BLOCK).map(Secret::expose), Some("s3cret"));
        assert!(!format!("{interaction:?}").contains("s3cret"));
    }

    #[test]
    fn the_prompt_modal_has_one_input_and_notifies_on_close() {
        let l10n = Localizer::new(Locale::Ko);
        let view = serde_json::to_value(prompt_view(&l10n, "abc", "열쇠 조각 1/3")).expect("json");
        assert_eq!(view["type"], "modal");
        assert_eq!(view["callback_id"], PROMPT_CALLBACK);
        assert_eq!(view["private_metadata"], "abc");
        assert_eq!(view["notify_on_close"], true);
        let blocks = view["blocks"].as_array().expect("blocks");
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0]["type"], "input");
        assert_eq!(blocks[0]["block_id"], INPUT_BLOCK);
        assert_eq!(blocks[0]["element"]["type"], "plain_text_input");
        assert_eq!(blocks[0]["label"]["text"], "열쇠 조각 1/3");
        assert!(
            view["title"]["text"]
                .as_str()
                .expect("title")
                .chars()
                .count()
                <= MAX_TITLE
        );
    }

    #[test]
    fn the_prompt_message_carries_only_the_prompt_id() {
        let rendered = prompt_message(&Localizer::new(Locale::En), "Key share 1 of 3", "abc");
        let blocks = serde_json::to_value(&rendered.blocks).expect("json");
        assert_eq!(blocks[1]["elements"][0]["value"], "prompt:abc");
        assert!(rendered.text.contains("Key share 1 of 3"));
    }

    #[test]
    fn deny_metadata_round_trips_and_refuses_anything_else() {
        let metadata = deny_metadata("deny:abc", "C0OPS");
        assert_eq!(
            read_deny_metadata(&metadata),
            Some(("deny:abc".to_string(), "C0OPS".to_string()))
        );
        assert_eq!(
            read_deny_metadata(&deny_metadata("approve:abc", "C0OPS")),
            None
        );
        assert_eq!(read_deny_metadata("not json"), None);
    }
}
