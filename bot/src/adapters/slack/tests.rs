//! The adapter's pure parts: Block Kit rendering and its limits, signatures and the replay
//! memory, and reading what Slack sends. The whole bot against the emulator is tested in
//! `tests/slack/`.

use std::time::{Duration, Instant};

use commands::{Block, Cell, Report, Table, msg};
use serde_json::{Value, json};

use super::encoder::{self, Limits};
use super::inbound::{EventRequest, Interaction, SlashCommand};
use super::signature::{Freshness, SeenSet, SignatureError, Verifier, unix_now};
use crate::adapters::run_view::{Finished, RunView, StepState, StepView};
use crate::engine::Outcome;
use crate::i18n::{Locale, Localizer};

fn en() -> Localizer {
    Localizer::new(Locale::En)
}

fn view(steps: Vec<StepState>, finished: Option<Finished>) -> RunView {
    RunView {
        version: 1,
        requester: "U0ALICE".to_string(),
        request_id: "abc123def456".to_string(),
        operation: "contacts",
        clusters: vec!["mgmt".to_string()],
        places: None,
        steps: steps
            .into_iter()
            .map(|state| StepView {
                plan: msg!("contacts-plan"),
                state,
            })
            .collect(),
        started: Instant::now(),
        finished,
    }
}

fn done(report: Report) -> Option<Finished> {
    Some(Finished {
        outcome: Outcome::Succeeded,
        elapsed: Duration::from_millis(1234),
        report,
        error: None,
    })
}

fn json_of(rendered: &encoder::Rendered) -> Value {
    serde_json::to_value(&rendered.blocks).expect("blocks serialise")
}

fn table(rows: usize, width: usize) -> Block {
    let mut table = Table::new(vec![msg!("contacts-col-team")]);
    for i in 0..rows {
        table.rows.push(vec![Cell::Text(format!("{i:0width$}"))]);
    }
    Block::Table(table)
}

#[test]
fn running_message_has_header_context_and_a_section_per_step() {
    let running = view(
        vec![
            StepState::Done {
                elapsed: Duration::from_millis(400),
            },
            StepState::Running { progress: None },
            StepState::Pending,
        ],
        None,
    );
    let rendered = encoder::run_message(&en(), &running, Limits::default());
    let blocks = json_of(&rendered);
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["text"], "contacts: running");
    assert_eq!(blocks[1]["type"], "context");
    let about = blocks[1]["elements"][0]["text"].as_str().unwrap();
    assert!(
        about.starts_with("Requested by <@U0ALICE> · mgmt · "),
        "{about}"
    );
    assert!(about.ends_with("request abc123def456"), "{about}");
    let steps: Vec<&str> = (2..5)
        .map(|i| blocks[i]["text"]["text"].as_str().unwrap())
        .collect();
    assert!(
        steps[0].starts_with("✓ *1/3* Read the emergency"),
        "{}",
        steps[0]
    );
    assert!(steps[0].ends_with("done in 0.4 s"), "{}", steps[0]);
    assert!(steps[1].starts_with("… *2/3*"), "{}", steps[1]);
    assert!(steps[2].starts_with("◻ *3/3*"), "{}", steps[2]);
    assert_eq!(rendered.blocks.len(), 5);
    assert_eq!(rendered.text, "contacts: running");
    assert!(rendered.files.is_empty());
}

#[test]
fn final_message_renders_each_report_block_its_own_way() {
    let report = Report {
        blocks: vec![
            Block::Heading(msg!("help-title")),
            table(2, 3),
            Block::Fields(vec![(msg!("help-field-risk"), Cell::Text("a<b".into()))]),
            Block::Text("log line & more".into()),
            Block::Note(msg!("contacts-empty")),
        ],
    };
    let rendered = encoder::run_message(
        &en(),
        &view(
            vec![StepState::Done {
                elapsed: Duration::ZERO,
            }],
            done(report),
        ),
        Limits::default(),
    );
    let blocks = json_of(&rendered);
    assert_eq!(blocks[0]["text"]["text"], "contacts: done");
    assert_eq!(blocks[3]["text"]["text"], "*opsbot commands*");
    let code = blocks[4]["text"]["text"].as_str().unwrap();
    assert!(code.starts_with("```\nteam\n----\n000\n001"), "{code}");
    assert_eq!(blocks[5]["fields"][0]["text"], "*risk*\na&lt;b");
    assert_eq!(blocks[6]["text"]["text"], "```\nlog line &amp; more\n```");
    assert_eq!(blocks[7]["type"], "context");
    let summary = blocks[8]["text"]["text"].as_str().unwrap();
    assert_eq!(summary, "✓ done in 1.2 s (request abc123def456)");
    assert_eq!(
        rendered.text,
        "contacts: done: ✓ done in 1.2 s (request abc123def456)"
    );
}

