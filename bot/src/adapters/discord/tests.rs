//! Unit tests: the signature check, the interaction's parts, rendering within limits.

use commands::{Block, Cell, Report, msg};
use serde_json::json;

use super::encoder;
use super::inbound::Interaction;
use super::signature::{SignatureError, Verifier};

/// The RFC 8032 test 1 key pair's public half and its signature over the empty message.
const PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

#[test]
fn a_bad_signature_is_refused_before_anything_is_read() {
    let verifier = Verifier::new(PUBLIC, std::time::Duration::from_secs(300)).expect("key");
    let ts = super::signature::unix_now().to_string();
    assert_eq!(
        verifier.verify(Some(&"00".repeat(64)), Some(&ts), b"{}"),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verifier.verify(None, Some(&ts), b"{}"),
        Err(SignatureError::MissingHeader("X-Signature-Ed25519"))
    );
    assert!(Verifier::new("not hex", std::time::Duration::from_secs(1)).is_none());
}

#[test]
fn the_subject_and_roles_come_from_the_member() {
    let body = json!({
        "type": 2, "id": "1", "application_id": "A", "token": "T", "channel_id": "C",
        "member": {"user": {"id": "42"}, "roles": ["7", "8"]},
        "data": {"name": "ops", "options": [{"name": "command", "type": 3, "value": "help"}]}
    });
    let interaction = Interaction::from_body(body.to_string().as_bytes()).expect("parse");
    let caller = super::identity::caller(&interaction).expect("caller");
    assert_eq!(caller.subject, "discord:42");
    assert_eq!(caller.groups, ["discord-role:7", "discord-role:8"]);
    assert_eq!(interaction.line().as_deref(), Some("help"));
}

