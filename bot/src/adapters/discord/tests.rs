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
