//! Issue 11, point 3: `ack` and `resolve` are judged on the incident's cluster, so the right
//! to page about one cluster does not reach another's incidents (nor their PagerDuty).

use opsbot_tests::bot::Bot;
use opsbot_tests::pagers::Receiver;

use super::bin;

/// alice may page about every cluster; dave only about `dev`.
const POLICY: &str = r#"
[roles.oncall]
operations = ["page", "pages"]

[[bindings]]
role = "oncall"
subjects = ["shell:alice"]

[[bindings]]
role = "oncall"
subjects = ["shell:dave"]
clusters = ["dev"]
"#;

fn bot(receiver: &Receiver) -> Bot {
    // The clusters only need names here: nothing dials their etcd.
    Bot::builder(bin())
        .etcd("dev", "http://127.0.0.1:9".to_string())
        .etcd("prod", "http://127.0.0.1:9".to_string())
        .policy(POLICY)
        .paging(&format!(
            "pagerduty_url = \"{}\"\nretry_initial = \"100ms\"\nretry_max = \"400ms\"",
            receiver.url()
        ))
        .build()
}

/// The incident id the shell printed ("Incident ID opened …").
fn incident_id(stdout: &str) -> String {
    stdout
        .split("Incident ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("an incident id in:\n{stdout}"))
        .to_string()
}

fn actions(receiver: &Receiver) -> Vec<String> {
    receiver
        .requests()
        .iter()
        .filter(|r| r.path == "/v2/enqueue")
        .map(|r| {
            r.json()["event_action"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Attack: whoever could `page` on dev could `resolve` prod's incident, and PagerDuty heard
/// the resolve. Now it is refused and nothing but the trigger reaches PagerDuty.
#[test]
fn someone_who_may_page_on_dev_cannot_resolve_a_prod_incident() {
    let receiver = Receiver::start();
    let bot = bot(&receiver);
    let paged = bot.shell("alice", "page cluster-failure -c prod database down\n");
    assert_eq!(paged.code, 0, "{}", paged.all());
    let prod = incident_id(&paged.stdout);

    let refused = bot.shell("dave", &format!("ack {prod}\nresolve {prod}\n"));
    assert!(
        refused
            .stdout
            .contains("shell:dave may not acknowledge or resolve"),
        "{}",
        refused.all()
    );
    assert!(!refused.stdout.contains("resolved by"), "{}", refused.all());
    assert_eq!(
        actions(&receiver),
        ["trigger"],
        "no ack or resolve was sent"
    );

    // dave's own cluster's incident is his to resolve.
    let own = bot.shell("dave", "page cluster-failure -c dev dev api down\n");
    let dev = incident_id(&own.stdout);
    let resolved = bot.shell("dave", &format!("resolve {dev}\n"));
    assert!(
        resolved.stdout.contains("resolved by shell:dave"),
        "{}",
        resolved.all()
    );
}

/// A page that names no cluster reaches past every cluster: a right limited to dev neither
/// raises it nor acts on it.
#[test]
fn a_page_about_no_cluster_needs_a_right_over_every_cluster() {
    let receiver = Receiver::start();
    let bot = bot(&receiver);
    let refused = bot.shell("dave", "page cluster-failure something is down\n");
    assert!(
        refused.stdout.contains("may not run page"),
        "{}",
        refused.all()
    );
    let paged = bot.shell("alice", "page cluster-failure something is down\n");
    let id = incident_id(&paged.stdout);
    let run = bot.shell("dave", &format!("resolve {id}\n"));
    assert!(
        run.stdout.contains("may not acknowledge or resolve"),
        "{}",
        run.all()
    );
    assert_eq!(actions(&receiver), ["trigger"]);
}