#[test]
fn a_table_over_the_section_limit_becomes_a_file_and_a_note() {
    let report = Report {
        blocks: vec![table(400, 20)],
    };
    let rendered = encoder::run_message(&en(), &view(vec![], done(report)), Limits::default());
    assert_eq!(rendered.files.len(), 1);
    let file = &rendered.files[0];
    assert_eq!(file.name, "contacts-abc123def456-1.txt");
    assert!(file.content.contains("00000000000000000399"));
    let blocks = json_of(&rendered);
    let note = blocks[2]["elements"][0]["text"].as_str().unwrap();
    assert!(
        note.contains("in the thread as contacts-abc123def456-1.txt"),
        "{note}"
    );
    for block in blocks.as_array().unwrap() {
        let len = block
            .pointer("/text/text")
            .and_then(Value::as_str)
            .map_or(0, str::len);
        assert!(len <= 3000, "{block}");
    }
}

#[test]
fn a_report_over_the_block_budget_goes_to_one_file() {
    let report = Report {
        blocks: (0..60).map(|i| Block::Text(format!("line {i}"))).collect(),
    };
    let rendered = encoder::run_message(&en(), &view(vec![], done(report)), Limits::default());
    assert!(rendered.blocks.len() <= 50);
    assert_eq!(rendered.files.len(), 1);
    assert_eq!(rendered.files[0].name, "contacts-abc123def456.txt");
    assert!(rendered.files[0].content.contains("line 59"));
}

#[test]
fn many_fields_are_split_into_sections_of_ten() {
    let fields = (0..23)
        .map(|i| (msg!("help-field-risk"), Cell::Text(i.to_string())))
        .collect();
    let rendered = encoder::report_message(
        &en(),
        &Report {
            blocks: vec![Block::Heading(msg!("help-title")), Block::Fields(fields)],
        },
        "help",
        Limits::default(),
    );
    let blocks = json_of(&rendered);
    assert_eq!(blocks[0]["type"], "header");
    let counts: Vec<usize> = (1..4)
        .map(|i| blocks[i]["fields"].as_array().unwrap().len())
        .collect();
    assert_eq!(counts, [10, 10, 3]);
    assert_eq!(rendered.text, "opsbot commands");
}

#[test]
fn plain_form_clears_the_blocks_and_keeps_the_report_as_a_file() {
    let report = Report {
        blocks: vec![table(2, 2)],
    };
    let finished = view(vec![], done(report));
    let rendered = encoder::run_message(&en(), &finished, Limits::default());
    let plain = encoder::plain(&en(), &finished, rendered.clone());
    assert!(plain.blocks.is_empty());
    assert_eq!(plain.text, rendered.text);
    assert_eq!(plain.files.len(), 1);
}

