//! Helm: helm.list (§4.2), decoded from real release records.

use opsbot_tests::fixtures::platform_crds as crds;

use super::bob;
use crate::Platform;

/// Every secret the fixtures put in release values; none may ever be printed.
const VALUE_SECRETS: [&str; 4] = [
    "grafana-admin-s3cr3t",
    "hvs.vault-root-t0ken",
    "eab-hmac-s3cr3t",
    "chart-default-password",
];

#[test]
fn helm_list_shows_the_latest_revision_of_each_release_and_never_its_values() {
    let p = Platform::start();
    crds::helm_releases(&p.mgmt);
    let run = bob(&p.bot("en"), "helm list -A -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    let out = &run.stdout;
    let header = out
        .lines()
        .find(|l| l.starts_with("NAME"))
        .expect("a header");
    let columns: Vec<&str> = header
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        columns,
        [
            "NAME",
            "NAMESPACE",
            "REVISION",
            "UPDATED",
            "STATUS",
            "CHART",
            "APP VERSION"
        ]
    );
    let row = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} row: {out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    let prometheus = row("prometheus");
    assert_eq!(prometheus[..3], ["prometheus", "monitoring", "3"], "{out}");
    assert!(
        prometheus.ends_with(&["failed", "kube-prometheus-stack-66.2.1", "v0.78.1"]),
        "{out}"
    );
    let cert_manager = row("cert-manager");
    assert!(
        cert_manager.ends_with(&["deployed", "cert-manager-v1.15.3", "v1.15.3"]),
        "{out}"
    );
    assert!(
        row("vault").ends_with(&["deployed", "vault-0.28.1", "1.17.2"]),
        "{out}"
    );
    let names: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| ["prometheus", "vault", "cert-manager"].contains(w))
        .collect();
    assert_eq!(
        names,
        ["cert-manager", "prometheus", "vault"],
        "sorted by name: {out}"
    );
    assert!(
        out.contains("3 releases, 1 not in state deployed."),
        "{out}"
    );
    for secret in VALUE_SECRETS {
        assert!(
            !run.all().contains(secret),
            "{secret} leaked: {}",
            run.all()
        );
    }

    let one = bob(&p.bot("en"), "helm list -n vault -c mgmt");
    assert!(one.stdout.contains("vault-0.28.1"), "{}", one.stdout);
    assert!(
        !one.stdout.contains("kube-prometheus-stack"),
        "{}",
        one.stdout
    );
}

#[test]
fn helm_history_lists_every_revision_with_its_description() {
    let p = Platform::start();
    crds::helm_releases(&p.mgmt);
    let run = bob(
        &p.bot("en"),
        "helm history prometheus -n monitoring -c mgmt",
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let out = &run.stdout;
    assert!(
        out.contains("== History of prometheus in monitoring on mgmt =="),
        "{out}"
    );
    let revisions: Vec<Vec<&str>> = out
        .lines()
        .skip_while(|l| !l.starts_with("REVISION"))
        .skip(2)
        .take_while(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|w| w.parse::<u32>().is_ok())
        })
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(revisions.len(), 3, "{out}");
    assert_eq!(
        revisions.iter().map(|r| r[0]).collect::<Vec<_>>(),
        ["1", "2", "3"],
        "{out}"
    );
    let line = |n: usize| revisions[n].join(" ");
    assert!(
        line(0).contains("superseded kube-prometheus-stack-61.3.2 v0.75.2 Install complete"),
        "{out}"
    );
    assert!(
        line(1).contains("deployed kube-prometheus-stack-65.1.0 v0.77.1 Upgrade complete"),
        "{out}"
    );
    assert!(
        line(2).contains("failed kube-prometheus-stack-66.2.1 v0.78.1 Upgrade \"prometheus\" failed: context deadline exceeded"),
        "{out}"
    );
    for secret in VALUE_SECRETS {
        assert!(
            !run.all().contains(secret),
            "{secret} leaked: {}",
            run.all()
        );
    }
}

#[test]
fn helm_history_of_an_unknown_release_is_one_sentence() {
    let p = Platform::start();
    crds::helm_releases(&p.mgmt);
    let run = bob(&p.bot("en"), "helm history grafana -n monitoring -c mgmt");
    assert!(
        run.stdout
            .contains("There is no Helm release \"grafana\" in namespace monitoring on mgmt."),
        "{}",
        run.all()
    );
    assert!(!run.stdout.contains("REVISION"), "{}", run.stdout);
}
