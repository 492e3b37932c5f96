//! Progress in place, paced as Slack allows: one new message a second per channel, one edit
//! a second per message, 429s honoured, 5xx retried, and the final state always last.

use std::time::{Duration, Instant};

use super::*;

fn assert_apart(times: &[Instant], what: &str) {
    for pair in times.windows(2) {
        let gap = pair[1].duration_since(pair[0]);
        assert!(gap >= Duration::from_secs(1), "{what} only {gap:?} apart");
    }
}

#[test]
fn burst_of_50_runs_in_one_channel_is_paced_and_every_message_ends_final() {
    let rig = rig("en");
    // Slack's own posting limit, enforced by the emulator: pacing must never trip it.
    rig.slack.rate_limit("chat.postMessage", 1);
    let mut slowest = Duration::ZERO;
    for _ in 0..50 {
        let reply = rig.command("U0VIEWER", "C0BURST", "contacts");
        assert_eq!(reply.status, 200, "{}", reply.body);
        slowest = slowest.max(reply.elapsed);
    }
    assert!(slowest < Duration::from_secs(3), "an ack took {slowest:?}");

    let messages = rig.wait_final("C0BURST", 50, Duration::from_secs(150));
    assert_eq!(messages.len(), 50, "one message per run");
    let mut posted: Vec<Instant> = messages.iter().map(|m| m.posted_at()).collect();
    posted.sort();
    assert_apart(&posted, "two new messages in the channel");
    let mut requests = std::collections::BTreeSet::new();
    for message in &messages {
        let times: Vec<Instant> = message.history.iter().map(|r| r.at).collect();
        assert_apart(&times, "two writes of one message");
        assert_eq!(header_of(&message.blocks), "contacts: done");
        let text = text_of(message);
        assert!(text.contains("✓ done in"), "{text}");
        let request = text
            .split("request ")
            .nth(1)
            .unwrap()
            .split([' ', ')'])
            .next()
            .unwrap();
        requests.insert(request.to_string());
    }
    assert_eq!(requests.len(), 50, "each message is a different run");
    let refused = rig
        .slack
        .calls()
        .into_iter()
        .filter(|c| c.status != 200)
        .count();
    assert_eq!(refused, 0, "no call was rate limited");
}

/// A bot whose cluster `mgmt` has an etcd that never answers.
fn slow_rig(hole: &Blackhole) -> Rig {
    rig_with("en", |b, _| b.etcd("mgmt", hole.endpoint.clone()))
}

#[test]
fn rate_limited_update_honours_retry_after_and_the_final_state_lands() {
    let hole = blackhole();
    let rig = slow_rig(&hole);
    rig.slack.fail_next("chat.update", 429, Some(2), 1);
    rig.command("U0VIEWER", "C0SLOW", "etcd status -c mgmt");
    let messages = rig.wait_final("C0SLOW", 1, Duration::from_secs(30));
    let message = &messages[0];
    assert_eq!(
        header_of(&message.history[0].blocks),
        "etcd.status: running"
    );
    assert_eq!(header_of(&message.blocks), "etcd.status: failed");
    assert!(
        text_of(message).contains("did not finish within 2s"),
        "{}",
        text_of(message)
    );

    let updates = rig.slack.calls_to("chat.update");
    assert_eq!(updates[0].status, 429);
    let next = updates
        .iter()
        .find(|c| c.status == 200)
        .expect("a later update");
    assert!(
        next.at.duration_since(updates[0].at) >= Duration::from_secs(2),
        "Retry-After: 2 was not honoured"
    );
    let metrics = rig.served.get("/metrics").body;
    assert_eq!(
        metric(
            &metrics,
            "opsbot_slack_api_ratelimited_total",
            &[("method", "chat.update")]
        ),
        Some(1.0),
        "{metrics}"
    );
}

#[test]
fn server_errors_are_retried_with_backoff_and_logged_and_the_message_lands() {
    let hole = blackhole();
    let rig = slow_rig(&hole);
    rig.slack.fail_next("chat.postMessage", 500, None, 2);
    rig.slack.fail_next("chat.update", 503, None, 1);
    rig.command("U0VIEWER", "C0SLOW", "etcd status -c mgmt");
    let messages = rig.wait_final("C0SLOW", 1, Duration::from_secs(30));
    assert_eq!(messages.len(), 1, "a retried post is still one message");
    let posts: Vec<u16> = rig
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(posts, [500, 500, 200]);
    let updates: Vec<u16> = rig
        .slack
        .calls_to("chat.update")
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(updates[0], 503);
    assert!(updates[1..].iter().all(|s| *s == 200), "{updates:?}");
    let metrics = rig.served.get("/metrics").body;
    let transient = |method| {
        metric(
            &metrics,
            "opsbot_slack_api_errors_total",
            &[("method", method), ("kind", "transient")],
        )
    };
    assert_eq!(transient("chat.postMessage"), Some(2.0), "{metrics}");
    assert_eq!(transient("chat.update"), Some(1.0), "{metrics}");
    let log = rig.served.output();
    assert!(log.contains("Slack call failed; retrying"), "{log}");
}

#[test]
fn slow_run_shows_its_steps_in_progress_then_the_failure() {
    let hole = blackhole();
    let rig = slow_rig(&hole);
    rig.command("U0VIEWER", "C0SLOW", "etcd status -c mgmt");
    let messages = rig.wait_final("C0SLOW", 1, Duration::from_secs(30));
    let message = &messages[0];
    let first = Message {
        blocks: message.history[0].blocks.clone(),
        text: message.history[0].text.clone(),
        ..message.clone()
    };
    let first = text_of(&first);
    assert!(
        first.contains("… *1/1* Ask every etcd member of mgmt"),
        "{first}"
    );
    assert!(first.contains("Requested by <@U0VIEWER> · mgmt"), "{first}");
    let last = text_of(message);
    assert!(last.contains("✗ *1/1*"), "{last}");
    assert!(last.contains("✗ failed after"), "{last}");
    let times: Vec<Instant> = message.history.iter().map(|r| r.at).collect();
    assert_apart(&times, "two writes of one message");
}
