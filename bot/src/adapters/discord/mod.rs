//! Discord as a chat of opsbot, over the interactions endpoint (HTTP only, no gateway).
//!
//! An interaction arrives at `POST /discord/interactions` (`crate::http::discord`), whose
//! Ed25519 signature is checked on the raw body first ([`signature`]). A slash command is
//! answered at once with a deferred response; the engine then runs in the background as the
//! invoking member ([`identity`]) and its events are rendered ([`encoder`]) by a [`sink`] as
//! edits of that response, paced and retried by [`service`]. Button clicks on approval cards
//! go to the engine's action handler the same way, as do the Acknowledge / Resolve buttons of
//! the incident channel ([`incident`]). `/ops` has a subcommand per form of the command
//! language ([`slash`]), whose typed options become the line the engine reads; autocomplete
//! asks the engine ([`autocomplete`]). Beyond `max_running` + `max_waiting` runs a command is
//! answered "busy" at once ([`gate`]). A run that needs a secret asks its requester in a
//! private modal opened from an ephemeral button ([`modal`]).
//!
//! The adapter knows chat, not operations: it never names an operation.

mod autocomplete;
pub mod config;
pub mod encoder;
mod gate;
pub mod identity;
pub mod inbound;
pub mod incident;
mod modal;
pub mod register;
pub mod service;
pub mod signature;
pub(crate) mod sink;
pub mod slash;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::{Duration, Instant};

use commands::msg;
use serde_json::{Value, json};
use tokio_util::task::TaskTracker;

pub use config::{DiscordConfig, SetupError};
pub use inbound::Interaction;
pub use signature::SignatureError;

use crate::engine::{ApprovalCard, Engine};
use crate::i18n::Localizer;
use crate::paging::IncidentChannel;
use gate::Gate;
use service::DiscordApi;
use signature::Verifier;
use sink::{Chat, Origin, Sink};

/// Interaction response types (Discord's numbers).
const PONG: u8 = 1;
const CHANNEL_MESSAGE: u8 = 4;
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

/// Message flag: only the invoking user sees it.
const EPHEMERAL: u64 = 64;

pub struct DiscordAdapter {
    chat: Arc<Chat>,
    engine: Arc<Engine>,
    verifier: Verifier,
    gate: Gate,
    incident_channel: Option<String>,
    /// `discord.guild_ids`: interactions from other guilds, and DMs, are refused and
    /// audited. Empty: any guild.
    guild_ids: Vec<String>,
}

