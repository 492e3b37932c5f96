//! get and yaml: kubectl's kind names through discovery, and Secret data never shown.

use opsbot_tests::bot::Bot;
use opsbot_tests::fixtures::platform::base64_of;
use serde_json::{Value, json};

use super::bob;
use crate::Platform;

fn deployment(namespace: &str, name: &str, replicas: i64, ready: i64) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": { "name": name, "namespace": namespace },
        "spec": { "replicas": replicas, "selector": { "matchLabels": { "app": name } },
                  "template": { "metadata": { "labels": { "app": name } },
                                "spec": { "containers": [{ "name": name, "image": format!("registry.local/{name}:1.0") }] } } },
        "status": { "replicas": replicas, "readyReplicas": ready, "observedGeneration": 1 }
    })
}

#[test]
fn get_takes_kubectl_names_short_names_and_groups() {
    let p = Platform::start();
    p.mgmt.apply(deployment("app", "web", 3, 2));
    p.mgmt.apply(json!({
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": { "name": "web-tls", "namespace": "app" },
        "spec": { "secretName": "web-tls", "dnsNames": ["web.example.com"], "issuerRef": { "name": "letsencrypt", "kind": "ClusterIssuer" } },
        "status": { "conditions": [{ "type": "Ready", "status": "True", "reason": "Ready" }] }
    }));
    let bot = p.bot("en");

    let pods = bob(&bot, "get po -n kube-system -c mgmt");
    assert_eq!(pods.code, 0, "{}", pods.all());
    assert!(
        pods.stdout.contains("== pods on mgmt =="),
        "{}",
        pods.stdout
    );
    let coredns = pods
        .stdout
        .lines()
        .find(|l| l.starts_with("coredns-5d78c9869d-4x7kq"))
        .expect("row");
    assert_eq!(
        coredns.split_whitespace().collect::<Vec<_>>(),
        ["coredns-5d78c9869d-4x7kq", "Running", "3d"]
    );

    let deploys = bob(&bot, "get deploy -A -c mgmt");
    assert_eq!(deploys.code, 0, "{}", deploys.all());
    assert!(
        deploys.stdout.contains("== deployments.apps on mgmt =="),
        "{}",
        deploys.stdout
    );
    let web = deploys
        .stdout
        .lines()
        .find(|l| l.starts_with("app "))
        .expect("row");
    assert_eq!(
        web.split_whitespace().take(3).collect::<Vec<_>>(),
        ["app", "web", "2/3"]
    );
    assert!(
        deploys
            .stdout
            .contains("kube-system  clustermesh-apiserver"),
        "{}",
        deploys.stdout
    );

    let certs = bob(&bot, "get certificates.cert-manager.io -n app -c mgmt");
    assert_eq!(certs.code, 0, "{}", certs.all());
    let row = certs
        .stdout
        .lines()
        .find(|l| l.starts_with("web-tls"))
        .expect("row");
    assert_eq!(
        row.split_whitespace().take(2).collect::<Vec<_>>(),
        ["web-tls", "Ready"]
    );

    let typo = bob(&bot, "get deploymnts -c mgmt");
    assert_eq!(typo.code, 1);
    assert!(
        typo.stdout
            .contains("mgmt serves no resource called \"deploymnts\". Did you mean deployments?"),
        "{}",
        typo.stdout
    );
}

/// A Secret as `kubectl apply` leaves it: data, the applied copy, managedFields.
fn db_secret() -> (Value, [&'static str; 2]) {
    let password = "correct-horse-battery-staple";
    let user = "opsbot-admin";
    let applied = json!({ "apiVersion": "v1", "kind": "Secret", "metadata": { "name": "db-credentials", "namespace": "app" },
                          "data": { "password": base64_of(password), "username": base64_of(user) } });
    let secret = json!({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": { "name": "db-credentials", "namespace": "app",
                      "annotations": { "kubectl.kubernetes.io/last-applied-configuration": applied.to_string() },
                      "managedFields": [{ "manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
                                          "fieldsType": "FieldsV1", "fieldsV1": { "f:data": { "f:password": {}, "f:username": {} } } }] },
        "data": { "password": base64_of(password), "username": base64_of(user) }
    });
    (secret, [password, user])
}

