//! `Policy::from_toml`: what loads, and every problem reported with its key.

use std::time::Duration;

use policies::{Decision, Policy, PolicyProblem, ProblemKind, Reference, ReferenceKind, Target};

/// The example from CONTRACT.md, "The policy file".
const CONTRACT_EXAMPLE: &str = r#"
[roles.viewer]
operations = ["cluster.*", "certs.list", "pod.*"]   # what the role may run
[roles.operator]
operations = ["etcd.snapshot", "velero.backup"]
[roles.admin]
operations = ["*"]
approve = ["*"]                                      # what the role may approve

[[bindings]]
role = "admin"
subjects = ["slack:U0BOB", "discord:80351110224678912", "shell:bob", "slack-group:S0ONCALL"]
clusters = ["*"]                                     # optional, default all
namespaces = ["*"]                                   # optional, default all

[[deny]]                                             # beats any allow
subjects = ["*"]
operations = ["pod.delete"]
clusters = ["mgmt"]

[[approvals]]
operations = ["etcd.restore", "velero.restore", "dr.rebuild"]
approvers = 1                                        # distinct people, never the requester
approver_roles = ["admin"]
ttl = "30m"
reason = true                                        # the requester must give a reason
"#;

const ADMIN: &str = "[roles.admin]\noperations = [\"*\"]\napprove = [\"*\"]\n";

fn problems(text: &str) -> Vec<PolicyProblem> {
    match Policy::from_toml(text) {
        Ok(policy) => panic!("expected problems, but it loaded: {policy:?}"),
        Err(e) => e.0,
    }
}

/// The only problem of `text`, as (key, reason).
fn problem(text: &str) -> (String, ProblemKind) {
    let mut all = problems(text);
    assert_eq!(all.len(), 1, "expected one problem, got {all:?}");
    let p = all.remove(0);
    (p.key, p.reason)
}

fn bad_value_at(text: &str, key: &str) {
    let (k, reason) = problem(text);
    assert_eq!(k, key);
    assert!(matches!(reason, ProblemKind::BadValue(_)), "{reason:?}");
}

#[test]
fn contract_example_loads() {
    let policy = Policy::from_toml(CONTRACT_EXAMPLE).unwrap();
    let d = policy.decide(
        "discord:80351110224678912",
        &[],
        "dr.rebuild",
        Target::One("prod"),
        Target::NotApplicable,
    );
    assert!(matches!(d, Decision::NeedsApproval { .. }), "{d:?}");
}

#[test]
fn empty_file_is_a_policy_that_denies_everything() {
    let policy = Policy::from_toml("").unwrap();
    let d = policy.decide("shell:bob", &[], "help", Target::All, Target::All);
    assert!(!d.is_allowed());
}

#[test]
fn syntax_error_is_reported_alone_with_its_line() {
    let (key, reason) = problem("[roles.admin]\noperations = [\"*\"\n[[bindings]]\nrole = 1 = 2\n");
    assert_eq!(key, "");
    let ProblemKind::Syntax(text) = &reason else {
        panic!("expected Syntax, got {reason:?}")
    };
    assert!(text.starts_with("line 3,"), "{text}");
    assert!(
        reason
            .to_string()
            .starts_with("TOML syntax error at line 3")
    );
}

#[test]
fn duplicate_key_is_a_syntax_error() {
    let (_, reason) = problem("[roles.admin]\noperations = []\noperations = []\n");
    assert!(matches!(reason, ProblemKind::Syntax(ref t) if t.starts_with("line 3")));
}

#[test]
fn every_unknown_key_is_reported_with_its_path() {
    let text = format!(
        r#"{ADMIN}
        colour = "blue"
        [roles.viewer]
        operation = ["pod.*"]
        [[bindings]]
        role = "admin"
        subjects = ["shell:bob"]
        [[bindings]]
        role = "admin"
        subjects = ["shell:alice"]
        namespace = ["default"]
        [[approvals]]
        operations = ["etcd.restore"]
        approvers = 1
        approver_roles = ["admin"]
        reasons = true
        "#
    );
    let keys: Vec<(String, ProblemKind)> = problems(&text)
        .into_iter()
        .map(|p| (p.key, p.reason))
        .collect();
    // `colour` sits under [roles.admin] in TOML, so that is where it is unknown.
    for key in [
        "roles.admin.colour",
        "roles.viewer.operation",
        "bindings[1].namespace",
        "approvals[0].reasons",
    ] {
        assert!(
            keys.contains(&(key.to_owned(), ProblemKind::UnknownKey)),
            "{key} missing from {keys:?}"
        );
    }
    assert_eq!(keys.len(), 4, "a typo is one problem, not two: {keys:?}");
}

