//! The check that every sentence of pod.delete, limits.set, velero.restore, the node
//! operations and k8s.upgrade is in `destructive.ftl`, in English and Korean, with the
//! arguments the code passes; and that the bundle holds nothing unused.

use std::collections::{BTreeMap, BTreeSet};

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};

const SOURCES: &[&str] = &[
    include_str!("../pod/delete.rs"),
    include_str!("../limits.rs"),
    include_str!("../velero/restore.rs"),
    include_str!("../node/mod.rs"),
    include_str!("../node/kubelet.rs"),
    include_str!("../node/disk.rs"),
    include_str!("../node/prune.rs"),
    include_str!("mod.rs"),
    include_str!("k8s.rs"),
    include_str!("gates.rs"),
    include_str!("drain.rs"),
];

/// The prefixes `destructive.ftl` owns; other ids (`runner-output`) live in other bundles.
const PREFIXES: &[&str] = &["pod-delete-", "limits-", "restore-", "upgrade-", "node-"];

/// Each `msg!("id", name = …)` outside test code: its id and argument names.
fn used_messages() -> BTreeMap<String, BTreeSet<String>> {
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in SOURCES {
        let code = source.split("#[cfg(test)]").next().unwrap_or(source);
        for piece in code.split("msg!(").skip(1) {
            let mut depth = 0usize;
            let end = piece
                .char_indices()
                .find(|&(_, c)| match c {
                    '(' | '[' | '{' => {
                        depth += 1;
                        false
                    }
                    ')' | ']' | '}' if depth == 0 => true,
                    ')' | ']' | '}' => {
                        depth -= 1;
                        false
                    }
                    _ => false,
                })
                .map_or(piece.len(), |(i, _)| i);
            let inner = &piece[..end];
            let Some(id) = inner
                .trim_start()
                .strip_prefix('"')
                .and_then(|r| r.split('"').next())
            else {
                continue;
            };
            if !PREFIXES.iter().any(|p| id.starts_with(p)) {
                continue;
            }
            let names = used.entry(id.to_string()).or_default();
            let mut depth = 0usize;
            let mut part = String::new();
            for c in inner.chars().chain([',']) {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        if let Some((name, _)) = part.split_once('=')
                            && !name.contains('"')
                        {
                            names.insert(name.trim().to_string());
                        }
                        part.clear();
                        continue;
                    }
                    _ => {}
                }
                part.push(c);
            }
        }
    }
    used
}

fn bundle(locale: &str) -> (FluentBundle<FluentResource>, BTreeSet<String>) {
    let path = format!(
        "{}/../bot/locales/{locale}/destructive.ftl",
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
fn every_destructive_message_renders_in_english_and_korean_with_its_arguments() {
    let used = used_messages();
    assert!(used.len() > 60, "found only {used:?}");
    let (en, en_ids) = bundle("en");
    let (ko, ko_ids) = bundle("ko");
    assert_eq!(en_ids, ko_ids, "both bundles define the same ids");
    for (id, names) in &used {
        for (locale, bundle) in [("en", &en), ("ko", &ko)] {
            let pattern = bundle
                .get_message(id)
                .and_then(|m| m.value())
                .unwrap_or_else(|| panic!("{id} missing from {locale}/destructive.ftl"));
            let mut args = FluentArgs::new();
            for name in names {
                args.set(name.clone(), 2);
            }
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
            assert!(errors.is_empty(), "{locale} {id}: {errors:?} ({names:?})");
            assert!(!text.trim().is_empty(), "{locale} {id} is empty");
        }
    }
    let unused: Vec<&String> = en_ids.iter().filter(|id| !used.contains_key(*id)).collect();
    assert!(unused.is_empty(), "defined but never used: {unused:?}");
}
