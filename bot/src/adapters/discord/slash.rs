//! `/ops` as Discord slash commands with subcommand groups and typed options, generated from
//! the catalogue so that it can never drift from the command language.
//!
//! Each form of an operation becomes one subcommand: the form's first word is its group and
//! the other words (joined by `-`) the subcommand (`etcd snapshot` → `/ops etcd snapshot`,
//! `velero backup create` → `/ops velero backup-create`). A first word with a single form is
//! a plain subcommand named by all its words (`status`, `dr-rebuild`). Discord allows 25
//! entries at the top of a command; past that the top level spills into `/ops2`, `/ops3`…
//! in catalogue order (and a group of more than 25 forms into `NAME-2`…). In late 2026 the
//! catalogue has 27 first words, so `/ops` holds the first 25 and `/ops2` holds `yaml` and
//! `pages`.
//!
//! Arguments become options: switches are booleans, counts integers with their range, a fixed
//! list is a choice, the rest strings; what the engine can suggest (clusters, namespaces,
//! backups, snapshots) autocompletes. Inbound, the typed options are turned back into the
//! words of the command line, each quoted as a shell word, and the engine gets that line
//! exactly as if it had been typed: nothing here decides what an option means.
//!
//! `/ops-line` keeps the free-text form (the whole line in one `command` option) for what has
//! no form of its own (`help`, `pending`, `approve ID`) and for those who prefer typing.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use commands::{Arg, CATALOGUE, Form, How, Kind, Message, Spec, msg};
use serde_json::{Map, Value, json};

use super::inbound::CommandOption;
use crate::engine::complete::Completion;
use crate::i18n::{Locale, Localizer};

/// The base name of the generated commands.
pub const COMMAND: &str = "ops";
/// The free-text command.
pub const LINE_COMMAND: &str = "ops-line";
/// Its one option: the whole command line.
pub const LINE_OPTION: &str = "command";

/// The option every subcommand has: `--reason`.
pub const REASON: &str = "reason";

/// Discord's limits for application commands.
pub const MAX_ENTRIES: usize = 25;
pub const MAX_OPTIONS: usize = 25;
pub const NAME_MAX: usize = 32;
pub const DESCRIPTION_MAX: usize = 100;

/// Option types (Discord's numbers).
const SUB_COMMAND: u8 = 1;
const SUB_COMMAND_GROUP: u8 = 2;
const STRING: u8 = 3;
const INTEGER: u8 = 4;
const BOOLEAN: u8 = 5;

/// One form as a subcommand: where it sits and what it is.
#[derive(Debug)]
pub struct Entry {
    pub command: String,
    pub group: Option<String>,
    pub name: String,
    pub spec: &'static Spec,
    pub form: &'static Form,
}

impl Entry {
    /// The option a form's argument is typed in, by its Discord name.
    pub fn arg(&self, option: &str) -> Option<&'static Arg> {
        self.form
            .args
            .iter()
            .find(|a| option_name(a.name) == option)
    }
}

/// Every form's place, computed once: registration and inbound read the same table.
pub static ENTRIES: LazyLock<Vec<Entry>> = LazyLock::new(layout);

/// A Discord name: lowercase, only letters, digits, `-` and `_`, at most 32 characters.
pub fn option_name(text: &str) -> String {
    let name: String = text
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(NAME_MAX)
        .collect();
    if name.is_empty() {
        "-".to_string()
    } else {
        name
    }
}

