//! The decision table of `Policy::decide`, one behaviour a test.

use std::time::Duration;

use policies::{ApprovalRule, Decision, DenyReason, Policy, RuleRef, Target};

use Target::{All, NotApplicable, One};

const ROLES: &str = r#"
[roles.viewer]
operations = ["cluster.*", "certs.list", "pod.*"]
[roles.operator]
operations = ["etcd.snapshot", "velero.backup"]
[roles.admin]
operations = ["*"]
approve = ["*"]
"#;

/// The roles above plus `rules`.
fn policy(rules: &str) -> Policy {
    match Policy::from_toml(&format!("{ROLES}\n{rules}")) {
        Ok(policy) => policy,
        Err(e) => panic!("test policy is invalid:\n{e}"),
    }
}

fn allowed_by(decision: &Decision) -> &str {
    match decision {
        Decision::Allow { by } => &by.key,
        other => panic!("expected Allow, got {other:?}"),
    }
}

fn denied_by(decision: &Decision) -> &str {
    match decision {
        Decision::Deny {
            reason: DenyReason::Explicit { rule },
        } => &rule.key,
        other => panic!("expected an explicit Deny, got {other:?}"),
    }
}

fn is_default_deny(decision: &Decision) -> bool {
    matches!(
        decision,
        Decision::Deny {
            reason: DenyReason::NoRuleAllows
        }
    )
}

