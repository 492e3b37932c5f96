//! From TOML text to a validated [`Policy`], collecting every problem on the way.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::error::{PolicyErrors, PolicyProblem, ProblemKind};
use crate::glob::{self, Pattern, Patterns};
use crate::model::{
    ApprovalEntry, ApprovalRule, Binding, BreakGlassRule, DenyRule, Person, Policy, Reference,
    ReferenceKind,
};
use crate::raw::{
    self, Field, RawApproval, RawBinding, RawBreakGlass, RawDeny, RawPerson, RawRole,
};

/// How long an approval request waits when the rule sets no `ttl`.
const DEFAULT_TTL: Duration = Duration::from_secs(30 * 60);

impl Policy {
    /// Parses and validates a policy file.
    ///
    /// # Errors
    ///
    /// Every problem found, each with its key path: unknown keys, unknown roles, malformed
    /// subjects, bad durations and values that would mean nothing. A TOML syntax error is
    /// reported alone, since nothing after it can be read.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyErrors> {
        let document = raw::parse_document(text).map_err(|p| PolicyErrors(vec![p]))?;
        let mut loader = Loader::default();
        let policy = loader.load(document);
        if loader.problems.is_empty() {
            Ok(policy)
        } else {
            Err(PolicyErrors(loader.problems))
        }
    }

    /// Every cluster name and operation pattern the file writes, with its key path, so the
    /// caller can check them against its configuration and operation catalogue. Defaults the
    /// file leaves implicit (`clusters = ["*"]`) are not listed.
    pub fn references(&self) -> Vec<Reference> {
        self.references.clone()
    }
}

/// A role as bindings see it. Kept even when its body was bad, so a binding naming it isn't
/// also reported as naming an unknown role.
#[derive(Clone, Debug, Default)]
struct Role {
    operations: Patterns,
    approve: Patterns,
}

/// What a list key means when the file leaves it out.
#[derive(Clone, Copy)]
enum IfMissing {
    /// A required key: its absence is a problem.
    Required,
    /// `["*"]`: every cluster or namespace.
    All,
    /// `[]`: the role grants nothing by this list.
    Nothing,
}

/// What each pattern in a list must look like.
#[derive(Clone, Copy)]
enum Items {
    Subjects,
    Names(Option<ReferenceKind>),
}

#[derive(Default)]
struct Loader {
    problems: Vec<PolicyProblem>,
    references: Vec<Reference>,
    roles: BTreeMap<String, Role>,
    /// `person:NAME` → where it is defined, so rules naming an unknown person are caught.
    people: BTreeMap<String, String>,
}

impl Loader {
    fn load(&mut self, mut document: toml::Table) -> Policy {
        // Roles first: the other sections refer to them.
        if let Some(value) = document.remove("roles") {
            self.roles(value);
        }
        let mut policy = Policy::default();
        // People next: bindings and rules may name them.
        if let Some(value) = document.remove("people") {
            for (key, table) in self.array_of_tables("people", value) {
                if let Some(raw) = raw::parse_table(table, &key, &mut self.problems) {
                    self.person(key, raw, &mut policy);
                }
            }
        }
        if let Some(value) = document.remove("bindings") {
            for (key, table) in self.array_of_tables("bindings", value) {
                if let Some(raw) = raw::parse_table(table, &key, &mut self.problems) {
                    policy.bindings.push(self.binding(key, raw));
                }
            }
        }
        if let Some(value) = document.remove("deny") {
            for (key, table) in self.array_of_tables("deny", value) {
                if let Some(raw) = raw::parse_table(table, &key, &mut self.problems) {
                    policy.deny.push(self.deny(key, raw));
                }
            }
        }
        if let Some(value) = document.remove("approvals") {
            for (key, table) in self.array_of_tables("approvals", value) {
                if let Some(raw) = raw::parse_table(table, &key, &mut self.problems) {
                    policy.approvals.push(self.approval(key, raw));
                }
            }
        }
        if let Some(value) = document.remove("break_glass") {
            for (key, table) in self.array_of_tables("break_glass", value) {
                if let Some(raw) = raw::parse_table(table, &key, &mut self.problems) {
                    policy.break_glass.push(self.break_glass(key, raw));
                }
            }
        }
        for key in document.keys() {
            self.problem(raw::map_key(key), ProblemKind::UnknownKey);
        }
        policy.references = std::mem::take(&mut self.references);
        policy
    }