#[test]
fn text_is_escaped_and_code_fences_cannot_be_closed_from_inside() {
    assert_eq!(
        encoder::escape("<@U1> & <!channel>"),
        "&lt;@U1&gt; &amp; &lt;!channel&gt;"
    );
    assert_eq!(encoder::mention("U0<!here>"), "<@U0here>");
    let report = Report {
        blocks: vec![Block::Text("a ``` b".into())],
    };
    let rendered = encoder::report_message(&en(), &report, "x", Limits::default());
    let text = json_of(&rendered)[0]["text"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(text.matches("```").count(), 2, "{text}");
}

#[test]
fn korean_run_message_is_in_korean() {
    let ko = Localizer::new(Locale::Ko);
    let rendered = encoder::run_message(
        &ko,
        &view(vec![StepState::Pending], None),
        Limits::default(),
    );
    let blocks = json_of(&rendered);
    assert_eq!(blocks[0]["text"]["text"], "contacts: 실행 중");
    let about = blocks[1]["elements"][0]["text"].as_str().unwrap();
    assert!(about.starts_with("요청자 <@U0ALICE>"), "{about}");
}

// ---- signatures ----

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

fn signed(at: i64, body: &str) -> (String, String) {
    opsbot_tests::slack::sign(SECRET, at, body)
}

#[test]
fn a_fresh_signature_is_accepted_once_and_its_replay_is_flagged() {
    let verifier = Verifier::new(SECRET);
    let (ts, sig) = signed(unix_now(), "a=b");
    assert_eq!(
        verifier.verify(Some(&ts), Some(&sig), b"a=b"),
        Ok(Freshness::Fresh)
    );
    assert_eq!(
        verifier.verify(Some(&ts), Some(&sig), b"a=b"),
        Ok(Freshness::Replay)
    );
}

#[test]
fn wrong_secret_changed_body_and_old_or_future_timestamps_are_refused() {
    let verifier = Verifier::new(SECRET);
    let now = unix_now();
    let (ts, sig) = signed(now, "a=b");
    assert_eq!(
        verifier.verify(Some(&ts), Some(&sig), b"a=c"),
        Err(SignatureError::Mismatch)
    );
    let (ts2, other) = opsbot_tests::slack::sign("other", now, "a=b");
    assert_eq!(
        verifier.verify(Some(&ts2), Some(&other), b"a=b"),
        Err(SignatureError::Mismatch)
    );
    for at in [now - 301, now + 301] {
        let (ts, sig) = signed(at, "a=b");
        assert_eq!(
            verifier.verify(Some(&ts), Some(&sig), b"a=b"),
            Err(SignatureError::Stale)
        );
    }
    let (ts, sig) = signed(now - 299, "a=b");
    assert_eq!(
        verifier.verify(Some(&ts), Some(&sig), b"a=b"),
        Ok(Freshness::Fresh)
    );
    assert!(matches!(
        verifier.verify(None, Some(&sig), b"a=b"),
        Err(SignatureError::MissingHeader(_))
    ));
    assert_eq!(
        verifier.verify(Some(&ts), Some(&sig), &[0xff, 0xfe]),
        Err(SignatureError::NotUtf8)
    );
}

#[test]
fn seen_keys_expire_with_their_window() {
    let seen = SeenSet::default();
    let now = unix_now();
    assert!(seen.insert("k", now + 10));
    assert!(!seen.insert("k", now + 10));
    assert!(
        seen.insert("old", now - 1),
        "an expired entry counts as new"
    );
    assert!(seen.insert("old", now + 10));
    assert!(!seen.is_empty());
}

// ---- what Slack sends ----

#[test]
fn slash_command_form_is_read() {
    let body = opsbot_tests::slack::slash_command_body(
        "/ops",
        "status -c mgmt",
        "U1",
        "C1",
        "http://r/1",
        "7.8",
    );
    let command = SlashCommand::from_form(body.as_bytes()).unwrap();
    assert_eq!(command.text, "status -c mgmt");
    assert_eq!(
        (command.user.as_str(), command.channel.as_str()),
        ("U1", "C1")
    );
    assert_eq!(command.trigger_id, "7.8");
    assert!(
        SlashCommand::from_form(b"text=x").is_err(),
        "fields missing"
    );
}

#[test]
fn click_payload_gives_user_channel_and_values() {
    let payload = json!({
        "type": "block_actions", "user": {"id": "U1"}, "trigger_id": "t",
        "container": {"type": "message", "channel_id": "C9"},
        "actions": [{"value": "approval:1"}, {"selected_option": {"value": "v2"}}, {}],
    });
    let body = opsbot_tests::slack::block_actions_body(&payload);
    let click = Interaction::from_form(body.as_bytes()).unwrap();
    assert_eq!(click.kind, "block_actions");
    assert_eq!(click.user, "U1");
    assert_eq!(click.channel.as_deref(), Some("C9"));
    assert_eq!(click.values, ["approval:1", "v2"]);
    assert!(Interaction::from_form(b"nopayload=1").is_err());
    assert!(Interaction::from_form(b"payload=%7Bnot+json").is_err());
}

#[test]
fn events_are_told_apart() {
    let challenge = br#"{"type":"url_verification","challenge":"c1"}"#;
    assert_eq!(
        EventRequest::from_body(challenge).unwrap(),
        EventRequest::UrlVerification {
            challenge: "c1".into()
        }
    );
    let callback = br#"{"type":"event_callback","event_id":"Ev1","event":{}}"#;
    assert_eq!(
        EventRequest::from_body(callback).unwrap(),
        EventRequest::Callback {
            event_id: "Ev1".into()
        }
    );
    assert!(EventRequest::from_body(b"x").is_err());
}
