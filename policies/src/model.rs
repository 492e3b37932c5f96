//! The validated policy and the values `decide` and `may_approve` answer with.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::glob::Patterns;

/// A validated, immutable policy. Build one with [`Policy::from_toml`].
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub(crate) bindings: Vec<Binding>,
    pub(crate) deny: Vec<DenyRule>,
    pub(crate) approvals: Vec<ApprovalEntry>,
    pub(crate) break_glass: Vec<BreakGlassRule>,
    pub(crate) people: Vec<Person>,
    /// Each listed account's `person:NAME`, so matching never scans the table.
    pub(crate) person_of: BTreeMap<String, String>,
    pub(crate) references: Vec<Reference>,
}

/// `[[people]]`: one person and the accounts that are theirs, in every chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub subjects: Vec<String>,
}

/// `[[break_glass]]`: who may run which operations with fewer approvals in an outage.
#[derive(Clone, Debug)]
pub(crate) struct BreakGlassRule {
    pub(crate) key: String,
    pub(crate) operations: Patterns,
    pub(crate) subjects: Patterns,
    pub(crate) clusters: Patterns,
    pub(crate) approvers: u32,
}

/// What breaking the glass allows: the rule, and how many people must still approve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakGlass {
    pub rule: RuleRef,
    /// Distinct people other than the requester; often 0.
    pub approvers: u32,
}

/// `[[bindings]]` with its role resolved, so deciding never looks a role up.
#[derive(Clone, Debug)]
pub(crate) struct Binding {
    pub(crate) key: String,
    pub(crate) role: String,
    pub(crate) operations: Patterns,
    pub(crate) approve: Patterns,
    pub(crate) subjects: Patterns,
    pub(crate) clusters: Patterns,
    pub(crate) namespaces: Patterns,
}

/// `[[deny]]`.
#[derive(Clone, Debug)]
pub(crate) struct DenyRule {
    pub(crate) key: String,
    pub(crate) subjects: Patterns,
    pub(crate) operations: Patterns,
    pub(crate) clusters: Patterns,
    pub(crate) namespaces: Patterns,
}

/// `[[approvals]]`: where it applies, and what it asks for.
#[derive(Clone, Debug)]
pub(crate) struct ApprovalEntry {
    pub(crate) key: String,
    pub(crate) operations: Patterns,
    pub(crate) clusters: Patterns,
    pub(crate) rule: ApprovalRule,
}

/// What a request targets on one axis (cluster or namespace).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target<'a> {
    /// The operation has no cluster (or no namespace) at all: restrictions on that axis don't
    /// apply to grants; a deny or approval rule reaches it only when it says `*`.
    NotApplicable,
    /// Every cluster or namespace (`-c all`, `-A`). Only a grant of `*` covers it, while a deny
    /// naming any value reaches it (deny is conservative).
    All,
    /// One cluster or namespace, matched against each rule's globs.
    One(&'a str),
}

/// The answer to "may this subject run this operation here?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// A binding allows it and no approval rule applies.
    Allow { by: RuleRef },
    /// Refused, by a `[[deny]]` rule or because nothing allows it.
    Deny { reason: DenyReason },
    /// A binding allows it, but only once others approve under `rule`.
    NeedsApproval {
        by: RuleRef,
        approval: RuleRef,
        rule: ApprovalRule,
    },
}

impl Decision {
    /// The rules that decided, in the order they were applied, for `can-i` and the audit log.
    /// Empty for the default deny: no rule made it.
    pub fn rules(&self) -> Vec<&RuleRef> {
        match self {
            Decision::Allow { by } => vec![by],
            Decision::Deny {
                reason: DenyReason::Explicit { rule },
            } => vec![rule],
            Decision::Deny {
                reason: DenyReason::NoRuleAllows,
            } => Vec::new(),
            Decision::NeedsApproval { by, approval, .. } => vec![by, approval],
        }
    }

