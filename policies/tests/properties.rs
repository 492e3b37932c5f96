//! Properties that hold for every policy: deny rules only take away, bindings only give.
//!
//! Policies are generated as small models, rendered to TOML and loaded through the public
//! `from_toml`, so the properties cover parsing as well as deciding.

use policies::{ApproveDecision, Decision, Policy, Target};
use proptest::prelude::*;

const ROLES: &str = r#"
[roles.viewer]
operations = ["cluster.*", "certs.list", "pod.*"]
[roles.operator]
operations = ["etcd.snapshot", "velero.*"]
[roles.admin]
operations = ["*"]
approve = ["*"]
"#;

const SUBJECT_PATTERNS: &[&str] = &[
    "*",
    "shell:*",
    "shell:alice",
    "shell:bob",
    "slack:U1",
    "discord:9",
    "slack-group:S0ONCALL",
    "discord-role:R1",
];
const OPERATION_PATTERNS: &[&str] = &["*", "pod.*", "pod.delete", "etcd.*", "etcd.restore"];
const CLUSTER_PATTERNS: &[&str] = &["*", "prod", "prod-*", "mgmt", "staging"];
const NAMESPACE_PATTERNS: &[&str] = &["*", "default", "kube-*"];

const SUBJECTS: &[&str] = &[
    "shell:alice",
    "shell:bob",
    "slack:U1",
    "discord:9",
    "slack:U2",
];
const GROUPS: &[&str] = &["slack-group:S0ONCALL", "discord-role:R1"];
const OPERATIONS: &[&str] = &[
    "pod.delete",
    "pod.list",
    "etcd.restore",
    "etcd.snapshot",
    "help",
];
const CLUSTERS: &[&str] = &["prod", "prod-eu", "mgmt", "staging", "dev"];
const NAMESPACES: &[&str] = &["default", "kube-system", "velero"];

fn some_of(items: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::subsequence(items, 1..=items.len().min(3))
}

/// `None` leaves the key out, so the default is exercised too.
fn maybe_some_of(
    items: &'static [&'static str],
) -> impl Strategy<Value = Option<Vec<&'static str>>> {
    prop::option::of(some_of(items))
}

fn toml_list(items: &[&str]) -> String {
    format!("{items:?}")
}

fn optional_key(name: &str, items: &Option<Vec<&str>>) -> String {
    items
        .as_ref()
        .map(|items| format!("{name} = {}\n", toml_list(items)))
        .unwrap_or_default()
}

#[derive(Clone, Debug)]
struct BindingModel {
    role: &'static str,
    subjects: Vec<&'static str>,
    clusters: Option<Vec<&'static str>>,
    namespaces: Option<Vec<&'static str>>,
}

impl BindingModel {
    fn toml(&self) -> String {
        format!(
            "[[bindings]]\nrole = {:?}\nsubjects = {}\n{}{}",
            self.role,
            toml_list(&self.subjects),
            optional_key("clusters", &self.clusters),
            optional_key("namespaces", &self.namespaces),
        )
    }
}

#[derive(Clone, Debug)]
struct DenyModel {
    subjects: Vec<&'static str>,
    operations: Vec<&'static str>,
    clusters: Option<Vec<&'static str>>,
    namespaces: Option<Vec<&'static str>>,
}

impl DenyModel {
    fn toml(&self) -> String {
        format!(
            "[[deny]]\nsubjects = {}\noperations = {}\n{}{}",
            toml_list(&self.subjects),
            toml_list(&self.operations),
            optional_key("clusters", &self.clusters),
            optional_key("namespaces", &self.namespaces),
        )
    }
}

#[derive(Clone, Debug)]
struct ApprovalModel {
    operations: Vec<&'static str>,
    clusters: Option<Vec<&'static str>>,
    approvers: u32,
    ttl_minutes: u32,
    reason: bool,
}

impl ApprovalModel {
    fn toml(&self) -> String {
        format!(
            "[[approvals]]\noperations = {}\napprovers = {}\napprover_roles = [\"admin\"]\n\
             ttl = \"{}m\"\nreason = {}\n{}",
            toml_list(&self.operations),
            self.approvers,
            self.ttl_minutes,
            self.reason,
            optional_key("clusters", &self.clusters),
        )
    }
}

/// `[[people]]`: which of `SUBJECTS` belong to one person. Each subject is in at most one row.
#[derive(Clone, Debug)]
struct PeopleModel {
    /// For each of `SUBJECTS`, the index of its person, or `None` for a person of its own.
    owner: Vec<Option<usize>>,
}

impl PeopleModel {
    fn toml(&self) -> String {
        let mut rows: std::collections::BTreeMap<usize, Vec<&str>> = Default::default();
        for (subject, owner) in SUBJECTS.iter().zip(&self.owner) {
            if let Some(owner) = owner {
                rows.entry(*owner).or_default().push(subject);
            }
        }
        rows.iter()
            .map(|(owner, subjects)| {
                format!(
                    "[[people]]\nname = \"p{owner}\"\nsubjects = {}\n",
                    toml_list(subjects)
                )
            })
            .collect()
    }

