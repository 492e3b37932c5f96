//! The command language: one parser for every chat.
//!
//! Text is split into words the way a shell would (`--cron "0 2 * * *"` is one value) but is
//! never given to a shell. The longest run of leading words naming a form picks the
//! operation; the rest are checked against the form's arguments before anything runs.

use thiserror::Error;

use crate::places;
use crate::request::{Args, Invocation, Request, Value};
use crate::spec::{Arg, How, Kind};
use crate::validate::{self, Problem};
use crate::{CATALOGUE, Form, Message, Settings, Spec, msg};

/// What a line of chat asks for.
#[derive(Clone, Debug)]
pub enum Command {
    /// `help` alone, or `help OPERATION`.
    Help(Option<&'static Spec>),
    Run(Invocation),
}

/// Why a line was refused; each says one sentence through [`ParseError::message`].
#[derive(Clone, Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum ParseError {
    #[error("nothing to do")]
    Empty,
    #[error("the quoting is not closed")]
    Quoting,
    #[error("unknown command {typed:?}")]
    UnknownCommand {
        typed: String,
        suggestion: Option<String>,
    },
    #[error("unknown option {option} for `{usage}`")]
    UnknownOption {
        option: String,
        usage: String,
        suggestion: Option<String>,
    },
    #[error("{option} needs a value: `{usage}`")]
    MissingValue { option: String, usage: String },
    #[error("{name} is missing: `{usage}`")]
    MissingArgument { name: String, usage: String },
    #[error("unexpected {value:?}: `{usage}`")]
    UnexpectedArgument { value: String, usage: String },
    #[error("{name} given twice")]
    Repeated { name: String },
    #[error("{first} and {second} cannot be used together")]
    Conflict { first: String, second: String },
    #[error("{value:?} for {name} {problem}")]
    BadValue {
        name: String,
        value: String,
        problem: Problem,
    },
    #[error("unknown cluster {name:?}")]
    UnknownCluster {
        name: String,
        known: Vec<String>,
        suggestion: Option<String>,
    },
    #[error("which cluster?")]
    ClusterNeeded { known: Vec<String> },
    #[error("{value:?}: this command acts on one cluster")]
    OneClusterOnly { value: String },
    #[error("unknown situation {name:?}")]
    UnknownSituation { name: String, known: Vec<String> },
}

/// Parses one line against the catalogue.
pub fn parse(line: &str) -> Result<Command, ParseError> {
    let words = shell_words::split(line).map_err(|_| ParseError::Quoting)?;
    if words.is_empty() {
        return Err(ParseError::Empty);
    }
    if words[0] == "help" || words[0] == "--help" {
        return match &words[1..] {
            [] => Ok(Command::Help(None)),
            rest => find_spec(rest).map(|spec| Command::Help(Some(spec))),
        };
    }
    let (spec, form) = find_form(&words)?;
    let rest = &words[form.words.len()..];
    if rest.iter().any(|w| w == "--help" || w == "-h") {
        return Ok(Command::Help(Some(spec)));
    }
    let (
        args,
        Extras {
            reason,
            break_glass,
        },
    ) = parse_args(form, rest)?;
    Ok(Command::Run(Invocation {
        spec,
        form,
        args,
        reason,
        break_glass,
    }))
}

/// Resolves clusters and namespaces against the configuration.
pub fn resolve(invocation: Invocation, settings: &Settings) -> Result<Request, ParseError> {
    let clusters = places::clusters(&invocation, settings)?;
    if let Some(situation) = invocation.args.text("situation") {
        let situations: Vec<String> = settings
            .contacts
            .iter()
            .map(|c| c.situation.clone())
            .collect();
        if !situations.iter().any(|s| s == situation) {
            return Err(ParseError::UnknownSituation {
                name: situation.to_string(),
                known: situations,
            });
        }
    }
    let namespaces = places::namespaces(&invocation);
    Ok(Request {
        spec: invocation.spec,
        form: invocation.form,
        args: invocation.args,
        clusters,
        namespaces,
        reason: invocation.reason,
        break_glass: invocation.break_glass,
        requester: None,
    })
}

