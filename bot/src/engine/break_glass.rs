//! Break-glass for the outage at 3 a.m.: `--break-glass --reason "…"` runs an operation that
//! waits for approval with the fewer approvals a `[[break_glass]]` rule allows (often none).
//!
//! The glass is a compensating control, not a bypass: the caller must already be allowed to
//! run the operation (bindings and deny rules decide as always; only the approval count is
//! lowered), a `[[break_glass]]` rule must name them on every cluster the request touches, a
//! reason is required, and the `security-incident` contacts are paged before anything runs (no
//! page, no run). Every audit record of the run says `"break_glass": true` with its rule, and
//! the run stays listed under `pending` until someone else (another person, allowed to approve
//! the operation) types `review ID`.

use std::sync::Mutex;

use commands::incidents::{Alert, Incidents, Severity};
use commands::{Message, Request, msg};
use policies::{ApprovalRule, BreakGlass, Target};
use serde_json::json;

use super::approval::now;
use super::judge;
use super::{Audit, Caller, Engine, Event, Outcome, Reply};
use crate::store::{Approval, ApprovalState, AuditKind, NewReview};

mod review;

pub use review::open_reviews_note;
pub(super) use review::parse_review;

/// The contacts row that hears of every broken glass.
pub const SECURITY_SITUATION: &str = "security-incident";

/// `detail` with the break-glass mark, when the run was let through by `glass`.
pub(super) fn mark(detail: serde_json::Value, glass: Option<&str>) -> serde_json::Value {
    let Some(rule) = glass else {
        return detail;
    };
    match detail {
        serde_json::Value::Object(mut fields) => {
            fields.insert("break_glass".into(), json!(true));
            fields.insert("break_glass_rule".into(), json!(rule));
            serde_json::Value::Object(fields)
        }
        other => json!({ "break_glass": true, "break_glass_rule": rule, "detail": other }),
    }
}

/// The clusters a request touches, as the break-glass rules see them.
fn clusters<'r>(request: &'r Request) -> Vec<Target<'r>> {
    judge::targets(request).iter().map(|&(c, _)| c).collect()
}

impl Engine {
    /// `--break-glass` on a request the policy sends to approval.
    pub(super) async fn break_glass(
        &self,
        audit: &Audit<'_>,
        caller: &Caller,
        line: &str,
        request: &Request,
        rule: &ApprovalRule,
        reply: &dyn Reply,
    ) -> Outcome {
        let op_id = request.spec.id;
        let Some(reason) = request
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        else {
            let message = msg!("break-glass-reason-required", operation = op_id);
            return self
                .refuse(audit, Some(op_id), message, Outcome::Rejected, reply)
                .await;
        };
        let Some(glass) = self.config.policy.break_glass(
            &caller.subject,
            &caller.groups,
            op_id,
            &clusters(request),
        ) else {
            let message = msg!(
                "break-glass-not-allowed",
                subject = caller.subject.as_str(),
                operation = op_id,
                clusters = request.clusters.join(", ")
            );
            return self
                .refuse(audit, Some(op_id), message, Outcome::Denied, reply)
                .await;
        };
        if commands::entry(op_id).and_then(|e| e.operation).is_none() {
            let message = msg!("engine-not-available", operation = op_id);
            return self
                .refuse(audit, Some(op_id), message, Outcome::NotRun, reply)
                .await;
        }
        // From here on every record of this request carries the glass.
        let audit = Audit {
            store: audit.store,
            request_id: audit.request_id,
            subject: audit.subject,
            glass: Some(glass.rule.to_string()),
        };
        let detail = json!({
            "verdict": "break-glass",
            "approvers": glass.approvers,
            "approvers_without_glass": rule.approvers,
            "reason": reason,
        });
        if let Err(message) = audit.record(AuditKind::Decision, Some(op_id), detail).await {
            reply.send(Event::Rejected(message));
            return Outcome::Failed;
        }
        // Security hears of it before anything runs; if they cannot be told, nothing runs.
        let incident = match self
            .page_security(&audit, caller, request, &glass, reason)
            .await
        {
            Ok(incident) => incident,
            Err(why) => {
                let message = msg!("break-glass-no-pager", reason = why);
                return self
                    .refuse(&audit, Some(op_id), message, Outcome::Failed, reply)
                    .await;
            }
        };
        let review = NewReview {
            id: audit.request_id.to_string(),
            operation: op_id.to_string(),
            line: line.to_string(),
            requester: caller.subject.clone(),
            reason: reason.to_string(),
            rule: glass.rule.to_string(),
            approvers: glass.approvers,
            incident: Some(incident.clone()),
            created_at: now(),
        };
        if glass.approvers == 0 {
            self.run_broken(&audit, request, review, reply).await
        } else {
            self.approve_broken(&audit, caller, line, request, rule, review, reply)
                .await
        }
    }

