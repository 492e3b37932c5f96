//! net.endpoints: runbook §5.2, risk read. `kubectl get ciliumendpoints -A`: each pod's Cilium
//! endpoint with its endpoint id, security identity, state and IPv4, endpoints that are not
//! `ready` first, and how many of them each cluster has. A pod whose endpoint is stuck in
//! `waiting-for-identity` or `not-ready` has no working network policy.

use async_trait::async_trait;
use kube::api::DynamicObject;
use serde_json::Value;

use crate::k8s::objects::{resource, text};
use crate::k8s::{list_on_each, report_each};
use crate::{
    Block, Cell, Form, Message, Namespaces, OpError, Operation, Report, Request, Risk, RunContext,
    Scope, Spec, Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "net.endpoints",
    section: "5.2",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["net", "endpoints"],
        args: &[args::namespace(), args::cluster(true)],
    }],
};

pub struct NetEndpoints;

impl Operation for NetEndpoints {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(ListEndpoints {
            clusters: request.clusters.clone(),
            namespace: match &request.namespaces {
                Namespaces::One(ns) => Some(ns.clone()),
                _ => None,
            },
        })])
    }
}

/// One CiliumEndpoint.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    namespace: String,
    name: String,
    endpoint_id: String,
    identity_id: String,
    state: String,
    ipv4: String,
}

impl Row {
    fn is_ready(&self) -> bool {
        self.state == "ready"
    }
}

struct ListEndpoints {
    clusters: Vec<String>,
    namespace: Option<String>,
}

#[async_trait]
impl Step for ListEndpoints {
    fn plan(&self) -> Message {
        let clusters = self.clusters.join(", ");
        match &self.namespace {
            Some(ns) => msg!(
                "net-endpoints-plan-namespace",
                clusters = clusters,
                namespace = ns
            ),
            None => msg!("net-endpoints-plan", clusters = clusters),
        }
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let namespace = self.namespace.as_deref();
        // No CiliumEndpoint CRD: this cluster runs another CNI (or none yet).
        let results = list_on_each(cx, &self.clusters, &cilium_endpoints(), namespace).await;
        report_each(cx, results, |cx, cluster, items| {
            let rows = items.map(|items| items.iter().map(row).collect::<Vec<_>>());
            render(&mut cx.report, cluster, rows)
        })
    }
}

/// `cilium.io/v2` CiliumEndpoint.
fn cilium_endpoints() -> kube::api::ApiResource {
    resource("cilium.io", "v2", "CiliumEndpoint", "ciliumendpoints")
}

fn row(object: &DynamicObject) -> Row {
    let data = &object.data;
    let number = |pointer: &str| {
        data.pointer(pointer)
            .and_then(Value::as_i64)
            .map_or("-".to_string(), |n| n.to_string())
    };
    // An endpoint has one addressing entry per IP family pair; the first IPv4 is the pod's.
    let ipv4 = data
        .pointer("/status/networking/addressing")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find_map(|a| a.get("ipv4").and_then(Value::as_str)))
        .unwrap_or("-");
    Row {
        namespace: object.metadata.namespace.clone().unwrap_or_default(),
        name: object.metadata.name.clone().unwrap_or_default(),
        endpoint_id: number("/status/id"),
        identity_id: number("/status/identity/id"),
        state: text(data, "/status/state").unwrap_or("-").to_string(),
        ipv4: ipv4.to_string(),
    }
}

/// Not ready first, then by namespace and name.
fn order(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        (a.is_ready(), &a.namespace, &a.name).cmp(&(b.is_ready(), &b.namespace, &b.name))
    });
}

fn render(report: &mut Report, cluster: &str, rows: Option<Vec<Row>>) {
    report.push(Block::Heading(msg!("net-heading", cluster = cluster)));
    let Some(mut rows) = rows else {
        report.push(Block::Note(msg!("net-cilium-missing", cluster = cluster)));
        return;
    };
    if rows.is_empty() {
        report.push(Block::Note(msg!("net-endpoints-none")));
        return;
    }
    order(&mut rows);
    let mut table = Table::new(vec![
        msg!("net-col-namespace"),
        msg!("net-col-name"),
        msg!("net-col-endpoint-id"),
        msg!("net-col-identity-id"),
        msg!("net-col-state"),
        msg!("net-col-ipv4"),
    ]);
    for r in &rows {
        table.rows.push(vec![
            Cell::Text(r.namespace.clone()),
            Cell::Text(r.name.clone()),
            Cell::Text(r.endpoint_id.clone()),
            Cell::Text(r.identity_id.clone()),
            Cell::Text(r.state.clone()),
            Cell::Text(r.ipv4.clone()),
        ]);
    }
    report.push(Block::Table(table));
    let not_ready = rows.iter().filter(|r| !r.is_ready()).count();
    report.push(Block::Note(msg!(
        "net-endpoints-count",
        total = rows.len(),
        not_ready = not_ready
    )));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_row_reads_ids_state_and_the_ipv4_address() {
        let object: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "cilium.io/v2", "kind": "CiliumEndpoint",
            "metadata": {"name": "web-7d9c-x2", "namespace": "app"},
            "status": {"id": 1187, "identity": {"id": 48213}, "state": "waiting-for-identity",
                       "networking": {"addressing": [{"ipv6": "fd00::12"}, {"ipv4": "10.0.1.23"}], "node": "192.168.64.5"}}
        }))
        .expect("a CiliumEndpoint");
        let row = row(&object);
        assert_eq!(
            (
                row.endpoint_id.as_str(),
                row.identity_id.as_str(),
                row.state.as_str(),
                row.ipv4.as_str()
            ),
            ("1187", "48213", "waiting-for-identity", "10.0.1.23")
        );
        assert!(!row.is_ready());
    }
}