/// `help etcd snapshot` or `help etcd.snapshot`.
fn find_spec(words: &[String]) -> Result<&'static Spec, ParseError> {
    if let [id] = words
        && let Some(entry) = CATALOGUE.iter().find(|e| e.spec.id == id.as_str())
    {
        return Ok(entry.spec);
    }
    find_form(words).map(|(spec, _)| spec)
}

fn find_form(words: &[String]) -> Result<(&'static Spec, &'static Form), ParseError> {
    let best = CATALOGUE
        .iter()
        .flat_map(|e| e.spec.forms.iter().map(move |f| (e.spec, f)))
        .filter(|(_, form)| {
            form.words.len() <= words.len() && form.words.iter().zip(words).all(|(a, b)| a == b)
        })
        .max_by_key(|(_, form)| form.words.len());
    best.ok_or_else(|| unknown_command(words))
}

fn unknown_command(words: &[String]) -> ParseError {
    let phrases = CATALOGUE.iter().flat_map(|e| e.spec.forms.iter()).map(|f| {
        let typed = words
            .iter()
            .take(f.words.len())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        (typed, f.words.join(" "))
    });
    let mut best: Option<(usize, String)> = None;
    for (typed, phrase) in phrases {
        let distance = strsim::levenshtein(&typed, &phrase);
        if distance <= (phrase.len() / 3).max(2) && best.as_ref().is_none_or(|(d, _)| distance < *d)
        {
            best = Some((distance, phrase));
        }
    }
    // An id typed as a command (`etcd.snapshot`) gets its spelling.
    let by_id = CATALOGUE
        .iter()
        .find(|e| e.spec.id == words[0])
        .map(|e| e.spec.forms[0].words.join(" "));
    ParseError::UnknownCommand {
        typed: words.join(" "),
        suggestion: by_id.or(best.map(|(_, p)| p)),
    }
}

/// The options any command may carry, whatever its form.
#[derive(Default)]
struct Extras {
    reason: Option<String>,
    break_glass: bool,
}

fn parse_args(form: &'static Form, words: &[String]) -> Result<(Args, Extras), ParseError> {
    let usage = || form.usage();
    let mut args = Args::default();
    let mut extras = Extras::default();
    let mut positionals = form
        .args
        .iter()
        .filter(|a| matches!(a.how, How::Positional { .. } | How::Rest));
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        if let Some(flag) = option_name(word) {
            let (flag, inline) = match flag.split_once('=') {
                Some((f, v)) => (f, Some(v.to_string())),
                None => (flag, None),
            };
            let take_value = |i: &mut usize| -> Result<String, ParseError> {
                if let Some(v) = inline.clone() {
                    return Ok(v);
                }
                let v = words.get(*i).ok_or_else(|| ParseError::MissingValue {
                    option: word.clone(),
                    usage: usage(),
                })?;
                *i += 1;
                Ok(v.clone())
            };
            if flag == "reason" {
                extras.reason = Some(take_value(&mut i)?);
                continue;
            }
            if flag == "break-glass" {
                if inline.is_some() {
                    return Err(ParseError::UnexpectedArgument {
                        value: word.clone(),
                        usage: usage(),
                    });
                }
                extras.break_glass = true;
                continue;
            }
            let arg = form
                .args
                .iter()
                .find(|a| matches_flag(a, flag))
                .ok_or_else(|| ParseError::UnknownOption {
                    option: word.clone(),
                    usage: usage(),
                    suggestion: closest(flag, form.args.iter().filter_map(long_name))
                        .map(|s| format!("--{s}")),
                })?;
            let value = match arg.how {
                How::Switch { .. } => Value::Switch,
                _ => check(arg, &take_value(&mut i)?)?,
            };
            insert(&mut args, arg, value)?;
        } else {
            let arg = positionals
                .next()
                .ok_or_else(|| ParseError::UnexpectedArgument {
                    value: word.clone(),
                    usage: usage(),
                })?;
            if arg.how == How::Rest {
                let text = words[i - 1..].join(" ");
                i = words.len();
                insert(&mut args, arg, Value::Text(text))?;
            } else {
                insert(&mut args, arg, check(arg, word)?)?;
            }
        }
    }
    for arg in form.args {
        let required = matches!(
            arg.how,
            How::Positional { required: true } | How::Option { required: true, .. } | How::Rest
        );
        if required && !args.0.contains_key(arg.name) {
            return Err(ParseError::MissingArgument {
                name: arg.usage(),
                usage: usage(),
            });
        }
    }
    if args.0.contains_key("namespace") && args.0.contains_key("all-namespaces") {
        return Err(ParseError::Conflict {
            first: "-n".into(),
            second: "-A".into(),
        });
    }
    Ok((args, extras))
}

