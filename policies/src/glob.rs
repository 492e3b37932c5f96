//! Glob patterns over operation ids, subjects, clusters and namespaces, and how each kind of
//! rule matches a [`Target`].

use std::fmt;

use wildmatch::WildMatch;

use crate::model::Target;

/// The platforms a subject may name: people first, then groups.
pub(crate) const PLATFORMS: [&str; 5] =
    ["slack", "discord", "shell", "slack-group", "discord-role"];

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

    /// The first pattern matching the subject itself or, failing that, one of its groups.
    pub(crate) fn find_subject(&self, subject: &str, groups: &[String]) -> Option<&Pattern> {
        self.find(subject)
            .or_else(|| groups.iter().find_map(|g| self.find(g)))
    }

    pub(crate) fn is_universal(&self) -> bool {
        self.0.iter().any(Pattern::is_universal)
    }

    /// Does a rule that *grants* (a binding, an approver's binding) reach this target?
    /// `All` is reached only by `*`: a grant on `prod-*` must not let anyone act on every cluster.
    pub(crate) fn grant_covers(&self, target: Target<'_>) -> bool {
        match target {
            Target::NotApplicable => true,
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
        assert!(list(&["prod-*"]).grant_covers(Target::NotApplicable));
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
        assert!(p.find_subject("slack:U1", &groups).is_some());
        assert!(p.find_subject("slack:U1", &[]).is_none());
    }
}
