//! Issue 11: approvals count people, not accounts; several clusters take the strictest rule;
//! break-glass lowers approvals only for those it names.

use Target::{NotApplicable, One};
use policies::{ApprovalRule, ApproveDecision, Decision, Policy, Target};
use std::time::Duration;

const POLICY: &str = r#"
[roles.operator]
operations = ["pod.*", "etcd.*"]
[roles.admin]
operations = ["*"]
approve = ["*"]
[roles.lead]
operations = ["*"]
approve = ["*"]

[[people]]
name = "bob"
subjects = ["slack:U0BOB", "discord:8035", "shell:bob"]

[[people]]
name = "carol"
subjects = ["slack:U0CAROL"]

[[bindings]]
role = "admin"
subjects = ["person:bob", "person:carol", "slack:U0DAVE"]

[[bindings]]
role = "lead"
subjects = ["slack:U0ERIN"]
clusters = ["stage"]

[[approvals]]
operations = ["pod.delete"]
clusters = ["prod*"]
approvers = 2
approver_roles = ["admin"]
ttl = "10m"

[[approvals]]
operations = ["pod.delete"]
clusters = ["*"]
approvers = 1
approver_roles = ["admin", "lead"]
ttl = "1h"
reason = true

[[break_glass]]
operations = ["etcd.restore"]
subjects = ["person:carol"]
approvers = 0
"#;

fn policy() -> Policy {
    match Policy::from_toml(POLICY) {
        Ok(policy) => policy,
        Err(e) => panic!("test policy is invalid:\n{e}"),
    }
}

#[test]
fn two_accounts_of_one_person_are_one_person() {
    let policy = policy();
    assert_eq!(policy.person("discord:8035"), "person:bob");
    assert_eq!(policy.person("slack:U0BOB"), "person:bob");
    assert_eq!(policy.person("slack:U0DAVE"), "slack:U0DAVE");
    assert!(policy.same_person("slack:U0BOB", "shell:bob"));
    assert!(!policy.same_person("slack:U0BOB", "slack:U0CAROL"));
}

#[test]
fn a_binding_naming_a_person_reaches_each_of_their_accounts() {
    let policy = policy();
    for subject in ["slack:U0BOB", "discord:8035", "shell:bob"] {
        let d = policy.decide(subject, &[], "etcd.snapshot", One("prod"), NotApplicable);
        assert!(matches!(d, Decision::Allow { .. }), "{subject}: {d:?}");
    }
}

/// Bob requests in Slack and approves in Discord: that is his own request.
#[test]
fn nobody_approves_their_own_request_from_another_account() {
    let policy = policy();
    let rule = rule(1, &["admin"]);
    let d = policy.may_approve(
        "discord:8035",
        &[],
        "slack:U0BOB",
        "pod.delete",
        One("prod"),
        One("app"),
        &rule,
    );
    assert_eq!(d, ApproveDecision::OwnRequest);
}

#[test]
fn approvals_count_people_not_accounts() {
    let policy = policy();
    let people = policy.approving_people(
        "slack:U0DAVE",
        ["slack:U0BOB", "discord:8035", "shell:bob", "slack:U0DAVE"],
    );
    assert_eq!(people, vec!["person:bob".to_string()]);
    let people = policy.approving_people("slack:U0BOB", ["discord:8035", "slack:U0CAROL"]);
    assert_eq!(people, vec!["person:carol".to_string()]);
}

/// Issue 11: `-c all` over prod and stage asked for stage's single approval.
#[test]
fn several_clusters_take_the_strictest_rule() {
    let policy = policy();
    let targets = [(One("prod"), One("app")), (One("stage"), One("app"))];
    let d = policy.decide_all("slack:U0DAVE", &[], "pod.delete", &targets);
    let Decision::NeedsApproval { rule, approval, .. } = d else {
        panic!("expected NeedsApproval, got {d:?}");
    };
    assert_eq!(rule.approvers, 2);
    assert_eq!(approval.key, "approvals[0]");
    assert_eq!(rule.ttl, Duration::from_secs(600));
    assert!(rule.reason_required);
    assert_eq!(rule.approver_roles, vec!["admin", "lead"]);
    // The order of the clusters makes no difference.
    let reversed = [(One("stage"), One("app")), (One("prod"), One("app"))];
    let d = policy.decide_all("slack:U0DAVE", &[], "pod.delete", &reversed);
    assert!(matches!(d, Decision::NeedsApproval { ref rule, .. } if rule.approvers == 2));
}

#[test]
fn one_denied_target_denies_the_whole_request() {
    let policy = policy();
    let targets = [(One("stage"), One("app")), (One("prod"), One("app"))];
    let d = policy.decide_all("slack:U0ERIN", &[], "pod.delete", &targets);
    assert!(matches!(d, Decision::Deny { .. }), "{d:?}");
    let d = policy.decide_all("slack:U0DAVE", &[], "pod.delete", &[]);
    assert!(matches!(d, Decision::Deny { .. }), "no targets: {d:?}");
}

