//! Where the engine's events for one Slack request go.
//!
//! Refusals and notices become an ephemeral message to the person who asked. A run becomes
//! one message, posted once and then edited in place by a task of its own that always renders
//! the newest state: events arriving faster than Slack may be written to are coalesced, and
//! the last write is the final state, whatever was skipped on the way.

use std::sync::{Arc, Mutex};

use commands::{Message, MessageArg, msg};
use tokio::sync::watch;
use tokio_util::task::TaskTracker;

use super::encoder::{self, Limits, Rendered};
use super::service::{ApiError, SlackApi};
use crate::adapters::run_view::{Finished, RunView, StepState};
use crate::engine::{Event, Reply};
use crate::i18n::Localizer;

/// What the sinks need to talk back to Slack.
pub(crate) struct Chat {
    pub api: Arc<SlackApi>,
    pub l10n: Localizer,
    pub limits: Limits,
    /// Every background task (runs, message writers), awaited at shutdown.
    pub tasks: TaskTracker,
    /// Where approval cards are remembered, so a later click updates the same message.
    pub engine: Arc<crate::engine::Engine>,
    /// Private prompts waiting for their modal to be submitted.
    pub prompts: super::modal::Prompts,
}

/// Where a request came from, and so where its answers go.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub channel: String,
    pub user: String,
    pub response_url: Option<String>,
}

/// The engine's [`Reply`] for one slash command or click.
pub(crate) struct Sink {
    chat: Arc<Chat>,
    origin: Origin,
    run: Mutex<Option<watch::Sender<RunView>>>,
    /// What ran, for the commands metric: the operation id the engine named (in a run, or as
    /// the `operation` of a refusal), `help`, or `-`.
    label: Mutex<String>,
    /// Asks this request's person for secrets through modals.
    asker: super::modal::Asker,
}

impl Sink {
    pub fn new(chat: Arc<Chat>, origin: Origin) -> Self {
        Sink {
            asker: super::modal::Asker {
                chat: chat.clone(),
                origin: origin.clone(),
            },
            chat,
            origin,
            run: Mutex::new(None),
            label: Mutex::new("-".to_string()),
        }
    }

    pub fn label(&self) -> String {
        self.label.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_label(&self, label: &str) {
        *self.label.lock().unwrap_or_else(|e| e.into_inner()) = label.to_string();
    }

    /// A refusal names the operation it refused, when there was one.
    fn label_from(&self, message: &Message) {
        if let Some(MessageArg::Text(operation)) = message.get("operation") {
            self.set_label(operation);
        }
    }

    fn change(&self, f: impl FnOnce(&mut RunView)) {
        let run = self.run.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(run) = run.as_ref() {
            run.send_modify(|view| {
                f(view);
                view.version += 1;
            });
        }
    }

    fn step(&self, index: usize, state: StepState) {
        self.change(|view| {
            if let Some(step) = view.steps.get_mut(index) {
                step.state = state;
            }
        });
    }
}

impl Reply for Sink {
    fn prompt(&self) -> Option<&dyn commands::Prompt> {
        Some(&self.asker)
    }

    fn send(&self, event: Event) {
        let l10n = &self.chat.l10n;
        match event {
            Event::Rejected(m) | Event::Denied(m) => {
                self.label_from(&m);
                tell(&self.chat, &self.origin, encoder::sentence("✗", l10n, &m));
            }
            Event::Notice(m) => {
                self.label_from(&m);
                tell(&self.chat, &self.origin, encoder::sentence("•", l10n, &m));
            }
            // One message per request, updated in place as it moves; its Approve / Deny
            // buttons carry only the opaque `approve:ID` / `deny:ID`.
            Event::Approval(card) => {
                let chat = self.chat.clone();
                let origin = self.origin.clone();
                self.chat
                    .tasks
                    .spawn(async move { show_card(&chat, &origin, card).await });
            }
            Event::Help(report) => {
                self.set_label("help");
                let rendered = encoder::report_message(l10n, &report, "help", self.chat.limits);
                let chat = self.chat.clone();
                let origin = self.origin.clone();
                self.chat
                    .tasks
                    .spawn(async move { post_once(&chat, &origin, rendered).await });
            }
            Event::Started {
                request_id,
                operation,
                clusters,
                places,
                steps,
            } => {
                self.set_label(operation);
                let view = RunView::start(
                    self.origin.user.clone(),
                    request_id,
                    operation,
                    clusters,
                    places,
                    steps,
                );
                let (tx, rx) = watch::channel(view);
                *self.run.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
                let chat = self.chat.clone();
                let origin = self.origin.clone();
                self.chat
                    .tasks
                    .spawn(async move { follow_run(chat, origin, rx).await });
            }
            Event::StepStarted { index } => {
                self.step(index, StepState::Running { progress: None });
            }
            Event::StepProgress { index, message } => {
                self.step(
                    index,
                    StepState::Running {
                        progress: Some(message),
                    },
                );
            }
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
            } => self.change(|view| {
                view.finished = Some(Finished {
                    outcome,
                    elapsed,
                    report,
                    error,
                });
            }),
        }
    }
}

/// An ephemeral sentence to the requester, in the background. Where Slack will not take an
/// ephemeral message (the bot is not in the channel), the command's response_url still works.
pub(crate) fn tell(chat: &Arc<Chat>, origin: &Origin, text: String) {
    let chat = chat.clone();
    let origin = origin.clone();
    chat.tasks.clone().spawn(async move {
        let sent = chat
            .api
            .post_ephemeral(&origin.channel, &origin.user, &text)
            .await;
        let lost = match (sent, &origin.response_url) {
            (Ok(()), _) => None,
            (Err(e), Some(url)) => {
                tracing::info!(error = %e, "ephemeral message refused; answering through response_url");
                chat.api.respond(url, &text).await.err()
            }
            (Err(e), None) => Some(e),
        };
        if let Some(e) = lost {
            tracing::error!(error = %e, user = %origin.user, "the answer to a request was lost");
        }
    });
}

