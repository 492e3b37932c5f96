//! vault.status against the Vault test server.

use opsbot_tests::bot::Bot;
use opsbot_tests::vault::VaultServer;

use super::{bob, field};
use crate::bin;

/// A bot with a `[vault]` section; its one cluster (the test policy names mgmt) has only etcd,
/// which vault.status never touches.
fn vault_bot(locale: &str, address: &str) -> Bot {
    vault_less_bot()
        .locale(locale)
        .extra(&format!(
            "[vault]\naddress = \"{address}\"\ntimeout = \"2s\""
        ))
        .build()
}

fn vault_less_bot() -> opsbot_tests::bot::BotBuilder {
    Bot::builder(bin()).etcd("mgmt", "http://127.0.0.1:2379".to_string())
}

#[test]
fn vault_status_of_an_unsealed_vault_shows_its_seal_and_cluster() {
    let vault = VaultServer::start();
    let run = bob(&vault_bot("en", &vault.url()), "vault status");
    assert_eq!(run.code, 0, "{}", run.all());
    let expect = [
        ("Sealed", "no"),
        ("Initialized", "yes"),
        ("Seal type", "shamir"),
        ("Key shares", "5"),
        ("Key threshold", "3"),
        ("Unseal progress", "0/3"),
        ("Version", "1.17.2"),
        ("Cluster name", "vault-cluster-5f3a9c1e"),
        ("Storage type", "raft"),
    ];
    for (key, value) in expect {
        assert_eq!(
            field(&run.stdout, key).as_deref(),
            Some(value),
            "{key}: {}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains("vault unseal"), "{}", run.stdout);
    let asked: Vec<(String, String)> = vault
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        asked,
        [("GET".to_string(), "/v1/sys/seal-status".to_string())]
    );
}

#[test]
fn a_sealed_vault_succeeds_with_a_korean_note_to_unseal() {
    let vault = VaultServer::start();
    vault.set_sealed(true);
    vault.set_progress(1);
    let run = bob(&vault_bot("ko", &vault.url()), "vault status");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        field(&run.stdout, "봉인됨").as_deref(),
        Some("예"),
        "{}",
        run.stdout
    );
    assert_eq!(
        field(&run.stdout, "봉인 해제 진행").as_deref(),
        Some("1/3"),
        "{}",
        run.stdout
    );
    assert_eq!(
        field(&run.stdout, "클러스터 이름").as_deref(),
        Some("없음"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Vault가 봉인되어 있습니다 (키 조각 3개 중 1개 입력됨)")
            && run.stdout.contains("\"vault unseal\"을 실행하세요"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_vault_that_is_down_is_unreachable_with_the_reason() {
    let mut vault = VaultServer::start();
    let address = vault.url();
    vault.stop();
    let run = bob(&vault_bot("en", &address), "vault status");
    assert_eq!(run.code, 1, "{}", run.all());
    let expected = format!("Vault {address} is unreachable: Connection refused");
    assert!(run.stdout.contains(&expected), "{expected}: {}", run.stdout);
}

#[test]
fn vault_refusing_keeps_its_own_words() {
    let vault = VaultServer::start();
    vault.fail_with(Some((503, "Vault is sealed")));
    let run = bob(&vault_bot("en", &vault.url()), "vault status");
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("refused: 503 Service Unavailable: Vault is sealed"),
        "{}",
        run.stdout
    );
}

#[test]
fn vault_status_without_a_vault_section_is_one_sentence() {
    let run = bob(&vault_less_bot().build(), "vault status");
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains(
            "Vault is not configured: add a [vault] section with its address to the configuration."
        ),
        "{}",
        run.stdout
    );
}
