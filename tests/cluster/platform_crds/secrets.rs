//! External Secrets: secrets.sync (§5.5).

use opsbot_tests::fixtures::platform_crds as crds;

use super::{bob, order, section};
use crate::Platform;

#[test]
fn externalsecrets_show_not_ready_first_with_store_reason_and_last_sync() {
    let p = Platform::start();
    crds::external_secrets(&p.mgmt);
    let run = bob(&p.bot("en"), "externalsecrets -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    let lines = section(&run.stdout, "mgmt");
    // Not ready (failing, or never reconciled) first, then by namespace and name.
    let names = [
        "payment-api-key",
        "smtp-relay",
        "db-credentials",
        "grafana-admin",
    ];
    assert_eq!(order(&lines, &names), names, "{}", run.stdout);
    let failing = lines
        .iter()
        .find(|l| l.contains("payment-api-key"))
        .expect("payment-api-key row");
    for expected in [
        "ClusterSecretStore/vault-backend",
        "1h",
        "False",
        "SecretSyncedError",
        "2h ago",
        "could not get secret data from provider",
    ] {
        assert!(failing.contains(expected), "{expected}: {failing}");
    }
    let synced = lines
        .iter()
        .find(|l| l.contains("db-credentials"))
        .expect("row");
    assert!(
        synced.contains("5m ago") && synced.contains("SecretSynced"),
        "{synced}"
    );
    assert!(
        lines.contains(&"2 of 4 ExternalSecrets not ready."),
        "{}",
        run.stdout
    );
}

#[test]
fn externalsecrets_speak_korean_and_filter_by_namespace() {
    let p = Platform::start();
    crds::external_secrets(&p.mgmt);
    let run = bob(&p.bot("ko"), "externalsecrets -n monitoring -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("마지막 동기화"), "{}", run.stdout);
    assert!(run.stdout.contains("15m 전"), "{}", run.stdout);
    assert!(run.stdout.contains("grafana-admin"), "{}", run.stdout);
    assert!(!run.stdout.contains("db-credentials"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("ExternalSecret 1개 중 0개가 준비되지 않았습니다."),
        "{}",
        run.stdout
    );
}
