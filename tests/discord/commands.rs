//! Slash commands: a deferred ack at once, then the run as paced edits of the original
//! response; identity from the member; long output attached; 429s honoured; Korean. These
//! use the free-text form (`/ops` with one `command` option, as registered before typed
//! options), which the bot still accepts.

use super::*;

fn webhook_edits(rig: &Rig, token: &str) -> Vec<opsbot_tests::discord::Call> {
    rig.discord
        .calls()
        .into_iter()
        .filter(|c| c.method == "PATCH" && c.path.contains(token))
        .collect()
}

#[test]
fn a_command_is_deferred_at_once_and_ends_as_an_edit_of_the_original_response() {
    let rig = rig("en");
    let (reply, token) = rig.command("100", &[], "500", "contacts");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["type"], 5, "deferred");
    assert!(
        reply.elapsed < Duration::from_secs(3),
        "{:?}",
        reply.elapsed
    );
    let message = rig.wait_message("500", Duration::from_secs(20), is_final);
    assert_eq!(title_of(&message), "contacts: done");
    assert!(
        text_of(&message).contains("discord:100"),
        "{}",
        text_of(&message)
    );
    let edits = webhook_edits(&rig, &token);
    assert!(!edits.is_empty());
    assert!(
        edits
            .iter()
            .all(|c| c.path.ends_with("/messages/@original") && c.authorization.is_none())
    );
    for pair in edits.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(900), "edits {gap:?} apart");
    }
    assert_eq!(rig.discord.messages("500").len(), 1, "one message per run");
}

#[test]
fn roles_of_the_member_are_groups_and_unknown_users_are_denied() {
    let rig = rig("en");
    rig.command("300", &["900"], "501", "contacts");
    let message = rig.wait_message("501", Duration::from_secs(20), is_final);
    assert_eq!(title_of(&message), "contacts: done");

    rig.command("999", &["123"], "502", "contacts");
    let denied = rig.wait_message("502", Duration::from_secs(20), |m| {
        m.body["content"]
            .as_str()
            .is_some_and(|c| c.starts_with('✗'))
    });
    assert!(
        text_of(&denied).contains("discord:999"),
        "{}",
        text_of(&denied)
    );
}

#[test]
fn long_output_is_sent_as_an_attachment() {
    let rig = rig("en");
    rig.command("999", &[], "503", "help");
    let message = rig.wait_message("503", Duration::from_secs(20), |m| !m.files.is_empty());
    let (name, bytes) = &message.files[0];
    assert!(name.ends_with(".txt"), "{name}");
    assert!(bytes.len() > 4096, "{}", bytes.len());
    let description = message.body["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(description.chars().count() <= 4096);
    assert!(description.contains(name.as_str()), "{description}");
}

#[test]
fn a_429_is_honoured_before_the_edit_is_retried() {
    let rig = rig("en");
    rig.discord.fail_next("/messages/@original", 429, 1.5, 1);
    let (_, token) = rig.command("100", &[], "504", "contacts");
    rig.wait_message("504", Duration::from_secs(20), is_final);
    let edits = webhook_edits(&rig, &token);
    assert_eq!(edits[0].status, 429);
    let waited = edits[1].at - edits[0].at;
    assert!(
        waited >= Duration::from_millis(1400),
        "retried after {waited:?}"
    );
}

#[test]
fn korean_locale_writes_the_run_in_korean() {
    let rig = rig("ko");
    rig.command("100", &[], "505", "contacts");
    let message = rig.wait_message("505", Duration::from_secs(20), is_final);
    assert_eq!(title_of(&message), "contacts: 완료");
    assert!(
        text_of(&message).contains("요청자"),
        "{}",
        text_of(&message)
    );
}

#[test]
fn a_signed_interaction_presented_twice_runs_once() {
    let rig = rig("en");
    let token = rig.discord.command_token("503");
    let body = sign::command_body(&token, "100", &[], "503", "contacts").to_string();
    let ts = sign::unix_now().to_string();
    let signature = sign::sign(&ts, body.as_bytes());
    assert_eq!(rig.post_raw(body.as_bytes(), &ts, &signature).status, 200);
    assert_eq!(rig.post_raw(body.as_bytes(), &ts, &signature).status, 200);
    rig.wait_message("503", Duration::from_secs(20), is_final);
    std::thread::sleep(Duration::from_secs(2));
    // One run is four records (invocation, decision, step, result); a second would be eight.
    let audit = rig.bot.run(&["audit", "verify"]);
    assert!(
        audit.stdout.contains("intact: 4 records"),
        "{}",
        audit.all()
    );
}
