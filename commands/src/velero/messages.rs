//! The check that every sentence of velero, get, yaml and vault.status/unseal is in `velero.ftl` in
//! both languages, renders with exactly the arguments the code gives it, and that the file
//! defines nothing the code does not use.

use std::collections::{BTreeMap, BTreeSet};

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};

const SOURCES: &[&str] = &[
    include_str!("mod.rs"),
    include_str!("backup.rs"),
    include_str!("backups.rs"),
    include_str!("follow.rs"),
    include_str!("schedule.rs"),
    include_str!("view.rs"),
    include_str!("../resources/get.rs"),
    include_str!("../resources/resolve.rs"),
    include_str!("../resources/yaml.rs"),
    include_str!("../vault/mod.rs"),
    include_str!("../vault/status.rs"),
    include_str!("../vault/unseal.rs"),
];

const PREFIXES: [&str; 4] = ["velero-", "get-", "yaml-", "vault-"];

/// Each `msg!("id", name = …)` outside test code: its id and argument names.
fn used() -> BTreeMap<String, BTreeSet<String>> {
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in SOURCES {
        let code = source
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or(source);
        for call in code.split("msg!(").skip(1) {
            // The call's text up to its closing parenthesis.
            let mut depth = 0i32;
            let end = call
                .char_indices()
                .find(|(_, c)| {
                    depth += match c {
                        '(' | '[' | '{' => 1,
                        ')' | ']' | '}' => -1,
                        _ => 0,
                    };
                    depth < 0
                })
                .map_or(call.len(), |(i, _)| i);
            let inner = call[..end].trim();
            let id = inner
                .trim_start_matches('"')
                .split('"')
                .next()
                .unwrap_or("");
            let mut names = BTreeSet::new();
            let mut depth = 0i32;
            for part in inner.split(|c| {
                depth += match c {
                    '(' | '[' | '{' => 1,
                    ')' | ']' | '}' => -1,
                    _ => 0,
                };
                c == ',' && depth == 0
            }) {
                if let Some((name, _)) = part.split_once('=')
                    && !part.trim_start().starts_with('"')
                {
                    names.insert(name.trim().to_string());
                }
            }
            used.entry(id.to_string()).or_default().extend(names);
        }
    }
    used
}

fn bundle(locale: &str) -> (FluentBundle<FluentResource>, BTreeSet<String>) {
    let path = format!(
        "{}/../bot/locales/{locale}/velero.ftl",
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
fn every_message_renders_in_english_and_korean_with_its_arguments() {
    let used: BTreeMap<String, BTreeSet<String>> = used()
        .into_iter()
        .filter(|(id, _)| PREFIXES.iter().any(|p| id.starts_with(p)))
        .collect();
    assert!(used.len() > 60, "found only {used:?}");
    let (en, en_ids) = bundle("en");
    let (ko, ko_ids) = bundle("ko");
    assert_eq!(en_ids, ko_ids, "both bundles define the same ids");
    for (id, names) in &used {
        for (locale, bundle) in [("en", &en), ("ko", &ko)] {
            let message = bundle
                .get_message(id)
                .unwrap_or_else(|| panic!("{id} missing from {locale}/velero.ftl"));
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
