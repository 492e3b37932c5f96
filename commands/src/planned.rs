//! Operations of the runbook whose execution comes in later releases.
//!
//! They are parsed, judged by the policy and listed by `help` like any other, then answer
//! that they are not available yet. When one is built, its spec moves into its own file.

use crate::spec::args::*;
use crate::spec::{Form, Kind, Risk, Scope, Spec};

macro_rules! planned {
    ($name:ident, $id:literal, $section:literal, $risk:ident, $scope:ident, [$($form:expr),+ $(,)?]) => {
        pub static $name: Spec = Spec {
            id: $id,
            section: $section,
            risk: Risk::$risk,
            scope: Scope::$scope,
            forms: &[$($form),+],
        };
    };
}

const fn form(words: &'static [&'static str], args: &'static [crate::Arg]) -> Form {
    Form { words, args }
}

planned!(
    PAGE,
    "page",
    "6.4",
    Write,
    Global,
    [form(
        &["page"],
        &[positional("situation", Kind::Situation), rest("message")]
    )]
);