    /// Opens the security incident for this request; its id, or why it could not be opened.
    async fn page_security(
        &self,
        audit: &Audit<'_>,
        caller: &Caller,
        request: &Request,
        glass: &BreakGlass,
        reason: &str,
    ) -> Result<String, Message> {
        let Some(desk) = self.desk.as_deref() else {
            return Err(msg!("incidents-not-configured"));
        };
        let alert = Alert {
            // One incident per broken glass, never merged with another request's.
            key: format!("break-glass:{}", audit.request_id),
            situation: SECURITY_SITUATION.to_string(),
            severity: Severity::Critical,
            summary: msg!(
                "break-glass-page-summary",
                requester = caller.subject.as_str(),
                operation = request.spec.id,
                reason = reason
            ),
            source: request
                .cluster()
                .map_or_else(|| "opsbot".to_string(), str::to_string),
            details: vec![
                ("request".to_string(), audit.request_id.to_string()),
                ("command".to_string(), request.canonical()),
                ("clusters".to_string(), request.clusters.join(",")),
                ("rule".to_string(), glass.rule.to_string()),
                ("approvals".to_string(), glass.approvers.to_string()),
            ],
            page: true,
            raised_by: Some(caller.subject.clone()),
        };
        match desk.raise(alert).await {
            Ok(raised) => {
                let detail = json!({ "incident": raised.id, "targets": raised.targets });
                let _ = audit
                    .record(AuditKind::Step, Some(request.spec.id), detail)
                    .await;
                Ok(raised.id)
            }
            Err(e) => Err(e.message()),
        }
    }

    /// No approvals left to wait for: the checklist, then the run, marked and left for review.
    async fn run_broken(
        &self,
        audit: &Audit<'_>,
        request: &Request,
        review: NewReview,
        reply: &dyn Reply,
    ) -> Outcome {
        let op_id = request.spec.id;
        // What the gates pin (an etcd restore's snapshot hash) binds the run as it would an
        // approval: the steps check it again before they act.
        let (operation, (_, pins)) = match self.checklist(audit, request, reply).await {
            Ok(checked) => checked,
            Err(outcome) => return outcome,
        };
        let steps = match operation.steps(request) {
            Ok(steps) => steps,
            Err(e) => {
                return self
                    .refuse(audit, Some(op_id), e.message(), Outcome::Failed, reply)
                    .await;
            }
        };
        if let Err(e) = self.store.create_review(&review).await {
            let message = msg!("engine-audit-unavailable", reason = e.to_string());
            return self
                .refuse(audit, Some(op_id), message, Outcome::Failed, reply)
                .await;
        }
        reply.send(Event::Notice(broken_notice(&review)));
        self.run(audit, request, steps, pins, reply).await
    }

