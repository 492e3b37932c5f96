//! Slack as a chat of opsbot: slash commands and button clicks in, Block Kit messages out.
//!
//! A request arrives over HTTP (the routes in `crate::http`, which check its signature first)
//! or over Socket Mode ([`socket`]). Either way it becomes a [`SlashCommand`] or an
//! [`Interaction`], is acknowledged at once, and is worked on in the background: the user
//! becomes a [`Caller`](crate::engine::Caller) ([`identity`]), the engine runs the line, and
//! its events are rendered by a [`sink`] as one message edited in place ([`encoder`]), paced
//! and retried by [`service`]. A run that needs a secret asks for it in a modal, and Deny asks
//! for its reason in one ([`modal`]). [`incidents`] is the incident channel.
//!
//! The adapter knows chat, not operations: it never names an operation.

pub mod config;
pub mod encoder;
pub mod identity;
pub mod inbound;
pub mod incidents;
pub(crate) mod modal;
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
    /// A modal of ours was submitted: close it and any stacked under it.
    ClearModals,
    /// Refused at the door (another workspace): this sentence, to the requester alone.
    Refused(String),
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
    identity: Arc<Identity>,
    verifier: Verifier,
    /// trigger_ids and event_ids already acted on: Slack's own retries carry a new
    /// timestamp (so a new signature) around the same request.
    handled: SeenSet,
    gate: Gate,
    app_token: Option<commands::Secret>,
    /// `slack.incident_channel`, when incidents are posted in Slack.
    incident_channel: Option<String>,
    /// `slack.team_id`: requests from any other workspace are refused and audited.
    team_id: Option<String>,
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
            prompts: modal::Prompts::new(config.prompt_timeout),
        });
        let identity = Arc::new(Identity::new(api, named, config.group_ttl));
        // Approvals ask Slack again for current groups at every decision point.
        engine.register_groups("slack", identity.clone());
        Ok(Arc::new(SlackAdapter {
            chat,
            identity,
            verifier: Verifier::new(config.signing_secret.expose()),
            handled: SeenSet::default(),
            gate: Gate::new(config.max_running, config.max_waiting),
            app_token: config.app_token,
            incident_channel: config.incident_channel,
            team_id: config.team_id,
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

    /// The incident channel in Slack (see [`incidents`]); None without `slack.incident_channel`.
    pub fn incident_channel(&self) -> Option<Arc<dyn crate::paging::IncidentChannel>> {
        let channel = self.incident_channel.clone()?;
        Some(Arc::new(incidents::SlackIncidents::new(
            self.chat.api.clone(),
            self.chat.l10n,
            channel,
        )))
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
        if self.foreign(&command.team, &command.user, &command.text) {
            let text = self.chat.l10n.text(&msg!("slack-foreign-team"));
            return Ack::Refused(encoder::escape(&format!("✗ {text}")));
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
        // This process saw it first; another replica may have too (a retry sent elsewhere).
        if !self
            .engine
            .first_time(&format!("slack:trigger:{}", command.trigger_id))
            .await
        {
            metrics::counter!("opsbot_slack_duplicates_total", "kind" => "command").increment(1);
            return;
        }
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

    /// Accepts an interaction: a button click, or a modal submitted or closed. Clicks go to
    /// the engine, which decides what the opaque value means, except the two that need a
    /// modal first (a prompt's button, Deny).
    pub fn interaction(self: &Arc<Self>, interaction: Interaction) -> Ack {
        if !self.first_time(&format!("trigger:{}", interaction.trigger_id)) {
            metrics::counter!("opsbot_slack_duplicates_total", "kind" => "interaction")
                .increment(1);
            return Ack::Duplicate;
        }
        if interaction.user.is_empty() {
            return Ack::Empty;
        }
        // A click or a modal carries no place for a sentence, and the bot token cannot
        // write in another workspace: refused, audited, nothing said.
        if self.foreign(&interaction.team, &interaction.user, &interaction.kind) {
            return Ack::Empty;
        }
        match interaction.kind.as_str() {
            "block_actions" => self.clicks(interaction),
            "view_submission" => self.view_done(interaction, true),
            "view_closed" => self.view_done(interaction, false),
            kind => {
                tracing::debug!(kind, "interaction ignored");
                Ack::Empty
            }
        }
    }

    fn clicks(self: &Arc<Self>, interaction: Interaction) -> Ack {
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
            let trigger_id = interaction.trigger_id.clone();
            self.chat
                .tasks
                .spawn(async move { adapter.click(origin, value, &trigger_id).await });
        }
        Ack::Empty
    }

    async fn click(&self, origin: Origin, value: String, trigger_id: &str) {
        match value.split_once(':') {
            // Straight to views.open, without waiting for a turn: the trigger_id dies in 3 s.
            Some(("prompt", id)) => {
                return modal::open_prompt(&self.chat, &origin, id, trigger_id).await;
            }
            Some(("deny", _)) => {
                let view = modal::deny_view(&self.chat.l10n, &value, &origin.channel);
                match self.chat.api.views_open(trigger_id, view).await {
                    Ok(()) => return,
                    // The click still meant Deny; without a modal it goes without a reason.
                    Err(e) => {
                        tracing::warn!(error = %e, "the deny modal could not be opened; denying without a reason")
                    }
                }
            }
            _ => {}
        }
        self.act(origin, &value, None).await;
    }

    /// Hands a button's value (and what its modal asked for) to the engine.
    async fn act(&self, origin: Origin, value: &str, text: Option<&str>) {
        let Some(_turn) = self.turn(&origin).await else {
            return;
        };
        let caller = self.identity.caller(&origin.user).await;
        let sink = Sink::new(self.chat.clone(), origin);
        let outcome = self.engine.handle_action(&caller, value, text, &sink).await;
        metrics::counter!("opsbot_commands_total", "chat" => "slack", "operation" => "action", "outcome" => outcome.as_str())
            .increment(1);
    }

    /// A modal of ours was submitted or closed; a submission is answered with `clear`.
    fn view_done(self: &Arc<Self>, interaction: Interaction, submitted: bool) -> Ack {
        let Some(view) = interaction.view else {
            return Ack::Empty;
        };
        match view.callback_id.as_str() {
            modal::PROMPT_CALLBACK => {
                modal::answer_prompt(&self.chat, &interaction.user, &view, submitted);
            }
            modal::DENY_CALLBACK if submitted => {
                let Some((value, channel)) = modal::read_deny_metadata(&view.private_metadata)
                else {
                    return Ack::Empty;
                };
                let reason = view
                    .value(modal::INPUT_BLOCK)
                    .map(|r| r.expose().to_string());
                let origin = Origin {
                    channel,
                    user: interaction.user,
                    response_url: None,
                };
                let adapter = self.clone();
                self.chat.tasks.spawn(async move {
                    adapter.act(origin, &value, reason.as_deref()).await;
                });
            }
            _ => tracing::debug!("a modal that is not ours, or a closed deny, was ignored"),
        }
        if submitted {
            Ack::ClearModals
        } else {
            Ack::Empty
        }
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

    /// True when the bot is pinned to another workspace than `team` (`slack.team_id`): the
    /// request is then refused, and audited in the background as `rejected` with the team.
    /// Fails closed: a request that names no workspace is foreign to a pinned bot.
    fn foreign(self: &Arc<Self>, team: &str, user: &str, what: &str) -> bool {
        let Some(pinned) = &self.team_id else {
            return false;
        };
        if team == pinned {
            return false;
        }
        metrics::counter!("opsbot_slack_rejected_total", "reason" => "foreign_team").increment(1);
        tracing::warn!(
            team,
            user,
            "a request from another Slack workspace was refused"
        );
        let engine = self.engine.clone();
        let subject = format!("slack:{user}");
        let detail = serde_json::json!({ "chat": "slack", "team": team, "text": what });
        self.chat
            .tasks
            .spawn(async move { engine.audit_foreign(&subject, detail).await });
        true
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
