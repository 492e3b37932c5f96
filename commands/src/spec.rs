//! How an operation is typed: its id, risk and the forms of its command line.
//!
//! The parser, `help` and the policy checks all read these descriptions; nothing else
//! describes the command language.

use std::fmt;

/// What an operation can do to the platform (OPERATIONS.md's "risk" column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Risk {
    /// Changes nothing.
    Read,
    /// Changes something that can be undone.
    Write,
    /// Can lose data or take a cluster down; always goes through approval.
    Destructive,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Read => "read",
            Risk::Write => "write",
            Risk::Destructive => "destructive",
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One operation of the runbook.
#[derive(Debug)]
pub struct Spec {
    /// The id policies use, exactly as in OPERATIONS.md.
    pub id: &'static str,
    /// The runbook section it automates.
    pub section: &'static str,
    pub risk: Risk,
    /// The ways of typing it (`pvc` and `pv` are two forms of `storage.pvc`).
    pub forms: &'static [Form],
    /// Where the operation acts: a cluster, and within it maybe a namespace.
    pub scope: Scope,
}

/// Which axes of a request the policy judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// No cluster at all (`contacts`, `vm list`).
    Global,
    /// One or more clusters (`-c`).
    Cluster,
    /// Clusters and a namespace (`-n`, or every namespace with `-A`).
    Namespaced,
}

/// One way of typing an operation: fixed words, then arguments.
#[derive(Debug)]
pub struct Form {
    pub words: &'static [&'static str],
    pub args: &'static [Arg],
}

/// One argument of a form.
#[derive(Debug)]
pub struct Arg {
    /// The name operations read the value by; also shown in usage (`POD`).
    pub name: &'static str,
    pub kind: Kind,
    pub how: How,
}

/// How an argument is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// A bare word in order.
    Positional { required: bool },
    /// `--long VALUE` or `-s VALUE`.
    Option {
        long: &'static str,
        short: Option<char>,
        required: bool,
    },
    /// `--long` alone.
    Switch {
        long: &'static str,
        short: Option<char>,
    },
    /// Every remaining word, joined by spaces (a page's message).
    Rest,
}

/// What a value must look like; checked by the parser before anything runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A cluster name from the configuration, or `all` where the form allows it.
    Cluster { all: bool },
    /// A Kubernetes namespace (DNS-1123 label).
    Namespace,
    /// Comma-separated namespaces.
    Namespaces,
    /// A Kubernetes object name (DNS-1123 subdomain).
    Name,
    /// `KIND` or `KIND/NAME`, as kubectl takes them.
    Resource { with_name: bool },
    /// `30s`, `5m`, `168h`, `7d`.
    Duration,
    /// `1.35.1` or `v1.35.1`.
    Version,
    /// A five-field cron expression.
    Cron,
    /// A Kubernetes quantity (`1Gi`, `500m`).
    Quantity,
    /// A whole number in a range.
    Count { min: u64, max: u64 },
    /// One word of a fixed list.
    Choice(&'static [&'static str]),
    /// An etcd snapshot file name in the backup dir (no paths).
    SnapshotFile,
    /// A file path on the bot's host (`--values`).
    Path,
    /// A contacts-table situation (`cluster-failure`).
    Situation,
    /// Free text.
    Text,
}

impl Spec {
    /// The fluent id of the one-line summary shown by `help`: `op-` and the id, dots as dashes.
    pub fn summary_id(&self) -> String {
        format!("op-{}", self.id.replace('.', "-"))
    }
}

impl Form {
    /// `etcd snapshot [-c CLUSTER]`, built from the arguments so it can never drift.
    pub fn usage(&self) -> String {
        let mut out = self.words.join(" ");
        for arg in self.args {
            out.push(' ');
            out.push_str(&arg.usage());
        }
        out
    }
}

impl Arg {
    pub fn usage(&self) -> String {
        let metavar = self.name.to_uppercase();
        match self.how {
            How::Positional { required: true } => metavar,
            How::Positional { required: false } => format!("[{metavar}]"),
            How::Option {
                long,
                short,
                required,
            } => {
                let flag = match short {
                    Some(s) => format!("-{s}"),
                    None => format!("--{long}"),
                };
                let body = match self.kind {
                    Kind::Choice(choices) => format!("{flag} {}", choices.join("|")),
                    _ => format!("{flag} {metavar}"),
                };
                if required { body } else { format!("[{body}]") }
            }
            How::Switch { long, short } => match short {
                Some(s) => format!("[-{s}|--{long}]"),
                None => format!("[--{long}]"),
            },
            How::Rest => format!("{metavar}..."),
        }
    }
}

/// Shorthands for the catalogue's argument tables.
pub mod args {
    use super::{Arg, How, Kind};

    pub const fn positional(name: &'static str, kind: Kind) -> Arg {
        Arg {
            name,
            kind,
            how: How::Positional { required: true },
        }
    }
    pub const fn option(name: &'static str, long: &'static str, kind: Kind) -> Arg {
        Arg {
            name,
            kind,
            how: How::Option {
                long,
                short: None,
                required: false,
            },
        }
    }
    pub const fn required(name: &'static str, long: &'static str, kind: Kind) -> Arg {
        Arg {
            name,
            kind,
            how: How::Option {
                long,
                short: None,
                required: true,
            },
        }
    }
    pub const fn switch(name: &'static str, long: &'static str) -> Arg {
        Arg {
            name,
            kind: Kind::Text,
            how: How::Switch { long, short: None },
        }
    }
    pub const fn rest(name: &'static str) -> Arg {
        Arg {
            name,
            kind: Kind::Text,
            how: How::Rest,
        }
    }
    /// `-c CLUSTER`; `all` allowed when `all` is true.
    pub const fn cluster(all: bool) -> Arg {
        Arg {
            name: "cluster",
            kind: Kind::Cluster { all },
            how: How::Option {
                long: "cluster",
                short: Some('c'),
                required: false,
            },
        }
    }
    /// `-c CLUSTER`, required.
    pub const fn cluster_required() -> Arg {
        Arg {
            name: "cluster",
            kind: Kind::Cluster { all: false },
            how: How::Option {
                long: "cluster",
                short: Some('c'),
                required: true,
            },
        }
    }
    /// `-n NS`, optional.
    pub const fn namespace() -> Arg {
        Arg {
            name: "namespace",
            kind: Kind::Namespace,
            how: How::Option {
                long: "namespace",
                short: Some('n'),
                required: false,
            },
        }
    }
    /// `-n NS`, required.
    pub const fn namespace_required() -> Arg {
        Arg {
            name: "namespace",
            kind: Kind::Namespace,
            how: How::Option {
                long: "namespace",
                short: Some('n'),
                required: true,
            },
        }
    }
    /// `-A`: every namespace.
    pub const fn all_namespaces() -> Arg {
        Arg {
            name: "all-namespaces",
            kind: Kind::Text,
            how: How::Switch {
                long: "all-namespaces",
                short: Some('A'),
            },
        }
    }
}
