//! The approval hash and what the gates pinned (issue 11, point 10).

use commands::{Command, Pins};
use serde_json::json;

use super::approval;

/// Issue 11, point 10: a vote approves what the gates pinned, so another snapshot under
/// the same name is another request; a request with no pins keeps its old hash.
#[test]
fn pins_are_part_of_what_an_approval_is_bound_to() {
    let Ok(Command::Run(invocation)) =
        commands::parse("etcd restore etcd-snapshot-20261126-020000.db -c mgmt")
    else {
        panic!("parses");
    };
    let mut settings = commands::Settings::default();
    settings
        .clusters
        .insert("mgmt".into(), commands::ClusterSettings::default());
    let request = commands::resolve(invocation, &settings).expect("resolves");
    let pinned = |sha: &str| -> Pins {
        serde_json::from_value(json!({ "snapshot-sha256": sha })).expect("pins")
    };
    let none = approval::request_hash(&request, "shell:bob", &Pins::default());
    let a = approval::request_hash(&request, "shell:bob", &pinned("aa"));
    let b = approval::request_hash(&request, "shell:bob", &pinned("bb"));
    assert_ne!(a, b);
    assert_ne!(none, a);
    let unpinned = json!([
        request.spec.id,
        request.canonical(),
        format!("{:?}", request.namespaces),
        "shell:bob",
        request.reason,
    ]);
    use sha2::Digest;
    let before = hex::encode(sha2::Sha256::digest(unpinned.to_string().as_bytes()));
    assert_eq!(none, before, "requests without pins keep the hash they had");
}