    fn problem(&mut self, key: impl Into<String>, reason: ProblemKind) {
        self.problems.push(PolicyProblem::new(key, reason));
    }

    fn roles(&mut self, value: toml::Value) {
        let toml::Value::Table(table) = value else {
            let found = value.type_str();
            self.problem(
                "roles",
                ProblemKind::BadValue(format!(
                    "expected a table like [roles.viewer], found {found}"
                )),
            );
            return;
        };
        for (name, body) in table {
            let key = format!("roles.{}", raw::map_key(&name));
            let raw: RawRole = raw::parse_table(body, &key, &mut self.problems).unwrap_or_default();
            let operations = self.patterns(
                &format!("{key}.operations"),
                raw.operations,
                IfMissing::Nothing,
                Items::Names(Some(ReferenceKind::Operation)),
            );
            let approve = self.patterns(
                &format!("{key}.approve"),
                raw.approve,
                IfMissing::Nothing,
                Items::Names(Some(ReferenceKind::Operation)),
            );
            if operations.is_empty() && approve.is_empty() && !self.has_problem_under(&key) {
                self.problem(
                    &key,
                    ProblemKind::BadValue(
                        "the role grants nothing: give it `operations` or `approve`".to_owned(),
                    ),
                );
            }
            self.roles.insert(
                name,
                Role {
                    operations,
                    approve,
                },
            );
        }
    }

    fn has_problem_under(&self, key: &str) -> bool {
        let nested = format!("{key}.");
        self.problems
            .iter()
            .any(|p| p.key == key || p.key.starts_with(&nested))
    }

