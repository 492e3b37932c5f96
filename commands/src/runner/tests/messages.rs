//! Every sentence of the runners is in `runner.ftl` in both languages, renders with exactly
//! the arguments the code gives it, and the file defines nothing the code does not use.

use std::collections::{BTreeMap, BTreeSet};

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};

const SOURCES: &[&str] = &[
    include_str!("../mod.rs"),
    include_str!("../lines.rs"),
    include_str!("../local.rs"),
    include_str!("../steps.rs"),
    include_str!("../node/mod.rs"),
    include_str!("../node/follow.rs"),
    include_str!("../node/job.rs"),
];

/// Each `msg!("runner-…", name = …)` outside test code: its id and argument names.
fn used() -> BTreeMap<String, BTreeSet<String>> {
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in SOURCES {
        let code = source
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or(source);
        for call in code.split("msg!(").skip(1) {
            let inner = call_text(call);
            let id = inner
                .trim_start_matches('"')
                .split('"')
                .next()
                .unwrap_or("");
            let mut names = BTreeSet::new();
            for part in top_level_parts(inner) {
                if let Some((name, _)) = part.split_once('=')
                    && !part.trim_start().starts_with('"')
                {
                    names.insert(name.trim().to_string());
                }
            }
            used.entry(id.to_string()).or_default().extend(names);
        }
    }
    used.retain(|id, _| id.starts_with("runner-"));
    used
}

/// The macro call's text up to its closing parenthesis.
fn call_text(call: &str) -> &str {
    let mut depth = 0i32;
    let end = call
        .char_indices()
        .find(|(_, c)| {
            depth += nesting(*c);
            depth < 0
        })
        .map_or(call.len(), |(i, _)| i);
    call[..end].trim()
}

fn top_level_parts(inner: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0i32;
    inner.split(move |c| {
        depth += nesting(c);
        c == ',' && depth == 0
    })
}

fn nesting(c: char) -> i32 {
    match c {
        '(' | '[' | '{' => 1,
        ')' | ']' | '}' => -1,
        _ => 0,
    }
}

fn bundle(locale: &str) -> (FluentBundle<FluentResource>, BTreeSet<String>) {
    let path = format!(
        "{}/../bot/locales/{locale}/runner.ftl",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let resource = FluentResource::try_new(text).unwrap_or_else(|(_, e)| panic!("{path}: {e:?}"));
    let ids = resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect();
    let mut bundle = FluentBundle::new(vec![locale.parse().expect("locale id")]);
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .unwrap_or_else(|e| panic!("{path}: {e:?}"));
    (bundle, ids)
}

#[test]
fn every_runner_message_renders_in_english_and_korean_with_its_arguments() {
    let used = used();
    assert!(used.len() >= 15, "found only {used:?}");
    let (en, en_ids) = bundle("en");
    let (ko, ko_ids) = bundle("ko");
    assert_eq!(en_ids, ko_ids, "both bundles define the same ids");
    for (id, names) in &used {
        for (locale, bundle) in [("en", &en), ("ko", &ko)] {
            let message = bundle
                .get_message(id)
                .unwrap_or_else(|| panic!("{id} missing from {locale}/runner.ftl"));
            let pattern = message.value().expect("a value");
            let mut args = FluentArgs::new();
            for name in names {
                args.set(name.clone(), 2);
            }
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
            assert!(
                errors.is_empty(),
                "{locale} {id}: {errors:?} given {names:?}"
            );
            assert!(!text.trim().is_empty(), "{locale} {id} is empty");
        }
    }
    let unused: Vec<&String> = en_ids.iter().filter(|id| !used.contains_key(*id)).collect();
    assert!(unused.is_empty(), "defined but never used: {unused:?}");
}