#[test]
fn unknown_top_level_key_is_reported() {
    let (key, reason) = problem("version = 2\n");
    assert_eq!(key, "version");
    assert_eq!(reason, ProblemKind::UnknownKey);
}

#[test]
fn binding_to_an_undefined_role_is_reported() {
    let (key, reason) = problem("[[bindings]]\nrole = \"root\"\nsubjects = [\"shell:bob\"]\n");
    assert_eq!(key, "bindings[0].role");
    assert_eq!(reason, ProblemKind::UnknownRole("root".to_owned()));
    assert_eq!(
        reason.to_string(),
        "no role named \"root\" is defined under [roles]"
    );
}

#[test]
fn undefined_approver_role_is_reported() {
    let text = format!(
        "{ADMIN}[[approvals]]\noperations = [\"x\"]\napprovers = 1\napprover_roles = [\"admin\", \"sre\"]\n"
    );
    let (key, reason) = problem(&text);
    assert_eq!(key, "approvals[0].approver_roles[1]");
    assert_eq!(reason, ProblemKind::UnknownRole("sre".to_owned()));
}

#[test]
fn malformed_subjects_are_reported_one_by_one() {
    let text = format!(
        "{ADMIN}[[bindings]]\nrole = \"admin\"\nsubjects = [\"bob\", \"shell:*\", \"irc:bob\", \"slack:\"]\n"
    );
    let found: Vec<(String, ProblemKind)> = problems(&text)
        .into_iter()
        .map(|p| (p.key, p.reason))
        .collect();
    let bad = |i: usize, s: &str| {
        (
            format!("bindings[0].subjects[{i}]"),
            ProblemKind::BadSubject(s.to_owned()),
        )
    };
    assert_eq!(
        found,
        vec![bad(0, "bob"), bad(2, "irc:bob"), bad(3, "slack:")]
    );
}

#[test]
fn unreadable_ttl_is_a_bad_duration() {
    let text = format!(
        "{ADMIN}[[approvals]]\noperations = [\"x\"]\napprovers = 1\napprover_roles = [\"admin\"]\nttl = \"half an hour\"\n"
    );
    let (key, reason) = problem(&text);
    assert_eq!(key, "approvals[0].ttl");
    assert_eq!(reason, ProblemKind::BadDuration("half an hour".to_owned()));
}

#[test]
fn ttl_is_read_by_humantime_and_zero_is_refused() {
    let rule = |ttl: &str| {
        format!(
            "{ADMIN}[[bindings]]\nrole = \"admin\"\nsubjects = [\"*\"]\n[[approvals]]\noperations = [\"x\"]\napprovers = 1\napprover_roles = [\"admin\"]\nttl = \"{ttl}\"\n"
        )
    };
    let policy = Policy::from_toml(&rule("1h 30m")).unwrap();
    let d = policy.decide("shell:a", &[], "x", Target::All, Target::All);
    let Decision::NeedsApproval { rule: r, .. } = d else {
        panic!("expected NeedsApproval")
    };
    assert_eq!(r.ttl, Duration::from_secs(90 * 60));
    bad_value_at(&rule("0s"), "approvals[0].ttl");
}

#[test]
fn approvers_below_one_are_refused() {
    for n in ["0", "-1"] {
        let text = format!(
            "{ADMIN}[[approvals]]\noperations = [\"x\"]\napprovers = {n}\napprover_roles = [\"admin\"]\n"
        );
        bad_value_at(&text, "approvals[0].approvers");
    }
}

#[test]
fn empty_lists_that_would_match_nothing_are_refused() {
    bad_value_at(
        "[[deny]]\nsubjects = [\"*\"]\noperations = []\n",
        "deny[0].operations",
    );
    bad_value_at(
        "[[deny]]\nsubjects = []\noperations = [\"x\"]\n",
        "deny[0].subjects",
    );
    let binding =
        format!("{ADMIN}[[bindings]]\nrole = \"admin\"\nsubjects = [\"*\"]\nclusters = []\n");
    bad_value_at(&binding, "bindings[0].clusters");
    let approval =
        format!("{ADMIN}[[approvals]]\noperations = [\"x\"]\napprovers = 1\napprover_roles = []\n");
    bad_value_at(&approval, "approvals[0].approver_roles");
}

#[test]
fn role_that_grants_nothing_is_refused() {
    bad_value_at("[roles.idle]\noperations = []\n", "roles.idle");
}

#[test]
fn approver_role_that_can_approve_nothing_is_refused() {
    let text = "[roles.viewer]\noperations = [\"pod.*\"]\n[[approvals]]\noperations = [\"x\"]\napprovers = 1\napprover_roles = [\"viewer\"]\n";
    bad_value_at(text, "approvals[0].approver_roles[0]");
}

