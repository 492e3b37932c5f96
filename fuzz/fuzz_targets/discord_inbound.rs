//! What Discord sends, on arbitrary bytes: the body of `POST /discord/interactions` read as an
//! [`Interaction`], then everything the adapter derives from it: the caller (subject and
//! groups), the command line (free text, or rebuilt from typed options), the focused option of
//! an autocomplete, and a modal's typed value. Nothing may panic, and a line rebuilt from typed
//! options must parse as the subcommand that was chosen, each typed value read as the argument it was
//! typed in: an option's value is data, and must never turn into another operation or a flag.
#![no_main]

use commands::{Command, How, Value as ArgValue, parse};
use libfuzzer_sys::fuzz_target;
use opsbot::adapters::discord::{Interaction, identity, slash};
use serde_json::Value;

/// Interactions are small; the endpoint reads at most 1 MiB, and longer input only slows the
/// fuzzer down on the same code.
const MAX_BODY: usize = 64 * 1024;
/// The modal input a private prompt's answer is typed in (`discord::modal::INPUT_ID`).
const PROMPT_INPUT: &str = "secret";

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_BODY {
        return;
    }
    let Ok(interaction) = Interaction::from_body(data) else {
        return;
    };
    if let Some(caller) = identity::caller(&interaction) {
        let user = interaction.user_id().expect("a caller has a user");
        assert_eq!(
            caller.subject,
            format!("{}{user}", identity::SUBJECT_PREFIX)
        );
        assert_eq!(caller.groups.len(), interaction.roles().len());
    }
    let _ = interaction.focused();
    if let Some(data) = &interaction.data {
        let _ = data.input(PROMPT_INPUT);
    }
    let Some(line) = interaction.line() else {
        return;
    };
    let result = parse(&line);
    check_rebuilt_line(&interaction, &line, result);
});

/// A line rebuilt from a subcommand's typed options splits into words that start with the
/// form's own, and, when it parses, parses as that form.
fn check_rebuilt_line(
    interaction: &Interaction,
    line: &str,
    result: Result<Command, commands::ParseError>,
) {
    let Some(data) = &interaction.data else {
        return;
    };
    // The free-text option is taken as typed: the parser judges it, nothing else to check.
    if data.options.iter().any(|o| o.name == slash::LINE_OPTION) {
        return;
    }
    let Some(name) = data.name.as_deref() else {
        return;
    };
    let Some((entry, options)) = slash::chosen(name, &data.options) else {
        return;
    };
    let words = shell_words::split(line)
        .unwrap_or_else(|e| panic!("rebuilt line {line:?} does not split: {e}"));
    let form_words: Vec<String> = entry.form.words.iter().map(|w| w.to_string()).collect();
    assert!(
        words.starts_with(&form_words),
        "rebuilt line {line:?} does not start with {form_words:?}"
    );
    let Ok(Command::Run(invocation)) = result else {
        return;
    };
    assert_eq!(
        invocation.spec.id, entry.spec.id,
        "typed options {options:?} became another operation: {line:?}"
    );
    assert!(
        std::ptr::eq(invocation.form, entry.form),
        "typed options {options:?} became another form: {line:?}"
    );
    // Every option typed is read as the argument it was typed in, with the value typed.
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
    for arg in entry.form.args {
        let Some(text) = given(&slash::option_name(arg.name)) else {
            continue;
        };
        let parsed = invocation.args.iter().find(|(name, _)| *name == arg.name);
        match (arg.how, parsed) {
            (How::Switch { .. }, parsed) => {
                assert_eq!(parsed.is_some(), text == "true", "{arg:?} from {line:?}")
            }
            (_, None) => panic!("typed {arg:?} = {text:?} is lost in {line:?}"),
            (_, Some((_, ArgValue::Text(parsed)))) => {
                assert_eq!(parsed, &text, "typed {arg:?} changed in {line:?}")
            }
            (_, Some(_)) => {}
        }
    }
    if let Some(reason) = given(slash::REASON).filter(|r| !r.trim().is_empty()) {
        assert_eq!(
            invocation.reason.as_deref(),
            Some(reason.as_str()),
            "{line:?}"
        );
    }
}