    /// The tables of a `[[section]]`, each with its key path (`bindings[2]`).
    fn array_of_tables(&mut self, section: &str, value: toml::Value) -> Vec<(String, toml::Value)> {
        match value {
            toml::Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| (format!("{section}[{i}]"), item))
                .collect(),
            other => {
                let found = other.type_str();
                self.problem(
                    section,
                    ProblemKind::BadValue(format!(
                        "expected tables written [[{section}]], found {found}"
                    )),
                );
                Vec::new()
            }
        }
    }

    /// One `[[people]]` row: a name, and accounts listed under no other person.
    fn person(&mut self, key: String, raw: RawPerson, policy: &mut Policy) {
        let name_key = format!("{key}.name");
        let name = self.value(&name_key, raw.name, true);
        let name = match name {
            Some(name) if glob::is_valid_person_name(&name) => name,
            Some(name) => {
                self.problem(
                    name_key,
                    ProblemKind::BadValue(format!(
                        "{name:?} is not a person's name: use letters, digits, '.', '_' or '-'"
                    )),
                );
                return;
            }
            None => return,
        };
        let alias = format!("person:{name}");
        if let Some(first) = self.people.get(&alias) {
            let first = first.clone();
            self.problem(
                name_key,
                ProblemKind::BadValue(format!("person \"{name}\" is already defined at {first}")),
            );
            return;
        }
        self.people.insert(alias.clone(), key.clone());
        let subjects_key = format!("{key}.subjects");
        let subjects = self
            .value(&subjects_key, raw.subjects, true)
            .unwrap_or_default();
        if subjects.is_empty() && !self.has_problem_under(&subjects_key) {
            self.problem(
                &subjects_key,
                empty_list("a person needs at least one account"),
            );
        }
        let mut kept = Vec::with_capacity(subjects.len());
        for (i, subject) in subjects.into_iter().enumerate() {
            let item_key = format!("{subjects_key}[{i}]");
            if !glob::is_account_subject(&subject) {
                self.problem(
                    item_key,
                    ProblemKind::BadValue(format!(
                        "{subject:?} is not one account: write slack:ID, discord:ID or shell:NAME, \
                         with no glob and no group"
                    )),
                );
                continue;
            }
            if let Some(other) = policy.person_of.get(&subject) {
                let other = other.trim_start_matches("person:").to_owned();
                self.problem(
                    item_key,
                    ProblemKind::BadValue(format!(
                        "{subject} is already listed under person \"{other}\": one account \
                         belongs to one person"
                    )),
                );
                continue;
            }
            policy.person_of.insert(subject.clone(), alias.clone());
            kept.push(subject);
        }
        policy.people.push(Person {
            name,
            subjects: kept,
        });
    }

    fn break_glass(&mut self, key: String, raw: RawBreakGlass) -> BreakGlassRule {
        let approvers_key = format!("{key}.approvers");
        let approvers = match self.value(&approvers_key, raw.approvers, false) {
            None => 0,
            Some(n) => u32::try_from(n).unwrap_or_else(|_| {
                self.problem(
                    &approvers_key,
                    ProblemKind::BadValue(format!("must be 0 or more (found {n})")),
                );
                0
            }),
        };
        BreakGlassRule {
            operations: self.operations(&key, raw.operations),
            subjects: self.subjects(&key, raw.subjects),
            clusters: self.clusters(&key, raw.clusters),
            approvers,
            key,
        }
    }

    fn binding(&mut self, key: String, raw: RawBinding) -> Binding {
        let role_key = format!("{key}.role");
        let (role, grants) = match self.value(&role_key, raw.role, true) {
            None => (String::new(), Role::default()),
            Some(name) => match self.roles.get(&name) {
                Some(role) => (name, role.clone()),
                None => {
                    self.problem(role_key, ProblemKind::UnknownRole(name.clone()));
                    (name, Role::default())
                }
            },
        };
        Binding {
            role,
            operations: grants.operations,
            approve: grants.approve,
            subjects: self.subjects(&key, raw.subjects),
            clusters: self.clusters(&key, raw.clusters),
            namespaces: self.namespaces(&key, raw.namespaces),
            key,
        }
    }

    fn deny(&mut self, key: String, raw: RawDeny) -> DenyRule {
        DenyRule {
            subjects: self.subjects(&key, raw.subjects),
            operations: self.operations(&key, raw.operations),
            clusters: self.clusters(&key, raw.clusters),
            namespaces: self.namespaces(&key, raw.namespaces),
            key,
        }
    }

    fn approval(&mut self, key: String, raw: RawApproval) -> ApprovalEntry {
        let operations = self.operations(&key, raw.operations);
        let approvers = self.approvers(&format!("{key}.approvers"), raw.approvers);
        let approver_roles =
            self.approver_roles(&format!("{key}.approver_roles"), raw.approver_roles);
        let ttl = self.ttl(&format!("{key}.ttl"), raw.ttl);
        let reason_required = self
            .value(&format!("{key}.reason"), raw.reason, false)
            .unwrap_or(false);
        let clusters = self.clusters(&key, raw.clusters);
        ApprovalEntry {
            key,
            operations,
            clusters,
            rule: ApprovalRule {
                approvers,
                approver_roles,
                ttl,
                reason_required,
            },
        }
    }

    fn approvers(&mut self, key: &str, field: Field<i64>) -> u32 {
        match self.value(key, field, true) {
            None => 0,
            Some(n) if n < 1 => {
                self.problem(
                    key,
                    ProblemKind::BadValue(format!(
                        "must be at least 1 (found {n}): an approval nobody gives is no approval"
                    )),
                );
                0
            }
            Some(n) => u32::try_from(n).unwrap_or_else(|_| {
                self.problem(
                    key,
                    ProblemKind::BadValue(format!("{n} approvers is too many")),
                );
                0
            }),
        }
    }

    fn approver_roles(&mut self, key: &str, field: Field<Vec<String>>) -> Vec<String> {
        let Some(names) = self.value(key, field, true) else {
            return Vec::new();
        };
        if names.is_empty() {
            self.problem(key, empty_list("nobody could approve"));
        }
        for (i, name) in names.iter().enumerate() {
            let item_key = format!("{key}[{i}]");
            match self.roles.get(name) {
                None => self.problem(item_key, ProblemKind::UnknownRole(name.clone())),
                // Such a role can never approve, so the rule would block forever.
                Some(role) if role.approve.is_empty() => self.problem(
                    item_key,
                    ProblemKind::BadValue(format!(
                        "role \"{name}\" has no `approve` list, so it can approve nothing"
                    )),
                ),
                Some(_) => {}
            }
        }
        names
    }

    fn ttl(&mut self, key: &str, field: Field<String>) -> Duration {
        let Some(text) = self.value(key, field, false) else {
            return DEFAULT_TTL;
        };
        match humantime::parse_duration(&text) {
            Ok(ttl) if ttl.is_zero() => {
                self.problem(
                    key,
                    ProblemKind::BadValue("must be longer than zero".to_owned()),
                );
                DEFAULT_TTL
            }
            Ok(ttl) => ttl,
            Err(_) => {
                self.problem(key, ProblemKind::BadDuration(text));
                DEFAULT_TTL
            }
        }
    }

    fn subjects(&mut self, rule: &str, field: Field<Vec<String>>) -> Patterns {
        let key = format!("{rule}.subjects");
        self.patterns(&key, field, IfMissing::Required, Items::Subjects)
    }

    fn operations(&mut self, rule: &str, field: Field<Vec<String>>) -> Patterns {
        let key = format!("{rule}.operations");
        let items = Items::Names(Some(ReferenceKind::Operation));
        self.patterns(&key, field, IfMissing::Required, items)
    }

    fn clusters(&mut self, rule: &str, field: Field<Vec<String>>) -> Patterns {
        let key = format!("{rule}.clusters");
        let items = Items::Names(Some(ReferenceKind::Cluster));
        self.patterns(&key, field, IfMissing::All, items)
    }

    fn namespaces(&mut self, rule: &str, field: Field<Vec<String>>) -> Patterns {
        let key = format!("{rule}.namespaces");
        self.patterns(&key, field, IfMissing::All, Items::Names(None))
    }

    /// The value of one key, reporting it if it has the wrong type or is required and missing.
    fn value<T>(&mut self, key: &str, field: Field<T>, required: bool) -> Option<T> {
        match field {
            Field::Given(value) => Some(value),
            Field::Absent => {
                if required {
                    self.problem(key, missing());
                }
                None
            }
            Field::Invalid { at, why } => {
                self.problem(format!("{key}{at}"), ProblemKind::BadValue(why));
                None
            }
        }
    }

    /// Checks one list of globs, records what it references, and compiles it.
    fn patterns(
        &mut self,
        key: &str,
        field: Field<Vec<String>>,
        if_missing: IfMissing,
        items: Items,
    ) -> Patterns {
        let required = matches!(if_missing, IfMissing::Required);
        let Some(texts) = self.value(key, field, required) else {
            return match if_missing {
                IfMissing::All => Patterns::all(),
                IfMissing::Required | IfMissing::Nothing => Patterns::default(),
            };
        };
        match if_missing {
            IfMissing::Required if texts.is_empty() => {
                self.problem(key, empty_list("the rule would match nothing"));
            }
            IfMissing::All if texts.is_empty() => {
                self.problem(
                    key,
                    empty_list("leave the key out to mean all, or write [\"*\"]"),
                );
            }
            _ => {}
        }
        let mut patterns = Vec::with_capacity(texts.len());
        for (i, text) in texts.into_iter().enumerate() {
            let item_key = format!("{key}[{i}]");
            match items {
                Items::Subjects if !glob::is_valid_subject_pattern(&text) => {
                    self.problem(item_key, ProblemKind::BadSubject(text));
                    continue;
                }
                Items::Subjects
                    if text.starts_with("person:")
                        && !text.contains(['*', '?'])
                        && !self.people.contains_key(&text) =>
                {
                    self.problem(
                        item_key,
                        ProblemKind::BadValue(format!(
                            "{text} names no person: add a [[people]] row with that name"
                        )),
                    );
                    continue;
                }
                Items::Names(_) if !glob::is_valid_name_pattern(&text) => {
                    self.problem(
                        item_key,
                        ProblemKind::BadValue(format!(
                            "{text:?} is not a name or glob: it is empty or has spaces"
                        )),
                    );
                    continue;
                }
                Items::Names(Some(kind)) => self.references.push(Reference {
                    key: item_key,
                    kind,
                    value: text.clone(),
                }),
                Items::Subjects | Items::Names(None) => {}
            }
            patterns.push(Pattern::new(&text));
        }
        Patterns::new(patterns)
    }
}

fn missing() -> ProblemKind {
    ProblemKind::BadValue("required key is missing".to_owned())
}

fn empty_list(why: &str) -> ProblemKind {
    ProblemKind::BadValue(format!("the list is empty: {why}"))
}
