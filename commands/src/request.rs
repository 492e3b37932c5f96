//! What was typed, checked: a parsed [`Invocation`], then a [`Request`] resolved against the
//! configuration (which clusters `-c all` means).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::{Form, Spec};

/// A value the parser checked against its [`Kind`](crate::Kind).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Switch,
    Duration(Duration),
    Count(u64),
    List(Vec<String>),
}

/// The arguments of one invocation, by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Args(pub(crate) BTreeMap<&'static str, Value>);

impl Args {
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.0.get(name)? {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }
    pub fn switch(&self, name: &str) -> bool {
        matches!(self.0.get(name), Some(Value::Switch))
    }
    pub fn duration(&self, name: &str) -> Option<Duration> {
        match self.0.get(name)? {
            Value::Duration(d) => Some(*d),
            _ => None,
        }
    }
    pub fn count(&self, name: &str) -> Option<u64> {
        match self.0.get(name)? {
            Value::Count(n) => Some(*n),
            _ => None,
        }
    }
    pub fn list(&self, name: &str) -> Option<&[String]> {
        match self.0.get(name)? {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
    /// Every argument as `name=value`, for the audit log and the approval hash.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Text(t) => f.write_str(t),
            Value::Switch => f.write_str("true"),
            Value::Duration(d) => write!(f, "{}", humantime::format_duration(*d)),
            Value::Count(n) => write!(f, "{n}"),
            Value::List(l) => f.write_str(&l.join(",")),
        }
    }
}

/// Parsed text, before the configuration is consulted.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub spec: &'static Spec,
    pub form: &'static Form,
    pub args: Args,
    /// `--reason "…"`, which any command may carry.
    pub reason: Option<String>,
    /// `--break-glass`, which any command may carry: run with the fewer approvals a
    /// `[[break_glass]]` rule allows, paging security and leaving the run to be reviewed.
    pub break_glass: bool,
}

/// Which namespaces a request covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Namespaces {
    /// The operation is not namespaced, or acts on a cluster-scoped kind (nodes, PVs…).
    NotApplicable,
    /// `-A`, or no `-n` on an operation that then covers every namespace (a Velero backup or
    /// restore with no `--namespaces`).
    All,
    One(String),
    /// A list the operation acts in (`--namespaces a,b`): each one is judged.
    Many(Vec<String>),
}

impl Namespaces {
    /// As the canonical request names it: `*`, `a,b`, or nothing for no namespace.
    fn canonical(&self) -> Option<String> {
        match self {
            Namespaces::NotApplicable => None,
            Namespaces::All => Some("*".to_string()),
            Namespaces::One(ns) => Some(ns.clone()),
            Namespaces::Many(list) => Some(list.join(",")),
        }
    }
}

/// An invocation resolved against the configuration: ready for the policy and the engine.
#[derive(Clone, Debug)]
pub struct Request {
    pub spec: &'static Spec,
    pub form: &'static Form,
    pub args: Args,
    /// The clusters it targets, in name order; empty for global operations.
    pub clusters: Vec<String>,
    pub namespaces: Namespaces,
    pub reason: Option<String>,
    /// `--break-glass` was typed; part of the request's identity ([`Request::canonical`]).
    pub break_glass: bool,
    /// Who asked (`slack:U…`), once the bot knows; not part of the request's identity.
    pub requester: Option<String>,
}

impl Request {
    /// The one cluster of a single-cluster operation.
    pub fn cluster(&self) -> Option<&str> {
        self.clusters.first().map(String::as_str)
    }

    /// The command as typed, normalised: words, then arguments in name order, then every
    /// cluster and namespace it touches (so the approval hash and the card cover them), which
    /// [`places`] reads back.
    pub fn canonical(&self) -> String {
        let mut out = self.form.words.join(" ");
        for (name, value) in self.args.iter() {
            out.push_str(&format!(" {name}={value}"));
        }
        out.push_str(PLACES_MARK);
        out.push_str(&format!("clusters={}", self.clusters.join(",")));
        if let Some(namespaces) = self.namespaces.canonical() {
            out.push_str(&format!(" namespaces={namespaces}"));
        }
        // Approvals given to an ordinary request must not carry over to a broken glass (and
        // back), so the flag is part of what is hashed.
        if self.break_glass {
            out.push_str(" break-glass");
        }
        out
    }
}

/// Starts the part of [`Request::canonical`] that names the places. An argument may hold the
/// same text, but the places part is always written last, so the last mark is ours.
const PLACES_MARK: &str = " @ ";

/// The clusters and namespaces a stored [`Request::canonical`] names, for showing an
/// approval card without re-resolving the request. `None` for text with no places part
/// (written by an older version).
pub fn places(canonical: &str) -> Option<(Vec<String>, Namespaces)> {
    let (_, places) = canonical.rsplit_once(PLACES_MARK)?;
    let mut clusters = Vec::new();
    let mut namespaces = Namespaces::NotApplicable;
    for part in places.split(' ') {
        if let Some(list) = part.strip_prefix("clusters=") {
            clusters = list
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
        } else if let Some(list) = part.strip_prefix("namespaces=") {
            namespaces = match list {
                "*" => Namespaces::All,
                one if !one.contains(',') => Namespaces::One(one.to_string()),
                many => Namespaces::Many(many.split(',').map(str::to_string).collect()),
            };
        }
    }
    Some((clusters, namespaces))
}
