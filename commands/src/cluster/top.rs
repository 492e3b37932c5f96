//! cluster.top: runbook §1.2 and §6.3, risk read. `kubectl top nodes` and
//! `kubectl top pods -A --sort-by=memory | head -20`, read from metrics.k8s.io (metrics-server)
//! NodeMetrics and PodMetrics. A cluster without metrics-server says so in one sentence while
//! the others report.

use std::cmp::Ordering;

use async_trait::async_trait;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value;

use crate::k8s::objects::{dynamic, resource};
use crate::k8s::{self, each_cluster, kube_error, not_found_is_none};
use crate::{
    Block, Cell, Form, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec,
    Step, Table, args, msg,
};

const SORT: Kind = Kind::Choice(&["memory", "cpu"]);
const LIMIT: Kind = Kind::Count { min: 1, max: 500 };

pub static SPEC: Spec = Spec {
    id: "cluster.top",
    section: "1.2, 6.3",
    risk: Risk::Read,
    scope: Scope::Cluster,
    forms: &[
        Form {
            words: &["top", "nodes"],
            args: &[
                args::cluster(true),
                args::option("sort", "sort", SORT),
                args::option("limit", "limit", LIMIT),
            ],
        },
        Form {
            words: &["top", "pods"],
            args: &[
                args::cluster(true),
                args::option("sort", "sort", SORT),
                args::option("limit", "limit", LIMIT),
            ],
        },
    ],
};

/// The runbook's `| head -20`.
const DEFAULT_LIMIT: usize = 20;

pub struct ClusterTop;

impl Operation for ClusterTop {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let sort = match request.args.text("sort") {
            Some("cpu") => SortBy::Cpu,
            _ => SortBy::Memory,
        };
        let limit = request
            .args
            .count("limit")
            .map_or(DEFAULT_LIMIT, |n| n as usize);
        let clusters = request.clusters.clone();
        Ok(if request.form.words.last() == Some(&"nodes") {
            vec![Box::new(TopNodes {
                clusters,
                sort,
                limit,
            })]
        } else {
            vec![Box::new(TopPods {
                clusters,
                sort,
                limit,
            })]
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SortBy {
    Memory,
    Cpu,
}

/// One measured object: a node, or a pod with its containers summed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Usage {
    pub namespace: String,
    pub name: String,
    pub cpu_millis: f64,
    pub memory_bytes: f64,
}

/// Heaviest first; equal ones by namespace and name so the order is stable between runs.
pub(crate) fn sort_usage(rows: &mut [Usage], by: SortBy) {
    let key = |u: &Usage| match by {
        SortBy::Memory => u.memory_bytes,
        SortBy::Cpu => u.cpu_millis,
    };
    rows.sort_by(|a, b| {
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(Ordering::Equal)
            .then_with(|| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)))
    });
}

// ---------------------------------------------------------------------------------------------
// Quantities

/// A Kubernetes quantity in base units (cores, bytes): `250m`, `12345678n`, `1.5`, `3907804Ki`,
/// `2Gi`, `1e3`, `128M`. `None` for anything else.
pub(crate) fn quantity(text: &str) -> Option<f64> {
    let text = text.trim();
    const BINARY: [(&str, f64); 6] = [
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("Pi", 1_125_899_906_842_624.0),
        ("Ei", 1_152_921_504_606_846_976.0),
    ];
    for (suffix, factor) in BINARY {
        if let Some(number) = text.strip_suffix(suffix) {
            return number_part(number).map(|n| n * factor);
        }
    }
    // `1e3` is an exponent, but `1E` is exa: only a digit after the `e` makes it an exponent.
    if let Some((mantissa, exponent)) = text.split_once(['e', 'E'])
        && !exponent.is_empty()
        && exponent
            .trim_start_matches(['+', '-'])
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        let exponent: i32 = exponent.parse().ok()?;
        return number_part(mantissa).map(|m| m * 10f64.powi(exponent));
    }
    let decimal = |suffix: char| match suffix {
        'n' => Some(1e-9),
        'u' => Some(1e-6),
        'm' => Some(1e-3),
        'k' => Some(1e3),
        'M' => Some(1e6),
        'G' => Some(1e9),
        'T' => Some(1e12),
        'P' => Some(1e15),
        'E' => Some(1e18),
        _ => None,
    };
    match text.chars().last() {
        Some(c) if c.is_ascii_digit() => number_part(text),
        Some(c) => {
            let factor = decimal(c)?;
            number_part(&text[..text.len() - c.len_utf8()]).map(|n| n * factor)
        }
        None => None,
    }
}

