//! Answering requests: `decide` for running an operation, `may_approve` for approving one,
//! `break_glass` for the outage; the `_all` forms for requests that touch several places.

use crate::glob::{Patterns, Who};
use crate::model::{
    ApprovalEntry, ApprovalRule, ApproveDecision, Binding, BreakGlass, BreakGlassRule, Decision,
    DenyReason, DenyRule, Person, Policy, RuleRef, Target,
};

impl Policy {
    /// The groups of `platform` (`slack-group`, `discord-role`) that the policy names exactly,
    /// so a chat knows which memberships it must look up: a user's groups matter only where a
    /// rule names them. Sorted, without duplicates.
    pub fn named_groups(&self, platform: &str) -> Vec<String> {
        let prefix = format!("{platform}:");
        let mut groups: Vec<String> = self
            .bindings
            .iter()
            .map(|b| &b.subjects)
            .chain(self.deny.iter().map(|d| &d.subjects))
            .chain(self.break_glass.iter().map(|b| &b.subjects))
            .flat_map(|patterns| patterns.texts())
            .filter(|text| text.starts_with(&prefix) && !text.contains(['*', '?']))
            .map(str::to_string)
            .collect();
        groups.sort();
        groups.dedup();
        groups
    }

    /// Who `subject` is, as approvals count people: `person:NAME` for an account listed under
    /// `[[people]]`, otherwise the subject itself (a person of its own). Two subjects with the
    /// same answer are one person.
    pub fn person(&self, subject: &str) -> String {
        self.person_of
            .get(subject)
            .cloned()
            .unwrap_or_else(|| subject.to_string())
    }

    /// Are these two subjects the same person?
    pub fn same_person(&self, a: &str, b: &str) -> bool {
        a == b || self.person(a) == self.person(b)
    }

