//! Autocomplete (interaction type 4, answered with type 8): what the engine suggests for the
//! option being typed.
//!
//! For a typed option the form's argument says what it is ([`Completion::for_arg`]) and the
//! `cluster` option typed beside it which cluster to ask. In the free-text line the word
//! after `-c` / `--cluster` completes clusters and the word after `-n` / `--namespace`
//! namespaces (of the `-c` cluster typed before it).
//!
//! The engine judges every suggestion for the member typing, against the operation whose form
//! is being typed (see `crate::engine::complete`): a member allowed nothing sees nothing.
//!
//! The endpoint awaits the answer: a lookup that needs the network is bounded by the engine's
//! short lookup timeout and holds no worker thread while it waits.

use serde_json::{Value, json};

use super::inbound::{CommandOption, Interaction};
use super::{encoder, identity, slash};
use crate::engine::Engine;
use crate::engine::complete::{Completion, MAX_CHOICES, operation_of_line};

/// A choice's name and value: 1–100 characters.
const CHOICE_MAX: usize = 100;

/// The choices for the focused option, as Discord takes them.
pub(crate) async fn choices(engine: &Engine, interaction: &Interaction) -> Vec<Value> {
    let (Some((focused, typed)), Some(caller)) =
        (interaction.focused(), identity::caller(interaction))
    else {
        return Vec::new();
    };
    let Some(typing) = what_is_typed(interaction, focused, &typed) else {
        return Vec::new();
    };
    let Typing {
        operation,
        what,
        cluster,
        head,
        prefix,
    } = typing;
    engine
        .complete(&caller, operation, what, cluster.as_deref(), &prefix)
        .await
        .into_iter()
        .map(|value| format!("{head}{value}"))
        .filter(|value| value.chars().count() <= CHOICE_MAX)
        .take(MAX_CHOICES)
        .map(|value| json!({"name": encoder::truncate(&value, CHOICE_MAX), "value": value}))
        .collect()
}

/// What is being typed: in which operation's form, what to complete, in which cluster, the
/// text kept before the suggestion, and the prefix.
struct Typing {
    operation: Option<&'static str>,
    what: Completion,
    cluster: Option<String>,
    head: String,
    prefix: String,
}

fn what_is_typed(
    interaction: &Interaction,
    focused: &CommandOption,
    typed: &str,
) -> Option<Typing> {
    let data = interaction.data.as_ref()?;
    let top_line = data.options.iter().any(|o| o.name == slash::LINE_OPTION);
    if top_line && focused.name == slash::LINE_OPTION {
        return in_line(typed);
    }
    let (entry, options) = slash::chosen(data.name.as_deref()?, &data.options)?;
    let what = Completion::for_arg(entry.arg(&focused.name)?)?;
    let cluster = options
        .iter()
        .find(|o| o.name == "cluster" && !o.focused)
        .and_then(|o| o.value.as_ref())
        .and_then(Value::as_str)
        .map(str::to_string);
    Some(Typing {
        operation: Some(entry.spec.id),
        what,
        cluster,
        head: String::new(),
        prefix: typed.to_string(),
    })
}

/// The free-text line: the last word, if the word before it is a flag that completes.
fn in_line(typed: &str) -> Option<Typing> {
    let (head, last) = match typed.rsplit_once(' ') {
        Some((head, last)) => (format!("{head} "), last.to_string()),
        None => return None,
    };
    let words: Vec<&str> = head.split_whitespace().collect();
    let what = match words.last()? {
        &"-c" | &"--cluster" => Completion::Cluster { all: true },
        &"-n" | &"--namespace" => Completion::Namespace,
        _ => return None,
    };
    let cluster = words
        .windows(2)
        .rev()
        .find(|w| w[0] == "-c" || w[0] == "--cluster")
        .map(|w| w[1].to_string());
    Some(Typing {
        operation: operation_of_line(&head),
        what,
        cluster,
        head,
        prefix: last,
    })
}
