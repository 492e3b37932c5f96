//! Slack as a chat of opsbot: slash commands and button clicks in, Block Kit messages out.
//!
//! A request arrives over HTTP (the routes in `crate::http`, which check its signature first)
//! or over Socket Mode ([`socket`]). Either way it becomes a [`SlashCommand`] or an
//! [`Interaction`], is acknowledged at once, and is worked on in the background: the user
//! becomes a [`Caller`](crate::engine::Caller) ([`identity`]), the engine runs the line, and
//! its events are rendered by a [`sink`] as one message edited in place ([`encoder`]), paced
//! and retried by [`service`].
//!
//! The adapter knows chat, not operations: it never names an operation.

pub mod config;
pub mod encoder;
pub mod identity;
pub mod inbound;
pub mod service;
pub mod signature;
pub(crate) mod sink;
pub mod socket;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use commands::msg;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::task::TaskTracker;

pub use config::{SetupError, SlackConfig};
pub use inbound::{EventRequest, InboundError, Interaction, SlashCommand};
pub use signature::{Freshness, SignatureError};

use crate::engine::Engine;
use crate::i18n::Localizer;
use identity::Identity;
use service::SlackApi;
use signature::{SeenSet, Verifier, WINDOW_SECS, unix_now};
use sink::{Chat, Origin, Sink};

/// How a request is answered right away.
#[derive(Debug, PartialEq)]
pub enum Ack {
    /// An ephemeral "working on it" for the requester.
    Working(String),
    /// A plain 200: accepted, nothing to say.
    Empty,
    /// Seen before (a replay or a Slack retry): answered, not acted on.
    Duplicate,
}

/// What `POST /slack/events` answers.
#[derive(Debug, PartialEq)]
pub enum EventAck {
    Challenge(String),
    Ok,
}

/// The Slack chat, shared by the HTTP routes and Socket Mode.
pub struct SlackAdapter {
    chat: Arc<Chat>,
    engine: Arc<Engine>,
    identity: Identity,
    verifier: Verifier,
    /// trigger_ids and event_ids already acted on: Slack's own retries carry a new
    /// timestamp (so a new signature) around the same request.
    handled: SeenSet,
    gate: Gate,
    app_token: Option<commands::Secret>,
}

impl SlackAdapter {
    pub fn new(config: SlackConfig, engine: Arc<Engine>) -> Result<Arc<Self>, SetupError> {
        let api = Arc::new(SlackApi::new(&config)?);
        let named = engine.config().policy.named_groups("slack-group");
        let chat = Arc::new(Chat {
            api: api.clone(),
            l10n: Localizer::new(engine.config().locale),
            limits: config.limits,
            tasks: TaskTracker::new(),
            engine: engine.clone(),
        });
        Ok(Arc::new(SlackAdapter {
            chat,
            identity: Identity::new(api, named, config.group_ttl),
            verifier: Verifier::new(config.signing_secret.expose()),
            handled: SeenSet::default(),
            gate: Gate::new(config.max_running, config.max_waiting),
            app_token: config.app_token,
            engine,
        }))
    }

    /// Checks a request's signature (see [`signature`]). Called before the body is parsed.
    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<Freshness, SignatureError> {
        self.verifier.verify(timestamp, signature, body)
    }

    /// The app-level token, when Socket Mode is on.
    pub fn app_token(&self) -> Option<&commands::Secret> {
        self.app_token.as_ref()
    }

    pub(crate) fn api(&self) -> &Arc<SlackApi> {
        &self.chat.api
    }

    /// True the first time `key` is seen within the signature window.
    fn first_time(&self, key: &str) -> bool {
        key.ends_with(':') || self.handled.insert(key, unix_now() + WINDOW_SECS + 1)
    }

    /// Accepts a slash command: the answer is immediate, the work runs in the background.
    pub fn command(self: &Arc<Self>, command: SlashCommand) -> Ack {
        if !self.first_time(&format!("trigger:{}", command.trigger_id)) {
            metrics::counter!("opsbot_slack_duplicates_total", "kind" => "command").increment(1);
            return Ack::Duplicate;
        }
        let typed = format!("{} {}", command.command, command.text);
        let ack = self
            .chat
            .l10n
            .text(&msg!("slack-ack", command = typed.trim()));
        let adapter = self.clone();
        self.chat
            .tasks
            .spawn(async move { adapter.run_command(command).await });
        Ack::Working(encoder::escape(&ack))
    }

    async fn run_command(&self, command: SlashCommand) {
        let origin = Origin {
            channel: command.channel,
            user: command.user,
            response_url: Some(command.response_url).filter(|u| !u.is_empty()),
        };
        let Some(_turn) = self.turn(&origin).await else {
            return;
        };
        let caller = self.identity.caller(&origin.user).await;
        let sink = Sink::new(self.chat.clone(), origin);
        let outcome = self.engine.handle(&caller, &command.text, &sink).await;
        metrics::counter!("opsbot_commands_total", "chat" => "slack", "operation" => sink.label(), "outcome" => outcome.as_str())
            .increment(1);
    }

