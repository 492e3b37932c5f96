//! secrets.sync: runbook §5.5, risk read. `kubectl get externalsecrets -A`, with what it hides:
//! the store each ExternalSecret reads from, its refresh interval, the Ready condition's reason
//! and message, and when it last synced. Not-ready ones first: after a Vault seal they are the
//! ones to look at.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kube::api::DynamicObject;

use crate::k8s::objects::{age, condition, resource, text, timestamp};
use crate::k8s::{list_on_each, report_each};
use crate::{
    Block, Cell, Form, Message, Namespaces, OpError, Operation, Report, Request, Risk, RunContext,
    Scope, Spec, Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "secrets.sync",
    section: "5.5",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["externalsecrets"],
        args: &[args::namespace(), args::cluster(true)],
    }],
};

pub struct SecretsSync;

impl Operation for SecretsSync {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(ListExternalSecrets {
            clusters: request.clusters.clone(),
            namespace: match &request.namespaces {
                Namespaces::One(ns) => Some(ns.clone()),
                _ => None,
            },
        })])
    }
}

/// One ExternalSecret, as the table shows it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    namespace: String,
    name: String,
    /// `ClusterSecretStore/vault-backend`.
    store: String,
    refresh: String,
    ready: String,
    reason: String,
    message: String,
    synced: Option<DateTime<Utc>>,
}

impl Row {
    fn is_ready(&self) -> bool {
        self.ready == "True"
    }
}

struct ListExternalSecrets {
    clusters: Vec<String>,
    namespace: Option<String>,
}

#[async_trait]
impl Step for ListExternalSecrets {
    fn plan(&self) -> Message {
        let clusters = self.clusters.join(", ");
        match &self.namespace {
            Some(ns) => msg!(
                "secrets-plan-namespace",
                clusters = clusters,
                namespace = ns
            ),
            None => msg!("secrets-plan", clusters = clusters),
        }
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let namespace = self.namespace.as_deref();
        // No ExternalSecret CRD: External Secrets is not installed on this cluster.
        let results = list_on_each(cx, &self.clusters, &external_secrets(), namespace).await;
        let now = Utc::now();
        report_each(cx, results, |cx, cluster, items| {
            let rows = items.map(|items| items.iter().map(row).collect::<Vec<_>>());
            render(&mut cx.report, cluster, rows, now)
        })
    }
}

/// `external-secrets.io/v1beta1` ExternalSecret.
fn external_secrets() -> kube::api::ApiResource {
    resource(
        "external-secrets.io",
        "v1beta1",
        "ExternalSecret",
        "externalsecrets",
    )
}

fn row(object: &DynamicObject) -> Row {
    let data = &object.data;
    let (ready, reason, message) = condition(data, "Ready").unwrap_or(("Unknown", "", ""));
    Row {
        namespace: object.metadata.namespace.clone().unwrap_or_default(),
        name: object.metadata.name.clone().unwrap_or_default(),
        store: format!(
            "{}/{}",
            // The operator's default store kind is the namespaced SecretStore.
            text(data, "/spec/secretStoreRef/kind").unwrap_or("SecretStore"),
            text(data, "/spec/secretStoreRef/name").unwrap_or("-")
        ),
        // Unset means the operator's default of one hour.
        refresh: text(data, "/spec/refreshInterval")
            .unwrap_or("1h")
            .to_string(),
        ready: ready.to_string(),
        reason: reason.to_string(),
        message: message.to_string(),
        synced: text(data, "/status/refreshTime").and_then(timestamp),
    }
}

/// Not ready first, then by namespace and name.
fn order(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        (a.is_ready(), &a.namespace, &a.name).cmp(&(b.is_ready(), &b.namespace, &b.name))
    });
}

fn render(report: &mut Report, cluster: &str, rows: Option<Vec<Row>>, now: DateTime<Utc>) {
    report.push(Block::Heading(msg!("secrets-heading", cluster = cluster)));
    let Some(mut rows) = rows else {
        report.push(Block::Note(msg!("secrets-missing", cluster = cluster)));
        return;
    };
    if rows.is_empty() {
        report.push(Block::Note(msg!("secrets-none")));
        return;
    }
    order(&mut rows);
    let mut table = Table::new(vec![
        msg!("secrets-col-namespace"),
        msg!("secrets-col-name"),
        msg!("secrets-col-store"),
        msg!("secrets-col-refresh"),
        msg!("secrets-col-ready"),
        msg!("secrets-col-reason"),
        msg!("secrets-col-last-sync"),
        msg!("secrets-col-message"),
    ]);
    for r in &rows {
        table.rows.push(vec![
            Cell::Text(r.namespace.clone()),
            Cell::Text(r.name.clone()),
            Cell::Text(r.store.clone()),
            Cell::Text(r.refresh.clone()),
            Cell::Text(r.ready.clone()),
            Cell::Text(r.reason.clone()),
            match r.synced {
                Some(t) => Cell::Message(msg!("secrets-ago", age = age(t, now))),
                None => Cell::Message(msg!("secrets-never")),
            },
            Cell::Text(r.message.clone()),
        ]);
    }
    report.push(Block::Table(table));
    let not_ready = rows.iter().filter(|r| !r.is_ready()).count();
    report.push(Block::Note(msg!(
        "secrets-count",
        total = rows.len(),
        not_ready = not_ready
    )));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_secret_without_status_is_unknown_and_sorts_before_ready_ones() {
        let object = |name: &str, ready: Option<&str>| -> DynamicObject {
            let mut value = json!({
                "apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret",
                "metadata": {"name": name, "namespace": "app"},
                "spec": {"secretStoreRef": {"name": "vault-backend", "kind": "ClusterSecretStore"}}
            });
            if let Some(status) = ready {
                value["status"] = json!({"conditions": [{"type": "Ready", "status": status, "reason": "SecretSynced"}]});
            }
            serde_json::from_value(value).expect("an ExternalSecret")
        };
        let mut rows = vec![
            row(&object("a-synced", Some("True"))),
            row(&object("b-new", None)),
            row(&object("c-broken", Some("False"))),
        ];
        order(&mut rows);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["b-new", "c-broken", "a-synced"]);
        assert_eq!(rows[0].ready, "Unknown");
        assert_eq!(rows[0].refresh, "1h");
        assert_eq!(rows[2].store, "ClusterSecretStore/vault-backend");
    }
}