#[test]
fn long_text_goes_to_an_attachment_and_fields_stay_within_limits() {
    let l10n = crate::i18n::Localizer::new(crate::i18n::Locale::default());
    let long = "x".repeat(10_000);
    let fields: Vec<_> = (0..40)
        .map(|_| (msg!("discord-step-pending"), Cell::Text("v".repeat(2000))))
        .collect();
    let doc = super::sink::Doc {
        help: Some(Report {
            blocks: vec![Block::Text(long), Block::Fields(fields)],
        }),
        ..Default::default()
    };
    let rendered = encoder::document(&l10n, &doc, true);
    assert_eq!(rendered.files.len(), 1);
    let embed = &rendered.body["embeds"][0];
    assert!(
        embed["description"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .count()
            <= 4096
    );
    assert!(
        embed
            .get("fields")
            .is_none_or(|f| f.as_array().is_some_and(|f| f.len() <= 25))
    );
    assert!(encoder::truncate("가나다라", 3).chars().count() == 3);
}

/// A valid value for an argument of each kind, as a Discord option carries it.
fn sample(arg: &commands::Arg) -> serde_json::Value {
    use commands::{How, Kind};
    if matches!(arg.how, How::Switch { .. }) {
        return json!(true);
    }
    match arg.kind {
        Kind::Cluster { .. } => json!("app1"),
        Kind::Namespace => json!("kube-system"),
        Kind::Namespaces => json!("app,monitoring"),
        Kind::Name => json!("web-1"),
        Kind::Resource { with_name: true } => json!("deployment/web"),
        Kind::Resource { with_name: false } => json!("deployment"),
        Kind::Duration => json!("5m"),
        Kind::Version => json!("1.35.1"),
        Kind::Cron => json!("0 2 * * *"),
        Kind::Quantity => json!("1Gi"),
        Kind::Count { min, .. } => json!(min),
        Kind::Choice(words) => json!(words[0]),
        Kind::SnapshotFile => json!("etcd-snapshot-20261126-020000.db"),
        Kind::Path => json!("/etc/opsbot/values it's.yaml"),
        Kind::Situation => json!("cluster-failure"),
        Kind::Text => json!("the disk is full, it's 'urgent'"),
    }
}

#[test]
fn every_form_is_a_subcommand_and_its_typed_options_parse_as_the_typed_line() {
    use super::slash::{ENTRIES, chosen, line};
    let forms: usize = commands::CATALOGUE.iter().map(|e| e.spec.forms.len()).sum();
    assert_eq!(ENTRIES.len(), forms);
    for entry in ENTRIES.iter() {
        let has_namespace = entry.form.args.iter().any(|a| a.name == "namespace");
        let mut options: Vec<serde_json::Value> = entry
            .form
            .args
            .iter()
            // -n and -A together are refused by the parser, typed or not.
            .filter(|a| !(has_namespace && a.name == "all-namespaces"))
            .map(|a| json!({"name": super::slash::option_name(a.name), "type": 3, "value": sample(a)}))
            .collect();
        options.push(json!({"name": "reason", "type": 3, "value": "change \"42\""}));
        let sub = json!({"name": entry.name, "type": 1, "options": options});
        let top = match &entry.group {
            Some(group) => json!([{"name": group, "type": 2, "options": [sub]}]),
            None => json!([sub]),
        };
        let body =
            json!({"type": 2, "token": "t", "data": {"name": entry.command, "options": top}});
        let interaction = Interaction::from_body(body.to_string().as_bytes()).expect("parse");
        let data = interaction.data.as_ref().expect("data");
        let (found, given) = chosen(&entry.command, &data.options).expect("the entry is found");
        assert!(std::ptr::eq(found, entry));
        let typed = line(found, given);
        assert_eq!(interaction.line().as_deref(), Some(typed.as_str()));
        let parsed = match commands::parse(&typed) {
            Ok(commands::Command::Run(invocation)) => invocation,
            other => panic!("{typed}: {other:?}"),
        };
        assert_eq!(parsed.form.words, entry.form.words, "{typed}");
        assert_eq!(parsed.reason.as_deref(), Some("change \"42\""), "{typed}");
        for arg in entry.form.args {
            if has_namespace && arg.name == "all-namespaces" {
                continue;
            }
            assert!(
                parsed.args.iter().any(|(name, _)| name == arg.name),
                "{typed}: {} missing",
                arg.name
            );
        }
    }
}

#[test]
fn the_generated_commands_keep_within_discords_limits() {
    fn check(item: &serde_json::Value, depth: usize) {
        let name = item["name"].as_str().unwrap_or_default();
        assert!(
            (1..=32).contains(&name.chars().count())
                && name
                    .chars()
                    .all(|c| c == '-' || c == '_' || (c.is_alphanumeric() && !c.is_uppercase())),
            "{name}"
        );
        for description in [
            &item["description"],
            &item["description_localizations"]["ko"],
        ] {
            let n = description.as_str().unwrap_or_default().chars().count();
            assert!((1..=100).contains(&n), "{name}: {description}");
        }
        let options = item["options"].as_array().cloned().unwrap_or_default();
        assert!(options.len() <= 25, "{name}: {} options", options.len());
        let mut optional = false;
        for option in &options {
            if option["type"].as_u64().is_some_and(|t| t <= 2) {
                assert!(depth < 2, "{name}: too deep");
                check(option, depth + 1);
            } else {
                let required = option["required"] == true;
                assert!(!(required && optional), "{name}: required after optional");
                optional |= !required;
                let n = option["name"].as_str().unwrap_or_default();
                assert!((1..=32).contains(&n.chars().count()), "{n}");
            }
        }
    }
    let clusters: Vec<String> = ["mgmt", "app1", "app2"].map(String::from).to_vec();
    let definitions = super::slash::definitions(&clusters);
    assert!(definitions.len() >= 2);
    for command in &definitions {
        check(command, 0);
    }
    // `etcd snapshot`'s cluster is a choice of the configured clusters.
    let text = serde_json::to_string(&definitions).unwrap_or_default();
    assert!(
        text.contains(r#"{"name":"app2","value":"app2"}"#),
        "the clusters are choices"
    );
}

#[test]
fn a_quoted_word_reads_back_as_the_same_word() {
    let words: Vec<String> = ["plain", "two words", "it's", "", "$(rm -rf)", "a\"b", "-c"]
        .iter()
        .map(|w| w.to_string())
        .collect();
    let line = format!("events {}", super::slash::join(&words));
    let back = split_like_the_parser(&line);
    assert_eq!(&back[1..], words.as_slice());
}

/// The POSIX shell word rules shell-words implements (the engine's parser splits with it),
/// enough for the quoting check above: single quotes and backslashes.
fn split_like_the_parser(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' if in_word => {
                words.push(std::mem::take(&mut word));
                in_word = false;
            }
            ' ' => {}
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}
