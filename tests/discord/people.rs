//! Issue 11, point 5 in Discord: an approver who holds their role through a `discord-role:`
//! is judged with the roles Discord gives now (asked of the guild member API), at the click
//! and again before the run; a member lookup that fails refuses.

use opsbot_tests::etcd::EtcdServer;

use super::*;

const ROLE_POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["discord:200", "discord-role:1500000000000000777"]

[[approvals]]
operations = ["etcd.snapshot"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#;

const ADMINS: &str = "1500000000000000777";

fn asked(rig: &Rig) -> (Message, String) {
    rig.command("200", &[], "600", "etcd snapshot -c mgmt --reason drill");
    let card = rig.wait_message("600", Duration::from_secs(10), |m| !buttons(m).is_empty());
    let approve = buttons(&card)
        .into_iter()
        .find(|v| v.starts_with("approve:"))
        .expect("approve");
    (card, approve)
}

fn click(rig: &Rig, card: &Message, user: &str, roles: &[&str], value: &str) -> String {
    let token = rig.discord.click_token("600", &card.id);
    let view = serde_json::json!({"id": card.id, "channel_id": "600"});
    let body = sign::click_body(&token, user, roles, "600", &view, value);
    assert_eq!(rig.post(&body).status, 200);
    token
}

fn snapshots(rig: &Rig) -> usize {
    std::fs::read_dir(rig.bot.backups("mgmt")).map_or(0, |d| d.count())
}

/// Attack closed: role-bound approvers were re-checked at run time with no roles, so the
/// approved request never ran. Fails on the old code.
#[test]
fn an_approver_holding_a_discord_role_approves_and_the_run_happens() {
    let etcd = EtcdServer::start();
    let rig = rig_with("en", |b| {
        b.policy(ROLE_POLICY).etcd("mgmt", etcd.endpoint())
    });
    rig.discord
        .set_member_roles(sign::GUILD_ID, "300", &[ADMINS]);
    let (card, approve) = asked(&rig);
    click(&rig, &card, "300", &[ADMINS], &approve);
    rig.wait_message("600", Duration::from_secs(30), |m| {
        m.id == card.id && text_of(m).contains("done")
    });
    assert_eq!(snapshots(&rig), 1, "the snapshot ran once");
}

/// Attack closed: an approval decided on roles nobody could confirm. When Discord's member
/// API cannot be asked, the click is refused (not judged on the roles it carried or an older
/// answer) and nothing runs.
#[test]
fn a_failing_member_lookup_refuses_the_click() {
    let etcd = EtcdServer::start();
    let rig = rig_with("en", |b| {
        b.policy(ROLE_POLICY).etcd("mgmt", etcd.endpoint())
    });
    rig.discord
        .set_member_roles(sign::GUILD_ID, "300", &[ADMINS]);
    let (card, approve) = asked(&rig);
    rig.discord.fail_next("/members/", 500, 0.0, 20);
    let token = click(&rig, &card, "300", &[ADMINS], &approve);
    let found = rig.discord.wait_until(Duration::from_secs(30), |d| {
        d.followups(&token)
            .iter()
            .any(|m| text_of(m).contains("discord could not be asked"))
    });
    assert!(found, "{}", rig.served.output());
    assert_eq!(snapshots(&rig), 0, "nothing ran");
}
