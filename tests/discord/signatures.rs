//! The endpoint checks Discord's Ed25519 signature before reading anything.

use opsbot_tests::discord::sign;

use super::*;

#[test]
fn a_ping_with_a_valid_signature_is_answered_with_a_pong() {
    let rig = rig("en");
    let reply = rig.post(&sign::ping_body());
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["type"], 1);
}

#[test]
fn a_forged_signature_is_refused_with_401() {
    let rig = rig("en");
    let body = sign::ping_body().to_string();
    let ts = sign::unix_now().to_string();
    let good = sign::sign(&ts, body.as_bytes());
    // Signed for another body.
    let tampered = body.replace("\"type\":1", "\"type\":2");
    assert_eq!(rig.post_raw(tampered.as_bytes(), &ts, &good).status, 401);
    // Not a signature at all, or none.
    assert_eq!(
        rig.post_raw(body.as_bytes(), &ts, &"ab".repeat(64)).status,
        401
    );
    assert_eq!(rig.post_raw(body.as_bytes(), &ts, "zz").status, 401);
    assert_eq!(rig.post_raw(body.as_bytes(), &ts, "").status, 401);
    assert!(rig.discord.calls().is_empty(), "nothing was acted on");
}

#[test]
fn stale_signature_is_rejected() {
    let rig = rig("en");
    let token = rig.discord.command_token("500");
    let body = sign::command_body(&token, "100", &[], "500", "contacts");
    let reply = rig.post_at(&body, sign::unix_now() - 6 * 60);
    assert_eq!(reply.status, 401);
    std::thread::sleep(Duration::from_millis(300));
    assert!(rig.discord.calls().is_empty(), "a stale command is not run");
}
