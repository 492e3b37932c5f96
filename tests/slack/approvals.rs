//! Approval cards in Slack: a card with Approve / Deny buttons, updated in place; the
//! requester's own click refused; another admin's click runs the request once.

use std::time::Duration;

use opsbot_tests::etcd::EtcdServer;

use super::*;

const APPROVAL_POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
# shell:alice reads `pending` from the terminal: only approvers see a request there.
subjects = ["slack:U0BOB", "slack:U0ALICE", "shell:alice"]

[[approvals]]
operations = ["etcd.snapshot"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#;

/// The card's button values, once it is posted.
pub(crate) fn buttons(slack: &SlackServer, channel: &str) -> Vec<String> {
    let mut values = Vec::new();
    for message in slack.messages(channel) {
        if let Some(blocks) = message.blocks.as_ref().and_then(Value::as_array) {
            for block in blocks.iter().filter(|b| b["type"] == "actions") {
                for element in block["elements"].as_array().into_iter().flatten() {
                    if let Some(v) = element["value"].as_str() {
                        values.push(v.to_string());
                    }
                }
            }
        }
    }
    values
}

#[test]
fn a_card_with_buttons_is_approved_by_another_admin_and_updated_in_place() {
    let etcd = EtcdServer::start();
    let rig = rig_with("en", |b, _| {
        b.policy(APPROVAL_POLICY).etcd("mgmt", etcd.endpoint())
    });
    let asked = rig.command(
        "U0BOB",
        "C0OPS",
        "etcd snapshot -c mgmt --reason \"before upgrade\"",
    );
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        rig.slack
            .wait_until(Duration::from_secs(10), |s| !buttons(s, "C0OPS").is_empty()),
        "no card\n{}",
        rig.served.output()
    );
    let values = buttons(&rig.slack, "C0OPS");
    let approve = values
        .iter()
        .find(|v| v.starts_with("approve:"))
        .expect("approve button")
        .clone();
    assert!(values.iter().any(|v| v.starts_with("deny:")), "{values:?}");
    let card_text = text_of(&rig.slack.messages("C0OPS")[0]);
    assert!(card_text.contains("before upgrade"), "{card_text}");

    // The requester's own click is refused, privately, and changes nothing.
    let own = rig.click_body("U0BOB", "C0OPS", &approve);
    assert_eq!(rig.post_signed("/slack/interactions", &own).status, 200);
    let ephemeral = rig.wait_ephemeral("C0OPS", Duration::from_secs(10));
    assert!(
        text_of(&ephemeral[0]).contains("cannot approve your own request"),
        "{ephemeral:?}"
    );

    // Another admin's click runs it; the card ends saying done, edited in place.
    let click = rig.click_body("U0ALICE", "C0OPS", &approve);
    assert_eq!(rig.post_signed("/slack/interactions", &click).status, 200);
    let done = rig.slack.wait_until(Duration::from_secs(20), |s| {
        s.messages("C0OPS")
            .iter()
            .any(|m| text_of(m).contains("approved by slack:U0ALICE: done"))
    });
    assert!(
        done,
        "{:#?}\n{}",
        rig.slack
            .messages("C0OPS")
            .iter()
            .map(text_of)
            .collect::<Vec<_>>(),
        rig.served.output()
    );
    let card = &rig.slack.messages("C0OPS")[0];
    assert!(
        text_of(card).contains("done"),
        "the first message is the card, edited"
    );
    assert!(
        buttons(&rig.slack, "C0OPS").is_empty(),
        "no buttons once decided"
    );
    let files = std::fs::read_dir(rig.bot.backups("mgmt")).map_or(0, |d| d.count());
    assert_eq!(files, 1, "the snapshot ran once");
}

#[test]
fn a_pending_request_survives_a_restart_of_serve_and_is_still_actionable() {
    let etcd = EtcdServer::start();
    let rig = rig_with("en", |b, _| {
        b.policy(APPROVAL_POLICY).etcd("mgmt", etcd.endpoint())
    });
    rig.command("U0BOB", "C0OPS", "etcd snapshot -c mgmt --reason drill");
    assert!(
        rig.slack
            .wait_until(Duration::from_secs(10), |s| !buttons(s, "C0OPS").is_empty()),
        "no card\n{}",
        rig.served.output()
    );
    let approve = buttons(&rig.slack, "C0OPS")
        .into_iter()
        .find(|v| v.starts_with("approve:"))
        .expect("approve button");

    // opsbot serve stops and starts again on the same state.
    let Rig {
        slack,
        bot,
        mut served,
    } = rig;
    served.terminate(Duration::from_secs(10));
    drop(served);
    let served = bot.serve_with_env(&[("RUST_LOG", "warn")]);
    let rig = Rig { slack, bot, served };
    let listed = rig.bot.shell("alice", "pending\n");
    assert!(
        listed
            .stdout
            .contains(approve.trim_start_matches("approve:")),
        "{}",
        listed.stdout
    );

    let click = rig.click_body("U0ALICE", "C0OPS", &approve);
    assert_eq!(rig.post_signed("/slack/interactions", &click).status, 200);
    let done = rig.slack.wait_until(Duration::from_secs(20), |s| {
        s.messages("C0OPS")
            .iter()
            .any(|m| text_of(m).contains("approved by slack:U0ALICE: done"))
    });
    assert!(done, "{}", rig.served.output());
    // One card, edited in place (the run's progress is a message of its own).
    let cards: Vec<_> = rig
        .slack
        .messages("C0OPS")
        .into_iter()
        .filter(|m| header_of(&m.blocks).starts_with("Approval needed"))
        .collect();
    assert_eq!(cards.len(), 1, "the same card, edited");
    assert!(
        text_of(&cards[0]).contains("done"),
        "{}",
        text_of(&cards[0])
    );
}