/// Every form a secret value could leak in: plain, base64, and base64 without padding.
fn leaks(text: &str, values: &[&str]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| {
            [
                v.to_string(),
                base64_of(v),
                base64_of(v).trim_end_matches('=').to_string(),
            ]
        })
        .filter(|form| text.contains(form.as_str()))
        .collect()
}

#[test]
fn get_secrets_shows_type_and_key_count_never_data() {
    let p = Platform::start();
    let (secret, values) = db_secret();
    p.mgmt.apply(secret);
    let run = bob(&p.bot("en"), "get secrets -n app -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    let header = run
        .stdout
        .lines()
        .find(|l| l.starts_with("NAME"))
        .expect("table");
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["NAME", "TYPE", "DATA", "AGE"]
    );
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with("db-credentials"))
        .expect("row");
    assert_eq!(
        row.split_whitespace().take(3).collect::<Vec<_>>(),
        ["db-credentials", "Opaque", "2"]
    );
    assert_eq!(leaks(&run.all(), &values), Vec::<String>::new());
}

/// Every byte the bot stored: the SQLite database and its journal files.
fn state_bytes(bot: &Bot) -> String {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(bot.dir()).expect("bot dir").flatten() {
        if entry.file_name().to_string_lossy().starts_with("state.db") {
            all.extend(std::fs::read(entry.path()).unwrap_or_default());
        }
    }
    String::from_utf8_lossy(&all).into_owned()
}

#[test]
fn yaml_of_a_secret_redacts_every_value_everywhere() {
    let p = Platform::start();
    let (secret, values) = db_secret();
    p.mgmt.apply(secret);
    let bot = p.bot("en");
    let run = bob(&bot, "yaml secret/db-credentials -n app -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    for line in [
        "apiVersion: v1",
        "kind: Secret",
        "  name: db-credentials",
        "  password: \"<redacted: 28 bytes>\"",
        "  username: \"<redacted: 12 bytes>\"",
        "type: Opaque",
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "{line:?} in {}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("kubectl.kubernetes.io/last-applied-configuration: \"<redacted:"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("managedFields"), "{}", run.stdout);
    assert_eq!(leaks(&run.all(), &values), Vec::<String>::new());
    let stored = state_bytes(&bot);
    assert!(
        stored.contains("db-credentials"),
        "the audit log recorded the request"
    );
    assert_eq!(leaks(&stored, &values), Vec::<String>::new());
}

#[test]
fn yaml_of_a_deployment_is_kubectl_shaped_and_a_missing_one_is_one_sentence() {
    let p = Platform::start();
    let mut web = deployment("app", "web", 3, 3);
    web["metadata"]["managedFields"] =
        json!([{ "manager": "kube-controller-manager", "operation": "Update" }]);
    p.mgmt.apply(web);
    let bot = p.bot("en");
    let run = bob(&bot, "yaml deployments.apps/web -n app -c mgmt");
    assert_eq!(run.code, 0, "{}", run.all());
    let yaml: Vec<&str> = run.stdout.lines().collect();
    for line in [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "  replicas: 3",
        "      - image: registry.local/web:1.0",
        "  readyReplicas: 3",
    ] {
        assert!(yaml.contains(&line), "{line:?} in {}", run.stdout);
    }
    assert!(!run.stdout.contains("managedFields"), "{}", run.stdout);

    let missing = bob(&bot, "yaml deploy/nope -n app -c mgmt");
    assert_eq!(missing.code, 1);
    assert!(
        missing
            .stdout
            .contains("There is no deployments.apps \"nope\" in namespace app on mgmt."),
        "{}",
        missing.stdout
    );
}