#[test]
fn missing_required_keys_are_named() {
    let found: Vec<String> = problems("[[bindings]]\n[[approvals]]\n")
        .into_iter()
        .map(|p| p.key)
        .collect();
    assert_eq!(
        found,
        vec![
            "bindings[0].role",
            "bindings[0].subjects",
            "approvals[0].operations",
            "approvals[0].approvers",
            "approvals[0].approver_roles",
        ]
    );
}

#[test]
fn wrong_types_are_reported_at_their_exact_key() {
    let text = format!(
        "{ADMIN}[[bindings]]\nrole = \"admin\"\nsubjects = [\"shell:bob\", 7]\n[[approvals]]\noperations = [\"x\"]\napprovers = \"one\"\napprover_roles = [\"admin\"]\n"
    );
    let keys: Vec<String> = problems(&text).into_iter().map(|p| p.key).collect();
    assert_eq!(
        keys,
        vec!["bindings[0].subjects[1]", "approvals[0].approvers"]
    );
}

#[test]
fn a_wrong_type_does_not_hide_the_other_problems_of_its_table() {
    let text =
        "[[bindings]]\nrole = \"root\"\nsubjects = [\"shell:bob\", 3]\nclusters = \"prod\"\n";
    let found: Vec<(String, ProblemKind)> = problems(text)
        .into_iter()
        .map(|p| (p.key, p.reason))
        .collect();
    let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "bindings[0].role",
            "bindings[0].subjects[1]",
            "bindings[0].clusters"
        ]
    );
    assert_eq!(found[0].1, ProblemKind::UnknownRole("root".to_owned()));
    assert!(
        matches!(&found[2].1, ProblemKind::BadValue(why) if why.contains("expected a sequence"))
    );
}

#[test]
fn a_section_of_the_wrong_shape_is_reported() {
    bad_value_at("bindings = 3\n", "bindings");
    bad_value_at("roles = [1]\n", "roles");
    bad_value_at("[roles]\nadmin = 1\n", "roles.admin");
}

#[test]
fn three_problems_in_one_file_are_reported_together() {
    let text = format!(
        r#"{ADMIN}
        [[bindings]]
        role = "admim"
        subjects = ["shell:bob"]

        [[bindings]]
        role = "admin"
        subjects = ["bob"]

        [[approvals]]
        operations = ["etcd.restore"]
        approvers = 0
        approver_roles = ["admin"]
        "#
    );
    let errors = Policy::from_toml(&text).unwrap_err();
    let keys: Vec<&str> = errors.0.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "bindings[0].role",
            "bindings[1].subjects[0]",
            "approvals[0].approvers"
        ]
    );
    let shown = errors.to_string();
    assert_eq!(shown.lines().count(), 3, "{shown}");
    assert!(
        shown.starts_with("bindings[0].role: no role named \"admim\""),
        "{shown}"
    );
}

#[test]
fn references_list_every_cluster_and_operation_written() {
    let policy = Policy::from_toml(CONTRACT_EXAMPLE).unwrap();
    let refs = policy.references();
    let has = |key: &str, kind: ReferenceKind, value: &str| {
        refs.contains(&Reference {
            key: key.to_owned(),
            kind,
            value: value.to_owned(),
        })
    };
    assert!(has(
        "roles.viewer.operations[1]",
        ReferenceKind::Operation,
        "certs.list"
    ));
    assert!(has("roles.admin.approve[0]", ReferenceKind::Operation, "*"));
    assert!(has("bindings[0].clusters[0]", ReferenceKind::Cluster, "*"));
    assert!(has(
        "deny[0].operations[0]",
        ReferenceKind::Operation,
        "pod.delete"
    ));
    assert!(has("deny[0].clusters[0]", ReferenceKind::Cluster, "mgmt"));
    assert!(has(
        "approvals[0].operations[2]",
        ReferenceKind::Operation,
        "dr.rebuild"
    ));
    // 3 + 2 + 1 + 1 role operations and approve, 1 binding cluster, 2 deny, 3 approval.
    assert_eq!(refs.len(), 13, "{refs:?}");
}

#[test]
fn defaults_the_file_leaves_out_are_not_references() {
    let policy = Policy::from_toml(&format!(
        "{ADMIN}[[bindings]]\nrole = \"admin\"\nsubjects = [\"*\"]\n"
    ))
    .unwrap();
    assert!(
        policy
            .references()
            .iter()
            .all(|r| r.kind == ReferenceKind::Operation)
    );
}
