//! Approval cards in Discord: an embed with Approve / Deny buttons; the requester's own click
//! refused privately; another admin's click runs the request once and the card is updated in
//! place.

use opsbot_tests::etcd::EtcdServer;

use super::*;

/// Two admins, and etcd snapshots that need one approval: the policy of the approval tests.
pub(super) const APPROVAL_POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["discord:200", "discord:201"]

[[approvals]]
operations = ["etcd.snapshot"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#;

fn card_view(message: &Message) -> Value {
    let mut view = message.body.clone();
    if let Some(map) = view.as_object_mut() {
        map.insert("id".into(), Value::String(message.id.clone()));
        map.insert(
            "channel_id".into(),
            Value::String(message.channel_id.clone()),
        );
    }
    view
}

#[test]
fn a_card_with_buttons_is_approved_by_another_admin_and_updated_in_place() {
    let etcd = EtcdServer::start();
    let rig = rig_with("en", |b| {
        b.policy(APPROVAL_POLICY).etcd("mgmt", etcd.endpoint())
    });
    rig.command(
        "200",
        &[],
        "600",
        "etcd snapshot -c mgmt --reason \"before upgrade\"",
    );
    let card = rig.wait_message("600", Duration::from_secs(10), |m| !buttons(m).is_empty());
    let ids = buttons(&card);
    let approve = ids
        .iter()
        .find(|v| v.starts_with("approve:"))
        .expect("approve")
        .clone();
    assert!(ids.iter().any(|v| v.starts_with("deny:")), "{ids:?}");
    assert!(
        text_of(&card).contains("before upgrade"),
        "{}",
        text_of(&card)
    );

    // The requester's own click: refused privately, the card unchanged.
    let token = rig.discord.click_token("600", &card.id);
    let own = sign::click_body(&token, "200", &[], "600", &card_view(&card), &approve);
    let reply = rig.post(&own);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["type"], 6);
    let private = rig.wait_message("600", Duration::from_secs(10), |m| m.ephemeral);
    assert!(
        text_of(&private).contains("cannot approve your own request"),
        "{}",
        text_of(&private)
    );

    // Another admin's click runs it once; the card ends done, without buttons.
    let token = rig.discord.click_token("600", &card.id);
    let click = sign::click_body(&token, "201", &[], "600", &card_view(&card), &approve);
    assert_eq!(rig.post(&click).status, 200);
    rig.wait_message("600", Duration::from_secs(30), |m| {
        m.id == card.id && text_of(m).contains("done")
    });
    let card_now = rig
        .discord
        .messages("600")
        .into_iter()
        .find(|m| m.id == card.id)
        .expect("card");
    assert!(buttons(&card_now).is_empty(), "no buttons once decided");
    assert!(card_now.history.len() >= 2, "edited in place");
    let files = std::fs::read_dir(rig.bot.backups("mgmt")).map_or(0, |d| d.count());
    assert_eq!(files, 1, "the snapshot ran once");
}

/// Issue 7 through Discord: a page opens an incident, posted in the incident channel with the
/// team's role mentioned; its Acknowledge button is routed to the engine, and the message is
/// edited in place with a reply saying what changed.
#[test]
fn a_page_posts_an_incident_whose_acknowledge_button_updates_it() {
    let rig = rig_with("en", |b| {
        b.extra("incident_channel = \"960\"\n").extra(
            "[[contacts]]\nsituation = \"security-incident\"\nteam = \"Security Team\"\n\
             discord_mentions = [\"1600000000000000009\"]\n",
        )
    });
    rig.command("200", &[], "961", "page security-incident a key leaked");
    let posted = rig.wait_message("960", Duration::from_secs(30), |m| !buttons(m).is_empty());
    assert!(posted.by_bot_token);
    assert_eq!(
        posted.body["allowed_mentions"]["roles"],
        serde_json::json!(["1600000000000000009"])
    );
    let ack = buttons(&posted)
        .into_iter()
        .find(|b| b.starts_with("incident-ack:"))
        .expect("an Acknowledge button");

    let token = rig.discord.click_token("960", &posted.id);
    let view = serde_json::json!({"id": posted.id, "channel_id": "960"});
    let click = sign::click_body(&token, "200", &[], "960", &view, &ack);
    let reply = rig.post(&click);
    assert_eq!(reply.json()["type"], 6, "{}", reply.body);
    let edited = rig.wait_message("960", Duration::from_secs(30), |m| {
        m.id == posted.id && text_of(m).contains("acknowledged by discord:200")
    });
    assert!(
        buttons(&edited)
            .iter()
            .all(|b| b.starts_with("incident-resolve:")),
        "{:?}",
        buttons(&edited)
    );
    let answer = rig.wait_message("960", Duration::from_secs(30), |m| {
        m.body["message_reference"]["message_id"] == posted.id.as_str()
    });
    assert!(text_of(&answer).contains("Acknowledged by discord:200"));
}

/// Issue 11: the audit head posted to the Discord incident channel, mentioning nobody.
#[test]
fn serve_posts_the_audit_head_to_the_discord_incident_channel() {
    let rig = rig_with("en", |b| {
        b.extra("incident_channel = \"960\"\n[audit]\nhead_post_interval = \"1s\"\n")
    });
    // A command, so the log has a head to post.
    rig.bot.shell("alice", "contacts\n");
    let posted = rig.wait_message("960", Duration::from_secs(30), |m| {
        text_of(m).contains("Audit log head: record #")
    });
    assert!(posted.by_bot_token);
    assert_eq!(
        posted.body["allowed_mentions"],
        serde_json::json!({"parse": []}),
        "a note mentions nobody"
    );
    assert!(buttons(&posted).is_empty());
    assert!(
        text_of(&posted).contains("record #"),
        "{}",
        text_of(&posted)
    );
}
