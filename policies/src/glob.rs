//! Glob patterns over operation ids, subjects, clusters and namespaces, and how each kind of
//! rule matches a [`Target`].

use std::fmt;

use wildmatch::WildMatch;

use crate::model::Target;

/// Everything a subject pattern may match for one caller: the account, its groups, and the
/// `person:NAME` the policy's `[[people]]` puts it in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Who<'a> {
    pub(crate) subject: &'a str,
    pub(crate) groups: &'a [String],
    pub(crate) person: Option<&'a str>,
}

/// The platforms a subject may name: accounts first, then groups, then a `[[people]]` row.
pub(crate) const PLATFORMS: [&str; 6] = [
    "slack",
    "discord",
    "shell",
    "slack-group",
    "discord-role",
    "person",
];

/// The platforms of one account (not a group, not a person): what `[[people]]` may list.
pub(crate) const ACCOUNT_PLATFORMS: [&str; 3] = ["slack", "discord", "shell"];

/// One glob as written in the policy, compiled once at load.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    text: String,
    glob: WildMatch,
}

impl Pattern {
    pub(crate) fn new(text: &str) -> Pattern {
        Pattern {
            text: text.to_owned(),
            glob: WildMatch::new(text),
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn matches(&self, value: &str) -> bool {
        self.glob.matches(value)
    }

    /// `*` (or `**`…): matches every value, so it also stands for "all" and "not applicable".
    pub(crate) fn is_universal(&self) -> bool {
        is_universal(&self.text)
    }
}

/// A non-empty list of patterns from one key of the policy.
#[derive(Clone, Debug, Default)]
pub(crate) struct Patterns(Vec<Pattern>);

impl Patterns {
    pub(crate) fn new(patterns: Vec<Pattern>) -> Patterns {
        Patterns(patterns)
    }

    pub(crate) fn all() -> Patterns {
        Patterns(vec![Pattern::new("*")])
    }

    /// The patterns as written.
    pub(crate) fn texts(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(Pattern::text)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first pattern matching `value`, so a decision can name it.
    pub(crate) fn find(&self, value: &str) -> Option<&Pattern> {
        self.0.iter().find(|p| p.matches(value))
    }

    pub(crate) fn matches(&self, value: &str) -> bool {
        self.find(value).is_some()
    }

    /// The first pattern matching the subject itself or, failing that, one of its groups or
    /// the `person:NAME` it belongs to.
    pub(crate) fn find_subject(&self, who: &Who<'_>) -> Option<&Pattern> {
        self.find(who.subject)
            .or_else(|| who.groups.iter().find_map(|g| self.find(g)))
            .or_else(|| who.person.and_then(|p| self.find(p)))
    }

    pub(crate) fn is_universal(&self) -> bool {
        self.0.iter().any(Pattern::is_universal)
    }

    /// Does a rule that *grants* (a binding, an approver's binding) reach this target?
    /// `All` is reached only by `*`: a grant on `prod-*` must not let anyone act on every cluster.
    /// Nor is `NotApplicable`: an operation with no cluster (or a cluster-scoped kind, with no
    /// namespace) reaches past any one cluster or namespace, so a grant limited to some does
    /// not cover it.
    pub(crate) fn grant_covers(&self, target: Target<'_>) -> bool {
        match target {
            Target::NotApplicable => self.is_universal(),
            Target::All => self.is_universal(),
            Target::One(value) => self.matches(value),
        }
    }

    /// Does a rule that *restricts* (a deny, an approval) reach this target? Restrictions err on
    /// the safe side: `All` includes whatever value they name, but a target with no cluster at
    /// all is only reached by a restriction that says `*`.
    pub(crate) fn restriction_covers(&self, target: Target<'_>) -> bool {
        match target {
            Target::NotApplicable => self.is_universal(),
            Target::All => !self.0.is_empty(),
            Target::One(value) => self.matches(value),
        }
    }
}

impl fmt::Display for Patterns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(p.text())?;
        }
        Ok(())
    }
}

