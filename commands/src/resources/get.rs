//! get: runbook appendix, risk read. `get KIND [-n NS|-A]`: any kind the cluster serves, as a
//! table of name, a short status where one is generic, and age. A Secret's row shows its type
//! and how many keys it holds, never its data.

use async_trait::async_trait;
use chrono::Utc;
use kube::api::ListParams;
use serde_json::Value;

use super::resolve::{Catalog, Found};
use crate::k8s::objects::{age, condition, dynamic, require_namespace, text, timestamp};
use crate::k8s::{kube_error, single};
use crate::spec::Kind;
use crate::{
    Block, Cell, Form, Message, Namespaces, OpError, Operation, Request, Risk, RunContext, Scope,
    Spec, Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "get",
    section: "appendix",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["get"],
        args: &[
            args::positional("kind", Kind::Resource { with_name: false }),
            args::namespace(),
            args::all_namespaces(),
            args::cluster(false),
        ],
    }],
};

/// More rows than this is not a chat message; the note says how many were left out.
const MAX_ROWS: usize = 500;

pub struct Get;

impl Operation for Get {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let cluster = request
            .cluster()
            .ok_or_else(|| OpError::Failed(msg!("get-no-cluster")))?
            .to_string();
        let kind = request
            .args
            .text("kind")
            .ok_or_else(|| OpError::Failed(msg!("get-no-kind")))?
            .to_string();
        Ok(vec![Box::new(List {
            cluster,
            kind,
            namespace: match &request.namespaces {
                Namespaces::One(ns) => Some(ns.clone()),
                Namespaces::All | Namespaces::NotApplicable | Namespaces::Many(_) => None,
            },
            judged: request.namespaces.clone(),
        })])
    }
}

/// The kind found must be where the request was judged: a cluster-scoped kind read as if it
/// were in one namespace would pass a grant limited to that namespace (`get` of a custom
/// cluster-scoped kind with `-n app`), and a namespaced kind judged as cluster-wide escaped
/// the namespace rules. Either way nothing is read.
pub(crate) fn check_scope(
    found: &Found,
    judged: &Namespaces,
    kind: &str,
    cluster: &str,
) -> Result<(), OpError> {
    match (found.namespaced, judged) {
        (false, Namespaces::One(_) | Namespaces::Many(_)) => Err(OpError::Failed(msg!(
            "get-kind-cluster-scoped",
            kind = kind,
            cluster = cluster
        ))),
        (true, Namespaces::NotApplicable) => Err(OpError::Failed(msg!(
            "get-kind-namespaced",
            kind = kind,
            cluster = cluster
        ))),
        _ => Ok(()),
    }
}

struct List {
    cluster: String,
    kind: String,
    /// `None`: every namespace (`-A`, or no `-n`, as the request was judged).
    namespace: Option<String>,
    /// Where the policy judged the read to be; the kind found must live there.
    judged: Namespaces,
}

#[async_trait]
impl Step for List {
    fn plan(&self) -> Message {
        match &self.namespace {
            Some(ns) => msg!(
                "get-plan-namespace",
                kind = self.kind.as_str(),
                namespace = ns.as_str(),
                cluster = self.cluster.as_str()
            ),
            None => msg!(
                "get-plan-all",
                kind = self.kind.as_str(),
                cluster = self.cluster.as_str()
            ),
        }
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let cluster = self.cluster.as_str();
        let client = single(cx, cluster).await?;
        let found = Catalog::discover(client.clone(), cluster)
            .await?
            .resolve(&self.kind, cluster)?;
        if !found.can("list") {
            return Err(OpError::Failed(msg!(
                "get-not-listable",
                kind = found.qualified(),
                cluster = cluster
            )));
        }
        check_scope(&found, &self.judged, &self.kind, cluster)?;
        // A cluster-scoped kind ignores -n, as kubectl does.
        let namespace = self.namespace.as_deref().filter(|_| found.namespaced);
        if let Some(ns) = namespace {
            require_namespace(&client, cluster, ns).await?;
        }
        let list = dynamic(client, &found.resource, namespace)
            .list(&ListParams::default())
            .await
            .map_err(|e| kube_error(cluster, e))?;
        let mut objects: Vec<Value> = list
            .items
            .iter()
            .map(|o| serde_json::to_value(o).unwrap_or_default())
            .collect();
        objects.sort_by(|a, b| {
            let key = |v: &Value| {
                (
                    text(v, "/metadata/namespace")
                        .unwrap_or_default()
                        .to_string(),
                    text(v, "/metadata/name").unwrap_or_default().to_string(),
                )
            };
            key(a).cmp(&key(b))
        });
        cx.report.push(Block::Heading(msg!(
            "get-heading",
            kind = found.qualified(),
            cluster = cluster
        )));
        if objects.is_empty() {
            cx.report.push(Block::Note(match namespace {
                Some(ns) => msg!("get-none-in", kind = found.qualified(), namespace = ns),
                None => msg!("get-none", kind = found.qualified()),
            }));
            return Ok(());
        }
        let with_namespace = found.namespaced && namespace.is_none();
        cx.report
            .push(Block::Table(table(&found, &objects, with_namespace)));
        if objects.len() > MAX_ROWS {
            cx.report.push(Block::Note(msg!(
                "get-truncated",
                shown = MAX_ROWS,
                total = objects.len()
            )));
        }
        Ok(())
    }
}

