//! The command language on arbitrary text: `commands::parse`, then `commands::resolve`
//! against a small configuration. Nothing may panic, and what parses must mean the same
//! thing when written back out: a chat line is typed by anyone who can reach the bot, and
//! the Discord adapter rebuilds lines from typed options the same way this target does.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use commands::{
    ClusterSettings, Command, Contact, How, Invocation, Namespaces, Scope, Settings, parse, resolve,
};
use libfuzzer_sys::fuzz_target;

/// Chat messages are short; longer input only slows the fuzzer down on the same code.
const MAX_LINE: usize = 4096;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_LINE {
        return;
    }
    let line = String::from_utf8_lossy(data);
    match parse(&line) {
        Err(error) => {
            // The sentence the user reads is built for every refusal.
            let _ = error.message();
            let _ = error.to_string();
        }
        Ok(Command::Help(_)) => {}
        Ok(Command::Run(invocation)) => {
            check_round_trip(&invocation);
            check_resolve(invocation);
        }
    }
});

/// The invocation written as a line (`--long=VALUE` for options, positionals in the form's
/// order, the rest last, every word shell-quoted) parses back to the same invocation.
fn check_round_trip(invocation: &Invocation) {
    let mut words: Vec<String> = invocation
        .form
        .words
        .iter()
        .map(|w| w.to_string())
        .collect();
    let mut positional = Vec::new();
    let mut rest = None;
    for (name, value) in invocation.args.iter() {
        let arg = invocation
            .form
            .args
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("argument {name} is not one of the form's"));
        match arg.how {
            How::Option { long, .. } => words.push(format!("--{long}={value}")),
            How::Switch { long, .. } => words.push(format!("--{long}")),
            How::Positional { .. } => positional.push((name, value.to_string())),
            How::Rest => rest = Some(value.to_string()),
        }
    }
    if let Some(reason) = &invocation.reason {
        words.push(format!("--reason={reason}"));
    }
    // Positionals in the order the form lists them.
    for arg in invocation.form.args {
        if let Some((_, text)) = positional.iter().find(|(n, _)| *n == arg.name) {
            words.push(text.clone());
        }
    }
    if let Some(rest) = rest {
        // The rest is read from its first word on, and that word was not a flag; but `--`
        // alone is a value, while a word starting `-- ` is an unknown option. So a rest that
        // began with `--` words gets them back as words of their own.
        let mut text = rest.as_str();
        while let Some(after) = text.strip_prefix("-- ") {
            words.push("--".to_string());
            text = after;
        }
        words.push(text.to_string());
    }
    let line = shell_words::join(&words);
    let again = match parse(&line) {
        Ok(Command::Run(again)) => again,
        other => panic!("{line:?} (written back from {invocation:?}) parses as {other:?}"),
    };
    assert_eq!(again.spec.id, invocation.spec.id, "{line:?}");
    assert!(std::ptr::eq(again.form, invocation.form), "{line:?}");
    assert_eq!(again.args, invocation.args, "{line:?}");
    assert_eq!(again.reason, invocation.reason, "{line:?}");
}

fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let clusters: BTreeMap<String, ClusterSettings> = ["mgmt", "prod", "stage"]
            .into_iter()
            .map(|name| (name.to_string(), ClusterSettings::default()))
            .collect();
        let contacts = ["cluster-failure", "security-incident"]
            .into_iter()
            .map(|situation| Contact {
                situation: situation.to_string(),
                team: "platform".to_string(),
                slack_mentions: Vec::new(),
                discord_mentions: Vec::new(),
                pagerduty_routing_key: None,
                opsgenie_team: None,
                webhook: None,
                email: Vec::new(),
            })
            .collect();
        Settings {
            clusters,
            contacts,
            ..Settings::default()
        }
    })
}

/// A resolved request targets only configured clusters, and has a namespace exactly when its
/// operation is namespaced.
fn check_resolve(invocation: Invocation) {
    let settings = settings();
    let spec = invocation.spec;
    match resolve(invocation, settings) {
        Err(error) => {
            let _ = error.message();
        }
        Ok(request) => {
            for cluster in &request.clusters {
                assert!(
                    settings.clusters.contains_key(cluster),
                    "{} targets unknown cluster {cluster:?}",
                    spec.id
                );
            }
            let namespaced = request.namespaces != Namespaces::NotApplicable;
            assert_eq!(namespaced, spec.scope == Scope::Namespaced, "{}", spec.id);
            if spec.scope == Scope::Global {
                assert!(request.clusters.is_empty(), "{}", spec.id);
            }
            assert_eq!(request.canonical(), request.canonical());
        }
    }
}
