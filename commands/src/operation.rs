//! An operation is a short ordered list of steps.
//!
//! Each [`Step`] can say what it will do ([`Step::plan`]) before it does it
//! ([`Step::run`]), and reports progress while it runs. Steps share what they learn through
//! typed [`Facts`] (the snapshot step leaves the file it wrote; the verify step reads it), so
//! steps stay small and can later be composed from configuration.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;

use crate::incidents::{Incidents, NoIncidents};
use crate::k8s::Clusters;
use crate::{Message, OpError, Report, Request, Settings, Spec};

/// One runbook operation.
pub trait Operation: Send + Sync {
    fn spec(&self) -> &'static Spec;

    /// The steps this request will take, in order. Building them touches nothing, so the
    /// plan can be shown (and approved) before anything runs.
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError>;

    /// The runbook's pre-checklist: checks that must hold before anyone is asked to approve
    /// (the snapshot exists and verifies, a recent etcd backup exists…). They change nothing.
    fn gates(&self, _request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(Vec::new())
    }
}

/// One step of an operation.
#[async_trait]
pub trait Step: Send + Sync {
    /// What the step will do, said before it runs.
    fn plan(&self) -> Message;

    /// Does it. Progress goes to `cx.progress`, findings to `cx.report`, and what later
    /// steps need to `cx.facts`.
    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError>;
}

/// Where a running step says how far it got. The engine attaches it to the current step.
pub trait Progress: Send + Sync {
    fn report(&self, message: Message);
}

/// Where a step asks the person at the chat for a secret (a Vault key share): a modal in
/// Slack, hidden input in the terminal. The answer goes to the step alone; the chat never
/// echoes, logs or stores it.
#[async_trait]
pub trait Prompt: Send + Sync {
    /// `None` when the person gives nothing (closes the modal, ends the input).
    async fn secret(&self, question: &Message) -> Option<crate::Secret>;
}

/// A chat that cannot ask privately: steps that need a secret say so.
pub struct NoPrompt;

#[async_trait]
impl Prompt for NoPrompt {
    async fn secret(&self, _question: &Message) -> Option<crate::Secret> {
        None
    }
}

/// Everything a step may use.
pub struct RunContext<'a> {
    pub settings: &'a Settings,
    pub progress: &'a dyn Progress,
    /// Private questions to the person who runs it.
    pub prompt: &'a dyn Prompt,
    /// The clusters' API clients, shared across runs.
    pub kube: Arc<Clusters>,
    /// The incident desk: `page` raises through it, `pages` reads it.
    pub incidents: &'a dyn Incidents,
    pub report: Report,
    pub facts: Facts,
    /// Facts the gates established that the approval is bound to (see [`Pins`]).
    pub pins: Pins,
}

impl<'a> RunContext<'a> {
    /// A context with its own (empty) set of API clients.
    pub fn new(settings: &'a Settings, progress: &'a dyn Progress) -> Self {
        RunContext {
            settings,
            progress,
            prompt: &NoPrompt,
            kube: Arc::default(),
            incidents: &NoIncidents,
            report: Report::default(),
            facts: Facts::default(),
            pins: Pins::default(),
        }
    }

    /// Hands the pins an approval was granted under back to the steps that run it.
    pub fn with_pins(mut self, pins: Pins) -> Self {
        self.pins = pins;
        self
    }

    /// A gate binds the approval to `value`: the engine stores it with the request, hashes it
    /// into what approvers approve, and gives it back to the steps after approval.
    pub fn pin(&mut self, key: PinKey, value: impl Into<String>) {
        self.pins.0.insert(key.0.to_string(), value.into());
    }

    /// The value a gate pinned before approval; `None` when no gate ran (a step that relies
    /// on it must then refuse, not guess).
    pub fn pinned(&self, key: PinKey) -> Option<&str> {
        self.pins.0.get(key.0).map(String::as_str)
    }

    /// Lets steps ask the chat's person privately.
    pub fn with_prompt(mut self, prompt: &'a dyn Prompt) -> Self {
        self.prompt = prompt;
        self
    }

    /// Lets steps raise incidents and read the outbox.
    pub fn with_incidents(mut self, incidents: &'a dyn Incidents) -> Self {
        self.incidents = incidents;
        self
    }

    /// Shares the process's API clients, so each cluster is connected to once.
    pub fn with_clusters(mut self, kube: Arc<Clusters>) -> Self {
        self.kube = kube;
        self
    }
}

/// Typed values that steps leave for later steps, one per type.
#[derive(Default)]
pub struct Facts(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl Facts {
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Box::new(value));
    }

    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref()
    }

    /// The fact an earlier step must have left; its absence is a bug in the step order.
    pub fn require<T: Any + Send + Sync>(&self) -> Result<&T, OpError> {
        self.get()
            .ok_or(OpError::MissingFact(std::any::type_name::<T>()))
    }
}

/// The name of a pinned fact. Each is a constant beside the steps that pin and read it, so a
/// typo is a compile error rather than a missing pin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinKey(&'static str);

impl PinKey {
    pub const fn new(name: &'static str) -> Self {
        PinKey(name)
    }

    pub fn name(self) -> &'static str {
        self.0
    }
}

/// Facts a gate saw before anyone approved (a snapshot's SHA-256), by name.
///
/// Unlike [`Facts`], which live for one run, pins outlive it: the engine stores them with the
/// approval request and includes them in the request's hash, so a vote approves the facts as
/// well as the command line, and the steps after approval compare the world with what was
/// approved instead of trusting a path or a name again.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Pins(BTreeMap<String, String>);

impl Pins {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every pin, in name order (so hashes of them are stable).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Progress that goes nowhere, for tests and dry runs.
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _message: Message) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_keyed_by_type() {
        struct Path(&'static str);
        let mut facts = Facts::default();
        assert!(facts.require::<Path>().is_err());
        facts.insert(Path("/tmp/x"));
        assert_eq!(facts.require::<Path>().map(|p| p.0).ok(), Some("/tmp/x"));
    }

    #[test]
    fn a_pin_made_by_a_gate_is_handed_back_to_a_later_context() {
        const SHA: PinKey = PinKey::new("snapshot-sha256");
        let settings = Settings::default();
        let mut gate = RunContext::new(&settings, &NoProgress);
        assert_eq!(gate.pinned(SHA), None);
        gate.pin(SHA, "abc");
        let stored = serde_json::to_string(&gate.pins).expect("serialises");
        assert_eq!(stored, r#"{"snapshot-sha256":"abc"}"#);
        let pins: Pins = serde_json::from_str(&stored).expect("parses");
        let run = RunContext::new(&settings, &NoProgress).with_pins(pins);
        assert_eq!(run.pinned(SHA), Some("abc"));
    }
}
