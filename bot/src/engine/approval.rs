//! Approvals: a destructive request waits, bound to a hash of everything that defines it,
//! until enough distinct people other than the requester approve it; then it runs once.
//!
//! Every state change goes through the store's compare-and-swap, so two approvers clicking
//! at once, or one clicking twice, give exactly one execution. Rights are checked when the
//! approver clicks and again, for the requester and every approver, just before the run.

use commands::{Message, Pins, Request, msg};
use policies::ApprovalRule;
use serde_json::json;
use sha2::{Digest, Sha256};

pub(super) use super::approval_card::card;
pub use super::approval_card::expiry;
use super::{Audit, Caller, Engine, Event, Outcome, Reply};
use crate::store::{Approval, ApprovalState, AuditKind, NewApproval, VoteResult};

/// The approval commands every chat shares.
pub(super) enum ApprovalCommand {
    Pending,
    Approve(String),
    Deny(String, String),
}

impl ApprovalCommand {
    /// `pending`, `approve ID`, `deny ID REASON…`; anything else is an operation.
    pub(super) fn parse(line: &str) -> Option<Result<ApprovalCommand, Message>> {
        let mut words = line.split_whitespace();
        let command = match words.next()? {
            "pending" => Ok(ApprovalCommand::Pending),
            "approve" => match (words.next(), words.next()) {
                (Some(id), None) => Ok(ApprovalCommand::Approve(id.to_string())),
                _ => Err(msg!("approval-usage-approve")),
            },
            "deny" => match words.next() {
                Some(id) => {
                    let reason = words.collect::<Vec<_>>().join(" ");
                    if reason.is_empty() {
                        Err(msg!("approval-usage-deny"))
                    } else {
                        Ok(ApprovalCommand::Deny(id.to_string(), reason))
                    }
                }
                None => Err(msg!("approval-usage-deny")),
            },
            _ => return None,
        };
        Some(command)
    }
}

