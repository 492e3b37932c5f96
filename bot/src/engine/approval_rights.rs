//! Who may still run and approve a waiting request: the rights an approval re-checks at every
//! decision point, with the groups each person's chat gives now (never the ones stored when
//! the request was made), and the count of distinct people that approved it.

use commands::{Command, Message, Request, msg};
use policies::{ApprovalRule, ApproveDecision};

use super::approval::request_hash;
use super::judge::{self, Judgement};
use super::{Caller, Engine};
use crate::store::{Approval, ApprovalState};

impl Engine {
    /// The stored line parsed and resolved again, checked against the hash it was approved
    /// under.
    pub(super) fn reparse(&self, approval: &Approval) -> Result<Request, Message> {
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
        let pins = &approval.request.pins;
        if request_hash(&request, &approval.request.requester, pins) != approval.request.hash {
            return Err(msg!("approval-changed", id = id));
        }
        Ok(request)
    }

    /// [`reparse`](Self::reparse), then the requester's right to run it today, judged with
    /// `requester`'s current groups (never the ones stored with the request).
    pub(super) async fn rebuild(
        &self,
        approval: &Approval,
        requester: &Caller,
    ) -> Result<(Request, ApprovalRule), Message> {
        let id = approval.request.id.as_str();
        let request = self.reparse(approval)?;
        match judge::judge(&self.config.policy, requester, &request) {
            // A broken glass waits for its own rule's approvals, if the requester may still.
            Judgement::NeedsApproval { rule, .. } if request.break_glass => {
                let rule = self.glass_rule(requester, &request, rule, id).await?;
                Ok((request, rule))
            }
            Judgement::NeedsApproval { rule, .. } => Ok((request, rule)),
            Judgement::Allow { .. } | Judgement::Deny(_) => Err(msg!(
                "approval-requester-lost-right",
                id = id,
                requester = requester.subject.as_str()
            )),
        }
    }

    /// `subject` with the groups its chat gives now; a chat that cannot be asked refuses.
    async fn current_caller(&self, subject: &str) -> Result<Caller, Message> {
        let groups = self.groups.current(subject).await?;
        Ok(Caller {
            subject: subject.to_string(),
            groups,
        })
    }

    /// The approver and the requester as they are now.
    pub(super) async fn current_callers(
        &self,
        approver: &str,
        requester: &str,
    ) -> Result<(Caller, Caller), Message> {
        Ok((
            self.current_caller(approver).await?,
            self.current_caller(requester).await?,
        ))
    }

    /// May `caller` approve this request, on every cluster it targets?
    pub(super) fn check_approver(
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

    /// Right before the run: the request as approved (re-parsed, same hash), the requester's
    /// right and every approver's, each with the groups their chat gives now, and enough
    /// distinct people. Any doubt (a store or chat that cannot answer) refuses the run; the
    /// error carries the request as it stands, to be invalidated.
    pub(super) async fn recheck_before_run(
        &self,
        approval: &Approval,
    ) -> Result<Request, (Approval, Message)> {
        let id = approval.request.id.as_str();
        let as_approved = |a: &Approval| Approval {
            state: ApprovalState::Approved,
            ..a.clone()
        };
        let latest = match self.store.approval(id).await {
            Ok(Some(latest)) => latest,
            Ok(None) => return Err((as_approved(approval), msg!("approval-unknown", id = id))),
            Err(e) => {
                let message = msg!("engine-audit-unavailable", reason = e.to_string());
                return Err((as_approved(approval), message));
            }
        };
        let fail = |message: Message| (as_approved(&latest), message);
        let requester = self
            .current_caller(&latest.request.requester)
            .await
            .map_err(fail)?;
        let (request, rule) = self.rebuild(&latest, &requester).await.map_err(fail)?;
        let votes: Vec<&str> = latest
            .votes
            .iter()
            .filter(|v| v.hash == latest.request.hash)
            .map(|v| v.approver.as_str())
            .collect();
        for voter in &votes {
            let voter = self.current_caller(voter).await.map_err(fail)?;
            self.check_approver(&voter, &latest, &request, &rule)
                .map_err(fail)?;
        }
        let policy = &self.config.policy;
        let people = policy.approving_people(&latest.request.requester, votes.iter().copied());
        let needed = latest.request.approvers_needed.max(rule.approvers);
        let counted = u32::try_from(people.len()).unwrap_or(u32::MAX);
        if counted < needed {
            let message = msg!(
                "approval-not-enough-people",
                id = id,
                votes = counted,
                needed = needed
            );
            return Err(fail(message));
        }
        Ok(request)
    }
}
