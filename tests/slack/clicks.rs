//! Button clicks on /slack/interactions: verified like any request; stale ones change nothing.

use std::time::Duration;

use super::*;

#[test]
fn signed_click_gets_an_ephemeral_stale_notice_and_changes_nothing() {
    let rig = rig("en");
    let body = rig.click_body("U0ADMIN", "C0OPS", "approval:0123456789ab");
    let reply = rig.post_signed("/slack/interactions", &body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.elapsed < Duration::from_secs(1));
    let ephemeral = rig.wait_ephemeral("C0OPS", Duration::from_secs(10));
    assert_eq!(ephemeral.len(), 1);
    assert_eq!(ephemeral[0].visible_to.as_deref(), Some("U0ADMIN"));
    let text = text_of(&ephemeral[0]);
    assert!(
        text.contains("This button is no longer valid; nothing was changed."),
        "{text}"
    );
    assert!(rig.slack.messages("C0OPS").is_empty());
    // The click is in the audit log like any request.
    let verify = rig.bot.run(&["audit", "verify"]);
    assert_eq!(verify.code, 0, "{}", verify.all());
}

#[test]
fn korean_click_notice_is_in_korean() {
    let rig = rig("ko");
    let body = rig.click_body("U0ADMIN", "C0OPS", "approval:0123456789ab");
    assert_eq!(rig.post_signed("/slack/interactions", &body).status, 200);
    let ephemeral = rig.wait_ephemeral("C0OPS", Duration::from_secs(10));
    let text = text_of(&ephemeral[0]);
    assert!(!text.contains("no longer valid"), "{text}");
}

#[test]
fn forged_click_is_refused_with_401_and_changes_nothing() {
    let rig = rig("en");
    let body = rig.click_body("U0ADMIN", "C0OPS", "approval:0123456789ab");
    let (ts, _) = sign_now(SIGNING_SECRET, &body);
    let (_, forged) = sign_now("a-guessed-secret", &body);
    assert_eq!(
        rig.post_with("/slack/interactions", &body, &ts, &forged)
            .status,
        401
    );
    let stale = rig.post_signed_at("/slack/interactions", &body, now() - 600);
    assert_eq!(stale.status, 401);
    std::thread::sleep(Duration::from_millis(500));
    assert!(rig.slack.calls().is_empty(), "{:?}", rig.slack.calls());
    assert!(rig.slack.ephemeral_messages("C0OPS").is_empty());
}

#[test]
fn events_endpoint_answers_url_verification_only_when_signed() {
    let rig = rig("en");
    let body = json!({"token": "unused", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}).to_string();
    let reply = rig.post_signed("/slack/events", &body);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json()["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
    let (ts, _) = sign_now(SIGNING_SECRET, &body);
    assert_eq!(
        rig.post_with("/slack/events", &body, &ts, "v0=00").status,
        401
    );
}
