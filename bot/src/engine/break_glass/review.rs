//! `review ID`: another person, allowed to approve the operation where it ran, acknowledges
//! a break-glass run. Until then the run is listed under `pending` and by `audit verify`.

use commands::{Message, msg};
use policies::{ApprovalRule, ApproveDecision};
use serde_json::json;

use super::super::judge;
use super::super::{Audit, Caller, Engine, Event, Outcome, Reply};
use super::now;
use crate::store::{ApprovalState, AuditKind, Review};

/// `review ID`; anything else is not a review.
pub(in crate::engine) fn parse_review(line: &str) -> Option<Result<String, Message>> {
    let mut words = line.split_whitespace();
    if words.next()? != "review" {
        return None;
    }
    Some(match (words.next(), words.next()) {
        (Some(id), None) => Ok(id.to_string()),
        _ => Err(msg!("break-glass-review-usage")),
    })
}

/// For `opsbot audit verify`: the break-glass runs nobody else has reviewed yet, if any. The
/// log itself stays intact either way; this says what in it still needs a second person.
pub async fn open_reviews_note(store: &dyn crate::store::Store) -> Option<Message> {
    let open = store.open_reviews().await.ok()?;
    if open.is_empty() {
        return None;
    }
    let ids: Vec<&str> = open.iter().map(|r| r.run.id.as_str()).collect();
    Some(msg!(
        "break-glass-audit-unreviewed",
        count = ids.len(),
        ids = ids.join(", ")
    ))
}

impl Engine {
    /// `review ID`: someone else acknowledges a break-glass run.
    pub(in crate::engine) async fn review(
        &self,
        audit: &Audit<'_>,
        caller: &Caller,
        id: &str,
        reply: &dyn Reply,
    ) -> Outcome {
        let review = match self.store.review(id).await {
            Ok(Some(review)) => review,
            Ok(None) => {
                let message = msg!("break-glass-review-unknown", id = id);
                return self
                    .refuse(audit, None, message, Outcome::Rejected, reply)
                    .await;
            }
            Err(e) => {
                let message = msg!("engine-audit-unavailable", reason = e.to_string());
                return self
                    .refuse(audit, None, message, Outcome::Failed, reply)
                    .await;
            }
        };
        let op_id = review.run.operation.clone();
        if let Some(by) = &review.reviewed_by {
            let message = msg!("break-glass-review-done", id = id, by = by.as_str());
            return self
                .refuse(audit, Some(&op_id), message, Outcome::NotRun, reply)
                .await;
        }
        // A request still waiting for its approvals, or running, has nothing to review yet.
        if let Ok(Some(approval)) = self.store.approval(id).await
            && matches!(
                approval.state,
                ApprovalState::Pending | ApprovalState::Approved | ApprovalState::Running
            )
        {
            let message = msg!(
                "break-glass-review-not-yet",
                id = id,
                state = approval.state.as_str()
            );
            return self
                .refuse(audit, Some(&op_id), message, Outcome::NotRun, reply)
                .await;
        }
        if let Err(message) = self.may_review(caller, &review) {
            return self
                .refuse(audit, Some(&op_id), message, Outcome::Denied, reply)
                .await;
        }
        match self
            .store
            .acknowledge_review(id, &caller.subject, now())
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                let message = msg!("break-glass-review-done", id = id, by = "-");
                return self
                    .refuse(audit, Some(&op_id), message, Outcome::NotRun, reply)
                    .await;
            }
            Err(e) => {
                let message = msg!("engine-audit-unavailable", reason = e.to_string());
                return self
                    .refuse(audit, Some(&op_id), message, Outcome::Failed, reply)
                    .await;
            }
        }
        let detail = json!({
            "outcome": "break-glass-reviewed",
            "review": id,
            "requester": review.run.requester,
            "break_glass_rule": review.run.rule,
        });
        if let Err(message) = audit.record(AuditKind::Result, Some(&op_id), detail).await {
            reply.send(Event::Rejected(message));
            return Outcome::Failed;
        }
        reply.send(Event::Notice(msg!(
            "break-glass-reviewed",
            id = id,
            by = caller.subject.as_str()
        )));
        Outcome::Succeeded
    }

    /// Someone else, who may approve the operation everywhere the run touched.
    fn may_review(&self, caller: &Caller, review: &Review) -> Result<(), Message> {
        let policy = &self.config.policy;
        let id = review.run.id.as_str();
        if policy.same_person(&caller.subject, &review.run.requester) {
            return Err(msg!("break-glass-review-own", id = id));
        }
        let request = match commands::parse(&review.run.line) {
            Ok(commands::Command::Run(invocation)) => {
                commands::resolve(invocation, &self.config.settings).map_err(|e| {
                    msg!(
                        "break-glass-review-unjudgeable",
                        id = id,
                        reason = e.message()
                    )
                })?
            }
            Ok(commands::Command::Help(_)) | Err(_) => {
                return Err(msg!(
                    "break-glass-review-unjudgeable",
                    id = id,
                    reason = review.run.line.as_str()
                ));
            }
        };
        let targets = judge::targets(&request);
        // The rule the operation waits under here; none left means no role may approve it.
        let rule = targets
            .iter()
            .filter_map(|&(cluster, _)| policy.approval_rule(request.spec.id, cluster))
            .map(|(_, rule)| rule)
            .reduce(|a, b| a.strictest(&b))
            .unwrap_or(ApprovalRule {
                approvers: 1,
                approver_roles: Vec::new(),
                ttl: std::time::Duration::ZERO,
                reason_required: false,
            });
        match policy.may_approve_all(
            &caller.subject,
            &caller.groups,
            &review.run.requester,
            request.spec.id,
            &targets,
            &rule,
        ) {
            ApproveDecision::Allowed { .. } => Ok(()),
            ApproveDecision::OwnRequest => Err(msg!("break-glass-review-own", id = id)),
            ApproveDecision::NotAnApprover => Err(msg!(
                "break-glass-review-not-allowed",
                id = id,
                operation = request.spec.id
            )),
        }
    }

    /// `pending`'s review section: the break-glass runs this caller made or may review.
    pub(in crate::engine) async fn list_reviews(&self, caller: &Caller, reply: &dyn Reply) {
        let open = match self.store.open_reviews().await {
            Ok(open) => open,
            Err(e) => {
                reply.send(Event::Rejected(msg!(
                    "engine-audit-unavailable",
                    reason = e.to_string()
                )));
                return;
            }
        };
        let mut table = commands::Table::new(vec![
            msg!("approval-col-id"),
            msg!("approval-col-operation"),
            msg!("approval-col-requester"),
            msg!("approval-col-reason"),
            msg!("break-glass-col-since"),
        ]);
        for review in open {
            let theirs = self
                .config
                .policy
                .same_person(&caller.subject, &review.run.requester);
            if !theirs && self.may_review(caller, &review).is_err() {
                continue;
            }
            table.rows.push(vec![
                review.run.id.as_str().into(),
                review.run.line.as_str().into(),
                review.run.requester.as_str().into(),
                review.run.reason.as_str().into(),
                super::super::expiry_text(review.run.created_at).into(),
            ]);
        }
        if table.rows.is_empty() {
            return;
        }
        reply.send(Event::Help(commands::Report {
            blocks: vec![
                commands::Block::Heading(msg!("break-glass-reviews-heading")),
                commands::Block::Table(table),
            ],
        }));
    }
}
