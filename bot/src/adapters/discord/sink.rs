//! Where the engine's events for one interaction go.
//!
//! A slash command's answer is its original response (deferred at once), edited in place by a
//! writer task that always renders the newest state, at most once a second (governor): events
//! that come faster are coalesced, and the last write is the final state. A click's run
//! becomes a follow-up message edited the same way, and the card it was on is edited in
//! place. Past the interaction token's lifetime the writer continues in the channel with the
//! bot token.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use commands::Report;
use governor::{Quota, RateLimiter};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_util::task::TaskTracker;

use super::encoder;
use super::service::{Auth, DiscordApi};
use crate::adapters::run_view::{Finished, RunView, StepState};
use crate::engine::{ApprovalCard, Engine, Event, Reply};
use crate::i18n::Localizer;

/// What the sinks need to talk back to Discord.
pub(crate) struct Chat {
    pub api: Arc<DiscordApi>,
    pub l10n: Localizer,
    pub tasks: TaskTracker,
    pub engine: Arc<Engine>,
    pub edit_interval: Duration,
    pub token_lifetime: Duration,
    /// Private prompts waiting for their modal to be submitted.
    pub prompts: super::modal::Prompts,
}

/// Where an interaction came from, and so where its answers go.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub token: String,
    pub channel: String,
    pub user: String,
    pub received: Instant,
    /// Set for a click: the message (the card) the button is on.
    pub card_message: Option<String>,
}

impl Origin {
    fn webhook(&self, app: &str, rest: &str) -> String {
        format!("/webhooks/{app}/{}{rest}", self.token)
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Doc {
    pub version: u64,
    pub notes: Vec<String>,
    pub help: Option<Report>,
    pub card: Option<ApprovalCard>,
    pub run: Option<RunView>,
    /// The engine is done with the request: the next write is the last.
    pub done: bool,
}

/// The engine's [`Reply`] for one interaction.
pub(crate) struct Sink {
    chat: Arc<Chat>,
    origin: Origin,
    doc: watch::Sender<Doc>,
    /// Asks this interaction's person for secrets through modals.
    asker: super::modal::Asker,
}

impl Sink {
    /// A sink and its writer, which runs until [`Sink::finish`].
    pub fn new(chat: Arc<Chat>, origin: Origin) -> Self {
        let (doc, rx) = watch::channel(Doc::default());
        let writer_chat = chat.clone();
        let writer_origin = origin.clone();
        chat.tasks
            .spawn(async move { write_loop(writer_chat, writer_origin, rx).await });
        Sink {
            asker: super::modal::Asker {
                chat: chat.clone(),
                origin: origin.clone(),
            },
            chat,
            origin,
            doc,
        }
    }

    fn change(&self, f: impl FnOnce(&mut Doc)) {
        self.doc.send_modify(|doc| {
            f(doc);
            doc.version += 1;
        });
    }

    fn step(&self, index: usize, state: StepState) {
        self.change(|doc| {
            if let Some(step) = doc.run.as_mut().and_then(|r| r.steps.get_mut(index)) {
                step.state = state;
            }
        });
    }

    /// The engine is done: the writer writes the final state and stops.
    pub fn finish(&self) {
        self.change(|doc| doc.done = true);
    }

    fn note(&self, line: String) {
        if self.origin.card_message.is_some() {
            // A click: sentences go to the clicker alone, the card stays as it is.
            let chat = self.chat.clone();
            let origin = self.origin.clone();
            self.chat
                .tasks
                .spawn(async move { ephemeral(&chat, &origin, &line).await });
        } else {
            self.change(|doc| doc.notes.push(line));
        }
    }
}

impl Reply for Sink {
    fn prompt(&self) -> Option<&dyn commands::Prompt> {
        Some(&self.asker)
    }

    fn send(&self, event: Event) {
        let l10n = &self.chat.l10n;
        match event {
            Event::Rejected(m) | Event::Denied(m) => self.note(encoder::sentence("✗", l10n, &m)),
            Event::Notice(m) => self.note(encoder::sentence("•", l10n, &m)),
            Event::Approval(card) => {
                if self.origin.card_message.is_some() || card.card.is_some() {
                    let chat = self.chat.clone();
                    let origin = self.origin.clone();
                    self.chat
                        .tasks
                        .spawn(async move { update_card(&chat, &origin, card).await });
                } else {
                    self.change(|doc| doc.card = Some(card));
                }
            }
            Event::Help(report) => self.change(|doc| doc.help = Some(report)),
            Event::Started {
                request_id,
                operation,
                clusters,
                places,
                steps,
            } => {
                let view = RunView::start(
                    format!("discord:{}", self.origin.user),
                    request_id,
                    operation,
                    clusters,
                    places,
                    steps,
                );
                self.change(|doc| doc.run = Some(view));
            }
            Event::StepStarted { index } => self.step(index, StepState::Running { progress: None }),
            Event::StepProgress { index, message } => self.step(
                index,
                StepState::Running {
                    progress: Some(message),
                },
            ),
            Event::StepFinished {
                index,
                elapsed,
                error,
            } => {
                let state = StepState::ended(elapsed, error);
                self.step(index, state);
            }
            Event::Finished {
                outcome,
                elapsed,
                report,
                error,
                ..
            } => self.change(|doc| {
                if let Some(run) = doc.run.as_mut() {
                    run.finished = Some(Finished {
                        outcome,
                        elapsed,
                        report,
                        error,
                    });
                }
            }),
        }
    }
}

/// Where the writer's message is.
enum Target {
    /// Nothing written yet (a click's run: a follow-up is created on the first write).
    None,
    /// The interaction's original response.
    Original,
    Followup(String),
    /// A channel message written with the bot token, once the interaction token is too old.
    Channel(String),
}

async fn write_loop(chat: Arc<Chat>, origin: Origin, mut rx: watch::Receiver<Doc>) {
    let per_message = Quota::with_period(chat.edit_interval)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN));
    let pacer = RateLimiter::direct(per_message);
    let mut target = if origin.card_message.is_some() {
        Target::None
    } else {
        Target::Original
    };
    let mut written = 0u64;
    loop {
        let (version, done) = {
            let doc = rx.borrow();
            (doc.version, doc.done)
        };
        if version == written {
            if rx.changed().await.is_err() {
                return;
            }
            continue;
        }
        let empty = {
            let doc = rx.borrow();
            doc.notes.is_empty() && doc.help.is_none() && doc.card.is_none() && doc.run.is_none()
        };
        if empty {
            // A click whose only answers were private, or a command that said nothing yet.
            written = version;
            if done {
                return;
            }
            continue;
        }
        pacer.until_ready().await;
        let doc = rx.borrow().clone();
        written = doc.version;
        let rendered = encoder::document(&chat.l10n, &doc, doc.done);
        match write(&chat, &origin, &mut target, &rendered).await {
            Ok(message) => remember_card(&chat, &origin, &doc, &message).await,
            Err(e) => {
                tracing::error!(error = %e, "an interaction's message could not be written");
            }
        }
        if doc.done {
            return;
        }
    }
}

