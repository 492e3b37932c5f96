//! `--break-glass`: parsed like `--reason`, by any command, and part of the request's identity.

use crate::{Command, Settings, parse, resolve};

fn settings() -> Settings {
    let mut settings = Settings::default();
    settings
        .clusters
        .insert("mgmt".to_string(), Default::default());
    settings
}

fn request(line: &str) -> crate::Request {
    match parse(line) {
        Ok(Command::Run(invocation)) => resolve(invocation, &settings()).expect("resolves"),
        other => panic!("{line}: {other:?}"),
    }
}

#[test]
fn any_command_may_carry_break_glass_beside_its_reason() {
    let request = request("etcd snapshot -c mgmt --break-glass --reason \"etcd is down\"");
    assert!(request.break_glass);
    assert_eq!(request.reason.as_deref(), Some("etcd is down"));
    assert!(!self::request("etcd snapshot -c mgmt").break_glass);
}

/// Approvals bound to an ordinary request must not carry over to the same line with the
/// glass broken: the flag changes the canonical form that is hashed.
#[test]
fn break_glass_changes_the_requests_identity() {
    let plain = request("etcd snapshot -c mgmt --reason x");
    let broken = request("etcd snapshot -c mgmt --reason x --break-glass");
    assert_ne!(plain.canonical(), broken.canonical());
}

#[test]
fn break_glass_takes_no_value() {
    assert!(parse("etcd snapshot -c mgmt --break-glass=yes").is_err());
}
