//! Approvals: a destructive request waits, bound to a hash of everything that defines it,
//! until enough distinct people other than the requester approve it; then it runs once.
//!
//! Every state change goes through the store's compare-and-swap, so two approvers clicking
//! at once, or one clicking twice, give exactly one execution. Rights are checked when the
//! approver clicks and again, for the requester and every approver, just before the run.

use commands::{Command, Message, Request, msg};
use policies::{ApprovalRule, ApproveDecision};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::judge::{self, Judgement};
use super::{ApprovalCard, Audit, Caller, Engine, Event, Outcome, Reply};
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

/// What a request is bound to: changing any of it invalidates the approvals.
pub(super) fn request_hash(request: &Request, requester: &str) -> String {
    let canonical = json!([
        request.spec.id,
        request.canonical(),
        format!("{:?}", request.namespaces),
        requester,
        request.reason,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn new_id() -> String {
    // Short enough to type in `approve ID`, random enough not to be guessed.
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

pub(super) fn card(approval: &Approval, gates: Vec<(Message, bool)>) -> ApprovalCard {
    let r = &approval.request;
    ApprovalCard {
        id: r.id.clone(),
        operation: r.operation.clone(),
        line: r.line.clone(),
        places: commands::places(&r.canonical)
            .map(|(clusters, namespaces)| judge::places(&clusters, &namespaces)),
        requester: r.requester.clone(),
        reason: r.reason.clone(),
        needed: r.approvers_needed,
        roles: r.approver_roles.clone(),
        approved_by: approval
            .votes
            .iter()
            .filter(|v| v.hash == r.hash)
            .map(|v| v.approver.clone())
            .collect(),
        state: approval.state,
        expires_at: r.expires_at,
        decided_by: approval.decided_by.clone(),
        decision_reason: approval.decision_reason.clone(),
        gates,
        card: approval.card.clone(),
    }
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
        let Some(operation) = commands::entry(op_id).and_then(|e| e.operation) else {
            let message = msg!("engine-not-available", operation = op_id);
            return self
                .refuse(audit, Some(op_id), message, Outcome::NotRun, reply)
                .await;
        };
        let gates = match operation.gates(request) {
            Ok(gates) => gates,
            Err(e) => {
                return self
                    .refuse(audit, Some(op_id), e.message(), Outcome::Failed, reply)
                    .await;
            }
        };
        let mut gate_results = Vec::new();
        if !gates.is_empty() {
            match self.run_gates(audit, request, gates, reply).await {
                Ok(results) => gate_results = results,
                Err(outcome) => return outcome,
            }
        }
        let created_at = now();
        let ttl = i64::try_from(rule.ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let approval = NewApproval {
            id: new_id(),
            hash: request_hash(request, &caller.subject),
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
        };
        if let Err(e) = self.store.create_approval(&approval).await {
            let message = msg!("engine-audit-unavailable", reason = e.to_string());
            return self
                .refuse(audit, Some(op_id), message, Outcome::Failed, reply)
                .await;
        }
        let detail = json!({ "approval": approval.id, "hash": approval.hash, "expires_at": approval.expires_at });
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
        reply.send(Event::Approval(card(&stored, gate_results)));
        Outcome::NotRun
    }

    /// `pending`: the requests that can still be approved, oldest first.
    pub(super) async fn list_pending(&self, reply: &dyn Reply) -> Outcome {
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
        let mut table = commands::Table::new(vec![
            msg!("approval-col-id"),
            msg!("approval-col-operation"),
            msg!("approval-col-requester"),
            msg!("approval-col-reason"),
            msg!("approval-col-approvals"),
            msg!("approval-col-expires"),
        ]);
        for approval in pending {
            if approval.request.expires_at <= now() {
                self.expire(&approval).await;
                continue;
            }
            let card = card(&approval, Vec::new());
            table.rows.push(vec![
                card.id.into(),
                card.line.as_str().into(),
                card.requester.as_str().into(),
                card.reason.clone().unwrap_or_default().into(),
                format!("{}/{}", card.approved_by.len(), card.needed).into(),
                expiry(card.expires_at).into(),
            ]);
        }
        let block = if table.rows.is_empty() {
            commands::Block::Note(msg!("approval-none-pending"))
        } else {
            commands::Block::Table(table)
        };
        reply.send(Event::Help(commands::Report {
            blocks: vec![block],
        }));
        Outcome::Succeeded
    }

    /// Marks a request whose time is up.
    async fn expire(&self, approval: &Approval) {
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
        if policy.same_person(&caller.subject, &approval.request.requester) {
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
        let (request, rule) = match self.rebuild(&approval).await {
            Ok(rebuilt) => rebuilt,
            Err(message) => return self.invalidate(audit, &approval, message, reply).await,
        };
        if let Err(message) = self.check_approver(caller, &approval, &request, &rule) {
            return self
                .refuse(audit, Some(&op_id), message, Outcome::Denied, reply)
                .await;
        }
        let vote = self
            .store
            .record_vote(id, &caller.subject, &approval.request.hash, now())
            .await;
        let votes = match vote {
            Ok(VoteResult::Recorded { votes }) => votes,
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
        let detail =
            json!({ "approval": id, "vote": votes, "needed": approval.request.approvers_needed });
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
        if !self
            .config
            .policy
            .same_person(&caller.subject, &approval.request.requester)
        {
            let rebuilt = self.rebuild(&approval).await;
            let allowed = match &rebuilt {
                Ok((request, rule)) => self
                    .check_approver(caller, &approval, request, rule)
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

    /// The stored line parsed and resolved again, checked against the hash it was approved
    /// under, with the requester's right to run it today.
    async fn rebuild(&self, approval: &Approval) -> Result<(Request, ApprovalRule), Message> {
        let id = approval.request.id.as_str();
        let request = match commands::parse(&approval.request.line) {
            Ok(Command::Run(invocation)) => {
                commands::resolve(invocation, &self.config.settings).map_err(|e| e.message())?
            }
            _ => return Err(msg!("approval-changed", id = id)),
        };
        let request = Request {
            requester: Some(approval.request.requester.clone()),
            ..request
        };
        if request_hash(&request, &approval.request.requester) != approval.request.hash {
            return Err(msg!("approval-changed", id = id));
        }
        let requester = Caller {
            subject: approval.request.requester.clone(),
            groups: approval.request.requester_groups.clone(),
        };
        match judge::judge(&self.config.policy, &requester, &request) {
            Judgement::NeedsApproval { rule, .. } => Ok((request, rule)),
            Judgement::Allow { .. } | Judgement::Deny(_) => Err(msg!(
                "approval-requester-lost-right",
                id = id,
                requester = requester.subject.as_str()
            )),
        }
    }

    /// May `caller` approve this request, on every cluster it targets?
    fn check_approver(
        &self,
        caller: &Caller,
        approval: &Approval,
        request: &Request,
        rule: &ApprovalRule,
    ) -> Result<(), Message> {
        let decision = self.config.policy.may_approve_all(
            &caller.subject,
            &caller.groups,
            &approval.request.requester,
            request.spec.id,
            &judge::targets(request),
            rule,
        );
        match decision {
            ApproveDecision::Allowed { .. } => {}
            ApproveDecision::OwnRequest => {
                return Err(msg!(
                    "approval-own-request",
                    id = approval.request.id.as_str()
                ));
            }
            ApproveDecision::NotAnApprover => {
                return Err(msg!(
                    "approval-not-approver",
                    id = approval.request.id.as_str(),
                    roles = rule.approver_roles.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Moves the request to invalidated and says why.
    async fn invalidate(
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

    /// Sends the request's current card.
    pub(super) async fn show(&self, id: &str, reply: &dyn Reply) {
        if let Ok(Some(approval)) = self.store.approval(id).await {
            reply.send(Event::Approval(card(&approval, Vec::new())));
        }
    }

    /// The approved request runs once: every right is checked again first.
    async fn execute(&self, approval: Approval, reply: &dyn Reply) -> Outcome {
        let id = approval.request.id.clone();
        let requester = approval.request.requester.clone();
        let run_audit = Audit {
            store: self.store.as_ref(),
            request_id: &id,
            subject: &requester,
        };
        let (request, rule) = match self.rebuild(&approval).await {
            Ok(rebuilt) => rebuilt,
            Err(message) => {
                let current = Approval {
                    state: ApprovalState::Approved,
                    ..approval
                };
                return self.invalidate(&run_audit, &current, message, reply).await;
            }
        };
        // Every approver's right, as of now.
        if let Ok(Some(latest)) = self.store.approval(&id).await {
            for vote in latest
                .votes
                .iter()
                .filter(|v| v.hash == latest.request.hash)
            {
                let voter = Caller {
                    subject: vote.approver.clone(),
                    groups: Vec::new(),
                };
                if let Err(message) = self.check_approver(&voter, &latest, &request, &rule) {
                    let current = Approval {
                        state: ApprovalState::Approved,
                        ..latest.clone()
                    };
                    return self.invalidate(&run_audit, &current, message, reply).await;
                }
            }
        }
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
        let outcome = self.run(&run_audit, &request, steps, reply).await;
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

/// "02:30 UTC" for a card or a listing.
pub fn expiry(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}
