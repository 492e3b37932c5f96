//! The one path every command takes, whatever the chat:
//! line → parse → resolve → policy → steps → result, every stage in the audit log.
//!
//! Only the engine knows all three crates: adapters hand it a [`Caller`] and a line and get
//! [`Event`]s back; operations get a request and settings; policies get names.

mod approval;
mod approval_card;
mod approval_rights;
mod approval_run;
mod break_glass;
pub mod complete;
mod events;
mod groups;
mod help;
mod incidents;
mod judge;
mod lifecycle;
mod outside;
mod pending;
#[cfg(test)]
mod pins_tests;
mod trail;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use commands::{Command, Message, OpError, Pins, Progress, Request, Risk, RunContext, msg};
use serde_json::json;

pub use approval::expiry as expiry_text;
pub use break_glass::{SECURITY_SITUATION, open_reviews_note};
pub use events::{ApprovalCard, Event, Outcome, Reply};
pub use groups::{GroupLookup, GroupLookupError};
pub use judge::Judgement;
use trail::Audit;

use crate::config::Config;
use crate::store::{AuditKind, RunStart, RunState, Store};

/// Who is asking: `shell:alice`, `slack:U012ABC`, and the groups the chat resolved.
#[derive(Clone, Debug)]
pub struct Caller {
    pub subject: String,
    pub groups: Vec<String>,
}

pub struct Engine {
    config: Arc<Config>,
    store: Arc<dyn Store>,
    /// API clients, one per cluster, kept across runs.
    clusters: Arc<commands::k8s::Clusters>,
    /// This process, as the owner of the runs it executes.
    instance: String,
    /// Paging, where the configuration sets it up.
    desk: Option<Arc<crate::paging::Desk>>,
    /// Autocomplete's short-lived answers and its bound on lookups at once.
    lookups: complete::Lookups,
    /// How to ask each chat for someone's current groups (approvals re-judge with them).
    groups: groups::GroupLookups,
}

impl Engine {
    pub fn new(config: Arc<Config>, store: Arc<dyn Store>) -> Self {
        Engine {
            config,
            store,
            clusters: Arc::default(),
            instance: lifecycle::instance_id(),
            desk: None,
            lookups: complete::Lookups::default(),
            groups: groups::GroupLookups::default(),
        }
    }

    /// Lets approvals ask `platform` (`slack`, `discord`) for its users' current groups. A
    /// chat adapter registers itself; without a lookup, that chat's approvals are refused.
    pub fn register_groups(&self, platform: &str, lookup: Arc<dyn GroupLookup>) {
        self.groups.register(platform, lookup);
    }

    /// Lets operations page and watchers' incidents reach people.
    pub fn with_desk(mut self, desk: Arc<crate::paging::Desk>) -> Self {
        self.desk = Some(desk);
        self
    }

