//! `Policy::may_approve`: who may approve a request that needs approval.

use policies::{ApprovalRule, ApproveDecision, Decision, Policy, Target};

use Target::{All, NotApplicable, One};

const POLICY: &str = r#"
[roles.viewer]
operations = ["cluster.*"]
[roles.admin]
operations = ["*"]
approve = ["*"]
[roles.sre]
operations = ["cluster.*"]
approve = ["etcd.*"]
[roles.auditor]
operations = ["cluster.*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["shell:bob", "shell:carol", "slack-group:S0ONCALL"]

[[bindings]]
role = "viewer"
subjects = ["shell:dave"]

[[bindings]]
role = "sre"
subjects = ["shell:erin"]

[[bindings]]
role = "auditor"
subjects = ["shell:frank"]

[[bindings]]
role = "admin"
subjects = ["shell:grace"]
clusters = ["staging"]
namespaces = ["velero"]

[[deny]]
subjects = ["shell:carol"]
operations = ["*"]

[[approvals]]
operations = ["etcd.restore", "velero.restore"]
approvers = 1
approver_roles = ["admin", "sre"]
"#;

fn policy() -> Policy {
    match Policy::from_toml(POLICY) {
        Ok(policy) => policy,
        Err(e) => panic!("test policy is invalid:\n{e}"),
    }
}

/// The approval rule `decide` hands back for bob's restore on `cluster`.
fn rule_for(policy: &Policy, operation: &str, cluster: Target<'_>) -> ApprovalRule {
    match policy.decide("shell:bob", &[], operation, cluster, NotApplicable) {
        Decision::NeedsApproval { rule, .. } => rule,
        other => panic!("expected NeedsApproval, got {other:?}"),
    }
}

fn may(approver: &str, groups: &[&str], operation: &str, cluster: Target<'_>) -> ApproveDecision {
    let policy = policy();
    let rule = rule_for(&policy, operation, cluster);
    let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    policy.may_approve(
        approver,
        &groups,
        "shell:bob",
        operation,
        cluster,
        NotApplicable,
        &rule,
    )
}

#[test]
fn another_admin_may_approve_and_the_binding_is_named() {
    let d = may(
        "shell:bob2",
        &["slack-group:S0ONCALL"],
        "etcd.restore",
        One("prod"),
    );
    let ApproveDecision::Allowed { by } = d else {
        panic!("expected Allowed, got {d:?}")
    };
    assert_eq!(by.key, "bindings[0]");
    assert_eq!(by.summary, "role admin bound to slack-group:S0ONCALL");
}

#[test]
fn requester_may_not_approve_their_own_request() {
    assert_eq!(
        may("shell:bob", &[], "etcd.restore", One("prod")),
        ApproveDecision::OwnRequest
    );
}

#[test]
fn approver_without_an_approver_role_is_refused() {
    assert_eq!(
        may("shell:dave", &[], "etcd.restore", One("prod")),
        ApproveDecision::NotAnApprover
    );
    assert_eq!(
        may("shell:nobody", &[], "etcd.restore", One("prod")),
        ApproveDecision::NotAnApprover
    );
}

#[test]
fn role_that_may_approve_but_is_not_in_approver_roles_is_refused() {
    assert_eq!(
        may("shell:frank", &[], "etcd.restore", One("prod")),
        ApproveDecision::NotAnApprover
    );
}

#[test]
fn approver_role_whose_approve_globs_miss_the_operation_is_refused() {
    assert!(matches!(
        may("shell:erin", &[], "etcd.restore", One("prod")),
        ApproveDecision::Allowed { .. }
    ));
    assert_eq!(
        may("shell:erin", &[], "velero.restore", One("prod")),
        ApproveDecision::NotAnApprover
    );
}

#[test]
fn approver_whose_binding_does_not_cover_the_cluster_is_refused() {
    assert_eq!(
        may("shell:grace", &[], "etcd.restore", One("prod")),
        ApproveDecision::NotAnApprover
    );
    assert_eq!(
        may("shell:grace", &[], "etcd.restore", All),
        ApproveDecision::NotAnApprover
    );
}

#[test]
fn approver_whose_binding_does_not_cover_the_namespace_is_refused() {
    let policy = policy();
    let rule = rule_for(&policy, "velero.restore", One("staging"));
    let approve_in = |namespace| {
        policy.may_approve(
            "shell:grace",
            &[],
            "shell:bob",
            "velero.restore",
            One("staging"),
            namespace,
            &rule,
        )
    };
    assert!(matches!(
        approve_in(One("velero")),
        ApproveDecision::Allowed { .. }
    ));
    assert_eq!(approve_in(One("default")), ApproveDecision::NotAnApprover);
    assert_eq!(approve_in(All), ApproveDecision::NotAnApprover);
}

#[test]
fn deny_rule_naming_the_approver_does_not_stop_approving() {
    assert!(matches!(
        may("shell:carol", &[], "etcd.restore", One("prod")),
        ApproveDecision::Allowed { .. }
    ));
}
