//! The policy's verdict on a whole request: every targeted cluster must be allowed.

use commands::{Message, Namespaces, Request, msg};
use policies::{ApprovalRule, Decision, DenyReason, Policy, RuleRef, Target};
use serde_json::json;

use super::Caller;

#[derive(Clone, Debug)]
pub enum Judgement {
    Allow {
        rules: Vec<RuleRef>,
    },
    NeedsApproval {
        rules: Vec<RuleRef>,
        rule: ApprovalRule,
    },
    /// The sentence names the cluster and the rule (or that no rule allows it).
    Deny(Message),
}

/// The request's namespace as the policy sees it.
pub fn namespace_target(request: &Request) -> Target<'_> {
    match &request.namespaces {
        Namespaces::NotApplicable => Target::NotApplicable,
        Namespaces::All => Target::All,
        Namespaces::One(ns) => Target::One(ns),
    }
}

/// Decides per targeted cluster (`-c all` needs each one); the first deny wins.
pub fn judge(policy: &Policy, caller: &Caller, request: &Request) -> Judgement {
    let namespace = namespace_target(request);
    let clusters: Vec<Target<'_>> = if request.clusters.is_empty() {
        vec![Target::NotApplicable]
    } else {
        request.clusters.iter().map(|c| Target::One(c)).collect()
    };
    let mut rules: Vec<RuleRef> = Vec::new();
    let mut approval: Option<ApprovalRule> = None;
    for cluster in clusters {
        let decision = policy.decide(
            &caller.subject,
            &caller.groups,
            request.spec.id,
            cluster,
            namespace,
        );
        let where_ = match cluster {
            Target::One(name) => name.to_string(),
            _ => "-".to_string(),
        };
        match decision {
            Decision::Deny {
                reason: DenyReason::Explicit { rule },
            } => {
                return Judgement::Deny(msg!(
                    "policy-denied-by-rule",
                    subject = caller.subject.as_str(),
                    operation = request.spec.id,
                    cluster = where_,
                    rule = rule.to_string()
                ));
            }
            Decision::Deny {
                reason: DenyReason::NoRuleAllows,
            } => {
                return Judgement::Deny(msg!(
                    "policy-denied-default",
                    subject = caller.subject.as_str(),
                    operation = request.spec.id,
                    cluster = where_
                ));
            }
            Decision::Allow { by } => push_unique(&mut rules, by),
            Decision::NeedsApproval {
                by,
                approval: approval_ref,
                rule,
            } => {
                push_unique(&mut rules, by);
                push_unique(&mut rules, approval_ref);
                approval = Some(rule);
            }
        }
    }
    match approval {
        Some(rule) => Judgement::NeedsApproval { rules, rule },
        None => Judgement::Allow { rules },
    }
}

fn push_unique(rules: &mut Vec<RuleRef>, rule: RuleRef) {
    if !rules.contains(&rule) {
        rules.push(rule);
    }
}

impl Judgement {
    /// The decision record of the audit log: verdict, rules, and the exact request.
    pub fn audit_detail(&self, request: &Request) -> serde_json::Value {
        let (verdict, rules, message) = match self {
            Judgement::Allow { rules } => ("allow", rules.as_slice(), None),
            Judgement::NeedsApproval { rules, .. } => ("needs-approval", rules.as_slice(), None),
            Judgement::Deny(message) => ("deny", &[][..], Some(message.to_string())),
        };
        let args: serde_json::Map<String, serde_json::Value> = request
            .args
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v.to_string())))
            .collect();
        json!({
            "verdict": verdict,
            "rules": rules.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "message": message,
            "clusters": request.clusters,
            "namespace": format!("{:?}", request.namespaces),
            "args": args,
            "reason": request.reason,
        })
    }
}
