//! An approved request runs once: the requester and every approver are judged again with
//! their current groups, the request is moved to running by compare-and-swap (so two
//! processes that both saw the last approval run it once), and it runs with what its checklist
//! pinned.

use super::{Audit, Engine, Outcome, Reply};
use crate::store::{Approval, ApprovalState};

impl Engine {
    /// The approved request runs once: every right is checked again first.
    pub(super) async fn execute(&self, approval: Approval, reply: &dyn Reply) -> Outcome {
        let id = approval.request.id.clone();
        let requester = approval.request.requester.clone();
        let run_audit = Audit {
            store: self.store.as_ref(),
            request_id: &id,
            subject: &requester,
            glass: None,
        };
        let request = match self.recheck_before_run(&approval).await {
            Ok(request) => request,
            Err((current, message)) => {
                return self.invalidate(&run_audit, &current, message, reply).await;
            }
        };
        let run_audit = Audit {
            glass: self.glass_mark(&approval, &request),
            ..run_audit
        };
        let Some(operation) = commands::entry(request.spec.id).and_then(|e| e.operation) else {
            return Outcome::NotRun;
        };
        let steps = match operation.steps(&request) {
            Ok(steps) => steps,
            Err(e) => {
                return self
                    .refuse(
                        &run_audit,
                        Some(request.spec.id),
                        e.message(),
                        Outcome::Failed,
                        reply,
                    )
                    .await;
            }
        };
        if !matches!(
            self.store
                .transition(
                    &id,
                    ApprovalState::Approved,
                    ApprovalState::Running,
                    None,
                    None
                )
                .await,
            Ok(true)
        ) {
            return Outcome::NotRun;
        }
        self.show(&id, reply).await;
        let pins = approval.request.pins.clone();
        let outcome = self.run(&run_audit, &request, steps, pins, reply).await;
        let end = if outcome == Outcome::Succeeded {
            ApprovalState::Succeeded
        } else {
            ApprovalState::Failed
        };
        let _ = self
            .store
            .transition(&id, ApprovalState::Running, end, None, None)
            .await;
        self.show(&id, reply).await;
        outcome
    }
}
