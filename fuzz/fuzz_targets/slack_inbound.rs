//! What Slack sends, on arbitrary bytes: the slash command form (`POST /slack/commands`), the
//! interaction form and its `payload=` JSON (`POST /slack/interactions`), the events body
//! (`POST /slack/events`), and the Socket Mode envelopes as slack-morphism decodes them. These
//! run after the signature check, but anyone holding the signing secret (or a Slack workspace
//! that changes its payloads) reaches them: nothing may panic, and a form read, written back
//! and read again says the same thing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbot::adapters::slack::{EventRequest, Interaction, SlashCommand};
use serde_json::Value;
use slack_morphism::prelude::{SlackCommandEvent, SlackInteractionEvent};

/// Slack's bodies are small; the endpoint reads at most 1 MiB, and longer input only slows
/// the fuzzer down on the same code.
const MAX_BODY: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_BODY {
        return;
    }
    // The three HTTP bodies, as the endpoints read them.
    if let Ok(command) = SlashCommand::from_form(data) {
        check_command_round_trip(&command);
    }
    if let Ok(interaction) = Interaction::from_form(data) {
        check_interaction(&interaction);
    }
    let _ = EventRequest::from_body(data);

    // The same bytes as the JSON inside `payload=`, so the fuzzer reaches the JSON reader
    // without having to learn URL encoding: through the form it reads as it reads directly.
    let Ok(payload) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let direct = Interaction::from_value(&payload);
    check_interaction(&direct);
    let form = serde_urlencoded::to_string([("payload", payload.to_string())])
        .expect("a string pair always encodes");
    let through_form = Interaction::from_form(form.as_bytes())
        .unwrap_or_else(|e| panic!("{form:?} does not read back: {e}"));
    assert_eq!(through_form, direct);

    // Socket Mode: slack-morphism's types, then the adapter's.
    if let Ok(event) = serde_json::from_value::<SlackInteractionEvent>(payload.clone())
        && let Ok(interaction) = Interaction::from_event(&event)
    {
        check_interaction(&interaction);
    }
    if let Ok(event) = serde_json::from_value::<SlackCommandEvent>(payload) {
        let _ = SlashCommand::from_event(&event);
    }
});

/// A command written back as Slack's form reads back the same.
fn check_command_round_trip(command: &SlashCommand) {
    let form = serde_urlencoded::to_string([
        ("command", command.command.as_str()),
        ("text", command.text.as_str()),
        ("user_id", command.user.as_str()),
        ("channel_id", command.channel.as_str()),
        ("response_url", command.response_url.as_str()),
        ("trigger_id", command.trigger_id.as_str()),
    ])
    .expect("string pairs always encode");
    let again = SlashCommand::from_form(form.as_bytes())
        .unwrap_or_else(|e| panic!("{form:?} does not read back: {e}"));
    assert_eq!(&again, command);
}

/// The adapter's promises about an interaction: optional fields are absent rather than empty,
/// and every value typed into a modal can be found by its block.
fn check_interaction(interaction: &Interaction) {
    assert_ne!(interaction.channel.as_deref(), Some(""));
    assert_ne!(interaction.response_url.as_deref(), Some(""));
    if let Some(view) = &interaction.view {
        for ((block, _), _) in &view.values {
            assert!(
                view.value(block).is_some(),
                "block {block:?} lost its value"
            );
        }
    }
}