/// One write of the writer's message, wherever it is now; the message as Discord returns it.
async fn write(
    chat: &Chat,
    origin: &Origin,
    target: &mut Target,
    rendered: &encoder::Rendered,
) -> Result<Value, super::service::ApiError> {
    let app = chat.api.application_id.clone();
    let token_good = origin.received.elapsed() < chat.token_lifetime;
    let (method, path, auth) = match (&*target, token_good) {
        (Target::Original, true) => (
            Method::PATCH,
            origin.webhook(&app, "/messages/@original"),
            Auth::Webhook,
        ),
        (Target::Followup(id), true) => (
            Method::PATCH,
            origin.webhook(&app, &format!("/messages/{id}")),
            Auth::Webhook,
        ),
        (Target::None, true) => (
            Method::POST,
            origin.webhook(&app, "?wait=true"),
            Auth::Webhook,
        ),
        (Target::Channel(id), _) => (
            Method::PATCH,
            format!("/channels/{}/messages/{id}", origin.channel),
            Auth::Bot,
        ),
        (_, false) => (
            Method::POST,
            format!("/channels/{}/messages", origin.channel),
            Auth::Bot,
        ),
    };
    let creating = method == Method::POST;
    let message = chat
        .api
        .call(method, &path, auth, &rendered.body, &rendered.files)
        .await?;
    if creating {
        let id = message
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        *target = if matches!(auth, Auth::Bot) {
            Target::Channel(id)
        } else {
            Target::Followup(id)
        };
    }
    Ok(message)
}

/// The first time a card is written, the engine learns where (`CHANNEL/MESSAGE`), so that
/// later changes (a click, an expiry) edit the same message.
async fn remember_card(chat: &Chat, origin: &Origin, doc: &Doc, message: &Value) {
    let Some(card) = doc.card.as_ref().filter(|c| c.card.is_none()) else {
        return;
    };
    let Some(id) = message.get("id").and_then(Value::as_str) else {
        return;
    };
    let channel = message
        .get("channel_id")
        .and_then(Value::as_str)
        .unwrap_or(&origin.channel);
    chat.engine
        .set_card(&card.id, &format!("{channel}/{id}"))
        .await;
}

/// Edits a card already shown: through the click's token (the message the button is on), or
/// with the bot token in its channel (an expiry noticed later).
pub(crate) async fn update_card(chat: &Chat, origin: &Origin, card: ApprovalCard) {
    let (embed, buttons) = encoder::approval_card(&chat.l10n, &card);
    let body = json!({
        "embeds": [serde_json::to_value(&embed).unwrap_or(Value::Null)],
        "components": buttons.iter().map(|b| serde_json::to_value(b).unwrap_or(Value::Null)).collect::<Vec<_>>(),
    });
    let app = chat.api.application_id.clone();
    let shown = card.card.as_deref().and_then(|c| c.split_once('/'));
    let token_good = !origin.token.is_empty() && origin.received.elapsed() < chat.token_lifetime;
    let result = match (&origin.card_message, shown) {
        (Some(_), _) if token_good => {
            chat.api
                .call(
                    Method::PATCH,
                    &origin.webhook(&app, "/messages/@original"),
                    Auth::Webhook,
                    &body,
                    &[],
                )
                .await
        }
        (_, Some((channel, id))) => {
            chat.api
                .call(
                    Method::PATCH,
                    &format!("/channels/{channel}/messages/{id}"),
                    Auth::Bot,
                    &body,
                    &[],
                )
                .await
        }
        _ => return,
    };
    if let Err(e) = result {
        tracing::error!(error = %e, approval = %card.id, "an approval card could not be updated");
    }
}

/// A message only the clicker sees (flags 64), as a follow-up of their click.
async fn ephemeral(chat: &Chat, origin: &Origin, text: &str) {
    let body = json!({
        "content": encoder::truncate(text, encoder::CONTENT_MAX),
        "flags": 64,
        "allowed_mentions": {"parse": []},
    });
    let app = chat.api.application_id.clone();
    let path = origin.webhook(&app, "");
    if let Err(e) = chat
        .api
        .call(Method::POST, &path, Auth::Webhook, &body, &[])
        .await
    {
        tracing::error!(error = %e, "a private answer to a click was lost");
    }
}
