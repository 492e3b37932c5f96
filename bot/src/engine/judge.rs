//! The policy's verdict on a whole request: every place it touches must be allowed, and it
//! waits for the strictest approval any of them asks for.

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

/// The request's namespaces as the policy sees them: one target each (`--namespaces a,b` is
/// two), never none.
pub fn namespace_targets(request: &Request) -> Vec<Target<'_>> {
    match &request.namespaces {
        Namespaces::NotApplicable => vec![Target::NotApplicable],
        Namespaces::All => vec![Target::All],
        Namespaces::One(ns) => vec![Target::One(ns)],
        // An empty list cannot be typed; were it ever built, it is judged as every namespace.
        Namespaces::Many(list) if list.is_empty() => vec![Target::All],
        Namespaces::Many(list) => list.iter().map(|ns| Target::One(ns.as_str())).collect(),
    }
}

/// Every (cluster, namespace) the request will touch, as the policy judges them: each
/// targeted cluster with each of the request's namespaces, or the namespaces alone for an
/// operation with no cluster. A request is allowed only if every pair is.
pub fn targets(request: &Request) -> Vec<(Target<'_>, Target<'_>)> {
    let namespaces = namespace_targets(request);
    let clusters: Vec<Target<'_>> = if request.clusters.is_empty() {
        vec![Target::NotApplicable]
    } else {
        request
            .clusters
            .iter()
            .map(|c| Target::One(c.as_str()))
            .collect()
    };
    clusters
        .iter()
        .flat_map(|&cluster| namespaces.iter().map(move |&ns| (cluster, ns)))
        .collect()
}

/// One sentence naming every cluster and namespace a request touches, for the approval card
/// and the start of a run, so an approver sees `-c all` and `--namespaces` spelled out.
pub fn places(clusters: &[String], namespaces: &Namespaces) -> Message {
    let clusters = if clusters.is_empty() {
        msg!("places-no-cluster")
    } else {
        msg!("places-clusters", clusters = clusters.join(", "))
    };
    match namespaces {
        Namespaces::NotApplicable => msg!("places-cluster-wide", clusters = clusters),
        Namespaces::All => msg!("places-all-namespaces", clusters = clusters),
        Namespaces::One(ns) => msg!(
            "places-namespaces",
            clusters = clusters,
            namespaces = ns.as_str()
        ),
        Namespaces::Many(list) => msg!(
            "places-namespaces",
            clusters = clusters,
            namespaces = list.join(", ")
        ),
    }
}

/// Decides on every place the request touches ([`targets`]): the first deny wins, and the
/// approval asked for is the strictest of the rules that apply anywhere in it.
pub fn judge(policy: &Policy, caller: &Caller, request: &Request) -> Judgement {
    let mut rules: Vec<RuleRef> = Vec::new();
    let mut decisions = Vec::new();
    for (cluster, namespace) in targets(request) {
        let decision = policy.decide(
            &caller.subject,
            &caller.groups,
            request.spec.id,
            cluster,
            namespace,
        );
        if let Some(message) = refusal(caller, request, cluster, namespace, &decision) {
            return Judgement::Deny(message);
        }
        for rule in decision.rules() {
            push_unique(&mut rules, rule.clone());
        }
        decisions.push(decision);
    }
    match Decision::combine(decisions) {
        Decision::NeedsApproval { rule, .. } => Judgement::NeedsApproval { rules, rule },
        Decision::Allow { .. } => Judgement::Allow { rules },
        // Only a request with no place at all gets here: every refused place returned above.
        Decision::Deny { .. } => Judgement::Deny(msg!(
            "policy-denied-default",
            subject = caller.subject.as_str(),
            operation = request.spec.id,
            cluster = "-"
        )),
    }
}

/// The sentence for a refused place, naming the cluster (and the namespace, when one was
/// refused among several) and the rule.
fn refusal(
    caller: &Caller,
    request: &Request,
    cluster: Target<'_>,
    namespace: Target<'_>,
    decision: &Decision,
) -> Option<Message> {
    let cluster = match cluster {
        Target::One(name) => name.to_string(),
        _ => "-".to_string(),
    };
    let where_ = match namespace {
        Target::One(ns) => msg!("policy-place-namespace", cluster = cluster, namespace = ns),
        Target::All => msg!("policy-place-every-namespace", cluster = cluster),
        Target::NotApplicable => msg!("policy-place", cluster = cluster),
    };
    match decision {
        Decision::Deny {
            reason: DenyReason::Explicit { rule },
        } => Some(msg!(
            "policy-denied-by-rule",
            subject = caller.subject.as_str(),
            operation = request.spec.id,
            cluster = where_,
            rule = rule.to_string()
        )),
        Decision::Deny {
            reason: DenyReason::NoRuleAllows,
        } => Some(msg!(
            "policy-denied-default",
            subject = caller.subject.as_str(),
            operation = request.spec.id,
            cluster = where_
        )),
        Decision::Allow { .. } | Decision::NeedsApproval { .. } => None,
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

#[cfg(test)]
mod tests {
    use commands::{ClusterSettings, Command, Settings};

    use super::*;

    fn request(line: &str) -> Request {
        let settings = Settings {
            clusters: ["prod", "stage"]
                .map(|c| (c.to_string(), ClusterSettings::default()))
                .into(),
            ..Settings::default()
        };
        let Ok(Command::Run(invocation)) = commands::parse(line) else {
            panic!("{line}")
        };
        commands::resolve(invocation, &settings).expect(line)
    }

    /// Every cluster crossed with every namespace: judging one pair less would let the
    /// strictest rule or a deny be missed.
    #[test]
    fn targets_cross_every_cluster_with_every_namespace() {
        let all = request("status -c all");
        assert_eq!(
            targets(&all),
            [
                (Target::One("prod"), Target::NotApplicable),
                (Target::One("stage"), Target::NotApplicable)
            ]
        );
        let restore = request("velero restore nightly --namespaces a,b -c prod");
        assert_eq!(
            targets(&restore),
            [
                (Target::One("prod"), Target::One("a")),
                (Target::One("prod"), Target::One("b"))
            ]
        );
        let whole = request("velero restore nightly -c stage");
        assert_eq!(targets(&whole), [(Target::One("stage"), Target::All)]);
        let global = request("contacts");
        assert_eq!(
            targets(&global),
            [(Target::NotApplicable, Target::NotApplicable)]
        );
    }
}