fn layout() -> Vec<Entry> {
    let forms: Vec<(&'static Spec, &'static Form)> = CATALOGUE
        .iter()
        .flat_map(|e| e.spec.forms.iter().map(move |f| (e.spec, f)))
        .collect();
    // Top-level nodes in catalogue order: a group (by first word) or a plain subcommand.
    let mut order: Vec<String> = Vec::new();
    let mut by_word: BTreeMap<String, Vec<(&'static Spec, &'static Form)>> = BTreeMap::new();
    for (spec, form) in forms {
        let Some(first) = form.words.first() else {
            continue;
        };
        let first = option_name(first);
        if !by_word.contains_key(&first) {
            order.push(first.clone());
        }
        by_word.entry(first).or_default().push((spec, form));
    }
    let mut nodes: Vec<Node> = Vec::new();
    for word in order {
        let members = &by_word[&word];
        if let [(spec, form)] = members.as_slice() {
            nodes.push(Node::Plain(option_name(&form.words.join("-")), spec, form));
            continue;
        }
        let subs: Vec<Placed> = members
            .iter()
            .map(|(spec, form)| {
                let rest = &form.words[1..];
                let name = if rest.is_empty() {
                    word.clone()
                } else {
                    option_name(&rest.join("-"))
                };
                (name, *spec, *form)
            })
            .collect();
        for (i, chunk) in subs.chunks(MAX_ENTRIES).enumerate() {
            let name = if i == 0 {
                word.clone()
            } else {
                option_name(&format!("{word}-{}", i + 1))
            };
            nodes.push(Node::Group(name, chunk.to_vec()));
        }
    }
    let mut entries = Vec::new();
    for (i, chunk) in nodes
        .into_iter()
        .collect::<Vec<_>>()
        .chunks(MAX_ENTRIES)
        .enumerate()
    {
        let command = if i == 0 {
            COMMAND.to_string()
        } else {
            format!("{COMMAND}{}", i + 1)
        };
        for node in chunk {
            let (group, subs) = match node {
                Node::Plain(name, spec, form) => (None, vec![(name.clone(), *spec, *form)]),
                Node::Group(name, subs) => (Some(name.clone()), subs.clone()),
            };
            for (name, spec, form) in subs {
                entries.push(Entry {
                    command: command.clone(),
                    group: group.clone(),
                    name,
                    spec,
                    form,
                });
            }
        }
    }
    entries
}

/// A subcommand's name and what it runs.
type Placed = (String, &'static Spec, &'static Form);

/// One entry at the top of a command.
enum Node {
    /// A subcommand of its own (a first word with one form).
    Plain(String, &'static Spec, &'static Form),
    /// A group of subcommands (a first word with several forms).
    Group(String, Vec<Placed>),
}

/// Cuts a description to Discord's 1–100 characters.
fn description(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return "-".to_string();
    }
    super::encoder::truncate(text, DESCRIPTION_MAX)
}

