//! What a chat shows of one run, built from the engine's events: its steps with their
//! states and, once it ends, the outcome. Slack and Discord render it their own way.

use std::time::{Duration, Instant};

use commands::{Message, Report};

use crate::engine::Outcome;

#[derive(Clone, Debug)]
pub(crate) struct RunView {
    /// Bumped on every change; tells a writer whether what it wrote is still the newest.
    pub version: u64,
    pub requester: String,
    pub request_id: String,
    pub operation: &'static str,
    pub clusters: Vec<String>,
    /// Every cluster and namespace the run touches, as one sentence.
    pub places: Option<Message>,
    pub steps: Vec<StepView>,
    pub started: Instant,
    pub finished: Option<Finished>,
}

#[derive(Clone, Debug)]
pub(crate) struct StepView {
    pub plan: Message,
    pub state: StepState,
}

#[derive(Clone, Debug)]
pub(crate) enum StepState {
    Pending,
    Running { progress: Option<Message> },
    Done { elapsed: Duration },
    Failed { error: Message },
}

#[derive(Clone, Debug)]
pub(crate) struct Finished {
    pub outcome: Outcome,
    pub elapsed: Duration,
    pub report: Report,
    pub error: Option<Message>,
}

impl RunView {
    /// A run that has just started: every step pending.
    pub fn start(
        requester: String,
        request_id: String,
        operation: &'static str,
        clusters: Vec<String>,
        places: Message,
        plans: Vec<Message>,
    ) -> RunView {
        RunView {
            version: 0,
            requester,
            request_id,
            operation,
            clusters,
            places: Some(places),
            steps: plans
                .into_iter()
                .map(|plan| StepView {
                    plan,
                    state: StepState::Pending,
                })
                .collect(),
            started: Instant::now(),
            finished: None,
        }
    }
}

impl StepState {
    /// The state a finished step ends in.
    pub fn ended(elapsed: Duration, error: Option<Message>) -> StepState {
        match error {
            None => StepState::Done { elapsed },
            Some(error) => StepState::Failed { error },
        }
    }
}