pub(crate) fn is_universal(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c == '*')
}

/// A subject pattern is `*` or `PLATFORM:ID` with a known platform and a non-empty ID, which
/// may itself be a glob (`shell:*`). A glob in the platform part is refused: `sl*:x` is more
/// likely a typo than a wish to match two platforms.
pub(crate) fn is_valid_subject_pattern(text: &str) -> bool {
    if is_universal(text) {
        return true;
    }
    match text.split_once(':') {
        Some((platform, id)) => {
            PLATFORMS.contains(&platform) && !id.is_empty() && !id.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// An account a `[[people]]` row may list: `slack:`, `discord:` or `shell:` with a literal id.
pub(crate) fn is_account_subject(text: &str) -> bool {
    match text.split_once(':') {
        Some((platform, id)) => {
            ACCOUNT_PLATFORMS.contains(&platform)
                && !id.is_empty()
                && !id.contains(char::is_whitespace)
                && !id.contains(['*', '?'])
        }
        None => false,
    }
}

/// A person's name is what `person:NAME` can spell without quoting.
pub(crate) fn is_valid_person_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Operation ids, cluster and namespace names never contain whitespace; a pattern that does is
/// a typo that would silently match nothing.
pub(crate) fn is_valid_name_pattern(text: &str) -> bool {
    !text.is_empty() && !text.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Patterns {
        Patterns::new(items.iter().map(|s| Pattern::new(s)).collect())
    }

    #[test]
    fn operation_glob_crosses_dots() {
        assert!(list(&["etcd.*"]).matches("etcd.snapshot"));
        assert!(!list(&["etcd.*"]).matches("velero.restore"));
    }

    #[test]
    fn grant_reaches_all_only_through_star() {
        assert!(list(&["*"]).grant_covers(Target::All));
        assert!(!list(&["prod-*"]).grant_covers(Target::All));
        assert!(!list(&["prod-*"]).grant_covers(Target::NotApplicable));
        assert!(list(&["*"]).grant_covers(Target::NotApplicable));
        assert!(list(&["prod-*"]).grant_covers(Target::One("prod-eu")));
    }

    #[test]
    fn restriction_reaches_all_but_not_inapplicable_unless_star() {
        assert!(list(&["mgmt"]).restriction_covers(Target::All));
        assert!(!list(&["mgmt"]).restriction_covers(Target::NotApplicable));
        assert!(list(&["*"]).restriction_covers(Target::NotApplicable));
        assert!(!list(&["mgmt"]).restriction_covers(Target::One("prod")));
    }

    #[test]
    fn subject_patterns_need_a_known_platform_and_an_id() {
        for good in [
            "*",
            "shell:*",
            "slack:U0BOB",
            "discord-role:1",
            "slack-group:S0",
            "person:bob",
        ] {
            assert!(is_valid_subject_pattern(good), "{good}");
        }
        for bad in [
            "bob",
            "shell:",
            "irc:bob",
            "sl*:bob",
            "*:bob",
            "shell:bo b",
            "",
        ] {
            assert!(!is_valid_subject_pattern(bad), "{bad}");
        }
    }

    #[test]
    fn subject_matches_through_a_group() {
        let p = list(&["slack-group:S0ONCALL"]);
        let groups = vec!["slack-group:S0ONCALL".to_owned()];
        let who = |groups| Who {
            subject: "slack:U1",
            groups,
            person: None,
        };
        assert!(p.find_subject(&who(&groups)).is_some());
        assert!(p.find_subject(&who(&[])).is_none());
    }

    #[test]
    fn subject_matches_through_its_person() {
        let p = list(&["person:bob"]);
        let who = Who {
            subject: "discord:8",
            groups: &[],
            person: Some("person:bob"),
        };
        assert!(p.find_subject(&who).is_some());
    }
}