/// `description` in English and `description_localizations.ko` in Korean.
fn described(mut object: Map<String, Value>, message: &Message) -> Value {
    let en = Localizer::new(Locale::En).text(message);
    let ko = Localizer::new(Locale::Ko).text(message);
    object.insert("description".into(), json!(description(&en)));
    object.insert(
        "description_localizations".into(),
        json!({ "ko": description(&ko) }),
    );
    Value::Object(object)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// One argument as an option.
fn option(arg: &Arg, clusters: &[String]) -> Value {
    let required = match arg.how {
        How::Positional { required } | How::Option { required, .. } => required,
        How::Rest => true,
        How::Switch { .. } => false,
    };
    let mut o = object(json!({
        "name": option_name(arg.name),
        "type": STRING,
        "required": required,
        // The shell's spelling says what to type, and is the same in every language.
        "description": description(&arg.usage()),
    }));
    match arg.kind {
        _ if matches!(arg.how, How::Switch { .. }) => {
            o.insert("type".into(), json!(BOOLEAN));
        }
        Kind::Count { min, max } => {
            o.insert("type".into(), json!(INTEGER));
            o.insert("min_value".into(), json!(min));
            o.insert("max_value".into(), json!(max));
        }
        // The configured clusters as choices, when there are few enough; else autocomplete.
        Kind::Cluster { all } if !clusters.is_empty() && clusters.len() < MAX_ENTRIES => {
            let mut choices: Vec<Value> = clusters
                .iter()
                .map(|c| json!({"name": c, "value": c}))
                .collect();
            if all {
                choices.push(json!({"name": "all", "value": "all"}));
            }
            o.insert("choices".into(), Value::Array(choices));
        }
        Kind::Choice(words) if words.len() <= MAX_ENTRIES => {
            let choices: Vec<Value> = words
                .iter()
                .map(|w| json!({"name": w, "value": w}))
                .collect();
            o.insert("choices".into(), Value::Array(choices));
        }
        _ if Completion::for_arg(arg).is_some() => {
            o.insert("autocomplete".into(), json!(true));
        }
        _ => {}
    }
    Value::Object(o)
}

fn subcommand(entry: &Entry, clusters: &[String]) -> Value {
    let mut options: Vec<(bool, Value)> = entry
        .form
        .args
        .iter()
        .map(|a| {
            let o = option(a, clusters);
            (o["required"] == true, o)
        })
        .collect();
    // Discord wants required options before optional ones.
    options.sort_by_key(|(required, _)| !*required);
    let mut options: Vec<Value> = options.into_iter().map(|(_, o)| o).collect();
    // Any command may carry a reason (some approvals require one).
    options.push(described(
        object(json!({"name": REASON, "type": STRING, "required": false})),
        &msg!("discord-reason-description"),
    ));
    options.truncate(MAX_OPTIONS);
    described(
        object(json!({"name": entry.name, "type": SUB_COMMAND, "options": options})),
        &Message::new(entry.spec.summary_id()),
    )
}

/// The commands as registered: the generated ones, then `/ops-line`. `clusters` are the
/// configured clusters, offered as choices (none: the cluster option autocompletes).
pub fn definitions(clusters: &[String]) -> Vec<Value> {
    let mut commands: Vec<(String, Vec<Value>)> = Vec::new();
    let mut i = 0;
    let entries = &*ENTRIES;
    while i < entries.len() {
        let entry = &entries[i];
        if commands.last().is_none_or(|(c, _)| *c != entry.command) {
            commands.push((entry.command.clone(), Vec::new()));
        }
        let Some((_, top)) = commands.last_mut() else {
            break;
        };
        match &entry.group {
            None => {
                top.push(subcommand(entry, clusters));
                i += 1;
            }
            Some(group) => {
                let members: Vec<&Entry> = entries[i..]
                    .iter()
                    .take_while(|e| e.group.as_ref() == Some(group) && e.command == entry.command)
                    .collect();
                i += members.len();
                let names: Vec<&str> = members.iter().map(|e| e.name.as_str()).collect();
                // The subcommands' names say what the group holds, in any language.
                let holds = description(&names.join(", "));
                top.push(json!({
                    "name": group,
                    "type": SUB_COMMAND_GROUP,
                    "description": holds,
                    "description_localizations": {"ko": holds},
                    "options": members.iter().map(|e| subcommand(e, clusters)).collect::<Vec<_>>(),
                }));
            }
        }
    }
    let mut out: Vec<Value> = commands
        .into_iter()
        .map(|(name, options)| {
            described(
                object(json!({"name": name, "type": 1, "options": options})),
                &msg!("discord-command-description"),
            )
        })
        .collect();
    let line = described(
        object(json!({
            "name": LINE_OPTION,
            "type": STRING,
            "required": true,
            "autocomplete": true,
        })),
        &msg!("discord-line-option-description"),
    );
    out.push(described(
        object(json!({"name": LINE_COMMAND, "type": 1, "options": [line]})),
        &msg!("discord-line-command-description"),
    ));
    out
}

/// The form a slash command's options chose, and the options typed for it.
pub fn chosen<'a>(
    name: &str,
    options: &'a [CommandOption],
) -> Option<(&'static Entry, &'a [CommandOption])> {
    let first = options.first()?;
    let (group, sub) = match first.kind {
        SUB_COMMAND_GROUP => (Some(first.name.as_str()), first.options.first()?),
        _ => (None, first),
    };
    let entry = ENTRIES
        .iter()
        .find(|e| e.command == name && e.group.as_deref() == group && e.name == sub.name)?;
    Some((entry, sub.options.as_slice()))
}

/// The command line typed options stand for: the form's words, the options given (as
/// `--long=VALUE`, so a value is never read as a flag), then the positional arguments in the
/// form's order, the rest last. Every word is quoted as a shell word, so a value can never
/// become two words.
pub fn line(entry: &Entry, options: &[CommandOption]) -> String {
    let mut words: Vec<String> = entry.form.words.iter().map(|w| w.to_string()).collect();
    let given = |name: &str| {
        options
            .iter()
            .find(|o| o.name == name)
            .and_then(|o| o.value.as_ref())
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    };
    let mut positional = Vec::new();
    let mut rest = None;
    for arg in entry.form.args {
        let Some(text) = given(&option_name(arg.name)) else {
            continue;
        };
        match arg.how {
            How::Option { long, .. } => words.push(format!("--{long}={text}")),
            How::Switch { long, .. } if text == "true" => words.push(format!("--{long}")),
            How::Switch { .. } => {}
            How::Positional { .. } => positional.push(text),
            How::Rest => rest = Some(text),
        }
    }
    if let Some(reason) = given(REASON).filter(|r| !r.trim().is_empty()) {
        words.push(format!("--reason={reason}"));
    }
    words.extend(positional);
    words.extend(rest);
    join(&words)
}

/// Words as one shell line, so that the engine's `shell_words::split` gives them back.
pub fn join(words: &[String]) -> String {
    shell_words::join(words)
}
