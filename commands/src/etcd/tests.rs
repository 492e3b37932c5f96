//! Helpers shared by the etcd operations' tests, and the check that every message they use
//! is in both fluent bundles with the arguments it is given.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};

use crate::{BackupSettings, ClusterSettings, EtcdSettings, Settings};

/// Settings with the given clusters (`None`: a cluster without etcd) and backup directory.
pub(crate) fn settings_for(
    clusters: &[(&str, Option<&str>)],
    backup_dir: Option<&Path>,
) -> Settings {
    let clusters = clusters
        .iter()
        .map(|(name, endpoint)| {
            let etcd = endpoint.map(|e| EtcdSettings {
                endpoints: vec![e.to_string()],
                timeout: Some("3s".into()),
                ..EtcdSettings::default()
            });
            (
                name.to_string(),
                ClusterSettings {
                    etcd,
                    ..ClusterSettings::default()
                },
            )
        })
        .collect();
    Settings {
        clusters,
        backup: BackupSettings {
            dir: backup_dir.map_or_else(|| "/nonexistent/opsbot-backups".into(), Path::to_path_buf),
            retention: "7d".into(),
        },
        contacts: Vec::new(),
        vault: None,
        runners: Default::default(),
    }
}

/// Corrupts one byte of a file in place.
pub(crate) fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).expect("read file to corrupt");
    bytes[at] ^= 0xff;
    std::fs::write(path, bytes).expect("write corrupted file");
}

const SOURCES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("mod.rs")),
    ("status.rs", include_str!("status.rs")),
    ("snapshot.rs", include_str!("snapshot.rs")),
    ("snapshots.rs", include_str!("snapshots.rs")),
    ("files.rs", include_str!("files.rs")),
    ("verify.rs", include_str!("verify.rs")),
];

/// Each `msg!("etcd-…", name = …)` in the sources: id and argument names.
fn used_messages() -> BTreeMap<String, BTreeSet<String>> {
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, source) in SOURCES {
        // Test code names ids in assertions only; what users see is above it.
        let source = source.split("#[cfg(test)]").next().unwrap_or(source);
        let mut rest = source;
        while let Some(start) = rest.find("msg!(") {
            let body = rest[start + 5..].trim_start();
            let mut depth = 0usize;
            let mut end = body.len();
            for (i, c) in body.char_indices() {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' if depth == 0 => {
                        end = i;
                        break;
                    }
                    ')' | ']' | '}' => depth -= 1,
                    _ => {}
                }
            }
            let inner = &body[..end];
            let id = inner
                .trim_start_matches('"')
                .split('"')
                .next()
                .unwrap_or_default()
                .to_string();
            let args = top_level_args(inner);
            if id.starts_with("etcd-") {
                used.entry(id).or_default().extend(args);
            }
            rest = &body[end..];
        }
    }
    used
}

/// `a = x, b = f(y, z)` → `a`, `b`.
fn top_level_args(inner: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut depth = 0usize;
    let mut part = String::new();
    let mut parts = Vec::new();
    for c in inner.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut part));
                continue;
            }
            _ => {}
        }
        part.push(c);
    }
    parts.push(part);
    for p in parts.iter().skip(1) {
        if let Some((name, _)) = p.split_once('=') {
            let name = name.trim();
            if !name.is_empty() {
                names.insert(name.to_string());
            }
        }
    }
    names
}

fn bundle(locale: &str) -> (FluentBundle<FluentResource>, BTreeSet<String>) {
    let path = format!(
        "{}/../bot/locales/{locale}/etcd.ftl",
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
fn every_etcd_message_renders_in_english_and_korean_with_its_arguments() {
    let used = used_messages();
    assert!(used.len() > 20, "found only {used:?}");
    let (en, en_ids) = bundle("en");
    let (ko, ko_ids) = bundle("ko");
    assert_eq!(en_ids, ko_ids, "both bundles define the same ids");
    for (id, names) in &used {
        for (locale, bundle) in [("en", &en), ("ko", &ko)] {
            let message = bundle
                .get_message(id)
                .unwrap_or_else(|| panic!("{id} missing from {locale}/etcd.ftl"));
            let pattern = message
                .value()
                .unwrap_or_else(|| panic!("{id} has no value in {locale}"));
            let mut args = FluentArgs::new();
            for name in names {
                args.set(name.clone(), 1);
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
    let unused: Vec<&String> = en_ids.iter().filter(|id| !used.contains_key(*id)).collect();
    assert!(unused.is_empty(), "defined but never used: {unused:?}");
}