/// `--name` or `-n` → the name; anything else (including `-` alone) is a value.
fn option_name(word: &str) -> Option<&str> {
    if let Some(long) = word.strip_prefix("--") {
        return (!long.is_empty()).then_some(long);
    }
    let short = word.strip_prefix('-')?;
    (short.len() == 1 && short.chars().all(|c| c.is_ascii_alphabetic())).then_some(short)
}

fn matches_flag(arg: &Arg, flag: &str) -> bool {
    match arg.how {
        How::Option { long, short, .. } | How::Switch { long, short } => {
            flag == long || short.is_some_and(|s| flag.len() == 1 && flag.starts_with(s))
        }
        _ => false,
    }
}

fn long_name(arg: &Arg) -> Option<&'static str> {
    match arg.how {
        How::Option { long, .. } | How::Switch { long, .. } => Some(long),
        _ => None,
    }
}

fn insert(args: &mut Args, arg: &Arg, value: Value) -> Result<(), ParseError> {
    if args.0.insert(arg.name, value).is_some() {
        return Err(ParseError::Repeated { name: arg.usage() });
    }
    Ok(())
}

/// Checks one value against its kind.
fn check(arg: &Arg, raw: &str) -> Result<Value, ParseError> {
    let bad = |problem| ParseError::BadValue {
        name: arg.name.to_string(),
        value: raw.to_string(),
        problem,
    };
    let text = || Value::Text(raw.to_string());
    if raw.trim().is_empty() {
        return Err(bad(Problem::Empty));
    }
    Ok(match arg.kind {
        // `all` and `a,b` only where the form acts on several clusters: a single-cluster
        // operation given them would act on one and be judged on others.
        Kind::Cluster { all } => {
            let several = raw == "all" || raw.contains(',');
            if several && !all {
                return Err(ParseError::OneClusterOnly {
                    value: raw.to_string(),
                });
            }
            if raw != "all" {
                for name in raw.split(',') {
                    validate::dns1123_label(name).map_err(bad)?;
                }
            }
            text()
        }
        Kind::Namespace | Kind::Situation => {
            validate::dns1123_label(raw).map_err(bad)?;
            text()
        }
        Kind::Namespaces => {
            let list: Vec<String> = raw.split(',').map(|s| s.trim().to_string()).collect();
            for ns in &list {
                validate::dns1123_label(ns).map_err(bad)?;
            }
            Value::List(list)
        }
        Kind::Name => {
            validate::dns1123_subdomain(raw).map_err(bad)?;
            text()
        }
        Kind::Resource { with_name } => {
            let (kind, name) = match raw.split_once('/') {
                Some((k, n)) => (k, Some(n)),
                None => (raw, None),
            };
            let kind_ok = kind
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && !kind.is_empty();
            match (kind_ok, name, with_name) {
                (true, Some(name), true) => validate::dns1123_subdomain(name).map_err(bad)?,
                (true, None, false) => {}
                _ => return Err(bad(Problem::Dns1123Subdomain)),
            }
            text()
        }
        Kind::Duration => Value::Duration(validate::duration(raw).map_err(bad)?),
        Kind::Version => {
            validate::version(raw).map_err(bad)?;
            text()
        }
        Kind::Cron => {
            validate::cron(raw).map_err(bad)?;
            text()
        }
        Kind::Quantity => {
            validate::quantity(raw).map_err(bad)?;
            text()
        }
        Kind::Count { min, max } => {
            let n: u64 = raw.parse().map_err(|_| bad(Problem::Count { min, max }))?;
            if n < min || n > max {
                return Err(bad(Problem::Count { min, max }));
            }
            Value::Count(n)
        }
        Kind::Choice(choices) => {
            if !choices.contains(&raw) {
                return Err(bad(Problem::Choice(choices.join(", "))));
            }
            text()
        }
        Kind::SnapshotFile => {
            validate::snapshot_file(raw).map_err(bad)?;
            text()
        }
        Kind::Path | Kind::Text => text(),
    })
}

