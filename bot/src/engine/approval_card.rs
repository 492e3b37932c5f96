//! An approval request as the chats show it: the card, with the people who approved it.

use commands::Message;
use policies::Policy;

use super::{ApprovalCard, Engine, Event, Reply};
use crate::store::Approval;

/// The people who approved the request as it stands, one entry each: `bob (discord:8035…)`
/// for someone in `[[people]]` (the account they used), the subject otherwise.
fn approving_people(policy: &Policy, approval: &Approval) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut labels = Vec::new();
    let current = approval
        .votes
        .iter()
        .filter(|v| v.hash == approval.request.hash);
    for vote in current {
        let person = policy.person(&vote.approver);
        if policy.same_person(&vote.approver, &approval.request.requester) || seen.contains(&person)
        {
            continue;
        }
        labels.push(match person.strip_prefix("person:") {
            Some(name) => format!("{name} ({})", vote.approver),
            None => vote.approver.clone(),
        });
        seen.push(person);
    }
    labels
}

pub(super) fn card(
    policy: &Policy,
    approval: &Approval,
    gates: Vec<(Message, bool)>,
) -> ApprovalCard {
    let r = &approval.request;
    ApprovalCard {
        id: r.id.clone(),
        operation: r.operation.clone(),
        line: r.line.clone(),
        places: commands::places(&r.canonical)
            .map(|(clusters, namespaces)| super::judge::places(&clusters, &namespaces)),
        requester: r.requester.clone(),
        reason: r.reason.clone(),
        needed: r.approvers_needed,
        roles: r.approver_roles.clone(),
        approved_by: approving_people(policy, approval),
        state: approval.state,
        expires_at: r.expires_at,
        decided_by: approval.decided_by.clone(),
        decision_reason: approval.decision_reason.clone(),
        gates,
        card: approval.card.clone(),
    }
}

impl Engine {
    /// Sends the request's current card.
    pub(super) async fn show(&self, id: &str, reply: &dyn Reply) {
        if let Ok(Some(approval)) = self.store.approval(id).await {
            reply.send(Event::Approval(card(
                &self.config.policy,
                &approval,
                Vec::new(),
            )));
        }
    }
}

/// "02:30 UTC" for a card or a listing.
pub fn expiry(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}