impl DiscordAdapter {
    pub fn new(config: DiscordConfig, engine: Arc<Engine>) -> Result<Arc<Self>, SetupError> {
        let verifier =
            Verifier::new(&config.public_key, config.max_age).ok_or(SetupError::BadPublicKey)?;
        let api = Arc::new(DiscordApi::new(&config)?);
        // Approvals ask Discord again for current roles at every decision point.
        let named = engine.config().policy.named_groups("discord-role");
        let roles = identity::MemberRoles::new(api.clone(), named, config.group_ttl);
        engine.register_groups("discord", Arc::new(roles));
        let chat = Arc::new(Chat {
            api,
            l10n: Localizer::new(engine.config().locale),
            tasks: TaskTracker::new(),
            engine: engine.clone(),
            edit_interval: config.edit_interval,
            token_lifetime: config.token_lifetime,
            prompts: modal::Prompts::new(config.prompt_timeout),
        });
        Ok(Arc::new(DiscordAdapter {
            chat,
            engine,
            verifier,
            gate: Gate::new(config.max_running, config.max_waiting),
            incident_channel: config.incident_channel,
            guild_ids: config.guild_ids,
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

    /// Answers an interaction at once (an autocomplete after its bounded lookup); the work,
    /// if any, runs in the background.
    pub async fn interaction(self: &Arc<Self>, interaction: Interaction) -> Answer {
        if interaction.kind != inbound::PING
            && let Some(refusal) = self.foreign(&interaction)
        {
            return refusal;
        }
        // A signed click or modal submission presented again (to this replica or another) is
        // acted on once, as commands are; the replay gets an ack that changes nothing.
        if matches!(
            interaction.kind,
            inbound::MESSAGE_COMPONENT | inbound::MODAL_SUBMIT
        ) && !self
            .engine
            .first_time(&format!("discord:interaction:{}", interaction.id))
            .await
        {
            metrics::counter!("opsbot_discord_duplicates_total").increment(1);
            return Answer::Json(json!({ "type": DEFERRED_UPDATE_MESSAGE }));
        }
        match interaction.kind {
            inbound::PING => Answer::Json(json!({ "type": PONG })),
            inbound::APPLICATION_COMMAND => self.command(interaction),
            inbound::MESSAGE_COMPONENT => self.click(interaction),
            inbound::MODAL_SUBMIT => modal::submit(&self.chat, &interaction),
            inbound::AUTOCOMPLETE => Answer::Json(json!({
                "type": AUTOCOMPLETE_RESULT,
                "data": { "choices": autocomplete::choices(&self.engine, &interaction).await },
            })),
            _ => Answer::BadRequest("interaction type"),
        }
    }

    /// The refusal of an interaction from a guild the bot is not pinned to (or a DM, when it
    /// is pinned), audited in the background as `rejected` with the guild; None to go on.
    fn foreign(&self, interaction: &Interaction) -> Option<Answer> {
        if self.guild_ids.is_empty() {
            return None;
        }
        let guild = interaction.guild_id.as_deref();
        if guild.is_some_and(|g| self.guild_ids.iter().any(|pinned| pinned == g)) {
            return None;
        }
        let user = interaction.user_id().unwrap_or_default().to_string();
        metrics::counter!("opsbot_discord_rejected_total", "reason" => "foreign_guild")
            .increment(1);
        tracing::warn!(
            guild = guild.unwrap_or("DM"),
            user,
            "an interaction from outside the pinned guilds was refused"
        );
        let engine = self.engine.clone();
        let subject = format!("{}{user}", identity::SUBJECT_PREFIX);
        let detail = json!({
            "chat": "discord",
            "guild": guild,
            "interaction": interaction.kind,
            "text": interaction.line(),
        });
        self.chat
            .tasks
            .spawn(async move { engine.audit_foreign(&subject, detail).await });
        if interaction.kind == inbound::AUTOCOMPLETE {
            return Some(Answer::Json(json!({
                "type": AUTOCOMPLETE_RESULT,
                "data": { "choices": [] },
            })));
        }
        let message = match guild {
            Some(_) => msg!("discord-foreign-guild"),
            None => msg!("discord-no-guild"),
        };
        let text = self.chat.l10n.text(&message);
        Some(Answer::Json(json!({
            "type": CHANNEL_MESSAGE,
            "data": {
                "content": encoder::truncate(&format!("✗ {text}"), encoder::CONTENT_MAX),
                "flags": EPHEMERAL,
                "allowed_mentions": {"parse": []},
            },
        })))
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
        let place = match self.gate.join() {
            Ok(place) => place,
            Err(waiting) => return self.busy(waiting),
        };
        let adapter = self.clone();
        let seen = format!("discord:interaction:{}", interaction.id);
        self.chat.tasks.spawn(async move {
            // A signed interaction presented again (to this replica or another) runs once.
            if !adapter.engine.first_time(&seen).await {
                metrics::counter!("opsbot_discord_duplicates_total").increment(1);
                return;
            }
            let _turn = place.turn().await;
            let sink = Sink::new(adapter.chat.clone(), origin);
            let outcome = adapter.engine.handle(&caller, &line, &sink).await;
            sink.finish();
            metrics::counter!("opsbot_commands_total", "chat" => "discord", "operation" => "-", "outcome" => outcome.as_str())
                .increment(1);
        });
        Answer::Json(json!({ "type": DEFERRED_CHANNEL_MESSAGE }))
    }

    /// The answer to a command or click beyond the busy limit: at once, to the user alone, in the
    /// bot's language; nothing was run and nothing more is written.
    fn busy(&self, waiting: usize) -> Answer {
        metrics::counter!("opsbot_commands_total", "chat" => "discord", "operation" => "-", "outcome" => "busy")
            .increment(1);
        let text = self
            .chat
            .l10n
            .text(&msg!("discord-busy", waiting = waiting));
        Answer::Json(json!({
            "type": CHANNEL_MESSAGE,
            "data": {
                "content": encoder::truncate(&format!("✗ {text}"), encoder::CONTENT_MAX),
                "flags": EPHEMERAL,
                "allowed_mentions": {"parse": []},
            },
        }))
    }

    fn click(self: &Arc<Self>, interaction: Interaction) -> Answer {
        let value = interaction
            .data
            .as_ref()
            .and_then(|d| d.custom_id.clone())
            .unwrap_or_default();
        // A prompt's button is answered at once, with its modal: no run, no place in line.
        if let Some(id) = value.strip_prefix(modal::PROMPT_PREFIX) {
            return modal::click(&self.chat, &interaction, id);
        }
        let message = interaction.message.as_ref().map(|m| m.id.clone());
        let (Some(caller), Some(origin)) = (
            identity::caller(&interaction),
            self.origin(&interaction, Some(message.unwrap_or_default())),
        ) else {
            return Answer::BadRequest("no user or channel");
        };
        // A click can start a run (an approval), so it waits its turn like a command.
        let place = match self.gate.join() {
            Ok(place) => place,
            Err(waiting) => return self.busy(waiting),
        };
        let adapter = self.clone();
        self.chat.tasks.spawn(async move {
            let _turn = place.turn().await;
            let sink = Sink::new(adapter.chat.clone(), origin);
            let outcome = adapter.engine.handle_action(&caller, &value, None, &sink).await;
            sink.finish();
            metrics::counter!("opsbot_commands_total", "chat" => "discord", "operation" => "action", "outcome" => outcome.as_str())
                .increment(1);
        });
        Answer::Json(json!({ "type": DEFERRED_UPDATE_MESSAGE }))
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

    /// The incident channel (`discord.incident_channel`), when one is configured.
    pub fn incident_channel(&self) -> Option<Arc<dyn IncidentChannel>> {
        let channel = self.incident_channel.clone()?;
        Some(Arc::new(incident::DiscordIncidents::new(
            self.chat.api.clone(),
            self.chat.l10n,
            channel,
        )))
    }

    /// Stops taking work and waits up to `timeout` for what is running, messages included.
    pub async fn drain(&self, timeout: Duration) -> bool {
        self.chat.tasks.close();
        tokio::time::timeout(timeout, self.chat.tasks.wait())
            .await
            .is_ok()
    }
}
