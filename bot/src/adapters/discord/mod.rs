//! Discord as a chat of opsbot, over the interactions endpoint (HTTP only, no gateway).
//!
//! An interaction arrives at `POST /discord/interactions` (`crate::http::discord`), whose
//! Ed25519 signature is checked on the raw body first ([`signature`]). A slash command is
//! answered at once with a deferred response; the engine then runs in the background as the
//! invoking member ([`identity`]) and its events are rendered ([`encoder`]) by a [`sink`] as
//! edits of that response, paced and retried by [`service`]. Button clicks on approval cards
//! go to the engine's action handler the same way.
//!
//! The adapter knows chat, not operations: it never names an operation.

pub mod config;
pub mod encoder;
pub mod identity;
pub mod inbound;
pub mod register;
pub mod service;
pub mod signature;
pub(crate) mod sink;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio_util::task::TaskTracker;

pub use config::{DiscordConfig, SetupError};
pub use inbound::Interaction;
pub use signature::SignatureError;

use crate::engine::{ApprovalCard, Engine};
use crate::i18n::Localizer;
use service::DiscordApi;
use signature::Verifier;
use sink::{Chat, Origin, Sink};

/// Interaction response types (Discord's numbers).
const PONG: u8 = 1;
const DEFERRED_CHANNEL_MESSAGE: u8 = 5;
const DEFERRED_UPDATE_MESSAGE: u8 = 6;
const AUTOCOMPLETE_RESULT: u8 = 8;

/// What the endpoint answers to a signed request it could read.
#[derive(Debug, PartialEq)]
pub enum Answer {
    Json(Value),
    /// Signed but not something the bot can act on.
    BadRequest(&'static str),
}

pub struct DiscordAdapter {
    chat: Arc<Chat>,
    engine: Arc<Engine>,
    verifier: Verifier,
}

impl DiscordAdapter {
    pub fn new(config: DiscordConfig, engine: Arc<Engine>) -> Result<Arc<Self>, SetupError> {
        let verifier =
            Verifier::new(&config.public_key, config.max_age).ok_or(SetupError::BadPublicKey)?;
        let api = Arc::new(DiscordApi::new(&config)?);
        let chat = Arc::new(Chat {
            api,
            l10n: Localizer::new(engine.config().locale),
            tasks: TaskTracker::new(),
            engine: engine.clone(),
            edit_interval: config.edit_interval,
            token_lifetime: config.token_lifetime,
        });
        Ok(Arc::new(DiscordAdapter {
            chat,
            engine,
            verifier,
        }))
    }

    /// Checks a request's signature and age. Called before the body is parsed.
    pub fn verify(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
    ) -> Result<(), SignatureError> {
        self.verifier.verify(signature, timestamp, body)
    }

    /// Answers an interaction at once; the work, if any, runs in the background.
    pub fn interaction(self: &Arc<Self>, interaction: Interaction) -> Answer {
        match interaction.kind {
            inbound::PING => Answer::Json(json!({ "type": PONG })),
            inbound::APPLICATION_COMMAND => self.command(interaction),
            inbound::MESSAGE_COMPONENT => self.click(interaction),
            inbound::AUTOCOMPLETE => Answer::Json(self.autocomplete(&interaction)),
            _ => Answer::BadRequest("interaction type"),
        }
    }

    fn origin(&self, interaction: &Interaction, card_message: Option<String>) -> Option<Origin> {
        Some(Origin {
            token: interaction.token.clone(),
            channel: interaction
                .channel_id
                .clone()
                .or_else(|| interaction.message.as_ref()?.channel_id.clone())?,
            user: interaction.user_id()?.to_string(),
            received: Instant::now(),
            card_message,
        })
    }

    fn command(self: &Arc<Self>, interaction: Interaction) -> Answer {
        let (Some(caller), Some(origin)) = (
            identity::caller(&interaction),
            self.origin(&interaction, None),
        ) else {
            return Answer::BadRequest("no user or channel");
        };
        let line = interaction.line().unwrap_or_default();
        let adapter = self.clone();
        self.chat.tasks.spawn(async move {
            let sink = Sink::new(adapter.chat.clone(), origin);
            let outcome = adapter.engine.handle(&caller, &line, &sink).await;
            sink.finish();
            metrics::counter!("opsbot_commands_total", "chat" => "discord", "operation" => "-", "outcome" => outcome.as_str())
                .increment(1);
        });
        Answer::Json(json!({ "type": DEFERRED_CHANNEL_MESSAGE }))
    }

    fn click(self: &Arc<Self>, interaction: Interaction) -> Answer {
        let value = interaction
            .data
            .as_ref()
            .and_then(|d| d.custom_id.clone())
            .unwrap_or_default();
        let message = interaction.message.as_ref().map(|m| m.id.clone());
        let (Some(caller), Some(origin)) = (
            identity::caller(&interaction),
            self.origin(&interaction, Some(message.unwrap_or_default())),
        ) else {
            return Answer::BadRequest("no user or channel");
        };
        let adapter = self.clone();
        self.chat.tasks.spawn(async move {
            let sink = Sink::new(adapter.chat.clone(), origin);
            let outcome = adapter.engine.handle_action(&caller, &value, None, &sink).await;
            sink.finish();
            metrics::counter!("opsbot_commands_total", "chat" => "discord", "operation" => "action", "outcome" => outcome.as_str())
                .increment(1);
        });
        Answer::Json(json!({ "type": DEFERRED_UPDATE_MESSAGE }))
    }

    /// Suggestions for the command line: the configured clusters, as `-c NAME` completions of
    /// what is typed so far.
    fn autocomplete(&self, interaction: &Interaction) -> Value {
        let typed = interaction.focused().unwrap_or_default();
        let (head, last) = match typed.rsplit_once(' ') {
            Some((head, last)) => (format!("{head} "), last.to_string()),
            None => (String::new(), typed.clone()),
        };
        let choices: Vec<Value> = if head.trim_end().ends_with("-c") {
            self.engine
                .config()
                .settings
                .clusters
                .keys()
                .filter(|name| name.starts_with(&last))
                .take(25)
                .map(|name| {
                    let full = encoder::truncate(&format!("{head}{name}"), 100);
                    json!({"name": full, "value": full})
                })
                .collect()
        } else {
            Vec::new()
        };
        json!({ "type": AUTOCOMPLETE_RESULT, "data": { "choices": choices } })
    }

    /// Updates an approval card shown earlier (an expiry noticed by the sweeper).
    pub fn show_card(&self, card: ApprovalCard) {
        let Some((channel, _)) = card.card.as_deref().and_then(|c| c.split_once('/')) else {
            return;
        };
        let origin = Origin {
            token: String::new(),
            channel: channel.to_string(),
            user: String::new(),
            received: Instant::now(),
            card_message: None,
        };
        let chat = self.chat.clone();
        self.chat
            .tasks
            .spawn(async move { sink::update_card(&chat, &origin, card).await });
    }

    /// Stops taking work and waits up to `timeout` for what is running, messages included.
    pub async fn drain(&self, timeout: Duration) -> bool {
        self.chat.tasks.close();
        tokio::time::timeout(timeout, self.chat.tasks.wait())
            .await
            .is_ok()
    }
}