    /// Accepts an interaction. Button clicks go to the engine, which decides what the opaque
    /// value means (today every click is stale, and it says so).
    pub fn interaction(self: &Arc<Self>, interaction: Interaction) -> Ack {
        if !self.first_time(&format!("trigger:{}", interaction.trigger_id)) {
            metrics::counter!("opsbot_slack_duplicates_total", "kind" => "interaction")
                .increment(1);
            return Ack::Duplicate;
        }
        if interaction.kind != "block_actions" || interaction.user.is_empty() {
            tracing::debug!(kind = %interaction.kind, "interaction ignored");
            return Ack::Empty;
        }
        let Some(channel) = interaction.channel.clone() else {
            tracing::info!("a click outside a channel message was ignored");
            return Ack::Empty;
        };
        let origin = Origin {
            channel,
            user: interaction.user.clone(),
            response_url: interaction.response_url.clone(),
        };
        for value in interaction.values {
            let adapter = self.clone();
            let origin = origin.clone();
            self.chat.tasks.spawn(async move {
                let Some(_turn) = adapter.turn(&origin).await else {
                    return;
                };
                let caller = adapter.identity.caller(&origin.user).await;
                let sink = Sink::new(adapter.chat.clone(), origin);
                let outcome = adapter.engine.handle_action(&caller, &value, None, &sink).await;
                metrics::counter!("opsbot_commands_total", "chat" => "slack", "operation" => "action", "outcome" => outcome.as_str())
                    .increment(1);
            });
        }
        Ack::Empty
    }

    /// Answers the Events API: the URL check, and an ack for events (none is acted on yet).
    pub fn event(&self, request: EventRequest) -> EventAck {
        match request {
            EventRequest::UrlVerification { challenge } => EventAck::Challenge(challenge),
            EventRequest::Callback { event_id } => {
                if !self.first_time(&format!("event:{event_id}")) {
                    metrics::counter!("opsbot_slack_duplicates_total", "kind" => "event")
                        .increment(1);
                }
                EventAck::Ok
            }
            EventRequest::Other => EventAck::Ok,
        }
    }

    /// A turn to run, or a busy answer to the requester when too many wait already.
    async fn turn(&self, origin: &Origin) -> Option<Turn> {
        match self.gate.enter().await {
            Ok(turn) => Some(turn),
            Err(waiting) => {
                metrics::counter!("opsbot_commands_total", "chat" => "slack", "operation" => "-", "outcome" => "busy")
                    .increment(1);
                let message = msg!("slack-busy", waiting = waiting);
                sink::tell(
                    &self.chat,
                    origin,
                    encoder::sentence("✗", &self.chat.l10n, &message),
                );
                None
            }
        }
    }

    /// Stops taking work and waits up to `timeout` for what is running, messages included,
    /// to finish. Whether everything finished.
    /// Updates an approval card shown earlier (an expiry noticed by the sweeper).
    pub fn show_card(&self, card: crate::engine::ApprovalCard) {
        let Some((channel, _)) = card.card.as_deref().and_then(|c| c.split_once('/')) else {
            return;
        };
        let origin = sink::Origin {
            channel: channel.to_string(),
            user: card.requester.trim_start_matches("slack:").to_string(),
            response_url: None,
        };
        let chat = self.chat.clone();
        self.chat
            .tasks
            .spawn(async move { sink::show_card(&chat, &origin, card).await });
    }

    pub async fn drain(&self, timeout: Duration) -> bool {
        self.chat.tasks.close();
        tokio::time::timeout(timeout, self.chat.tasks.wait())
            .await
            .is_ok()
    }
}

/// Bounds the runs: `running` at once, `waiting` in line.
struct Gate {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// A run's place; the in-flight gauge follows it.
struct Turn {
    _permit: OwnedSemaphorePermit,
}

impl Drop for Turn {
    fn drop(&mut self) {
        metrics::gauge!("opsbot_runs_in_flight").decrement(1.0);
    }
}

impl Gate {
    fn new(running: usize, max_waiting: usize) -> Self {
        Gate {
            permits: Arc::new(Semaphore::new(running.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// Err(number waiting) when the line is full.
    async fn enter(&self) -> Result<Turn, usize> {
        let waiting = self.waiting.fetch_add(1, Ordering::AcqRel);
        if waiting >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(waiting);
        }
        let permit = self.permits.clone().acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        // The semaphore is never closed, so acquiring cannot fail.
        let permit = permit.map_err(|_| 0usize)?;
        metrics::gauge!("opsbot_runs_in_flight").increment(1.0);
        Ok(Turn { _permit: permit })
    }
}
