//! Output beyond Slack's limits goes up as a file into the message's thread.

use std::time::Duration;

use super::*;

#[test]
fn help_table_too_long_for_a_section_is_uploaded_into_the_thread() {
    let rig = rig("en");
    assert_eq!(rig.command("U0STRANGER", "C0HELP", "help").status, 200);
    let found = rig.slack.wait_until(Duration::from_secs(20), |s| {
        s.uploaded_files().iter().any(|f| f.completed_at.is_some())
    });
    assert!(found, "no file was shared\n{}", rig.served.output());

    let messages = top_level(&rig.slack.messages("C0HELP"));
    assert_eq!(messages.len(), 1, "help is one message");
    let help = &messages[0];
    assert_eq!(header_of(&help.blocks), "opsbot commands");
    let text = text_of(help);
    assert!(text.contains("too long for a message"), "{text}");
    for block in help.blocks.as_ref().unwrap().as_array().unwrap() {
        let len = block
            .pointer("/text/text")
            .and_then(Value::as_str)
            .map_or(0, |t| t.chars().count());
        assert!(len <= 3000, "a section over Slack's limit: {block}");
    }

    let files = rig.slack.uploaded_files();
    assert_eq!(files.len(), 1);
    let file = &files[0];
    assert_eq!(file.declared_length as usize, file.bytes.len());
    assert_eq!(file.channel.as_deref(), Some("C0HELP"));
    assert_eq!(
        file.thread_ts.as_deref(),
        Some(help.ts.as_str()),
        "in the message's thread"
    );
    let content = String::from_utf8(file.bytes.clone()).unwrap();
    assert!(content.len() > 3000, "{}", content.len());
    for usage in ["etcd snapshot", "contacts", "risk"] {
        assert!(content.contains(usage), "{usage} missing from\n{content}");
    }
    assert!(
        text.contains(&file.name),
        "the message names the file: {text}"
    );
}

#[test]
fn help_file_is_written_in_korean_for_a_korean_bot() {
    let rig = rig("ko");
    rig.command("U0STRANGER", "C0HELP", "help");
    let found = rig.slack.wait_until(Duration::from_secs(20), |s| {
        s.uploaded_files().iter().any(|f| f.completed_at.is_some())
    });
    assert!(found, "{}", rig.served.output());
    let content = String::from_utf8(rig.slack.uploaded_files()[0].bytes.clone()).unwrap();
    assert!(content.contains("위험도"), "{content}");
    let text = text_of(&top_level(&rig.slack.messages("C0HELP"))[0]);
    assert!(text.contains("파일로 올렸습니다"), "{text}");
}