fn groups(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

const BOB_IS_ADMIN: &str = r#"
[[bindings]]
role = "admin"
subjects = ["slack:U0BOB", "shell:bob", "slack-group:S0ONCALL"]
"#;

#[test]
fn empty_policy_denies_everything() {
    let policy = policy("");
    let d = policy.decide("shell:bob", &[], "cluster.status", All, All);
    assert!(is_default_deny(&d));
    assert!(d.rules().is_empty());
}

#[test]
fn unbound_subject_is_denied_by_default() {
    let policy = policy(BOB_IS_ADMIN);
    let d = policy.decide(
        "shell:alice",
        &[],
        "cluster.status",
        One("prod"),
        NotApplicable,
    );
    assert!(is_default_deny(&d));
}

#[test]
fn binding_allows_its_subject_and_names_the_subject_pattern() {
    let policy = policy(BOB_IS_ADMIN);
    let d = policy.decide(
        "shell:bob",
        &[],
        "etcd.snapshot",
        One("prod"),
        NotApplicable,
    );
    let Decision::Allow { by } = &d else {
        panic!("expected Allow, got {d:?}")
    };
    assert_eq!(by.key, "bindings[0]");
    assert_eq!(by.summary, "role admin bound to shell:bob");
    assert_eq!(
        by.to_string(),
        "bindings[0] (role admin bound to shell:bob)"
    );
    assert_eq!(d.rules(), vec![by]);
}

#[test]
fn binding_allows_through_a_group() {
    let policy = policy(BOB_IS_ADMIN);
    let oncall = groups(&["slack-group:S0ONCALL"]);
    let d = policy.decide("slack:U0ALICE", &oncall, "etcd.snapshot", One("prod"), All);
    let Decision::Allow { by } = &d else {
        panic!("expected Allow, got {d:?}")
    };
    assert_eq!(by.summary, "role admin bound to slack-group:S0ONCALL");
    let not_oncall = groups(&["slack-group:S0OTHER"]);
    let d = policy.decide(
        "slack:U0ALICE",
        &not_oncall,
        "etcd.snapshot",
        One("prod"),
        All,
    );
    assert!(is_default_deny(&d));
}

#[test]
fn glob_subject_allows_every_id_on_its_platform_only() {
    let policy = policy(
        r#"
        [[bindings]]
        role = "viewer"
        subjects = ["shell:*"]
        "#,
    );
    let d = policy.decide(
        "shell:alice",
        &[],
        "cluster.status",
        One("prod"),
        NotApplicable,
    );
    assert_eq!(allowed_by(&d), "bindings[0]");
    let d = policy.decide(
        "slack:alice",
        &[],
        "cluster.status",
        One("prod"),
        NotApplicable,
    );
    assert!(is_default_deny(&d));
}

#[test]
fn role_operations_limit_what_a_binding_allows() {
    let policy = policy(
        r#"
        [[bindings]]
        role = "viewer"
        subjects = ["shell:alice"]
        "#,
    );
    let ok = policy.decide("shell:alice", &[], "pod.list", One("prod"), One("default"));
    assert_eq!(allowed_by(&ok), "bindings[0]");
    let no = policy.decide(
        "shell:alice",
        &[],
        "etcd.snapshot",
        One("prod"),
        NotApplicable,
    );
    assert!(is_default_deny(&no));
}

const OPERATOR_ON_STAGING: &str = r#"
[[bindings]]
role = "operator"
subjects = ["discord:42"]
clusters = ["staging-*"]
namespaces = ["velero"]
"#;

#[test]
fn cluster_restricted_binding_allows_matching_clusters_only() {
    let policy = policy(OPERATOR_ON_STAGING);
    let velero = One("velero");
    let d = policy.decide(
        "discord:42",
        &[],
        "velero.backup",
        One("staging-eu"),
        velero,
    );
    assert_eq!(allowed_by(&d), "bindings[0]");
    let d = policy.decide("discord:42", &[], "velero.backup", One("prod"), velero);
    assert!(is_default_deny(&d));
}

/// Issue 11: a binding limited to some namespaces granted cluster-scoped operations (an etcd
/// snapshot, `get nodes`) that reach past every namespace.
#[test]
fn namespace_restricted_binding_does_not_cover_a_cluster_scoped_operation() {
    let policy = policy(OPERATOR_ON_STAGING);
    let d = policy.decide(
        "discord:42",
        &[],
        "etcd.snapshot",
        One("staging-eu"),
        NotApplicable,
    );
    assert!(is_default_deny(&d));
}

#[test]
fn cluster_restricted_binding_does_not_cover_all_clusters() {
    let policy = policy(OPERATOR_ON_STAGING);
    let d = policy.decide("discord:42", &[], "etcd.snapshot", All, NotApplicable);
    assert!(is_default_deny(&d));
}

#[test]
fn unrestricted_binding_covers_all_clusters_and_namespaces() {
    let policy = policy(BOB_IS_ADMIN);
    let d = policy.decide("shell:bob", &[], "pod.list", All, All);
    assert_eq!(allowed_by(&d), "bindings[0]");
}

/// Issue 11: a binding limited to one cluster granted global operations (and approving them).
#[test]
fn restricted_binding_does_not_cover_an_operation_without_cluster_or_namespace() {
    let staging = policy(OPERATOR_ON_STAGING);
    let d = staging.decide(
        "discord:42",
        &[],
        "velero.backup",
        NotApplicable,
        NotApplicable,
    );
    assert!(is_default_deny(&d));
    let everywhere = policy(BOB_IS_ADMIN);
    let d = everywhere.decide("shell:bob", &[], "contacts", NotApplicable, NotApplicable);
    assert_eq!(allowed_by(&d), "bindings[0]");
}

#[test]
fn namespace_restricted_binding_covers_one_matching_namespace_but_not_all() {
    let policy = policy(OPERATOR_ON_STAGING);
    let staging = One("staging-eu");
    let d = policy.decide("discord:42", &[], "velero.backup", staging, One("velero"));
    assert_eq!(allowed_by(&d), "bindings[0]");
    let d = policy.decide("discord:42", &[], "velero.backup", staging, One("default"));
    assert!(is_default_deny(&d));
    let d = policy.decide("discord:42", &[], "velero.backup", staging, All);
    assert!(is_default_deny(&d));
}

#[test]
fn restricted_binding_names_its_scope() {
    let policy = policy(OPERATOR_ON_STAGING);
    let d = policy.decide(
        "discord:42",
        &[],
        "velero.backup",
        One("staging-eu"),
        One("velero"),
    );
    let Decision::Allow { by } = d else {
        panic!("expected Allow")
    };
    assert_eq!(
        by.summary,
        "role operator bound to discord:42 on cluster staging-* in namespace velero"
    );
}

const NO_POD_DELETE_ON_MGMT: &str = r#"
[[deny]]
subjects = ["*"]
operations = ["pod.delete"]
clusters = ["mgmt"]
"#;

#[test]
fn explicit_deny_beats_an_allow_and_is_named() {
    let policy = policy(&format!("{BOB_IS_ADMIN}{NO_POD_DELETE_ON_MGMT}"));
    let d = policy.decide("shell:bob", &[], "pod.delete", One("mgmt"), One("default"));
    assert_eq!(denied_by(&d), "deny[0]");
    let rules = d.rules();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].summary, "deny pod.delete to * on cluster mgmt");
}

