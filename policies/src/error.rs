//! Everything wrong with a policy file, found in one pass.

use std::fmt;

/// Every problem found in a policy file, in the order they were found. Never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyErrors(pub Vec<PolicyProblem>);

impl fmt::Display for PolicyErrors {
    /// One problem a line, so a long list stays readable.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyErrors {}

/// One problem, at one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyProblem {
    /// Where, e.g. `bindings[2].role` or `roles.viewer.operations[0]`. Empty for a TOML syntax
    /// error, which is placed by its line instead.
    pub key: String,
    pub reason: ProblemKind,
}

impl PolicyProblem {
    pub(crate) fn new(key: impl Into<String>, reason: ProblemKind) -> PolicyProblem {
        PolicyProblem {
            key: key.into(),
            reason,
        }
    }
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "{}: {}", self.key, self.reason)
        }
    }
}

/// Why a key is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file is not TOML; the text starts with the line and column.
    #[error("TOML syntax error at {0}")]
    Syntax(String),
    /// A key this version doesn't know, usually a typo.
    #[error("unknown key")]
    UnknownKey,
    /// A binding or approval rule names a role that `[roles]` doesn't define.
    #[error("no role named \"{0}\" is defined under [roles]")]
    UnknownRole(String),
    /// Not `*` nor `PLATFORM:ID` with a known platform.
    #[error(
        "\"{0}\" is not a subject: write PLATFORM:ID with PLATFORM one of slack, discord, shell, \
         slack-group, discord-role (the ID may be a glob), or \"*\""
    )]
    BadSubject(String),
    /// A `ttl` humantime can't read.
    #[error("\"{0}\" is not a duration: write it like \"30m\" or \"1h 30m\"")]
    BadDuration(String),
    /// A value of the wrong type, or one that would mean nothing (`approvers = 0`, an empty list).
    #[error("{0}")]
    BadValue(String),
}