/// Posts an approval card, or edits the one already shown (`CHANNEL/TS` as remembered).
pub(crate) async fn show_card(
    chat: &Arc<Chat>,
    origin: &Origin,
    card: crate::engine::ApprovalCard,
) {
    let rendered = encoder::approval_card(&chat.l10n, &card);
    if let Some((channel, ts)) = card.card.as_deref().and_then(|c| c.split_once('/')) {
        chat.api.edit_slot(channel, ts).await;
        if let Err(e) = chat.api.update(channel, ts, || rendered.clone()).await {
            tracing::error!(error = %e, approval = %card.id, "an approval card could not be updated");
        }
        return;
    }
    let posted = {
        let _turn = chat.api.post_slot(&origin.channel).await;
        chat.api
            .post_message(&origin.channel, None, || rendered.clone())
            .await
    };
    match posted {
        Ok(ts) => {
            let reference = format!("{}/{ts}", origin.channel);
            chat.engine.set_card(&card.id, &reference).await;
        }
        Err(e) => cannot_post(chat, origin, &e),
    }
}

/// A message that is written once (`help`), its overflow files in its thread.
async fn post_once(chat: &Arc<Chat>, origin: &Origin, rendered: Rendered) {
    let posted = {
        let _turn = chat.api.post_slot(&origin.channel).await;
        chat.api
            .post_message(&origin.channel, None, || rendered.clone())
            .await
    };
    match posted {
        Ok(ts) => upload_files(chat, origin, &ts, &rendered).await,
        Err(e) => cannot_post(chat, origin, &e),
    }
}

async fn upload_files(chat: &Chat, origin: &Origin, ts: &str, rendered: &Rendered) {
    for file in &rendered.files {
        if let Err(e) = chat.api.upload(&origin.channel, ts, file).await {
            tracing::error!(error = %e, file = %file.name, "an output file could not be uploaded");
        }
    }
}

/// The requester learns that their result could not be shown, rather than waiting forever.
fn cannot_post(chat: &Arc<Chat>, origin: &Origin, error: &ApiError) {
    tracing::error!(error = %error, channel = %origin.channel, "a message could not be posted");
    let reason = error.code().unwrap_or("unavailable").to_string();
    let message = msg!("slack-cannot-post", error = reason);
    tell(chat, origin, encoder::sentence("✗", &chat.l10n, &message));
}

/// Slack answers these when the blocks themselves are the problem; the message is then sent
/// as plain text, with the report as a file, so the final state still lands.
const BAD_CONTENT: [&str; 4] = [
    "invalid_blocks",
    "invalid_blocks_format",
    "msg_too_long",
    "too_many_blocks",
];

/// What the writer sent last, kept by the render closure.
struct Written {
    version: u64,
    finished: bool,
    rendered: Rendered,
}

/// Posts the run's message when the channel's turn comes, then edits it, at most once per
/// edit period, until the final state is written; then uploads the files of the final state.
async fn follow_run(chat: Arc<Chat>, origin: Origin, mut rx: watch::Receiver<RunView>) {
    let mut plain = false;
    let mut written = Written {
        version: 0,
        finished: false,
        rendered: Rendered::default(),
    };
    let posted = {
        let _turn = chat.api.post_slot(&origin.channel).await;
        let mut posted = chat
            .api
            .post_message(&origin.channel, None, || {
                render(&chat, &rx, plain, &mut written)
            })
            .await;
        if let Err(e) = &posted
            && e.code().is_some_and(|c| BAD_CONTENT.contains(&c))
        {
            plain = true;
            posted = chat
                .api
                .post_message(&origin.channel, None, || {
                    render(&chat, &rx, plain, &mut written)
                })
                .await;
        }
        posted
    };
    let ts = match posted {
        Ok(ts) => ts,
        Err(e) => return cannot_post(&chat, &origin, &e),
    };
    let pacer = chat.api.edit_pacer();
    while !written.finished {
        if rx.borrow().version == written.version {
            // Nothing new: wait for a change. A closed channel means the run ended without a
            // final event (it cannot, but then the newest state is still written below).
            if rx.changed().await.is_err() && rx.borrow().version == written.version {
                break;
            }
            continue;
        }
        pacer.until_ready().await;
        let updated = chat
            .api
            .update(&origin.channel, &ts, || {
                render(&chat, &rx, plain, &mut written)
            })
            .await;
        match updated {
            Ok(()) => {}
            Err(e) if !plain && e.code().is_some_and(|c| BAD_CONTENT.contains(&c)) => {
                plain = true;
                // Written state is unchanged; the loop sends the plain version next.
                written.version = u64::MAX;
            }
            Err(e) => {
                tracing::error!(error = %e, request = %rx.borrow().request_id, "the run's message could not be updated");
                return;
            }
        }
    }
    upload_files(&chat, &origin, &ts, &written.rendered).await;
}

/// Renders the newest state and records what was rendered (a retry renders again, so what
/// was last rendered is what was written when the call succeeds).
fn render(
    chat: &Chat,
    rx: &watch::Receiver<RunView>,
    plain: bool,
    written: &mut Written,
) -> Rendered {
    let view = rx.borrow().clone();
    let mut rendered = encoder::run_message(&chat.l10n, &view, chat.limits);
    if plain {
        rendered = encoder::plain(&chat.l10n, &view, rendered);
    }
    written.version = view.version;
    written.finished = view.finished.is_some();
    written.rendered = rendered.clone();
    rendered
}