    /// The true owner of a subject: its row, or itself.
    fn owner_of(&self, subject: &str) -> String {
        let index = SUBJECTS.iter().position(|s| *s == subject);
        match index.and_then(|i| self.owner[i]) {
            Some(owner) => format!("p{owner}"),
            None => subject.to_owned(),
        }
    }
}

fn people() -> impl Strategy<Value = PeopleModel> {
    prop::collection::vec(prop::option::of(0..3usize), SUBJECTS.len())
        .prop_map(|owner| PeopleModel { owner })
}

#[derive(Clone, Debug)]
struct PolicyModel {
    bindings: Vec<BindingModel>,
    deny: Vec<DenyModel>,
    approvals: Vec<ApprovalModel>,
}

impl PolicyModel {
    fn load(&self) -> Policy {
        let text = self.load_text();
        match Policy::from_toml(&text) {
            Ok(policy) => policy,
            Err(e) => panic!("generated policy is invalid:\n{e}\n---\n{text}"),
        }
    }

    fn load_text(&self) -> String {
        let mut text = ROLES.to_owned();
        let sections = self.bindings.iter().map(BindingModel::toml);
        let sections = sections
            .chain(self.deny.iter().map(DenyModel::toml))
            .chain(self.approvals.iter().map(ApprovalModel::toml));
        for section in sections {
            text.push('\n');
            text.push_str(&section);
        }
        text
    }
}

fn binding() -> impl Strategy<Value = BindingModel> {
    (
        prop::sample::select(&["viewer", "operator", "admin"][..]),
        some_of(SUBJECT_PATTERNS),
        maybe_some_of(CLUSTER_PATTERNS),
        maybe_some_of(NAMESPACE_PATTERNS),
    )
        .prop_map(|(role, subjects, clusters, namespaces)| BindingModel {
            role,
            subjects,
            clusters,
            namespaces,
        })
}

fn deny() -> impl Strategy<Value = DenyModel> {
    (
        some_of(SUBJECT_PATTERNS),
        some_of(OPERATION_PATTERNS),
        maybe_some_of(CLUSTER_PATTERNS),
        maybe_some_of(NAMESPACE_PATTERNS),
    )
        .prop_map(|(subjects, operations, clusters, namespaces)| DenyModel {
            subjects,
            operations,
            clusters,
            namespaces,
        })
}

fn approval() -> impl Strategy<Value = ApprovalModel> {
    (
        some_of(OPERATION_PATTERNS),
        maybe_some_of(CLUSTER_PATTERNS),
        1..4u32,
        1..120u32,
        any::<bool>(),
    )
        .prop_map(
            |(operations, clusters, approvers, ttl_minutes, reason)| ApprovalModel {
                operations,
                clusters,
                approvers,
                ttl_minutes,
                reason,
            },
        )
}

fn policy_model() -> impl Strategy<Value = PolicyModel> {
    (
        prop::collection::vec(binding(), 0..4),
        prop::collection::vec(deny(), 0..3),
        prop::collection::vec(approval(), 0..3),
    )
        .prop_map(|(bindings, deny, approvals)| PolicyModel {
            bindings,
            deny,
            approvals,
        })
}

fn target(values: &'static [&'static str]) -> impl Strategy<Value = Target<'static>> {
    prop_oneof![
        Just(Target::NotApplicable),
        Just(Target::All),
        prop::sample::select(values).prop_map(Target::One),
    ]
}

#[derive(Clone, Debug)]
struct Query {
    subject: &'static str,
    groups: Vec<String>,
    operation: &'static str,
    cluster: Target<'static>,
    namespace: Target<'static>,
}

impl Query {
    fn ask(&self, policy: &Policy) -> Decision {
        policy.decide(
            self.subject,
            &self.groups,
            self.operation,
            self.cluster,
            self.namespace,
        )
    }
}

fn query() -> impl Strategy<Value = Query> {
    (
        prop::sample::select(SUBJECTS),
        prop::sample::subsequence(GROUPS, 0..=GROUPS.len()),
        prop::sample::select(OPERATIONS),
        target(CLUSTERS),
        target(NAMESPACES),
    )
        .prop_map(|(subject, groups, operation, cluster, namespace)| Query {
            subject,
            groups: groups.into_iter().map(str::to_owned).collect(),
            operation,
            cluster,
            namespace,
        })
}