/// The candidate nearest to `typed`, if near enough to be a typo.
pub(crate) fn closest<'a>(
    typed: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .map(|c| (strsim::levenshtein(typed, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

impl ParseError {
    /// The sentence the user reads.
    pub fn message(&self) -> Message {
        match self {
            ParseError::Empty => msg!("parse-empty"),
            ParseError::Quoting => msg!("parse-quoting"),
            ParseError::UnknownCommand {
                typed,
                suggestion: Some(s),
            } => msg!(
                "parse-unknown-command-suggest",
                typed = typed,
                suggestion = s
            ),
            ParseError::UnknownCommand { typed, .. } => {
                msg!("parse-unknown-command", typed = typed)
            }
            ParseError::UnknownOption {
                option,
                usage,
                suggestion: Some(s),
            } => msg!(
                "parse-unknown-option-suggest",
                option = option,
                usage = usage,
                suggestion = s
            ),
            ParseError::UnknownOption { option, usage, .. } => {
                msg!("parse-unknown-option", option = option, usage = usage)
            }
            ParseError::MissingValue { option, usage } => {
                msg!("parse-missing-value", option = option, usage = usage)
            }
            ParseError::MissingArgument { name, usage } => {
                msg!("parse-missing-argument", name = name, usage = usage)
            }
            ParseError::UnexpectedArgument { value, usage } => {
                msg!("parse-unexpected-argument", value = value, usage = usage)
            }
            ParseError::Repeated { name } => msg!("parse-repeated", name = name),
            ParseError::Conflict { first, second } => {
                msg!("parse-conflict", first = first, second = second)
            }
            ParseError::BadValue {
                name,
                value,
                problem,
            } => msg!(
                "parse-bad-value",
                name = name,
                value = value,
                problem = problem_message(problem)
            ),
            ParseError::UnknownCluster {
                name,
                known,
                suggestion: Some(s),
            } => msg!(
                "parse-unknown-cluster-suggest",
                name = name,
                known = known.join(", "),
                suggestion = s
            ),
            ParseError::UnknownCluster { name, known, .. } => {
                msg!(
                    "parse-unknown-cluster",
                    name = name,
                    known = known.join(", ")
                )
            }
            ParseError::ClusterNeeded { known } => {
                msg!("parse-cluster-needed", known = known.join("|"))
            }
            ParseError::OneClusterOnly { value } => {
                msg!("parse-one-cluster-only", value = value)
            }
            ParseError::UnknownSituation { name, known } => {
                msg!(
                    "parse-unknown-situation",
                    name = name,
                    known = known.join(", ")
                )
            }
        }
    }
}

fn problem_message(problem: &Problem) -> Message {
    match problem {
        Problem::Dns1123Label { max } => msg!("problem-dns-label", max = *max),
        Problem::Dns1123Subdomain => msg!("problem-dns-subdomain"),
        Problem::Duration => msg!("problem-duration"),
        Problem::Version => msg!("problem-version"),
        Problem::Cron(detail) => msg!("problem-cron", detail = detail),
        Problem::Quantity => msg!("problem-quantity"),
        Problem::Count { min, max } => msg!("problem-count", min = *min, max = *max),
        Problem::Choice(choices) => msg!("problem-choice", choices = choices),
        Problem::SnapshotFile => msg!("problem-snapshot-file"),
        Problem::Empty => msg!("problem-empty"),
    }
}

#[cfg(test)]
#[path = "parse_break_glass_tests.rs"]
mod break_glass_tests;
