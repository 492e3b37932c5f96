//! An operation is a short ordered list of steps.
//!
//! Each [`Step`] can say what it will do ([`Step::plan`]) before it does it
//! ([`Step::run`]), and reports progress while it runs. Steps share what they learn through
//! typed [`Facts`] (the snapshot step leaves the file it wrote; the verify step reads it), so
//! steps stay small and can later be composed from configuration.

use std::any::{Any, TypeId};
use std::collections::HashMap;
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
        }
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
}
