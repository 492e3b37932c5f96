//! cert-manager: certs.list (§1.3), cert.describe and cert.renew (§5.4).

use std::time::{Duration, Instant};

use opsbot_tests::bot::Bot;
use opsbot_tests::fixtures::platform_crds::{self as crds, WithoutGroup};
use opsbot_tests::kube::kubeconfig_with_dead;
use serde_json::Value;

use super::{bob, order, section};
use crate::{Platform, bin};

#[test]
fn certificates_are_listed_most_urgent_first_with_days_left() {
    let p = Platform::start();
    crds::cert_manager(&p.mgmt);
    let run = bob(&p.bot("en"), "certs -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    let lines = section(&run.stdout, "mgmt");
    let names = [
        "api-tls",
        "minio-tls",
        "vault-server-tls",
        "web-tls",
        "grafana-tls",
    ];
    // Never issued first (there is no certificate at all), then by notAfter.
    assert_eq!(order(&lines, &names), names, "{}", run.stdout);
    let row = |name: &str| {
        lines
            .iter()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("no row for {name}: {}", run.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    let web = row("web-tls");
    assert_eq!(web[0], "app");
    assert!(web.contains(&"True"), "{web:?}");
    assert!(web.contains(&"ClusterIssuer/letsencrypt-prod"), "{web:?}");
    // 12 days from now minus a few seconds of test: 11 whole days left.
    assert!(web.contains(&"11"), "{web:?}");
    assert!(row("vault-server-tls").contains(&"Issuer/vault-ca"));
    assert!(
        row("minio-tls").contains(&"expired"),
        "{:?}",
        row("minio-tls")
    );
    assert!(row("api-tls").contains(&"False"), "{:?}", row("api-tls"));
    assert!(
        lines.contains(&"5 certificates, 2 not ready."),
        "{}",
        run.stdout
    );
}

#[test]
fn within_30d_keeps_only_certificates_expiring_in_that_window_and_counts_them() {
    let p = Platform::start();
    crds::cert_manager(&p.mgmt);
    let run = bob(&p.bot("en"), "certs --within 30d -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    let lines = section(&run.stdout, "mgmt");
    let all = [
        "api-tls",
        "minio-tls",
        "vault-server-tls",
        "web-tls",
        "grafana-tls",
    ];
    assert_eq!(
        order(&lines, &all),
        ["minio-tls", "vault-server-tls", "web-tls"],
        "{}",
        run.stdout
    );
    assert!(
        lines.contains(&"3 of 5 certificates expire within 30d."),
        "{}",
        run.stdout
    );
    let narrow = bob(&p.bot("en"), "certs --within 7d -c mgmt");
    let lines = section(&narrow.stdout, "mgmt");
    assert_eq!(
        order(&lines, &all),
        ["minio-tls", "vault-server-tls"],
        "{}",
        narrow.stdout
    );
}

#[test]
fn a_cluster_without_cert_manager_says_so_while_the_others_report() {
    let p = Platform::start();
    crds::cert_manager(&p.mgmt);
    p.app1.apply(crds::certificate(
        "monitoring",
        "alertmanager-tls",
        &["alertmanager.app1.example.com"],
        ("ClusterIssuer", "letsencrypt-prod"),
        45,
    ));
    let app2 = WithoutGroup::start(&p.app2, "cert-manager.io");
    let bot = Bot::builder(bin())
        .locale("en")
        .kubeconfig(kubeconfig_with_dead(&[
            ("mgmt", &p.mgmt.url()),
            ("app1", &p.app1.url()),
            ("app2", &app2.url()),
        ]))
        .kube("mgmt", "mgmt")
        .kube("app1", "app1")
        .kube("app2", "app2")
        .build();
    let run = bob(&bot, "certs");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        section(&run.stdout, "mgmt")
            .iter()
            .any(|l| l.contains("web-tls")),
        "{}",
        run.stdout
    );
    assert!(
        section(&run.stdout, "app1")
            .iter()
            .any(|l| l.contains("alertmanager-tls")),
        "{}",
        run.stdout
    );
    assert_eq!(
        section(&run.stdout, "app2"),
        ["cert-manager is not installed on app2 (no Certificate resource)."],
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// cert.describe

#[test]
fn cert_describe_shows_the_certificate_its_requests_and_its_events_only() {
    let p = Platform::start();
    crds::cert_manager(&p.mgmt);
    let run = bob(&p.bot("en"), "cert describe web-tls -n app -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    let out = &run.stdout;
    assert!(
        out.contains("== Certificate app/web-tls on mgmt =="),
        "{out}"
    );
    for expected in [
        "DNS names:",
        "shop.example.com, www.shop.example.com",
        "ClusterIssuer/letsencrypt-prod",
        "Certificate is up to date and has not expired",
        "== CertificateRequests ==",
        "web-tls-m4q9z",
        "Issued",
        "== Events ==",
        "Created new CertificateRequest resource \"web-tls-x7k2p\"",
        "The certificate has been successfully issued",
    ] {
        assert!(out.contains(expected), "{expected}: {out}");
    }
    let secret = out
        .lines()
        .find(|l| l.starts_with("secret:"))
        .unwrap_or_default();
    assert!(secret.ends_with(" web-tls"), "{out}");
    // Another certificate's event and a pod's event stay out.
    assert!(
        !out.contains("ACME order for api.shop.example.com failed"),
        "{out}"
    );
    assert!(!out.contains("Container image already present"), "{out}");
}

#[test]
fn an_unknown_certificate_is_one_sentence() {
    let p = Platform::start();
    crds::cert_manager(&p.mgmt);
    let run = bob(&p.bot("en"), "cert describe shop-tls -n app -c mgmt");
    assert!(
        run.stdout
            .contains("There is no certificate \"shop-tls\" in namespace app on mgmt."),
        "{}",
        run.all()
    );
    assert!(!run.stdout.contains("== Events =="), "{}", run.stdout);
    let renew = bob(&p.bot("en"), "cert renew shop-tls -n app -c mgmt");
    assert!(
        renew
            .stdout
            .contains("There is no certificate \"shop-tls\" in namespace app on mgmt."),
        "{}",
        renew.all()
    );
    assert!(
        p.mgmt.requests().iter().all(|r| r.method == "GET"),
        "nothing may be written for an unknown certificate"
    );
}

// ---------------------------------------------------------------------------------------------
// cert.renew

/// The Certificate as the test server holds it.
fn stored_web_tls(p: &Platform) -> Value {
    p.mgmt
        .get("cert-manager.io/v1", "Certificate", Some("app"), "web-tls")
        .expect("web-tls is stored")
}

fn issuing(cert: &Value) -> Option<Value> {
    cert["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "Issuing")
        .cloned()
}

#[test]
fn cert_renew_sets_issuing_through_the_status_subresource_and_follows_to_the_new_revision() {
    let p = Platform::start();
    crds::cert_manager(&p.mgmt);
    let bot = p.bot("en");
    // The test plays cert-manager: once the Issuing condition is there, it issues revision 2.
    let (run, seen) = std::thread::scope(|s| {
        let controller = s.spawn(|| {
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                let cert = stored_web_tls(&p);
                if let Some(condition) = issuing(&cert) {
                    // Issuing takes cert-manager a moment; the bot reports it meanwhile.
                    std::thread::sleep(Duration::from_millis(1500));
                    p.mgmt.apply(crds::reissued(&cert, 90));
                    return Some(condition);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            None
        });
        let run = bob(&bot, "cert renew web-tls -n app -c mgmt");
        (run, controller.join().expect("the controller thread"))
    });
    let condition = seen.unwrap_or_else(|| panic!("no Issuing condition was set: {}", run.all()));
    assert_eq!(condition["status"], "True");
    assert_eq!(condition["reason"], "ManuallyTriggered");
    assert_eq!(
        condition["message"],
        "Certificate re-issuance manually triggered"
    );
    assert_eq!(condition["observedGeneration"], 1);
    assert!(condition["lastTransitionTime"].is_string(), "{condition}");
    let patch = p
        .mgmt
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .expect("a PATCH was sent");
    assert_eq!(
        patch.path,
        "/apis/cert-manager.io/v1/namespaces/app/certificates/web-tls/status"
    );
    assert_eq!(
        patch.header("content-type"),
        Some("application/merge-patch+json")
    );
    assert!(p.mgmt.requests().iter().all(|r| r.method != "DELETE"));

    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains("Re-issue requested (current revision 1)."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Issuing True: ManuallyTriggered"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("app/web-tls was re-issued and is Ready."),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("1 → 2"), "{}", run.stdout);
}

#[test]
fn cert_renew_without_cert_manager_running_says_it_has_not_finished_and_keeps_the_rest() {
    let p = Platform::start();
    crds::cert_manager(&p.mgmt);
    let before = stored_web_tls(&p);
    let started = Instant::now();
    let run = bob(&p.bot("en"), "cert renew web-tls -n app -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains(
            "Re-issue of app/web-tls requested; cert-manager has not finished yet after 30 s."
        ),
        "{}",
        run.stdout
    );
    assert!(
        started.elapsed() < Duration::from_secs(45),
        "the follow is bounded"
    );
    let after = stored_web_tls(&p);
    let condition = issuing(&after).expect("the Issuing condition stays for cert-manager");
    assert_eq!(condition["reason"], "ManuallyTriggered");
    // Only the status changed: the spec, the Ready condition and the dates are as they were.
    assert_eq!(after["spec"], before["spec"]);
    assert_eq!(after["status"]["notAfter"], before["status"]["notAfter"]);
    assert_eq!(
        after["status"]["conditions"][0],
        before["status"]["conditions"][0]
    );
}