#[test]
fn deny_beats_an_allow_whatever_the_file_order() {
    let policy = policy(&format!("{NO_POD_DELETE_ON_MGMT}{BOB_IS_ADMIN}"));
    let d = policy.decide("shell:bob", &[], "pod.delete", One("mgmt"), One("default"));
    assert_eq!(denied_by(&d), "deny[0]");
}

#[test]
fn deny_on_another_cluster_or_operation_leaves_the_allow() {
    let policy = policy(&format!("{BOB_IS_ADMIN}{NO_POD_DELETE_ON_MGMT}"));
    let d = policy.decide("shell:bob", &[], "pod.delete", One("prod"), One("default"));
    assert_eq!(allowed_by(&d), "bindings[0]");
    let d = policy.decide("shell:bob", &[], "pod.list", One("mgmt"), One("default"));
    assert_eq!(allowed_by(&d), "bindings[0]");
}

#[test]
fn deny_naming_one_cluster_reaches_a_request_for_all_clusters() {
    let policy = policy(&format!("{BOB_IS_ADMIN}{NO_POD_DELETE_ON_MGMT}"));
    let d = policy.decide("shell:bob", &[], "pod.delete", All, All);
    assert_eq!(denied_by(&d), "deny[0]");
}

#[test]
fn deny_naming_a_cluster_does_not_reach_an_operation_without_one() {
    let policy = policy(&format!("{BOB_IS_ADMIN}{NO_POD_DELETE_ON_MGMT}"));
    let d = policy.decide("shell:bob", &[], "pod.delete", NotApplicable, NotApplicable);
    assert_eq!(allowed_by(&d), "bindings[0]");
}

#[test]
fn deny_on_every_cluster_reaches_an_operation_without_one() {
    let policy = policy(&format!(
        r#"{BOB_IS_ADMIN}
        [[deny]]
        subjects = ["shell:bob"]
        operations = ["certs.*"]
        "#
    ));
    let d = policy.decide("shell:bob", &[], "certs.list", NotApplicable, NotApplicable);
    assert_eq!(denied_by(&d), "deny[0]");
}

#[test]
fn deny_reaches_through_a_group() {
    let policy = policy(&format!(
        r#"{BOB_IS_ADMIN}
        [[deny]]
        subjects = ["slack-group:S0INTERNS"]
        operations = ["*"]
        namespaces = ["kube-system"]
        "#
    ));
    let interns = groups(&["slack-group:S0INTERNS"]);
    let d = policy.decide(
        "slack:U0BOB",
        &interns,
        "pod.list",
        One("prod"),
        One("kube-system"),
    );
    assert_eq!(denied_by(&d), "deny[0]");
    let d = policy.decide(
        "slack:U0BOB",
        &interns,
        "pod.list",
        One("prod"),
        One("default"),
    );
    assert_eq!(allowed_by(&d), "bindings[0]");
}

const RESTORES_NEED_APPROVAL: &str = r#"
[[approvals]]
operations = ["etcd.restore", "velero.restore"]
approvers = 2
approver_roles = ["admin"]
reason = true
clusters = ["prod*"]
"#;

#[test]
fn approval_rule_turns_an_allow_into_needs_approval() {
    let policy = policy(&format!("{BOB_IS_ADMIN}{RESTORES_NEED_APPROVAL}"));
    let d = policy.decide("shell:bob", &[], "etcd.restore", One("prod"), NotApplicable);
    let Decision::NeedsApproval { by, approval, rule } = &d else {
        panic!("expected NeedsApproval, got {d:?}")
    };
    assert_eq!(by.key, "bindings[0]");
    assert_eq!(approval.key, "approvals[0]");
    assert_eq!(
        approval.summary,
        "etcd.restore needs 2 approvals from admin on cluster prod*"
    );
    let expected = ApprovalRule {
        approvers: 2,
        approver_roles: vec!["admin".to_owned()],
        ttl: Duration::from_secs(30 * 60),
        reason_required: true,
    };
    assert_eq!(rule, &expected);
    assert_eq!(d.rules(), vec![by, approval]);
    assert!(d.is_allowed());
}