    /// The distinct people among `approvers`, leaving out the requester's person: what an
    /// approval counts. Two accounts of one person count once; the requester, from whatever
    /// account, never counts.
    pub fn approving_people<'a>(
        &self,
        requester: &str,
        approvers: impl IntoIterator<Item = &'a str>,
    ) -> Vec<String> {
        let requester = self.person(requester);
        let mut people: Vec<String> = Vec::new();
        for approver in approvers {
            let person = self.person(approver);
            if person != requester && !people.contains(&person) {
                people.push(person);
            }
        }
        people
    }

    /// The `[[people]]` table, in file order, for `can-i` and `check-config`.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    fn who<'a>(&'a self, subject: &'a str, groups: &'a [String]) -> Who<'a> {
        Who {
            subject,
            groups,
            person: self.person_of.get(subject).map(String::as_str),
        }
    }

    /// May `subject` (a member of `groups`) run `operation` on this cluster and namespace?
    ///
    /// Deny rules are read first and any match wins; otherwise the first binding in file order
    /// that allows it decides, and the first approval rule that covers the operation and cluster
    /// turns the allow into [`Decision::NeedsApproval`]. Nothing matching means deny.
    pub fn decide(
        &self,
        subject: &str,
        groups: &[String],
        operation: &str,
        cluster: Target<'_>,
        namespace: Target<'_>,
    ) -> Decision {
        let who = self.who(subject, groups);
        let denied = self
            .deny
            .iter()
            .find_map(|rule| rule.reaches(&who, operation, cluster, namespace));
        if let Some(rule) = denied {
            return Decision::Deny {
                reason: DenyReason::Explicit { rule },
            };
        }
        let allowed = self.bindings.iter().find_map(|binding| {
            let grants = binding.operations.matches(operation)
                && binding.clusters.grant_covers(cluster)
                && binding.namespaces.grant_covers(namespace);
            if grants { binding.names(&who) } else { None }
        });
        let Some(by) = allowed else {
            return Decision::Deny {
                reason: DenyReason::NoRuleAllows,
            };
        };
        match self.approval_rule(operation, cluster) {
            Some((approval, rule)) => Decision::NeedsApproval { by, approval, rule },
            None => Decision::Allow { by },
        }
    }

    /// Could `subject` run `operation` somewhere on this cluster: does a binding grant it there
    /// for at least one namespace, with no deny covering the whole cluster? For narrowing what
    /// to look up (autocomplete lists a cluster's namespaces only for someone who could act in
    /// one of them), never for deciding: requests go through [`decide`](Self::decide).
    pub fn may_reach(
        &self,
        subject: &str,
        groups: &[String],
        operation: &str,
        cluster: Target<'_>,
    ) -> bool {
        let who = self.who(subject, groups);
        let denied_everywhere = self.deny.iter().any(|rule| {
            rule.namespaces.is_universal()
                && rule
                    .reaches(&who, operation, cluster, Target::NotApplicable)
                    .is_some()
        });
        !denied_everywhere
            && self.bindings.iter().any(|binding| {
                binding.operations.matches(operation)
                    && binding.clusters.grant_covers(cluster)
                    && binding.names(&who).is_some()
            })
    }

    /// [`decide`](Self::decide) over every (cluster, namespace) a request touches, as one
    /// answer that is never weaker than any of its parts: the first deny wins; otherwise, if
    /// any part needs approval, the request needs the [strictest](ApprovalRule::strictest) of
    /// their rules (naming the rule that asks for the most approvers). No targets at all is a
    /// deny: a request must say where it acts.
    pub fn decide_all(
        &self,
        subject: &str,
        groups: &[String],
        operation: &str,
        targets: &[(Target<'_>, Target<'_>)],
    ) -> Decision {
        Decision::combine(targets.iter().map(|&(cluster, namespace)| {
            self.decide(subject, groups, operation, cluster, namespace)
        }))
    }

    /// The first `[[approvals]]` rule covering this operation on this cluster, if any.
    pub fn approval_rule(
        &self,
        operation: &str,
        cluster: Target<'_>,
    ) -> Option<(RuleRef, ApprovalRule)> {
        self.approvals
            .iter()
            .find_map(|entry| entry.applies(operation, cluster))
    }

    /// May `approver` approve `requester`'s request to run `operation` here under `rule`?
    ///
    /// The approver needs a binding that covers the cluster and namespace, for a role listed in
    /// `rule.approver_roles` whose `approve` globs match the operation. Deny rules don't matter:
    /// approving is not running. Nobody approves their own request, from any of their accounts.
    #[allow(clippy::too_many_arguments)] // Each argument is one fact of the request.
    pub fn may_approve(
        &self,
        approver: &str,
        approver_groups: &[String],
        requester: &str,
        operation: &str,
        cluster: Target<'_>,
        namespace: Target<'_>,
        rule: &ApprovalRule,
    ) -> ApproveDecision {
        if self.same_person(approver, requester) {
            return ApproveDecision::OwnRequest;
        }
        let who = self.who(approver, approver_groups);
        let by = self.bindings.iter().find_map(|binding| {
            let may = rule.approver_roles.contains(&binding.role)
                && binding.approve.matches(operation)
                && binding.clusters.grant_covers(cluster)
                && binding.namespaces.grant_covers(namespace);
            if may { binding.names(&who) } else { None }
        });
        match by {
            Some(by) => ApproveDecision::Allowed { by },
            None => ApproveDecision::NotAnApprover,
        }
    }

    /// [`may_approve`](Self::may_approve) on every (cluster, namespace) a request touches. On
    /// each, the approver must satisfy the approval rule of that cluster (so an approver role of
    /// a lenient cluster cannot approve for a strict one), or `rule` where no rule applies
    /// there. The first refusal is the answer; no targets is [`ApproveDecision::NotAnApprover`].
    pub fn may_approve_all(
        &self,
        approver: &str,
        approver_groups: &[String],
        requester: &str,
        operation: &str,
        targets: &[(Target<'_>, Target<'_>)],
        rule: &ApprovalRule,
    ) -> ApproveDecision {
        let mut answer = ApproveDecision::NotAnApprover;
        for &(cluster, namespace) in targets {
            let here = self.approval_rule(operation, cluster).map(|(_, r)| r);
            let here = here.as_ref().unwrap_or(rule);
            answer = self.may_approve(
                approver,
                approver_groups,
                requester,
                operation,
                cluster,
                namespace,
                here,
            );
            if !matches!(answer, ApproveDecision::Allowed { .. }) {
                return answer;
            }
        }
        answer
    }

    /// May `subject` break the glass for `operation` on every one of `clusters`? The answer
    /// names the rule and how many approvals are still needed (the most that any cluster's
    /// rule asks). Breaking the glass lowers approvals only: the caller must still be allowed to
    /// run the operation by [`decide_all`](Self::decide_all), and deny rules still win.
    pub fn break_glass(
        &self,
        subject: &str,
        groups: &[String],
        operation: &str,
        clusters: &[Target<'_>],
    ) -> Option<BreakGlass> {
        let who = self.who(subject, groups);
        let mut found: Option<BreakGlass> = None;
        for &cluster in clusters {
            let here = self
                .break_glass
                .iter()
                .find_map(|rule| rule.lets(&who, operation, cluster))?;
            found = Some(match found {
                Some(kept) if kept.approvers >= here.approvers => kept,
                _ => here,
            });
        }
        found
    }
}

