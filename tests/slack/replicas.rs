//! Two `opsbot serve` replicas on one state: a slash command that reaches both (a Slack retry
//! routed to the other replica, or a replay) runs once.

use std::time::Duration;

use opsbot_tests::slack::sign_now;

use super::{SIGNING_SECRET, rig};

#[test]
fn the_same_command_at_two_replicas_runs_once() {
    let rig = rig("en");
    let other = rig.bot.serve_with_env(&[("RUST_LOG", "warn")]);
    let body = rig.command_body("U0VIEWER", "C0TWO", "contacts");
    let (ts, signature) = sign_now(SIGNING_SECRET, &body);
    let headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("x-slack-request-timestamp", ts.as_str()),
        ("x-slack-signature", signature.as_str()),
    ];
    assert_eq!(
        rig.served
            .post("/slack/commands", &headers, body.as_bytes())
            .status,
        200
    );
    assert_eq!(
        other
            .post("/slack/commands", &headers, body.as_bytes())
            .status,
        200
    );
    rig.wait_final("C0TWO", 1, Duration::from_secs(20));
    // Long enough for a second run to have posted, had there been one.
    std::thread::sleep(Duration::from_secs(2));
    let runs = rig
        .slack
        .messages("C0TWO")
        .into_iter()
        .filter(|m| m.thread_ts.is_none())
        .count();
    assert_eq!(runs, 1, "{:#?}", rig.slack.messages("C0TWO"));
}
