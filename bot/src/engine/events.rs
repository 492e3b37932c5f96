//! What the engine tells a chat while it works. Adapters render these; they never see an
//! operation's internals.

use std::time::Duration;

use commands::{Message, Report};

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
    /// `help`.
    Help(Report),
    /// A run begins: what it will do, step by step.
    Started {
        request_id: String,
        operation: &'static str,
        clusters: Vec<String>,
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

/// Where a chat receives events. Called in order; must not block for long.
pub trait Reply: Send + Sync {
    fn send(&self, event: Event);
}