    /// Allowed now or after approval.
    pub fn is_allowed(&self) -> bool {
        !matches!(self, Decision::Deny { .. })
    }

    /// One answer for a request made of several places' decisions, never weaker than any of
    /// them: the first deny wins; otherwise, if any place needs approval, the request needs the
    /// [strictest](ApprovalRule::strictest) of their rules (naming the rule that asks for the
    /// most approvers). No decisions at all is a deny: a request must say where it acts.
    pub fn combine(decisions: impl IntoIterator<Item = Decision>) -> Decision {
        let mut allowed_by: Option<RuleRef> = None;
        let mut needs: Option<(RuleRef, RuleRef, ApprovalRule)> = None;
        for decision in decisions {
            match decision {
                deny @ Decision::Deny { .. } => return deny,
                Decision::Allow { by } => {
                    allowed_by.get_or_insert(by);
                }
                Decision::NeedsApproval { by, approval, rule } => {
                    needs = Some(match needs {
                        None => (by, approval, rule),
                        Some((kept_by, kept_approval, kept)) => {
                            let strictest = kept.strictest(&rule);
                            if rule.approvers > kept.approvers {
                                (by, approval, strictest)
                            } else {
                                (kept_by, kept_approval, strictest)
                            }
                        }
                    });
                }
            }
        }
        match (needs, allowed_by) {
            (Some((by, approval, rule)), _) => Decision::NeedsApproval { by, approval, rule },
            (None, Some(by)) => Decision::Allow { by },
            (None, None) => Decision::Deny {
                reason: DenyReason::NoRuleAllows,
            },
        }
    }
}

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DenyReason {
    /// A `[[deny]]` rule names it; deny beats every allow.
    Explicit { rule: RuleRef },
    /// No binding allows it: the default.
    NoRuleAllows,
}

/// One rule of the policy file, named for people: where it is and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RuleRef {
    /// Where the rule is in the file, e.g. `bindings[0]`.
    pub key: String,
    /// What it says, naming the pattern that matched, e.g. `role admin bound to shell:bob`.
    pub summary: String,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.key, self.summary)
    }
}

/// What an `[[approvals]]` rule demands before the operation runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApprovalRule {
    /// Distinct people, never the requester; at least 1.
    pub approvers: u32,
    /// An approver must hold one of these roles (and the role's `approve` must cover the
    /// operation).
    pub approver_roles: Vec<String>,
    /// How long a request waits for approval before it lapses.
    pub ttl: Duration,
    /// The requester must give a reason.
    pub reason_required: bool,
}

impl ApprovalRule {
    /// The rule that satisfies both: the most approvers, the approver roles of either (each
    /// target still checks its own rule's roles), a reason if either wants one, the shorter
    /// time to live. A request touching several clusters waits under this.
    pub fn strictest(&self, other: &ApprovalRule) -> ApprovalRule {
        let mut approver_roles = self.approver_roles.clone();
        for role in &other.approver_roles {
            if !approver_roles.contains(role) {
                approver_roles.push(role.clone());
            }
        }
        ApprovalRule {
            approvers: self.approvers.max(other.approvers),
            approver_roles,
            ttl: self.ttl.min(other.ttl),
            reason_required: self.reason_required || other.reason_required,
        }
    }
}

/// The answer to "may this person approve this request?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApproveDecision {
    /// `by` is the binding that gives the approver an approving role here.
    Allowed { by: RuleRef },
    /// The approver asked for it: nobody approves their own request.
    OwnRequest,
    /// No binding gives the approver a role that may approve this operation here.
    NotAnApprover,
}

/// A cluster name or operation pattern the file mentions, so `check-config` can check it
/// against the configured clusters and the operation catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Where it is written, e.g. `deny[0].clusters[1]`.
    pub key: String,
    pub kind: ReferenceKind,
    /// As written: operation patterns may be globs, clusters may be `*` or globs.
    pub value: String,
}

/// What a [`Reference`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    Cluster,
    Operation,
}
