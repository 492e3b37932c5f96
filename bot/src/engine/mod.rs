//! The one path every command takes, whatever the chat:
//! line → parse → resolve → policy → steps → result, every stage in the audit log.
//!
//! Only the engine knows all three crates: adapters hand it a [`Caller`] and a line and get
//! [`Event`]s back; operations get a request and settings; policies get names.

mod events;
mod help;
mod judge;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use commands::{Command, Message, OpError, Progress, Request, Risk, RunContext, msg};
use serde_json::json;

pub use events::{Event, Outcome, Reply};
pub use judge::Judgement;

use crate::config::Config;
use crate::store::{AuditEvent, AuditKind, RunStart, RunState, Store};

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
}

/// Appends this request's records; a failed append stops the request (nothing runs unaudited).
struct Audit<'a> {
    store: &'a dyn Store,
    request_id: &'a str,
    subject: &'a str,
}

impl Audit<'_> {
    async fn record(
        &self,
        kind: AuditKind,
        operation: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<(), Message> {
        let event = AuditEvent {
            request_id: self.request_id.to_string(),
            kind,
            subject: self.subject.to_string(),
            operation: operation.map(str::to_string),
            detail,
        };
        self.store
            .append_audit(&event)
            .await
            .map(|_| ())
            .map_err(|e| {
                tracing::error!(error = %e, "audit append failed");
                msg!("engine-audit-unavailable", reason = e.to_string())
            })
    }
}

impl Engine {
    pub fn new(config: Arc<Config>, store: Arc<dyn Store>) -> Self {
        Engine {
            config,
            store,
            clusters: Arc::default(),
        }
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
        let request = match commands::parse(line) {
            Ok(Command::Help(spec)) => {
                reply.send(Event::Help(help::help(spec)));
                return Outcome::Succeeded;
            }
            Ok(Command::Run(invocation)) => commands::resolve(invocation, &self.config.settings),
            Err(e) => Err(e),
        };
        let request = match request {
            Ok(request) => request,
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
            Judgement::NeedsApproval { rule, .. } => {
                let message = if rule.reason_required && request.reason.is_none() {
                    msg!("engine-reason-required", operation = op_id)
                } else {
                    msg!(
                        "engine-approval-not-yet",
                        operation = op_id,
                        approvers = rule.approvers,
                        roles = rule.approver_roles.join(", ")
                    )
                };
                return self
                    .refuse(&audit, Some(op_id), message, Outcome::NotRun, reply)
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
            Judgement::Allow { .. } => {}
        }
        let Some(operation) = commands::entry(op_id).and_then(|e| e.operation) else {
            let message = msg!("engine-not-available", operation = op_id);
            return self
                .refuse(&audit, Some(op_id), message, Outcome::NotRun, reply)
                .await;
        };
        match operation.steps(&request) {
            Ok(steps) => self.run(&audit, &request, steps, reply).await,
            Err(e) => {
                self.refuse(&audit, Some(op_id), e.message(), Outcome::Failed, reply)
                    .await
            }
        }
    }

    /// A button click from a chat, carrying the opaque value the button was made with.
    ///
    /// Buttons belong to approvals, which this version does not issue yet, so any click is
    /// stale: it is recorded and answered, and changes nothing.
    pub async fn handle_action(&self, caller: &Caller, value: &str, reply: &dyn Reply) -> Outcome {
        let request_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        let audit = Audit {
            store: self.store.as_ref(),
            request_id: &request_id,
            subject: &caller.subject,
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
        let message = msg!("engine-action-stale");
        self.refuse(&audit, None, message, Outcome::Rejected, reply)
            .await
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

    async fn run(
        &self,
        audit: &Audit<'_>,
        request: &Request,
        steps: Vec<Box<dyn commands::Step>>,
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
            steps: plans.clone(),
        });
        let progress = StepProgress {
            reply,
            index: AtomicUsize::new(0),
        };
        let mut cx =
            RunContext::new(&self.config.settings, &progress).with_clusters(self.clusters.clone());
        let mut failure: Option<OpError> = None;
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
                failure = Some(e);
                break;
            }
            if let Err(message) = audited {
                failure = Some(OpError::Failed(message));
                break;
            }
        }
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
        reply.send(Event::Finished {
            request_id: audit.request_id.to_string(),
            outcome,
            elapsed: started.elapsed(),
            report: cx.report,
            error,
        });
        outcome
    }
}

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
        assert_send(engine.handle_action(caller, "x", reply));
    }
}
