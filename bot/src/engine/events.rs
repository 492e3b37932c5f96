//! What the engine tells a chat while it works. Adapters render these; they never see an
//! operation's internals.

use std::time::Duration;

use commands::{Message, Report};

use crate::store::ApprovalState;

/// How a handled line ended, for exit codes and metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    /// Bad input: nothing ran.
    Rejected,
    Denied,
    /// The operation exists but cannot run yet, or waits for approval.
    NotRun,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Rejected => "rejected",
            Outcome::Denied => "denied",
            Outcome::NotRun => "not-run",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Event {
    /// The line was refused before anything ran; one sentence says why.
    Rejected(Message),
    /// The policy said no; the sentence names the rule.
    Denied(Message),
    /// Something to say that is neither a result nor an error (not available yet, waiting
    /// for approval).
    Notice(Message),
    /// `help`, `pending`: a report that is not a run.
    Help(Report),
    /// An approval card to show, or to update in place where `card` says it is shown.
    Approval(ApprovalCard),
    /// A run begins: what it will do, step by step.
    Started {
        request_id: String,
        operation: &'static str,
        clusters: Vec<String>,
        /// Every cluster and namespace it touches, as one sentence.
        places: Message,
        steps: Vec<Message>,
    },
    StepStarted {
        index: usize,
    },
    StepProgress {
        index: usize,
        message: Message,
    },
    StepFinished {
        index: usize,
        elapsed: Duration,
        error: Option<Message>,
    },
    Finished {
        request_id: String,
        outcome: Outcome,
        elapsed: Duration,
        report: Report,
        error: Option<Message>,
    },
}

/// What an approval card shows; adapters render it with Approve / Deny buttons carrying
/// `approve:ID` / `deny:ID` (opaque values handed back to `Engine::handle_action`).
#[derive(Clone, Debug)]
pub struct ApprovalCard {
    pub id: String,
    pub operation: String,
    /// The command as the requester typed it.
    pub line: String,
    /// Every cluster and namespace it will touch, spelled out (`-c all` as the clusters it
    /// means); `None` for a request stored by an older version.
    pub places: Option<Message>,
    pub requester: String,
    pub reason: Option<String>,
    pub needed: u32,
    pub roles: Vec<String>,
    /// Who approved so far.
    pub approved_by: Vec<String>,
    pub state: ApprovalState,
    /// Unix seconds.
    pub expires_at: i64,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    /// The checklist's gates and whether each held.
    pub gates: Vec<(Message, bool)>,
    /// The adapter's reference to where the card is shown, once it is.
    pub card: Option<String>,
}

/// Where a chat receives events. Called in order; must not block for long.
pub trait Reply: Send + Sync {
    fn send(&self, event: Event);

    /// How this chat asks its person for a secret privately, if it can.
    fn prompt(&self) -> Option<&dyn commands::Prompt> {
        None
    }
}