impl Binding {
    /// This binding as a [`RuleRef`], if it names the subject, one of its groups or its person.
    fn names(&self, who: &Who<'_>) -> Option<RuleRef> {
        let matched = self.subjects.find_subject(who)?;
        Some(RuleRef {
            key: self.key.clone(),
            summary: format!(
                "role {} bound to {}{}",
                self.role,
                matched.text(),
                scope(&self.clusters, &self.namespaces)
            ),
        })
    }
}

impl DenyRule {
    fn reaches(
        &self,
        who: &Who<'_>,
        operation: &str,
        cluster: Target<'_>,
        namespace: Target<'_>,
    ) -> Option<RuleRef> {
        if !(self.clusters.restriction_covers(cluster)
            && self.namespaces.restriction_covers(namespace))
        {
            return None;
        }
        let what = self.operations.find(operation)?;
        let matched = self.subjects.find_subject(who)?;
        Some(RuleRef {
            key: self.key.clone(),
            summary: format!(
                "deny {} to {}{}",
                what.text(),
                matched.text(),
                scope(&self.clusters, &self.namespaces)
            ),
        })
    }
}

impl BreakGlassRule {
    fn lets(&self, who: &Who<'_>, operation: &str, cluster: Target<'_>) -> Option<BreakGlass> {
        if !self.clusters.grant_covers(cluster) {
            return None;
        }
        let what = self.operations.find(operation)?;
        let matched = self.subjects.find_subject(who)?;
        let count = self.approvers;
        let plural = if count == 1 { "" } else { "s" };
        Some(BreakGlass {
            rule: RuleRef {
                key: self.key.clone(),
                summary: format!(
                    "{} may break the glass for {} with {count} approval{plural}{}",
                    matched.text(),
                    what.text(),
                    scope(&self.clusters, &Patterns::all())
                ),
            },
            approvers: count,
        })
    }
}

impl ApprovalEntry {
    fn applies(&self, operation: &str, cluster: Target<'_>) -> Option<(RuleRef, ApprovalRule)> {
        if !self.clusters.restriction_covers(cluster) {
            return None;
        }
        let what = self.operations.find(operation)?;
        let count = self.rule.approvers;
        let plural = if count == 1 { "" } else { "s" };
        let summary = format!(
            "{} needs {count} approval{plural} from {}{}",
            what.text(),
            self.rule.approver_roles.join(" or "),
            scope(&self.clusters, &Patterns::all())
        );
        let approval = RuleRef {
            key: self.key.clone(),
            summary,
        };
        Some((approval, self.rule.clone()))
    }
}

/// " on cluster mgmt in namespaces a, b", leaving out axes the rule doesn't restrict.
fn scope(clusters: &Patterns, namespaces: &Patterns) -> String {
    let mut text = String::new();
    for (preposition, noun, patterns) in
        [("on", "cluster", clusters), ("in", "namespace", namespaces)]
    {
        if !patterns.is_universal() {
            let plural = if patterns.len() == 1 { "" } else { "s" };
            text.push_str(&format!(" {preposition} {noun}{plural} {patterns}"));
        }
    }
    text
}