fn table(found: &Found, objects: &[Value], with_namespace: bool) -> Table {
    let now = Utc::now();
    let secret = found.is_secret();
    let mut columns = Vec::new();
    if with_namespace {
        columns.push(msg!("get-col-namespace"));
    }
    columns.push(msg!("get-col-name"));
    if secret {
        columns.extend([msg!("get-col-type"), msg!("get-col-data")]);
    } else {
        columns.push(msg!("get-col-status"));
    }
    columns.push(msg!("get-col-age"));
    let mut table = Table::new(columns);
    for object in objects.iter().take(MAX_ROWS) {
        let mut row = Vec::new();
        if with_namespace {
            row.push(Cell::from(
                text(object, "/metadata/namespace").unwrap_or_default(),
            ));
        }
        row.push(Cell::from(
            text(object, "/metadata/name").unwrap_or_default(),
        ));
        if secret {
            // Only the type and the number of keys: the values stay in this function's input.
            row.push(Cell::from(text(object, "/type").unwrap_or_default()));
            let keys = object
                .get("data")
                .and_then(Value::as_object)
                .map_or(0, |d| d.len());
            row.push(Cell::Text(keys.to_string()));
        } else {
            row.push(Cell::Text(status(object)));
        }
        let created = text(object, "/metadata/creationTimestamp").and_then(timestamp);
        row.push(Cell::Text(created.map(|t| age(t, now)).unwrap_or_default()));
        table.rows.push(row);
    }
    table
}

/// A status any kind can have: a waiting or failed container's reason for a pod (what
/// kubectl's STATUS shows), else the phase, the Ready condition, or ready of desired replicas.
pub(crate) fn status(object: &Value) -> String {
    let statuses = object
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array);
    for container in statuses.into_iter().flatten() {
        for state in ["waiting", "terminated"] {
            if let Some(reason) = container
                .pointer(&format!("/state/{state}/reason"))
                .and_then(Value::as_str)
                .filter(|r| *r != "Completed")
            {
                return reason.to_string();
            }
        }
    }
    if let Some(phase) = text(object, "/status/phase") {
        return phase.to_string();
    }
    if let Some((status, _, _)) = condition(object, "Ready") {
        return if status == "True" {
            "Ready"
        } else {
            "NotReady"
        }
        .to_string();
    }
    let number = |pointer: &str| object.pointer(pointer).and_then(Value::as_i64);
    if let Some(desired) = number("/spec/replicas") {
        let ready = number("/status/readyReplicas").unwrap_or(0);
        return format!("{ready}/{desired}");
    }
    if let Some(desired) = number("/status/desiredNumberScheduled") {
        let ready = number("/status/numberReady").unwrap_or(0);
        return format!("{ready}/{desired}");
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_is_the_most_telling_generic_field() {
        let crashing = json!({ "status": { "phase": "Running", "containerStatuses": [
            { "state": { "waiting": { "reason": "CrashLoopBackOff" } } }
        ] } });
        assert_eq!(status(&crashing), "CrashLoopBackOff");
        assert_eq!(status(&json!({ "status": { "phase": "Bound" } })), "Bound");
        let cert = json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } });
        assert_eq!(status(&cert), "NotReady");
        let deploy = json!({ "spec": { "replicas": 3 }, "status": { "readyReplicas": 2 } });
        assert_eq!(status(&deploy), "2/3");
        let ds = json!({ "status": { "desiredNumberScheduled": 3, "numberReady": 3 } });
        assert_eq!(status(&ds), "3/3");
        assert_eq!(status(&json!({ "data": { "k": "v" } })), "");
    }
}