/// The signed decimal number before a quantity's suffix; no `inf`, `NaN` or empty strings.
fn number_part(text: &str) -> Option<f64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    text.parse().ok()
}

/// CPU in millicores, the unit `kubectl top` shows.
pub(crate) fn cpu_millis(text: &str) -> Option<f64> {
    quantity(text).map(|cores| cores * 1000.0)
}

/// `123m`, as kubectl prints CPU.
pub(crate) fn show_millis(millis: f64) -> String {
    format!("{}m", millis.round() as i64)
}

/// `512Mi`, as kubectl prints memory.
pub(crate) fn show_mebibytes(bytes: f64) -> String {
    format!("{}Mi", (bytes / 1_048_576.0).round() as i64)
}

fn percent(part: f64, whole: Option<f64>) -> Cell {
    match whole {
        Some(whole) if whole > 0.0 => Cell::Text(format!("{}%", (part / whole * 100.0).round())),
        _ => Cell::Text("-".into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading metrics

fn node_metrics() -> kube::api::ApiResource {
    resource("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes")
}

fn pod_metrics() -> kube::api::ApiResource {
    resource("metrics.k8s.io", "v1beta1", "PodMetrics", "pods")
}

/// A metrics object's `usage` (a node's, or one container's).
fn usage_of(usage: &Value) -> (f64, f64) {
    let read = |name: &str, parse: fn(&str) -> Option<f64>| {
        usage.get(name).and_then(Value::as_str).and_then(parse)
    };
    (
        read("cpu", cpu_millis).unwrap_or(0.0),
        read("memory", quantity).unwrap_or(0.0),
    )
}

/// Every pod's usage, its containers summed; `None` when metrics.k8s.io is not served (no
/// metrics-server), which is an answer, not an error.
pub(crate) async fn pod_usage(
    client: kube::Client,
    cluster: &str,
) -> Result<Option<Vec<Usage>>, OpError> {
    let api = dynamic(client, &pod_metrics(), None);
    let Some(list) = not_found_is_none(api.list(&ListParams::default()).await)
        .map_err(|e| kube_error(cluster, e))?
    else {
        return Ok(None);
    };
    Ok(Some(list.items.iter().map(pod_row).collect()))
}

fn pod_row(pod: &DynamicObject) -> Usage {
    let (cpu_millis, memory_bytes) = pod
        .data
        .get("containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| usage_of(c.get("usage").unwrap_or(&Value::Null)))
        .fold((0.0, 0.0), |(c, m), (dc, dm)| (c + dc, m + dm));
    Usage {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        name: pod.metadata.name.clone().unwrap_or_default(),
        cpu_millis,
        memory_bytes,
    }
}

/// A node's usage with its allocatable CPU (millicores) and memory (bytes), for the percent
/// columns.
struct NodeUsage {
    usage: Usage,
    allocatable: (Option<f64>, Option<f64>),
}

async fn node_usage(
    client: kube::Client,
    cluster: &str,
) -> Result<Option<Vec<NodeUsage>>, OpError> {
    let err = |e| kube_error(cluster, e);
    let metrics = dynamic(client.clone(), &node_metrics(), None);
    let Some(metrics) =
        not_found_is_none(metrics.list(&ListParams::default()).await).map_err(err)?
    else {
        return Ok(None);
    };
    let nodes: Api<Node> = Api::all(client);
    let nodes = nodes.list(&ListParams::default()).await.map_err(err)?;
    let allocatable = |name: &str| {
        let node = nodes
            .items
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(name));
        let of = |resource: &str, parse: fn(&str) -> Option<f64>| {
            node.and_then(|n| n.status.as_ref())
                .and_then(|s| s.allocatable.as_ref())
                .and_then(|a| a.get(resource))
                .and_then(|q| parse(&q.0))
        };
        (of("cpu", cpu_millis), of("memory", quantity))
    };
    Ok(Some(
        metrics
            .items
            .iter()
            .map(|m| {
                let name = m.metadata.name.clone().unwrap_or_default();
                let (cpu_millis, memory_bytes) =
                    usage_of(m.data.get("usage").unwrap_or(&Value::Null));
                NodeUsage {
                    allocatable: allocatable(&name),
                    usage: Usage {
                        namespace: String::new(),
                        name,
                        cpu_millis,
                        memory_bytes,
                    },
                }
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Steps

/// `kubectl top nodes` on each cluster.
struct TopNodes {
    clusters: Vec<String>,
    sort: SortBy,
    limit: usize,
}

#[async_trait]
impl Step for TopNodes {
    fn plan(&self) -> Message {
        msg!("top-nodes-plan", clusters = self.clusters.join(", "))
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let results = each_cluster(cx, &self.clusters, |client, cluster| async move {
            node_usage(client, &cluster).await
        })
        .await;
        report_each(cx, results, |cx, cluster, nodes| {
            let mut usage: Vec<Usage> = nodes.iter().map(|n| n.usage.clone()).collect();
            sort_usage(&mut usage, self.sort);
            let total = usage.len();
            let mut table = Table::new(vec![
                msg!("top-col-node"),
                msg!("top-col-cpu"),
                msg!("top-col-cpu-percent"),
                msg!("top-col-memory"),
                msg!("top-col-memory-percent"),
            ]);
            for row in usage.iter().take(self.limit) {
                let (cpu, memory) = nodes
                    .iter()
                    .find(|n| n.usage.name == row.name)
                    .map_or((None, None), |n| n.allocatable);
                table.rows.push(vec![
                    Cell::Text(row.name.clone()),
                    Cell::Text(show_millis(row.cpu_millis)),
                    percent(row.cpu_millis, cpu),
                    Cell::Text(show_mebibytes(row.memory_bytes)),
                    percent(row.memory_bytes, memory),
                ]);
            }
            push_table(cx, cluster, table, total, self.limit);
        })
    }
}

/// `kubectl top pods -A --sort-by=memory | head -20` on each cluster.
struct TopPods {
    clusters: Vec<String>,
    sort: SortBy,
    limit: usize,
}

#[async_trait]
impl Step for TopPods {
    fn plan(&self) -> Message {
        msg!("top-pods-plan", clusters = self.clusters.join(", "))
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let results = each_cluster(cx, &self.clusters, |client, cluster| async move {
            pod_usage(client, &cluster).await
        })
        .await;
        report_each(cx, results, |cx, cluster, mut pods| {
            sort_usage(&mut pods, self.sort);
            let total = pods.len();
            let mut table = Table::new(vec![
                msg!("top-col-namespace"),
                msg!("top-col-pod"),
                msg!("top-col-cpu"),
                msg!("top-col-memory"),
            ]);
            for row in pods.iter().take(self.limit) {
                table.rows.push(vec![
                    Cell::Text(row.namespace.clone()),
                    Cell::Text(row.name.clone()),
                    Cell::Text(show_millis(row.cpu_millis)),
                    Cell::Text(show_mebibytes(row.memory_bytes)),
                ]);
            }
            push_table(cx, cluster, table, total, self.limit);
        })
    }
}

/// Each cluster that answered under its heading: a table, or "no metrics-server"; a failed
/// one is one line.
fn report_each<T>(
    cx: &mut RunContext<'_>,
    results: Vec<(String, Result<Option<T>, OpError>)>,
    mut render: impl FnMut(&mut RunContext<'_>, &str, T),
) -> Result<(), OpError> {
    k8s::report_each(cx, results, |cx, cluster, answer| {
        cx.report
            .push(Block::Heading(msg!("top-heading", cluster = cluster)));
        match answer {
            Some(rows) => render(cx, cluster, rows),
            None => cx
                .report
                .push(Block::Note(msg!("top-no-metrics", cluster = cluster))),
        }
    })
}

fn push_table(cx: &mut RunContext<'_>, cluster: &str, table: Table, total: usize, limit: usize) {
    if total == 0 {
        cx.report
            .push(Block::Note(msg!("top-no-samples", cluster = cluster)));
        return;
    }
    cx.report.push(Block::Table(table));
    if total > limit {
        cx.report.push(Block::Note(msg!(
            "top-limited",
            shown = limit,
            total = total
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_quantities_become_millicores() {
        assert_eq!(cpu_millis("250m"), Some(250.0));
        assert_eq!(cpu_millis("2"), Some(2000.0));
        assert_eq!(cpu_millis("1.5"), Some(1500.0));
        // metrics-server reports nanocores and microcores.
        assert_eq!(cpu_millis("12345678n").map(f64::round), Some(12.0));
        assert_eq!(cpu_millis("500u"), Some(0.5));
        assert_eq!(cpu_millis("fast"), None);
        assert_eq!(cpu_millis(""), None);
    }

    #[test]
    fn memory_quantities_become_bytes() {
        assert_eq!(quantity("3907804Ki"), Some(3907804.0 * 1024.0));
        assert_eq!(quantity("512Mi"), Some(536_870_912.0));
        assert_eq!(quantity("2Gi"), Some(2_147_483_648.0));
        assert_eq!(quantity("128M"), Some(128e6));
        assert_eq!(quantity("1e3"), Some(1000.0));
        assert_eq!(quantity("1E"), Some(1e18));
        assert_eq!(quantity("123456789"), Some(123_456_789.0));
        assert_eq!(quantity("12Xi"), None);
        assert_eq!(quantity("Mi"), None);
    }

    #[test]
    fn shown_in_kubectl_units() {
        assert_eq!(show_millis(12.4), "12m");
        assert_eq!(show_mebibytes(536_870_912.0), "512Mi");
        assert_eq!(percent(500.0, Some(2000.0)), Cell::Text("25%".into()));
        assert_eq!(percent(500.0, None), Cell::Text("-".into()));
    }

    fn usage(name: &str, cpu: f64, mem: f64) -> Usage {
        Usage {
            namespace: "app".into(),
            name: name.into(),
            cpu_millis: cpu,
            memory_bytes: mem,
        }
    }

    #[test]
    fn sorting_puts_the_heaviest_first_and_breaks_ties_by_name() {
        let mut rows = vec![
            usage("b", 10.0, 100.0),
            usage("a", 500.0, 100.0),
            usage("c", 20.0, 900.0),
        ];
        sort_usage(&mut rows, SortBy::Memory);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["c", "a", "b"]);
        sort_usage(&mut rows, SortBy::Cpu);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "c", "b"]);
    }

    #[test]
    fn a_pod_sums_its_containers() {
        let pod: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
            "metadata": { "name": "web-1", "namespace": "app" },
            "containers": [
                { "name": "app", "usage": { "cpu": "150m", "memory": "200Mi" } },
                { "name": "istio-proxy", "usage": { "cpu": "5000000n", "memory": "56Mi" } }
            ]
        }))
        .expect("pod metrics");
        let row = pod_row(&pod);
        assert_eq!(row.cpu_millis.round(), 155.0);
        assert_eq!(show_mebibytes(row.memory_bytes), "256Mi");
    }
}