/// A lead of stage may approve stage's deletes, but not the prod half of a two-cluster one.
#[test]
fn an_approver_must_qualify_on_every_cluster_under_that_clusters_rule() {
    let policy = policy();
    let combined = rule(2, &["admin", "lead"]);
    let stage = [(One("stage"), One("app"))];
    let both = [(One("stage"), One("app")), (One("prod"), One("app"))];
    let d = policy.may_approve_all(
        "slack:U0ERIN",
        &[],
        "slack:U0DAVE",
        "pod.delete",
        &stage,
        &combined,
    );
    assert!(matches!(d, ApproveDecision::Allowed { .. }), "{d:?}");
    let d = policy.may_approve_all(
        "slack:U0ERIN",
        &[],
        "slack:U0DAVE",
        "pod.delete",
        &both,
        &combined,
    );
    assert_eq!(d, ApproveDecision::NotAnApprover);
    let d = policy.may_approve_all(
        "slack:U0BOB",
        &[],
        "slack:U0DAVE",
        "pod.delete",
        &both,
        &combined,
    );
    assert!(matches!(d, ApproveDecision::Allowed { .. }), "{d:?}");
}

#[test]
fn break_glass_names_who_may_and_how_many_approvals_remain() {
    let policy = policy();
    let prod = [One("prod")];
    let glass = policy.break_glass("slack:U0CAROL", &[], "etcd.restore", &prod);
    let Some(glass) = glass else {
        panic!("carol may break the glass")
    };
    assert_eq!(glass.approvers, 0);
    assert_eq!(glass.rule.key, "break_glass[0]");
    assert!(
        policy
            .break_glass("slack:U0BOB", &[], "etcd.restore", &prod)
            .is_none()
    );
    assert!(
        policy
            .break_glass("slack:U0CAROL", &[], "pod.delete", &prod)
            .is_none()
    );
    assert!(
        policy
            .break_glass("slack:U0CAROL", &[], "etcd.restore", &[])
            .is_none()
    );
}

#[test]
fn an_account_under_two_people_is_refused() {
    let text = r#"
[[people]]
name = "bob"
subjects = ["slack:U0BOB"]
[[people]]
name = "robert"
subjects = ["slack:U0BOB", "slack-group:S0", "shell:*"]
[[people]]
name = "bob"
subjects = ["shell:bob"]
[roles.admin]
operations = ["*"]
[[bindings]]
role = "admin"
subjects = ["person:nobody"]
[[break_glass]]
operations = ["etcd.restore"]
subjects = ["person:bob"]
approvers = -1
"#;
    let Err(errors) = Policy::from_toml(text) else {
        panic!("expected problems");
    };
    let keys: Vec<&str> = errors.0.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "people[1].subjects[0]",
            "people[1].subjects[1]",
            "people[1].subjects[2]",
            "people[2].name",
            "bindings[0].subjects[0]",
            "break_glass[0].approvers",
        ],
        "{errors}"
    );
    assert!(
        errors
            .to_string()
            .contains("already listed under person \"bob\""),
        "{errors}"
    );
}

/// Autocomplete asks whether anything could be done on a cluster before it lists its namespaces.
#[test]
fn a_namespace_scoped_binding_reaches_its_cluster_but_not_others() {
    let policy = Policy::from_toml(
        r#"
[roles.viewer]
operations = ["get"]
[[bindings]]
role = "viewer"
subjects = ["slack:U0TEAMA"]
clusters = ["app1"]
namespaces = ["team-a"]
[[deny]]
subjects = ["slack:U0TEAMA"]
operations = ["get"]
clusters = ["app2"]
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(policy.may_reach("slack:U0TEAMA", &[], "get", One("app1")));
    assert!(!policy.may_reach("slack:U0TEAMA", &[], "get", One("app2")));
    assert!(!policy.may_reach("slack:U0TEAMA", &[], "get", One("mgmt")));
    assert!(!policy.may_reach("slack:U0TEAMA", &[], "pod.delete", One("app1")));
    assert!(!policy.may_reach("slack:U0OTHER", &[], "get", One("app1")));
    // Reaching is not being allowed: the cluster-scoped read still needs a grant over `*`.
    let d = policy.decide("slack:U0TEAMA", &[], "get", One("app1"), NotApplicable);
    assert!(matches!(d, Decision::Deny { .. }));
}

fn rule(approvers: u32, roles: &[&str]) -> ApprovalRule {
    ApprovalRule {
        approvers,
        approver_roles: roles.iter().map(|r| r.to_string()).collect(),
        ttl: Duration::from_secs(600),
        reason_required: false,
    }
}