    /// Approvals still required: the usual approval flow with the rule's count. The review is
    /// opened under the approval's id, which the run's records will carry.
    #[allow(clippy::too_many_arguments)] // The request, and what breaking the glass decided.
    async fn approve_broken(
        &self,
        audit: &Audit<'_>,
        caller: &Caller,
        line: &str,
        request: &Request,
        rule: &ApprovalRule,
        mut review: NewReview,
        reply: &dyn Reply,
    ) -> Outcome {
        let op_id = request.spec.id;
        let lowered = ApprovalRule {
            approvers: review.approvers,
            ..rule.clone()
        };
        let watching = CardWatch {
            inner: reply,
            id: Mutex::new(None),
        };
        let outcome = self
            .request_approval(audit, caller, line, request, &lowered, &watching)
            .await;
        let Some(id) = watching.id.lock().ok().and_then(|mut id| id.take()) else {
            // The checklist failed or nothing was stored: there is nothing to review.
            return outcome;
        };
        review.id = id;
        if let Err(e) = self.store.create_review(&review).await {
            // Unreviewable, so it must not run: withdraw the request.
            let _ = self
                .store
                .transition(
                    &review.id,
                    ApprovalState::Pending,
                    ApprovalState::Invalidated,
                    None,
                    Some(&e.to_string()),
                )
                .await;
            let message = msg!("engine-audit-unavailable", reason = e.to_string());
            return self
                .refuse(audit, Some(op_id), message, Outcome::Failed, reply)
                .await;
        }
        reply.send(Event::Notice(broken_notice(&review)));
        outcome
    }

    /// The approval rule of a stored break-glass request, with the approvals its
    /// `[[break_glass]]` rule asks for, as long as the requester may still break that glass
    /// and the request is on record for review (a request stored without its review, when
    /// that write failed, never runs).
    pub(super) async fn glass_rule(
        &self,
        requester: &Caller,
        request: &Request,
        rule: ApprovalRule,
        id: &str,
    ) -> Result<ApprovalRule, Message> {
        match self.store.review(id).await {
            Ok(Some(_)) => {}
            Ok(None) => return Err(msg!("break-glass-review-missing", id = id)),
            Err(e) => return Err(msg!("engine-audit-unavailable", reason = e.to_string())),
        }
        let glass = self.config.policy.break_glass(
            &requester.subject,
            &requester.groups,
            request.spec.id,
            &clusters(request),
        );
        match glass {
            Some(glass) => Ok(ApprovalRule {
                approvers: glass.approvers,
                ..rule
            }),
            None => Err(msg!(
                "break-glass-requester-lost-right",
                id = id,
                requester = requester.subject.as_str()
            )),
        }
    }

    /// The mark for the run of an approved request: its break-glass rule, if it broke one.
    pub(super) fn glass_mark(&self, approval: &Approval, request: &Request) -> Option<String> {
        if !request.break_glass {
            return None;
        }
        let rule = self
            .config
            .policy
            .break_glass(
                &approval.request.requester,
                &approval.request.requester_groups,
                request.spec.id,
                &clusters(request),
            )
            .map(|glass| glass.rule.to_string());
        // Checked just before by `rebuild`; a mark is owed either way.
        Some(rule.unwrap_or_else(|| "break_glass".to_string()))
    }
}

/// What the requester is told once the glass is broken.
fn broken_notice(review: &NewReview) -> Message {
    msg!(
        "break-glass-broken",
        id = review.id.as_str(),
        operation = review.operation.as_str(),
        rule = review.rule.as_str(),
        approvers = review.approvers,
        incident = review.incident.as_deref().unwrap_or("-")
    )
}

/// Passes events on, remembering the id of the approval card the request got.
struct CardWatch<'a> {
    inner: &'a dyn Reply,
    id: Mutex<Option<String>>,
}

impl Reply for CardWatch<'_> {
    fn send(&self, event: Event) {
        if let Event::Approval(card) = &event
            && let Ok(mut id) = self.id.lock()
        {
            *id = Some(card.id.clone());
        }
        self.inner.send(event);
    }

    fn prompt(&self) -> Option<&dyn commands::Prompt> {
        self.inner.prompt()
    }
}
