//! Issue 7 end to end: `opsbot serve` watching a cluster (the Kubernetes test server), with
//! the incident channel in the Slack emulator and PagerDuty played by a local receiver. A node
//! that stops being Ready is one message and one page; acknowledged from its button; Ready
//! again, the message and the page are resolved.

use std::time::Duration;

use opsbot_tests::fixtures::platform;
use opsbot_tests::kube::{KubeServer, kubeconfig};
use opsbot_tests::pagers::Receiver;
use opsbot_tests::slack::SlackServer;
use serde_json::Value;

use super::approvals::buttons;
use super::{rig_with, text_of};

const CHANNEL: &str = "C0INCIDENT";

fn top_level(slack: &SlackServer) -> Vec<opsbot_tests::slack::Message> {
    slack
        .messages(CHANNEL)
        .into_iter()
        .filter(|m| m.thread_ts.is_none() || m.thread_ts.as_deref() == Some(m.ts.as_str()))
        .collect()
}

fn events(receiver: &Receiver) -> Vec<Value> {
    receiver
        .requests()
        .iter()
        .filter(|r| r.path == "/v2/enqueue")
        .map(|r| r.json())
        .collect()
}

fn wait(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_node_not_ready_is_one_message_and_one_page_and_both_resolve_when_it_is_ready() {
    let kube = KubeServer::start();
    platform::healthy_cluster(&kube, "app1", &[]);
    let pagerduty = Receiver::start();
    let rig = rig_with("en", |builder, _| {
        builder
            .extra(&format!(
                "incident_channel = \"{CHANNEL}\"\n[watchers]\nnamespaces = [\"app\"]\n"
            ))
            .kubeconfig(kubeconfig(&[("app1", &kube)]))
            .kube("app1", "app1")
            .paging(&format!(
                "pagerduty_url = \"{}\"\nretry_initial = \"100ms\"",
                pagerduty.url()
            ))
    });
    // Give the watchers their first list, then break a node.
    std::thread::sleep(Duration::from_millis(500));
    kube.apply(platform::node("app1-w1", false, false));

    wait("the incident message and the page", || {
        !top_level(&rig.slack).is_empty() && !events(&pagerduty).is_empty()
    });
    let posted = &top_level(&rig.slack)[0];
    let text = text_of(posted);
    assert!(text.contains("<!subteam^S0PLATFORM>"), "{text}");
    assert!(text.contains("app1-w1"), "{text}");
    let trigger = &events(&pagerduty)[0];
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["payload"]["severity"], "critical");
    assert_eq!(trigger["payload"]["source"], "app1");

    // Acknowledged from the message's button.
    let values = buttons(&rig.slack, CHANNEL);
    let ack = values
        .iter()
        .find(|v| v.starts_with("incident-ack:"))
        .expect("an Acknowledge button")
        .clone();
    let click = rig.click_body("U0ADMIN", CHANNEL, &ack);
    assert_eq!(rig.post_signed("/slack/interactions", &click).status, 200);
    wait("the acknowledge", || events(&pagerduty).len() >= 2);

    // Ready again: the incident resolves itself, and its page.
    kube.apply(platform::node("app1-w1", false, true));
    wait("the resolve", || events(&pagerduty).len() >= 3);
    let sent = events(&pagerduty);
    let actions: Vec<&str> = sent
        .iter()
        .map(|e| e["event_action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(actions, ["trigger", "acknowledge", "resolve"], "{sent:#?}");
    assert!(sent.iter().all(|e| e["dedup_key"] == sent[0]["dedup_key"]));
    wait("the message to say resolved", || {
        buttons(&rig.slack, CHANNEL).is_empty()
    });
    assert_eq!(
        top_level(&rig.slack).len(),
        1,
        "posted once, updated in place"
    );

    // Nothing more happens: no second incident for the same node.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(events(&pagerduty).len(), 3);
    assert_eq!(top_level(&rig.slack).len(), 1);
}

#[test]
fn a_page_typed_in_the_shell_is_posted_by_the_serving_replica() {
    let pagerduty = Receiver::start();
    let rig = rig_with("en", |builder, _| {
        builder
            .extra(&format!("incident_channel = \"{CHANNEL}\"\n"))
            .policy(&format!(
                "{}\n[[bindings]]\nrole = \"admin\"\nsubjects = [\"shell:alice\"]\n",
                super::POLICY
            ))
            .paging(&format!("pagerduty_url = \"{}\"", pagerduty.url()))
    });
    let run = rig
        .bot
        .shell("alice", "page cluster-failure app2 ingress down\n");
    assert!(run.stdout.contains("slack"), "{}", run.all());
    wait("the serving opsbot to post it", || {
        !top_level(&rig.slack).is_empty()
    });
    let text = text_of(&top_level(&rig.slack)[0]);
    assert!(text.contains("app2 ingress down"), "{text}");
    assert!(text.contains("<!subteam^S0PLATFORM>"), "{text}");
    assert_eq!(events(&pagerduty).len(), 1, "the shell paged once");
}