/// What a request is bound to: changing any of it invalidates the approvals. `pins` are the
/// facts its gates pinned (a snapshot's SHA-256), so a vote approves them too.
pub(super) fn request_hash(request: &Request, requester: &str, pins: &Pins) -> String {
    let mut canonical = json!([
        request.spec.id,
        request.canonical(),
        format!("{:?}", request.namespaces),
        requester,
        request.reason,
    ]);
    // Only when there are pins, so requests without any keep the hash they always had.
    if let (false, Some(parts)) = (pins.is_empty(), canonical.as_array_mut()) {
        parts.push(json!(pins.iter().collect::<Vec<_>>()));
    }
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

pub(super) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn new_id() -> String {
    // Short enough to type in `approve ID`, random enough not to be guessed.
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

impl Engine {
    /// Runs the checklist, then stores the request and shows its card. Nothing runs yet.
    pub(super) async fn request_approval(
        &self,
        audit: &Audit<'_>,
        caller: &Caller,
        line: &str,
        request: &Request,
        rule: &ApprovalRule,
        reply: &dyn Reply,
    ) -> Outcome {
        let op_id = request.spec.id;
        let (gate_results, pins) = match self.checklist(audit, request, reply).await {
            Ok((_, checked)) => checked,
            Err(outcome) => return outcome,
        };
        let created_at = now();
        let ttl = i64::try_from(rule.ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let approval = NewApproval {
            id: new_id(),
            hash: request_hash(request, &caller.subject, &pins),
            line: line.to_string(),
            operation: op_id.to_string(),
            canonical: request.canonical(),
            requester: caller.subject.clone(),
            requester_groups: caller.groups.clone(),
            reason: request.reason.clone(),
            approvers_needed: rule.approvers,
            approver_roles: rule.approver_roles.clone(),
            created_at,
            expires_at: created_at.saturating_add(ttl),
            pins,
        };
        if let Err(e) = self.store.create_approval(&approval).await {
            let message = msg!("engine-audit-unavailable", reason = e.to_string());
            return self
                .refuse(audit, Some(op_id), message, Outcome::Failed, reply)
                .await;
        }
        let detail = json!({ "approval": approval.id, "hash": approval.hash, "expires_at": approval.expires_at, "pins": approval.pins });
        if let Err(message) = audit
            .record(
                AuditKind::Result,
                Some(op_id),
                json!({ "outcome": "awaiting-approval", "detail": detail }),
            )
            .await
        {
            reply.send(Event::Rejected(message));
            return Outcome::Failed;
        }
        let stored = Approval {
            request: approval,
            state: ApprovalState::Pending,
            votes: Vec::new(),
            decided_by: None,
            decision_reason: None,
            card: None,
        };
        reply.send(Event::Approval(card(
            &self.config.policy,
            &stored,
            gate_results,
        )));
        Outcome::NotRun
    }

    /// Marks a request whose time is up.
    pub(super) async fn expire(&self, approval: &Approval) {
        let id = &approval.request.id;
        let _ = self
            .store
            .transition(
                id,
                ApprovalState::Pending,
                ApprovalState::Expired,
                None,
                None,
            )
            .await;
    }

    /// `approve ID` or the Approve button.
    pub(super) async fn approve(
        &self,
        audit: &Audit<'_>,
        caller: &Caller,
        id: &str,
        reply: &dyn Reply,
    ) -> Outcome {
        let approval = match self.load_pending(audit, id, reply).await {
            Ok(approval) => approval,
            Err(outcome) => return outcome,
        };
        let op_id = approval.request.operation.clone();
        let policy = &self.config.policy;
        let requester = approval.request.requester.as_str();
        if policy.same_person(&caller.subject, requester) {
            return self
                .refuse(
                    audit,
                    Some(&op_id),
                    msg!("approval-own-request", id = id),
                    Outcome::Denied,
                    reply,
                )
                .await;
        }
        // One person, one approval, whichever of their accounts clicks.
        let earlier = approval
            .votes
            .iter()
            .filter(|v| v.hash == approval.request.hash)
            .find(|v| policy.same_person(&v.approver, &caller.subject));
        if let Some(earlier) = earlier {
            let message = msg!(
                "approval-already-voted-as",
                id = id,
                person = earlier.approver.as_str()
            );
            return self
                .refuse(audit, Some(&op_id), message, Outcome::NotRun, reply)
                .await;
        }
        // Rights as of this click: both people with the groups their chats give now.
        let current = match self.current_callers(&caller.subject, requester).await {
            Ok(current) => current,
            Err(message) => {
                return self
                    .refuse(audit, Some(&op_id), message, Outcome::Denied, reply)
                    .await;
            }
        };
        let (approver, requester_now) = current;
        let (request, rule) = match self.rebuild(&approval, &requester_now).await {
            Ok(rebuilt) => rebuilt,
            Err(message) => return self.invalidate(audit, &approval, message, reply).await,
        };
        if let Err(message) = self.check_approver(&approver, &approval, &request, &rule) {
            return self
                .refuse(audit, Some(&op_id), message, Outcome::Denied, reply)
                .await;
        }
        let person = policy.person(&caller.subject);
        let vote = self
            .store
            .record_vote(id, &caller.subject, &person, &approval.request.hash, now())
            .await;
        let votes = match vote {
            Ok(VoteResult::Recorded { approvers }) => {
                let people =
                    policy.approving_people(requester, approvers.iter().map(String::as_str));
                u32::try_from(people.len()).unwrap_or(u32::MAX)
            }
            Ok(VoteResult::Duplicate) => {
                return self
                    .refuse(
                        audit,
                        Some(&op_id),
                        msg!("approval-already-voted", id = id),
                        Outcome::NotRun,
                        reply,
                    )
                    .await;
            }
            Ok(VoteResult::NotPending(state)) => {
                let state = state.map_or("unknown", ApprovalState::as_str);
                return self
                    .refuse(
                        audit,
                        Some(&op_id),
                        msg!("approval-not-pending", id = id, state = state),
                        Outcome::NotRun,
                        reply,
                    )
                    .await;
            }
            Ok(VoteResult::Changed) => {
                return self
                    .invalidate(audit, &approval, msg!("approval-changed", id = id), reply)
                    .await;
            }
            Err(e) => {
                let message = msg!("engine-audit-unavailable", reason = e.to_string());
                return self
                    .refuse(audit, Some(&op_id), message, Outcome::Failed, reply)
                    .await;
            }
        };
        let detail = json!({
            "approval": id,
            "vote": votes,
            "person": person,
            "groups": approver.groups,
            "needed": approval.request.approvers_needed,
        });
        if let Err(message) = audit
            .record(AuditKind::Decision, Some(&op_id), detail)
            .await
        {
            reply.send(Event::Rejected(message));
            return Outcome::Failed;
        }
        let needed = approval.request.approvers_needed.max(rule.approvers);
        if votes < needed {
            self.show(id, reply).await;
            reply.send(Event::Notice(msg!(
                "approval-recorded",
                id = id,
                votes = votes,
                needed = needed
            )));
            return Outcome::Succeeded;
        }
        // Enough approvals: only the caller whose swap lands goes on to run it.
        match self
            .store
            .transition(
                id,
                ApprovalState::Pending,
                ApprovalState::Approved,
                None,
                None,
            )
            .await
        {
            Ok(true) => self.execute(approval, reply).await,
            Ok(false) => {
                reply.send(Event::Notice(msg!("approval-already-approved", id = id)));
                Outcome::NotRun
            }
            Err(e) => {
                reply.send(Event::Rejected(msg!(
                    "engine-audit-unavailable",
                    reason = e.to_string()
                )));
                Outcome::Failed
            }
        }
    }

    /// `deny ID REASON` or the Deny button: an approver refuses, or the requester withdraws.
    pub(super) async fn deny(
        &self,
        audit: &Audit<'_>,
        caller: &Caller,
        id: &str,
        reason: &str,
        reply: &dyn Reply,
    ) -> Outcome {
        let approval = match self.load_pending(audit, id, reply).await {
            Ok(approval) => approval,
            Err(outcome) => return outcome,
        };
        let op_id = approval.request.operation.clone();
        let requester = approval.request.requester.as_str();
        if !self.config.policy.same_person(&caller.subject, requester) {
            // An approver's refusal is a decision too: judged with current groups.
            let (approver, requester_now) =
                match self.current_callers(&caller.subject, requester).await {
                    Ok(current) => current,
                    Err(message) => {
                        return self
                            .refuse(audit, Some(&op_id), message, Outcome::Denied, reply)
                            .await;
                    }
                };
            let rebuilt = self.rebuild(&approval, &requester_now).await;
            let allowed = match &rebuilt {
                Ok((request, rule)) => self
                    .check_approver(&approver, &approval, request, rule)
                    .is_ok(),
                Err(_) => false,
            };
            if !allowed {
                let message = msg!(
                    "approval-not-approver",
                    id = id,
                    roles = approval.request.approver_roles.join(", ")
                );
                return self
                    .refuse(audit, Some(&op_id), message, Outcome::Denied, reply)
                    .await;
            }
        }
        match self
            .store
            .transition(
                id,
                ApprovalState::Pending,
                ApprovalState::Denied,
                Some(&caller.subject),
                Some(reason),
            )
            .await
        {
            Ok(true) => {
                let detail =
                    json!({ "approval": id, "denied_by": caller.subject, "reason": reason });
                let _ = audit.record(AuditKind::Result, Some(&op_id), detail).await;
                self.show(id, reply).await;
                Outcome::Succeeded
            }
            Ok(false) => {
                reply.send(Event::Notice(msg!(
                    "approval-not-pending",
                    id = id,
                    state = "decided"
                )));
                Outcome::NotRun
            }
            Err(e) => {
                reply.send(Event::Rejected(msg!(
                    "engine-audit-unavailable",
                    reason = e.to_string()
                )));
                Outcome::Failed
            }
        }
    }

    /// The request if it can still be acted on; otherwise one sentence (and an updated card).
    async fn load_pending(
        &self,
        audit: &Audit<'_>,
        id: &str,
        reply: &dyn Reply,
    ) -> Result<Approval, Outcome> {
        let approval = match self.store.approval(id).await {
            Ok(Some(approval)) => approval,
            Ok(None) => {
                return Err(self
                    .refuse(
                        audit,
                        None,
                        msg!("approval-unknown", id = id),
                        Outcome::Rejected,
                        reply,
                    )
                    .await);
            }
            Err(e) => {
                let message = msg!("engine-audit-unavailable", reason = e.to_string());
                return Err(self
                    .refuse(audit, None, message, Outcome::Failed, reply)
                    .await);
            }
        };
        let op_id = approval.request.operation.clone();
        if approval.state == ApprovalState::Pending && approval.request.expires_at <= now() {
            self.expire(&approval).await;
            self.show(id, reply).await;
            return Err(self
                .refuse(
                    audit,
                    Some(&op_id),
                    msg!("approval-expired", id = id),
                    Outcome::NotRun,
                    reply,
                )
                .await);
        }
        if approval.state != ApprovalState::Pending {
            let message = msg!(
                "approval-not-pending",
                id = id,
                state = approval.state.as_str()
            );
            return Err(self
                .refuse(audit, Some(&op_id), message, Outcome::NotRun, reply)
                .await);
        }
        Ok(approval)
    }

    /// Moves the request to invalidated and says why.
    pub(super) async fn invalidate(
        &self,
        audit: &Audit<'_>,
        approval: &Approval,
        message: Message,
        reply: &dyn Reply,
    ) -> Outcome {
        let id = approval.request.id.as_str();
        let _ = self
            .store
            .transition(
                id,
                approval.state,
                ApprovalState::Invalidated,
                None,
                Some(&message.to_string()),
            )
            .await;
        self.show(id, reply).await;
        self.refuse(
            audit,
            Some(&approval.request.operation),
            message,
            Outcome::NotRun,
            reply,
        )
        .await
    }
}
