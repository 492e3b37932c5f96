//! `pending`: the requests awaiting approval that the caller has a part in.
//!
//! A request's line, requester and reason are not for everyone: they name clusters, people and
//! often the incident being worked. So a request is listed only to its requester (from any of
//! their accounts) and to those who may approve it, and the listing is audited as a read.

use commands::{Block, Report, Table, msg};
use policies::ApprovalRule;
use serde_json::json;

use super::approval::{card, expiry};
use super::{Audit, Caller, Engine, Event, Outcome, Reply};
use crate::store::{Approval, ApprovalState, AuditKind};

impl Engine {
    /// `pending`: the requests `caller` may see that can still be approved, oldest first.
    pub(super) async fn list_pending(
        &self,
        audit: &Audit<'_>,
        caller: &Caller,
        reply: &dyn Reply,
    ) -> Outcome {
        let pending = match self.store.approvals_in(ApprovalState::Pending).await {
            Ok(pending) => pending,
            Err(e) => {
                reply.send(Event::Rejected(msg!(
                    "engine-audit-unavailable",
                    reason = e.to_string()
                )));
                return Outcome::Failed;
            }
        };
        let mut table = Table::new(vec![
            msg!("approval-col-id"),
            msg!("approval-col-operation"),
            msg!("approval-col-requester"),
            msg!("approval-col-reason"),
            msg!("approval-col-approvals"),
            msg!("approval-col-expires"),
        ]);
        let mut shown = Vec::new();
        let now = chrono::Utc::now().timestamp();
        for approval in pending {
            if approval.request.expires_at <= now {
                self.expire(&approval).await;
                continue;
            }
            if !self.may_see(caller, &approval) {
                continue;
            }
            let card = card(&self.config.policy, &approval, Vec::new());
            shown.push(card.id.clone());
            table.rows.push(vec![
                card.id.into(),
                card.line.as_str().into(),
                card.requester.as_str().into(),
                card.reason.clone().unwrap_or_default().into(),
                format!("{}/{}", card.approved_by.len(), card.needed).into(),
                expiry(card.expires_at).into(),
            ]);
        }
        // Who read which requests: a listing shows requesters and reasons.
        let detail = json!({ "outcome": "read", "read": "pending", "shown": shown });
        if let Err(message) = audit.record(AuditKind::Result, None, detail).await {
            reply.send(Event::Rejected(message));
            return Outcome::Failed;
        }
        let block = if table.rows.is_empty() {
            Block::Note(msg!("approval-none-pending"))
        } else {
            Block::Table(table)
        };
        reply.send(Event::Help(Report {
            blocks: vec![block],
        }));
        Outcome::Succeeded
    }

    /// The requester (as a person) sees their request; anyone else only if they may approve
    /// it on every place it touches. A request that no longer parses is shown to nobody else.
    fn may_see(&self, caller: &Caller, approval: &Approval) -> bool {
        let policy = &self.config.policy;
        if policy.same_person(&caller.subject, &approval.request.requester) {
            return true;
        }
        let Ok(request) = self.reparse(approval) else {
            return false;
        };
        // The stored demand; each place's own rule still applies (see `may_approve_all`).
        let rule = ApprovalRule {
            approvers: approval.request.approvers_needed,
            approver_roles: approval.request.approver_roles.clone(),
            ttl: std::time::Duration::ZERO,
            reason_required: false,
        };
        self.check_approver(caller, approval, &request, &rule)
            .is_ok()
    }
}
