//! Answering requests: `decide` for running an operation, `may_approve` for approving one.

use crate::glob::Patterns;
use crate::model::{
    ApprovalEntry, ApprovalRule, ApproveDecision, Binding, Decision, DenyReason, DenyRule, Policy,
    RuleRef, Target,
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
            .flat_map(|patterns| patterns.texts())
            .filter(|text| text.starts_with(&prefix) && !text.contains(['*', '?']))
            .map(str::to_string)
            .collect();
        groups.sort();
        groups.dedup();
        groups
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
        let denied = self
            .deny
            .iter()
            .find_map(|rule| rule.reaches(subject, groups, operation, cluster, namespace));
        if let Some(rule) = denied {
            return Decision::Deny {
                reason: DenyReason::Explicit { rule },
            };
        }
        let allowed = self.bindings.iter().find_map(|binding| {
            let grants = binding.operations.matches(operation)
                && binding.clusters.grant_covers(cluster)
                && binding.namespaces.grant_covers(namespace);
            if grants {
                binding.names(subject, groups)
            } else {
                None
            }
        });
        let Some(by) = allowed else {
            return Decision::Deny {
                reason: DenyReason::NoRuleAllows,
            };
        };
        match self
            .approvals
            .iter()
            .find_map(|entry| entry.applies(operation, cluster))
        {
            Some((approval, rule)) => Decision::NeedsApproval { by, approval, rule },
            None => Decision::Allow { by },
        }
    }

    /// May `approver` approve `requester`'s request to run `operation` here under `rule`?
    ///
    /// The approver needs a binding that covers the cluster and namespace, for a role listed in
    /// `rule.approver_roles` whose `approve` globs match the operation. Deny rules don't matter:
    /// approving is not running. Nobody approves their own request.
    #[allow(clippy::too_many_arguments)] // The brief's API: each argument is one fact of the request.
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
        if approver == requester {
            return ApproveDecision::OwnRequest;
        }
        let by = self.bindings.iter().find_map(|binding| {
            let may = rule.approver_roles.contains(&binding.role)
                && binding.approve.matches(operation)
                && binding.clusters.grant_covers(cluster)
                && binding.namespaces.grant_covers(namespace);
            if may {
                binding.names(approver, approver_groups)
            } else {
                None
            }
        });
        match by {
            Some(by) => ApproveDecision::Allowed { by },
            None => ApproveDecision::NotAnApprover,
        }
    }
}

impl Binding {
    /// This binding as a [`RuleRef`], if it names the subject or one of its groups.
    fn names(&self, subject: &str, groups: &[String]) -> Option<RuleRef> {
        let who = self.subjects.find_subject(subject, groups)?;
        Some(RuleRef {
            key: self.key.clone(),
            summary: format!(
                "role {} bound to {}{}",
                self.role,
                who.text(),
                scope(&self.clusters, &self.namespaces)
            ),
        })
    }
}

impl DenyRule {
    fn reaches(
        &self,
        subject: &str,
        groups: &[String],
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
        let who = self.subjects.find_subject(subject, groups)?;
        Some(RuleRef {
            key: self.key.clone(),
            summary: format!(
                "deny {} to {}{}",
                what.text(),
                who.text(),
                scope(&self.clusters, &self.namespaces)
            ),
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