#[test]
fn approval_rule_on_other_clusters_leaves_a_plain_allow() {
    let policy = policy(&format!("{BOB_IS_ADMIN}{RESTORES_NEED_APPROVAL}"));
    let d = policy.decide(
        "shell:bob",
        &[],
        "etcd.restore",
        One("staging"),
        NotApplicable,
    );
    assert_eq!(allowed_by(&d), "bindings[0]");
}

#[test]
fn approval_rule_reaches_a_request_for_all_clusters() {
    let policy = policy(&format!("{BOB_IS_ADMIN}{RESTORES_NEED_APPROVAL}"));
    let d = policy.decide("shell:bob", &[], "velero.restore", All, All);
    assert!(matches!(d, Decision::NeedsApproval { .. }), "{d:?}");
}

#[test]
fn approval_rule_never_allows_what_no_binding_allows() {
    let policy = policy(&format!("{BOB_IS_ADMIN}{RESTORES_NEED_APPROVAL}"));
    let d = policy.decide(
        "shell:alice",
        &[],
        "etcd.restore",
        One("prod"),
        NotApplicable,
    );
    assert!(is_default_deny(&d));
}

#[test]
fn first_approval_rule_in_file_order_is_named() {
    let policy = policy(&format!(
        r#"{BOB_IS_ADMIN}
        [[approvals]]
        operations = ["etcd.*"]
        approvers = 1
        approver_roles = ["admin"]
        ttl = "1h"
        {RESTORES_NEED_APPROVAL}"#
    ));
    let d = policy.decide("shell:bob", &[], "etcd.restore", One("prod"), NotApplicable);
    let Decision::NeedsApproval { approval, rule, .. } = d else {
        panic!("expected NeedsApproval")
    };
    assert_eq!(approval.key, "approvals[0]");
    assert_eq!(approval.summary, "etcd.* needs 1 approval from admin");
    assert_eq!(rule.ttl, Duration::from_secs(3600));
    assert!(!rule.reason_required);
}

#[test]
fn first_binding_in_file_order_is_named_when_several_allow() {
    let policy = policy(
        r#"
        [[bindings]]
        role = "viewer"
        subjects = ["shell:alice"]
        clusters = ["staging"]

        [[bindings]]
        role = "viewer"
        subjects = ["shell:*"]

        [[bindings]]
        role = "admin"
        subjects = ["shell:alice"]
        "#,
    );
    let d = policy.decide("shell:alice", &[], "pod.list", One("staging"), All);
    assert_eq!(allowed_by(&d), "bindings[0]");
    let d = policy.decide("shell:alice", &[], "pod.list", One("prod"), All);
    assert_eq!(allowed_by(&d), "bindings[1]");
    let d = policy.decide("shell:alice", &[], "etcd.snapshot", One("prod"), All);
    assert_eq!(allowed_by(&d), "bindings[2]");
}

#[test]
fn rules_of_a_decision_are_the_ones_that_made_it() {
    let by = RuleRef {
        key: "bindings[0]".to_owned(),
        summary: "s".to_owned(),
    };
    let deny = Decision::Deny {
        reason: DenyReason::NoRuleAllows,
    };
    assert!(deny.rules().is_empty());
    assert!(!deny.is_allowed());
    let allow = Decision::Allow { by: by.clone() };
    assert_eq!(allow.rules(), vec![&by]);
}

#[test]
fn named_groups_lists_exact_groups_of_one_platform() {
    let policy = policies::Policy::from_toml(
        r#"
[roles.viewer]
operations = ["cluster.*"]
[[bindings]]
role = "viewer"
subjects = ["slack-group:S0ONCALL", "slack-group:S*", "discord-role:42", "slack:U1"]
[[deny]]
subjects = ["slack-group:S0INTERNS", "slack-group:S0ONCALL"]
operations = ["pod.delete"]
"#,
    )
    .expect("valid policy");
    assert_eq!(
        policy.named_groups("slack-group"),
        ["slack-group:S0INTERNS", "slack-group:S0ONCALL"]
    );
    assert_eq!(policy.named_groups("discord-role"), ["discord-role:42"]);
}