    /// This process's name as an owner of runs and outbox claims.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The API clients, shared with the watchers.
    pub fn clusters(&self) -> Arc<commands::k8s::Clusters> {
        self.clusters.clone()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Handles one line from `caller`, sending events to `reply` as it goes.
    pub async fn handle(&self, caller: &Caller, line: &str, reply: &dyn Reply) -> Outcome {
        let request_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        let audit = Audit {
            store: self.store.as_ref(),
            request_id: &request_id,
            subject: &caller.subject,
            glass: None,
        };
        if let Err(message) = audit
            .record(
                AuditKind::Invocation,
                None,
                json!({ "text": line, "groups": caller.groups }),
            )
            .await
        {
            reply.send(Event::Rejected(message));
            return Outcome::Failed;
        }
        if let Some(command) = incidents::IncidentMove::parse(line) {
            return match command {
                Ok((which, id)) => self.move_incident(&audit, caller, which, &id, reply).await,
                Err(message) => {
                    self.refuse(&audit, None, message, Outcome::Rejected, reply)
                        .await
                }
            };
        }
        if let Some(command) = break_glass::parse_review(line) {
            return match command {
                Ok(id) => self.review(&audit, caller, &id, reply).await,
                Err(message) => {
                    self.refuse(&audit, None, message, Outcome::Rejected, reply)
                        .await
                }
            };
        }
        if let Some(command) = approval::ApprovalCommand::parse(line) {
            return match command {
                Ok(approval::ApprovalCommand::Pending) => {
                    let outcome = self.list_pending(&audit, caller, reply).await;
                    // Break-glass runs awaiting review, under the requests awaiting approval.
                    self.list_reviews(caller, reply).await;
                    outcome
                }
                Ok(approval::ApprovalCommand::Approve(id)) => {
                    self.approve(&audit, caller, &id, reply).await
                }
                Ok(approval::ApprovalCommand::Deny(id, reason)) => {
                    self.deny(&audit, caller, &id, &reason, reply).await
                }
                Err(message) => {
                    self.refuse(&audit, None, message, Outcome::Rejected, reply)
                        .await
                }
            };
        }
        let request = match commands::parse(line) {
            Ok(Command::Help(spec)) => {
                reply.send(Event::Help(help::help(spec)));
                return Outcome::Succeeded;
            }
            Ok(Command::Run(invocation)) => commands::resolve(invocation, &self.config.settings),
            Err(e) => Err(e),
        };
        let request = match request {
            Ok(mut request) => {
                request.requester = Some(caller.subject.clone());
                request
            }
            Err(e) => {
                let message = e.message();
                return self
                    .refuse(&audit, None, message, Outcome::Rejected, reply)
                    .await;
            }
        };
        let op_id = request.spec.id;
        let judgement = judge::judge(&self.config.policy, caller, &request);
        if let Err(message) = audit
            .record(
                AuditKind::Decision,
                Some(op_id),
                judgement.audit_detail(&request),
            )
            .await
        {
            reply.send(Event::Rejected(message));
            return Outcome::Failed;
        }
        match &judgement {
            Judgement::Deny(message) => {
                return self
                    .refuse(&audit, Some(op_id), message.clone(), Outcome::Denied, reply)
                    .await;
            }
            Judgement::NeedsApproval { rule, .. } if request.break_glass => {
                return self
                    .break_glass(&audit, caller, line, &request, rule, reply)
                    .await;
            }
            Judgement::NeedsApproval { rule, .. } => {
                if rule.reason_required && request.reason.is_none() {
                    let message = msg!("engine-reason-required", operation = op_id);
                    return self
                        .refuse(&audit, Some(op_id), message, Outcome::Rejected, reply)
                        .await;
                }
                return self
                    .request_approval(&audit, caller, line, &request, rule, reply)
                    .await;
            }
            Judgement::Allow { .. } if request.spec.risk == Risk::Destructive => {
                // Destructive operations always go through approval; a policy with no rule
                // for one cannot wave it through.
                let message = msg!("engine-destructive-unguarded", operation = op_id);
                return self
                    .refuse(&audit, Some(op_id), message, Outcome::Denied, reply)
                    .await;
            }
            Judgement::Allow { .. } if request.break_glass => {
                // Nothing to lower: it runs as it would have, and is not marked.
                reply.send(Event::Notice(msg!(
                    "break-glass-not-needed",
                    operation = op_id
                )));
            }
            Judgement::Allow { .. } => {}
        }
        let Some(operation) = commands::entry(op_id).and_then(|e| e.operation) else {
            let message = msg!("engine-not-available", operation = op_id);
            return self
                .refuse(&audit, Some(op_id), message, Outcome::NotRun, reply)
                .await;
        };
        match operation.steps(&request) {
            Ok(steps) => {
                self.run(&audit, &request, steps, Pins::default(), reply)
                    .await
            }
            Err(e) => {
                self.refuse(&audit, Some(op_id), e.message(), Outcome::Failed, reply)
                    .await
            }
        }
    }

    /// A button click from a chat, carrying the opaque value the button was made with:
    /// `approve:ID` or `deny:ID` on an approval card. `text` is what the chat asked for with
    /// it, if anything (a deny's reason, typed into a modal). Anything else is stale and
    /// changes nothing.
    pub async fn handle_action(
        &self,
        caller: &Caller,
        value: &str,
        text: Option<&str>,
        reply: &dyn Reply,
    ) -> Outcome {
        let request_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        let audit = Audit {
            store: self.store.as_ref(),
            request_id: &request_id,
            subject: &caller.subject,
            glass: None,
        };
        if let Err(message) = audit
            .record(
                AuditKind::Invocation,
                None,
                json!({ "action": value, "groups": caller.groups }),
            )
            .await
        {
            reply.send(Event::Rejected(message));
            return Outcome::Failed;
        }
        if let Some((which, id)) = incidents::IncidentMove::from_action(value) {
            return self.move_incident(&audit, caller, which, id, reply).await;
        }
        match value.split_once(':') {
            Some(("approve", id)) => self.approve(&audit, caller, id, reply).await,
            Some(("deny", id)) => {
                let reason = match text.map(str::trim).filter(|t| !t.is_empty()) {
                    Some(reason) => reason.to_string(),
                    None => msg!("approval-denied-by-button").to_string(),
                };
                self.deny(&audit, caller, id, &reason, reply).await
            }
            _ => {
                let message = msg!("engine-action-stale");
                self.refuse(&audit, None, message, Outcome::Rejected, reply)
                    .await
            }
        }
    }

    /// Ends a request that will not run: one sentence to the chat, one record in the log.
    async fn refuse(
        &self,
        audit: &Audit<'_>,
        operation: Option<&str>,
        message: Message,
        outcome: Outcome,
        reply: &dyn Reply,
    ) -> Outcome {
        let kind = if outcome == Outcome::Rejected {
            AuditKind::Rejected
        } else {
            AuditKind::Result
        };
        let detail = json!({ "outcome": outcome.as_str(), "message": message.to_string() });
        if let Err(audit_message) = audit.record(kind, operation, detail).await {
            reply.send(Event::Rejected(audit_message));
            return Outcome::Failed;
        }
        reply.send(match outcome {
            Outcome::Rejected => Event::Rejected(message),
            Outcome::Denied => Event::Denied(message),
            Outcome::Failed => Event::Rejected(message),
            Outcome::NotRun | Outcome::Succeeded => Event::Notice(message),
        });
        outcome
    }

    /// `pins` are what the gates pinned before approval (none for a request that needed no
    /// approval); the steps compare the world with them.
    async fn run(
        &self,
        audit: &Audit<'_>,
        request: &Request,
        steps: Vec<Box<dyn commands::Step>>,
        pins: Pins,
        reply: &dyn Reply,
    ) -> Outcome {
        let started = Instant::now();
        let op_id = request.spec.id;
        let plans: Vec<Message> = steps.iter().map(|s| s.plan()).collect();
        let run = RunStart {
            request_id: audit.request_id.to_string(),
            subject: audit.subject.to_string(),
            operation: op_id.to_string(),
            request: request.canonical(),
            owner: self.instance.clone(),
        };
        if let Err(e) = self.store.begin_run(&run).await {
            let message = msg!("engine-audit-unavailable", reason = e.to_string());
            return self
                .refuse(audit, Some(op_id), message, Outcome::Failed, reply)
                .await;
        }
        reply.send(Event::Started {
            request_id: audit.request_id.to_string(),
            operation: op_id,
            clusters: request.clusters.clone(),
            places: judge::places(&request.clusters, &request.namespaces),
            steps: plans.clone(),
        });
        let (report, failure, _) = self
            .run_steps(audit, op_id, &steps, &plans, pins, reply)
            .await;
        let (outcome, state, error) = match &failure {
            None => (Outcome::Succeeded, RunState::Succeeded, None),
            Some(e) => (Outcome::Failed, RunState::Failed, Some(e.message())),
        };
        let detail = json!({
            "outcome": outcome.as_str(),
            "error": error.as_ref().map(|m| m.to_string()),
            "millis": started.elapsed().as_millis() as u64,
        });
        let audited = audit.record(AuditKind::Result, Some(op_id), detail).await;
        if let Err(e) = self.store.finish_run(audit.request_id, state).await {
            tracing::error!(error = %e, "could not record the end of the run");
        }
        let (outcome, error) = match audited {
            Ok(()) => (outcome, error),
            Err(message) => (Outcome::Failed, Some(message)),
        };
        self.note_run(request, error.as_ref()).await;
        reply.send(Event::Finished {
            request_id: audit.request_id.to_string(),
            outcome,
            elapsed: started.elapsed(),
            report,
            error,
        });
        outcome
    }

    /// Runs steps in order with their events and audit records; stops at the first failure.
    /// Returns the pins as the steps left them (gates add to them).
    async fn run_steps(
        &self,
        audit: &Audit<'_>,
        op_id: &str,
        steps: &[Box<dyn commands::Step>],
        plans: &[Message],
        pins: Pins,
        reply: &dyn Reply,
    ) -> (commands::Report, Option<OpError>, Pins) {
        let progress = StepProgress {
            reply,
            index: AtomicUsize::new(0),
        };
        let mut cx = RunContext::new(&self.config.settings, &progress)
            .with_clusters(self.clusters.clone())
            .with_pins(pins);
        if let Some(prompt) = reply.prompt() {
            cx = cx.with_prompt(prompt);
        }
        if let Some(desk) = self.desk.as_deref() {
            cx = cx.with_incidents(desk);
        }
        for (index, step) in steps.iter().enumerate() {
            progress.index.store(index, Ordering::Relaxed);
            reply.send(Event::StepStarted { index });
            let step_started = Instant::now();
            let result = step.run(&mut cx).await;
            let error = result.as_ref().err().map(OpError::message);
            let detail = json!({
                "index": index,
                "plan": plans[index].to_string(),
                "ok": error.is_none(),
                "error": error.as_ref().map(|m| m.to_string()),
                "millis": step_started.elapsed().as_millis() as u64,
            });
            // The step already happened; a failed append is logged and reported at the end.
            let audited = audit.record(AuditKind::Step, Some(op_id), detail).await;
            reply.send(Event::StepFinished {
                index,
                elapsed: step_started.elapsed(),
                error: error.clone(),
            });
            if let Err(e) = result {
                tracing::warn!(request = audit.request_id, step = index, error = %e, "step failed");
                return (cx.report, Some(e), cx.pins);
            }
            if let Err(message) = audited {
                return (cx.report, Some(OpError::Failed(message)), cx.pins);
            }
        }
        (cx.report, None, cx.pins)
    }

    /// A destructive request's operation and its checklist, run: what each gate found and
    /// what the gates pinned (for an approval, or a broken glass, to be bound to). No
    /// operation, or a failed gate, ends the request here, with one sentence and its record.
    async fn checklist(
        &self,
        audit: &Audit<'_>,
        request: &Request,
        reply: &dyn Reply,
    ) -> Result<(&'static dyn commands::Operation, Checked), Outcome> {
        let op_id = request.spec.id;
        let Some(operation) = commands::entry(op_id).and_then(|e| e.operation) else {
            let message = msg!("engine-not-available", operation = op_id);
            return Err(self
                .refuse(audit, Some(op_id), message, Outcome::NotRun, reply)
                .await);
        };
        let gates = match operation.gates(request) {
            Ok(gates) => gates,
            Err(e) => {
                return Err(self
                    .refuse(audit, Some(op_id), e.message(), Outcome::Failed, reply)
                    .await);
            }
        };
        if gates.is_empty() {
            return Ok((operation, (Vec::new(), Pins::default())));
        }
        let checked = self.run_gates(audit, request, gates, reply).await?;
        Ok((operation, checked))
    }

    /// The checklist of a destructive request, shown like a run. A failed gate stops the
    /// request before anyone is asked to approve it. What the gates pinned comes back with
    /// their results, for the approval to be bound to.
    async fn run_gates(
        &self,
        audit: &Audit<'_>,
        request: &Request,
        gates: Vec<Box<dyn commands::Step>>,
        reply: &dyn Reply,
    ) -> Result<(Vec<(Message, bool)>, Pins), Outcome> {
        let started = Instant::now();
        let op_id = request.spec.id;
        let plans: Vec<Message> = gates.iter().map(|g| g.plan()).collect();
        reply.send(Event::Started {
            request_id: audit.request_id.to_string(),
            operation: op_id,
            clusters: request.clusters.clone(),
            places: judge::places(&request.clusters, &request.namespaces),
            steps: plans.clone(),
        });
        let (report, failure, pins) = self
            .run_steps(audit, op_id, &gates, &plans, Pins::default(), reply)
            .await;
        let Some(failure) = failure else {
            return Ok((plans.into_iter().map(|p| (p, true)).collect(), pins));
        };
        let error = msg!(
            "approval-gate-failed",
            operation = op_id,
            reason = failure.message()
        );
        let detail = json!({ "outcome": "gate-failed", "error": error.to_string() });
        let _ = audit.record(AuditKind::Result, Some(op_id), detail).await;
        reply.send(Event::Finished {
            request_id: audit.request_id.to_string(),
            outcome: Outcome::Failed,
            elapsed: started.elapsed(),
            report,
            error: Some(error),
        });
        Err(Outcome::Failed)
    }
}

/// What a checklist found, gate by gate, and the facts its gates pinned.
type Checked = (Vec<(Message, bool)>, Pins);

/// Attaches a step's progress to its index.
struct StepProgress<'a> {
    reply: &'a dyn Reply,
    index: AtomicUsize,
}

impl Progress for StepProgress<'_> {
    fn report(&self, message: Message) {
        self.reply.send(Event::StepProgress {
            index: self.index.load(Ordering::Relaxed),
            message,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chat adapters spawn `handle` onto the runtime, so its future must be `Send`.
    #[allow(dead_code)]
    fn handle_is_send(engine: &Engine, caller: &Caller, reply: &dyn Reply) {
        fn assert_send<T: Send>(_: T) {}
        assert_send(engine.handle(caller, "status", reply));
        assert_send(engine.handle_action(caller, "x", None, reply));
    }
}
