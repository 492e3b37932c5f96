//! The check that every sentence the operations use is in both bundles (`bot/locales/en` and
//! `ko`), renders with exactly the arguments the code passes it, and that the operations'
//! bundle files hold nothing unused. One check for the whole crate, reading the sources.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};

/// Bundle files whose every id belongs to this crate (main.ftl and the chats' are the bot's).
const OPERATION_BUNDLES: [&str; 10] = [
    "etcd",
    "cluster",
    "workloads",
    "platform",
    "velero",
    "destructive",
    "host",
    "runner",
    "ops",
    "watch",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && !path.ends_with("messages_check.rs")
        {
            out.push(path);
        }
    }
}

/// Each `msg!("id", name = …)` in the crate: its id and argument names, merged across uses.
fn used() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for piece in code.split("msg!(").skip(1) {
            let Some(rest) = piece.trim_start().strip_prefix('"') else {
                continue;
            };
            let Some((id, after)) = rest.split_once('"') else {
                continue;
            };
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                continue;
            }
            used.entry(id.to_string())
                .or_default()
                .extend(argument_names(after));
        }
    }
    for entry in crate::CATALOGUE {
        used.entry(entry.spec.summary_id()).or_default();
    }
    used
}

/// `, a = x, b = f(y, z))…` → `a`, `b`: the top-level `name =` parts up to the closing paren.
fn argument_names(after_id: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut depth = 0i32;
    let mut part = String::new();
    for c in after_id.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                take_name(&part, &mut names);
                part.clear();
                continue;
            }
            _ => {}
        }
        part.push(c);
    }
    take_name(&part, &mut names);
    names
}

fn take_name(part: &str, names: &mut BTreeSet<String>) {
    if let Some((name, _)) = part.split_once('=') {
        let name = name.trim();
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            names.insert(name.to_string());
        }
    }
}

/// Every bundle file of a locale in one bundle, and the ids of the operations' own files.
fn bundle(locale: &str) -> (FluentBundle<FluentResource>, BTreeSet<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../bot/locales")
        .join(locale);
    let mut bundle = FluentBundle::new(vec![locale.parse().expect("locale id")]);
    bundle.set_use_isolating(false);
    let mut owned = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("locale dir").flatten() {
        let path = entry.path();
        let text = std::fs::read_to_string(&path).expect("ftl");
        let resource =
            FluentResource::try_new(text).unwrap_or_else(|(_, e)| panic!("{path:?}: {e:?}"));
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if OPERATION_BUNDLES.contains(&stem) {
            owned.extend(resource.entries().filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            }));
        }
        bundle
            .add_resource(resource)
            .unwrap_or_else(|e| panic!("{path:?}: {e:?}"));
    }
    (bundle, owned)
}

#[test]
fn every_operation_message_renders_in_english_and_korean_with_its_arguments() {
    let used = used();
    assert!(used.len() > 300, "found only {} ids", used.len());
    let (en, en_owned) = bundle("en");
    let (ko, ko_owned) = bundle("ko");
    assert_eq!(en_owned, ko_owned, "both languages define the same ids");
    for (id, names) in &used {
        for (locale, bundle) in [("en", &en), ("ko", &ko)] {
            let pattern = bundle
                .get_message(id)
                .and_then(|m| m.value())
                .unwrap_or_else(|| panic!("{id} missing from {locale}"));
            let mut args = FluentArgs::new();
            for name in names {
                args.set(name.clone(), 2);
            }
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
            assert!(
                errors.is_empty(),
                "{locale} {id}: {errors:?} (given {names:?})"
            );
            assert!(!text.trim().is_empty(), "{locale} {id} is empty");
        }
    }
    let unused: Vec<&String> = en_owned
        .iter()
        .filter(|id| !used.contains_key(*id))
        .collect();
    assert!(unused.is_empty(), "defined but never used: {unused:?}");
}

#[test]
fn argument_names_are_the_top_level_ones() {
    let names = argument_names(r#", a = x, b = f(y, z), c = [1, 2]) more"#);
    assert_eq!(names.into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
}