proptest! {
    #[test]
    fn adding_a_deny_rule_never_turns_a_deny_into_an_allow(
        model in policy_model(), extra in deny(), queries in prop::collection::vec(query(), 1..16),
    ) {
        let before = model.load();
        let mut stricter = model.clone();
        stricter.deny.push(extra);
        let after = stricter.load();
        for q in &queries {
            let was = q.ask(&before);
            let now = q.ask(&after);
            // Either nothing changed, or the new rule took the allow away.
            prop_assert!(now == was || !now.is_allowed(), "{q:?}: {was:?} became {now:?}");
        }
    }

    #[test]
    fn adding_a_binding_never_turns_an_allow_into_a_deny(
        model in policy_model(), extra in binding(), queries in prop::collection::vec(query(), 1..16),
    ) {
        let before = model.load();
        let mut looser = model.clone();
        looser.bindings.push(extra);
        let after = looser.load();
        for q in &queries {
            let was = q.ask(&before);
            let now = q.ask(&after);
            // An appended binding can't even change which binding is named: the first one wins.
            if was.is_allowed() {
                prop_assert_eq!(&now, &was, "{:?}", q);
            }
        }
    }

    #[test]
    fn a_policy_without_bindings_denies_every_query(
        model in policy_model(), queries in prop::collection::vec(query(), 1..16),
    ) {
        let mut bare = model;
        bare.bindings.clear();
        let policy = bare.load();
        for q in &queries {
            let d = q.ask(&policy);
            prop_assert!(!d.is_allowed(), "{q:?}: {d:?}");
        }
    }

    #[test]
    fn nobody_approves_their_own_request(
        model in policy_model(), q in query(),
    ) {
        let policy = model.load();
        if let Decision::NeedsApproval { rule, .. } = q.ask(&policy) {
            let d = policy.may_approve(
                q.subject, &q.groups, q.subject, q.operation, q.cluster, q.namespace, &rule,
            );
            prop_assert_eq!(d, ApproveDecision::OwnRequest);
        }
    }
}

/// How strong a decision is: a deny is strongest, then approval by more people, sooner.
fn at_least_as_strict(combined: &Decision, part: &Decision) -> bool {
    match (combined, part) {
        (Decision::Deny { .. }, _) => true,
        (_, Decision::Deny { .. }) => false,
        (Decision::NeedsApproval { rule: c, .. }, Decision::NeedsApproval { rule: p, .. }) => {
            c.approvers >= p.approvers
                && c.ttl <= p.ttl
                && (c.reason_required || !p.reason_required)
                && p.approver_roles
                    .iter()
                    .all(|r| c.approver_roles.contains(r))
        }
        (Decision::NeedsApproval { .. }, Decision::Allow { .. }) => true,
        (Decision::Allow { .. }, Decision::Allow { .. }) => true,
        (Decision::Allow { .. }, Decision::NeedsApproval { .. }) => false,
    }
}

fn targets() -> impl Strategy<Value = Vec<(Target<'static>, Target<'static>)>> {
    prop::collection::vec((target(CLUSTERS), target(NAMESPACES)), 1..5)
}

proptest! {
    /// Issue 11: `-c all` over prod and stage asked for stage's weaker approval.
    #[test]
    fn a_request_over_several_places_is_never_weaker_than_any_one_of_them(
        model in policy_model(), q in query(), places in targets(),
    ) {
        let policy = model.load();
        let combined = policy.decide_all(q.subject, &q.groups, q.operation, &places);
        for &(cluster, namespace) in &places {
            let part = policy.decide(q.subject, &q.groups, q.operation, cluster, namespace);
            prop_assert!(
                at_least_as_strict(&combined, &part),
                "{q:?} at {cluster:?}/{namespace:?}: {part:?} is stricter than {combined:?}"
            );
        }
    }

    /// Issue 11: Bob approved twice, from Slack and from Discord.
    #[test]
    fn no_votes_by_fewer_than_n_people_make_n_approvals(
        model in policy_model(),
        people in people(),
        requester in prop::sample::select(SUBJECTS),
        votes in prop::collection::vec(prop::sample::select(SUBJECTS), 0..12),
    ) {
        let mut text = people.toml();
        text.push_str(&model.load_text());
        let policy = match Policy::from_toml(&text) {
            Ok(policy) => policy,
            Err(e) => panic!("generated policy is invalid:\n{e}\n---\n{text}"),
        };
        let counted = policy.approving_people(requester, votes.iter().copied());
        let mut truly: Vec<String> = votes.iter().map(|v| people.owner_of(v)).collect();
        truly.sort();
        truly.dedup();
        truly.retain(|p| *p != people.owner_of(requester));
        prop_assert_eq!(counted.len(), truly.len(), "votes {:?} by {:?}", votes, requester);
        for voter in &votes {
            if people.owner_of(voter) == people.owner_of(requester) {
                let rule = policies::ApprovalRule {
                    approvers: 1,
                    approver_roles: vec!["admin".into()],
                    ttl: std::time::Duration::from_secs(60),
                    reason_required: false,
                };
                let d = policy.may_approve(
                    voter, &[], requester, "pod.delete", Target::One("prod"), Target::One("default"), &rule,
                );
                prop_assert_eq!(d, ApproveDecision::OwnRequest);
            }
        }
    }
}
