//! The policy file loader on arbitrary text: `Policy::from_toml`, then `decide` and
//! `may_approve` on what loads. A policy file is written by people and read at every start and
//! reload; a bad one must be refused with its problems, never crash the bot. What loads must
//! answer consistently: the same question twice gets the same answer, and a decision names
//! rules of the kind it says it does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policies::{ApproveDecision, Decision, DenyReason, Policy, ReferenceKind, Target};

/// Policy files are small; longer input only slows the fuzzer down on the same code.
const MAX_FILE: usize = 16 * 1024;
/// How many of the file's own names are tried as operations and clusters.
const MAX_NAMES: usize = 4;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_FILE {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = match Policy::from_toml(text) {
        Ok(policy) => policy,
        Err(errors) => {
            assert!(!errors.0.is_empty(), "a refused policy names no problem");
            let _ = errors.to_string();
            return;
        }
    };
    query(&policy);
});

fn query(policy: &Policy) {
    let references = policy.references();
    let named = |kind: ReferenceKind, fixed: &str| -> Vec<String> {
        let mut names = vec![fixed.to_string()];
        names.extend(
            references
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.value.clone())
                .take(MAX_NAMES),
        );
        names
    };
    let operations = named(ReferenceKind::Operation, "etcd.snapshot");
    let clusters = named(ReferenceKind::Cluster, "mgmt");
    let namespaces = ["default".to_string(), "kube-system".to_string()];
    let mut groups = policy.named_groups("slack-group");
    groups.extend(policy.named_groups("discord-role"));

    for operation in &operations {
        for subject in ["shell:bob", "slack:U0BOB"] {
            for member_of in [&[][..], &groups[..]] {
                let ask = |cluster, namespace| {
                    let decision = policy.decide(subject, member_of, operation, cluster, namespace);
                    check_decision(policy, &decision, subject, operation, cluster, namespace);
                    decision
                };
                for namespace in [Target::NotApplicable, Target::All, Target::One("default")] {
                    let all = ask(Target::All, namespace);
                    ask(Target::NotApplicable, namespace);
                    for cluster in &clusters {
                        let one = ask(Target::One(cluster), namespace);
                        check_all_covers_one(&all, &one, "-c all", cluster);
                    }
                }
                for cluster in [Target::NotApplicable, Target::One(&clusters[0])] {
                    let all = ask(cluster, Target::All);
                    for namespace in &namespaces {
                        let one = ask(cluster, Target::One(namespace));
                        check_all_covers_one(&all, &one, "-A", namespace);
                    }
                }
            }
        }
    }
}

/// Asking for every cluster (or namespace) at once is never easier than asking for one of
/// them: what a deny or an approval rule stops for one, it stops for all.
fn check_all_covers_one(all: &Decision, one: &Decision, axis: &str, value: &str) {
    if all.is_allowed() {
        assert!(
            one.is_allowed(),
            "{axis} is allowed ({all:?}) but {value} is not ({one:?})"
        );
    }
    if matches!(all, Decision::Allow { .. }) {
        assert!(
            !matches!(one, Decision::NeedsApproval { .. }),
            "{axis} needs no approval ({all:?}) but {value} does ({one:?})"
        );
    }
}

/// A decision names the right kinds of rule, and an approval it asks for can be given by
/// someone other than the requester, never by the requester.
fn check_decision(
    policy: &Policy,
    decision: &Decision,
    subject: &str,
    operation: &str,
    cluster: Target<'_>,
    namespace: Target<'_>,
) {
    match decision {
        Decision::Allow { by } => assert!(by.key.starts_with("bindings["), "{by}"),
        Decision::Deny {
            reason: DenyReason::Explicit { rule },
        } => assert!(rule.key.starts_with("deny["), "{rule}"),
        Decision::Deny {
            reason: DenyReason::NoRuleAllows,
        } => assert!(decision.rules().is_empty()),
        Decision::NeedsApproval { by, approval, rule } => {
            assert!(by.key.starts_with("bindings["), "{by}");
            assert!(approval.key.starts_with("approvals["), "{approval}");
            assert!(rule.approvers >= 1, "an approval rule asks for no approver");
            let own =
                policy.may_approve(subject, &[], subject, operation, cluster, namespace, rule);
            assert_eq!(own, ApproveDecision::OwnRequest);
            let other = policy.may_approve(
                "shell:someone-else",
                &[],
                subject,
                operation,
                cluster,
                namespace,
                rule,
            );
            assert_ne!(other, ApproveDecision::OwnRequest);
        }
    }
}
