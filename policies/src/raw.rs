//! The policy file as written, before validation: TOML syntax, types and unknown keys.
//!
//! Each table (a role, a rule) is read on its own and each key in it too, so a wrong type in
//! one key doesn't hide the problems of its neighbours. Every key is optional here; `load`
//! says which are required, so a missing key is reported at its own path.

use std::fmt::Write as _;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::error::{PolicyProblem, ProblemKind};

/// `[roles.NAME]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawRole {
    pub(crate) operations: Field<Vec<String>>,
    pub(crate) approve: Field<Vec<String>>,
}

/// `[[bindings]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawBinding {
    pub(crate) role: Field<String>,
    pub(crate) subjects: Field<Vec<String>>,
    pub(crate) clusters: Field<Vec<String>>,
    pub(crate) namespaces: Field<Vec<String>>,
}

/// `[[deny]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawDeny {
    pub(crate) subjects: Field<Vec<String>>,
    pub(crate) operations: Field<Vec<String>>,
    pub(crate) clusters: Field<Vec<String>>,
    pub(crate) namespaces: Field<Vec<String>>,
}

/// `[[approvals]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawApproval {
    pub(crate) operations: Field<Vec<String>>,
    /// Signed, so `approvers = 0` and `-1` get the same plain "at least 1" answer.
    pub(crate) approvers: Field<i64>,
    pub(crate) approver_roles: Field<Vec<String>>,
    pub(crate) ttl: Field<String>,
    pub(crate) reason: Field<bool>,
    pub(crate) clusters: Field<Vec<String>>,
}

/// `[[people]]`: one person and the accounts that are theirs.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawPerson {
    pub(crate) name: Field<String>,
    pub(crate) subjects: Field<Vec<String>>,
}

/// `[[break_glass]]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RawBreakGlass {
    pub(crate) operations: Field<Vec<String>>,
    pub(crate) subjects: Field<Vec<String>>,
    /// Signed, so `-1` gets a plain answer; `0` is allowed here.
    pub(crate) approvers: Field<i64>,
    pub(crate) clusters: Field<Vec<String>>,
}

/// One key of a table as written.
#[derive(Debug, Default)]
pub(crate) enum Field<T> {
    #[default]
    Absent,
    /// Present but of the wrong type: `at` continues the key's path (`[1]` for a list item),
    /// `why` is serde's message.
    Invalid {
        at: String,
        why: String,
    },
    Given(T),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    /// Never fails on a wrong type: the error is kept for `load` to report at this key, so
    /// the table's other keys are still read.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = toml::Value::deserialize(deserializer)?;
        Ok(match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(parsed) => Field::Given(parsed),
            Err(e) => {
                let mut at = String::new();
                for segment in e.path() {
                    match segment {
                        serde_path_to_error::Segment::Seq { index } => {
                            let _ = write!(at, "[{index}]");
                        }
                        serde_path_to_error::Segment::Map { key } => {
                            at.push('.');
                            at.push_str(&map_key(key));
                        }
                        serde_path_to_error::Segment::Enum { .. }
                        | serde_path_to_error::Segment::Unknown => {}
                    }
                }
                let why = e.inner().message().trim().to_owned();
                Field::Invalid { at, why }
            }
        })
    }
}

/// Parses the document. A syntax error ends the load: nothing after it can be trusted.
pub(crate) fn parse_document(text: &str) -> Result<toml::Table, PolicyProblem> {
    text.parse::<toml::Table>().map_err(|e| {
        let place = match e.span() {
            Some(span) => {
                let (line, column) = line_and_column(text, span.start);
                format!("line {line}, column {column}")
            }
            None => "an unknown place".to_owned(),
        };
        PolicyProblem::new(
            "",
            ProblemKind::Syntax(format!("{place}: {}", e.message().trim())),
        )
    })
}

/// Deserializes one table of the policy (a role, a rule) found at `key`, reporting its unknown
/// keys into `problems`. `None` if it isn't a table at all.
pub(crate) fn parse_table<T: DeserializeOwned>(
    value: toml::Value,
    key: &str,
    problems: &mut Vec<PolicyProblem>,
) -> Option<T> {
    if !value.is_table() {
        problems.push(PolicyProblem::new(
            key,
            ProblemKind::BadValue(format!("expected a table, found {}", value.type_str())),
        ));
        return None;
    }
    let mut note_unknown = |path: serde_ignored::Path<'_>| {
        let mut full = key.to_owned();
        push_ignored_path(&mut full, &path);
        problems.push(PolicyProblem::new(full, ProblemKind::UnknownKey));
    };
    // Every key is a `Field`, which absorbs type errors, so this fails only on the unforeseen.
    match serde_ignored::deserialize(value, &mut note_unknown) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            let why = e.message().trim().to_owned();
            problems.push(PolicyProblem::new(key, ProblemKind::BadValue(why)));
            None
        }
    }
}

/// A table key as it would be written in a key path: bare when TOML allows, quoted otherwise,
/// so `roles."on call"` reads back as the key it is.
pub(crate) fn map_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

fn push_ignored_path(out: &mut String, path: &serde_ignored::Path<'_>) {
    match path {
        serde_ignored::Path::Root => {}
        serde_ignored::Path::Seq { parent, index } => {
            push_ignored_path(out, parent);
            let _ = write!(out, "[{index}]");
        }
        serde_ignored::Path::Map { parent, key } => {
            push_ignored_path(out, parent);
            out.push('.');
            out.push_str(&map_key(key));
        }
        serde_ignored::Path::Some { parent }
        | serde_ignored::Path::NewtypeStruct { parent }
        | serde_ignored::Path::NewtypeVariant { parent } => push_ignored_path(out, parent),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_and_column("a = 1\nb = ", 6), (2, 1));
        assert_eq!(line_and_column("a = 1\nb = ", 10), (2, 5));
        assert_eq!(line_and_column("", 0), (1, 1));
    }

    #[test]
    fn odd_table_keys_are_quoted() {
        assert_eq!(map_key("viewer"), "viewer");
        assert_eq!(map_key("on call"), "\"on call\"");
    }
}
