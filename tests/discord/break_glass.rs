//! Issue 11, point 9, through Discord: a broken glass is posted in the incident channel with
//! the security team mentioned, before the run's result, and the run happens at once.

use opsbot_tests::etcd::EtcdServer;

use super::*;

/// discord:200 is on call; a snapshot normally needs two admins; 200 may break the glass.
const GLASS_POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["discord:200", "discord:201", "discord:202"]

[[approvals]]
operations = ["etcd.snapshot"]
approvers = 2
approver_roles = ["admin"]
ttl = "30m"
reason = true

[[break_glass]]
operations = ["etcd.snapshot"]
subjects = ["discord:200"]
approvers = 0
"#;

const SECURITY_ROLE: &str = "1600000000000000019";

/// Closes: a broken glass the security team does not see. On the code before break-glass the
/// flag was an unknown option: nothing was posted and nothing ran.
#[test]
fn a_broken_glass_is_posted_in_the_incident_channel_and_runs_at_once() {
    let etcd = EtcdServer::start();
    let rig = rig_with("en", |b| {
        b.policy(GLASS_POLICY)
            .etcd("mgmt", etcd.endpoint())
            .extra("incident_channel = \"970\"\n")
            .extra(&format!(
                "[[contacts]]\nsituation = \"security-incident\"\nteam = \"Security Team\"\n\
                 discord_mentions = [\"{SECURITY_ROLE}\"]\n"
            ))
    });
    rig.command(
        "200",
        &[],
        "971",
        "etcd snapshot -c mgmt --break-glass --reason \"etcd failing, nobody awake\"",
    );
    let posted = rig.wait_message("970", Duration::from_secs(30), |m| {
        text_of(m).contains("etcd failing, nobody awake")
    });
    let text = text_of(&posted);
    assert!(text.contains("Break-glass"), "{text}");
    assert!(text.contains("discord:200"), "{text}");
    assert_eq!(
        posted.body["allowed_mentions"]["roles"],
        serde_json::json!([SECURITY_ROLE])
    );
    let ran = rig.discord.wait_until(Duration::from_secs(30), |_| {
        std::fs::read_dir(rig.bot.backups("mgmt")).map_or(0, |d| d.count()) == 1
    });
    assert!(ran, "the snapshot ran without approvals");
}
