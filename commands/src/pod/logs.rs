//! pod.logs: runbook §5.1, risk read. `kubectl logs POD -n NS [-c C] [--previous]`, and
//! `kubectl logs -f` for a bounded time: each line goes out as progress while it is followed,
//! and the report keeps the text (its last lines) for the chat to post as a file or thread.

use std::collections::VecDeque;
use std::time::Duration;

use async_trait::async_trait;
// `lines()` needs futures-util's `io` feature, which kube-client's `futures/std` turns on.
use futures_util::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};

use super::{bounded, container_names, get, target};
use crate::k8s::{kube_error, single};
use crate::{
    Arg, Block, Form, How, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope,
    Spec, Step, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "pod.logs",
    section: "5.1",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["pod", "logs"],
        args: &[
            args::positional("pod", Kind::Name),
            args::namespace_required(),
            // `-c` is the container here, as in kubectl; the cluster is `--cluster`.
            Arg {
                name: "container",
                kind: Kind::Name,
                how: How::Option {
                    long: "container",
                    short: Some('c'),
                    required: false,
                },
            },
            Arg {
                name: "cluster",
                kind: Kind::Cluster { all: false },
                how: How::Option {
                    long: "cluster",
                    short: None,
                    required: false,
                },
            },
            args::switch("previous", "previous"),
            args::option(
                "tail",
                "tail",
                Kind::Count {
                    min: 1,
                    max: 100_000,
                },
            ),
            args::option("follow", "follow", Kind::Duration),
        ],
    }],
};

/// Lines asked for when `--tail` is not given, following or not: a day of a chatty pod's log
/// would otherwise flood the channel line by line.
const DEFAULT_TAIL: u64 = 200;
/// Lines the report keeps; earlier ones were already shown as progress or are cut.
const KEEP_LINES: usize = 2000;
/// A follow holds a stream and a chat thread open; longer watches belong in Grafana.
const MAX_FOLLOW: Duration = Duration::from_secs(3600);
/// The client's read timeout cuts a quiet stream; it is reopened this many times at most.
const MAX_REOPEN: u32 = 20;
/// The annotation kubectl reads to pick a multi-container pod's container.
const DEFAULT_CONTAINER: &str = "kubectl.kubernetes.io/default-container";

pub struct PodLogs;

impl Operation for PodLogs {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, namespace, pod) = target(request)?;
        let follow = request.args.duration("follow");
        if follow.is_some_and(|f| f > MAX_FOLLOW) {
            return Err(OpError::Failed(msg!(
                "pod-logs-follow-too-long",
                max = humantime::format_duration(MAX_FOLLOW).to_string()
            )));
        }
        Ok(vec![Box::new(ReadLogs {
            cluster,
            namespace,
            pod,
            container: request.args.text("container").map(String::from),
            previous: request.args.switch("previous"),
            tail: request.args.count("tail").unwrap_or(DEFAULT_TAIL),
            // A previous container's log is finished: there is nothing to follow.
            follow: follow.filter(|_| !request.args.switch("previous")),
        })])
    }
}

struct ReadLogs {
    cluster: String,
    namespace: String,
    pod: String,
    container: Option<String>,
    previous: bool,
    tail: u64,
    follow: Option<Duration>,
}

#[async_trait]
impl Step for ReadLogs {
    fn plan(&self) -> Message {
        let (pod, namespace, cluster) = (
            self.pod.as_str(),
            self.namespace.as_str(),
            self.cluster.as_str(),
        );
        match self.follow {
            Some(follow) => msg!(
                "pod-logs-follow-plan",
                pod = pod,
                namespace = namespace,
                cluster = cluster,
                duration = humantime::format_duration(follow).to_string()
            ),
            None => msg!(
                "pod-logs-plan",
                pod = pod,
                namespace = namespace,
                cluster = cluster
            ),
        }
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let (client, container) = bounded(cx, &self.cluster, async {
            let client = single(cx, &self.cluster).await?;
            let pod = get(&client, &self.cluster, &self.namespace, &self.pod).await?;
            let container = choose_container(&pod, self.container.as_deref())?;
            Ok((client, container))
        })
        .await?;
        let params = LogParams {
            container: container.clone(),
            previous: self.previous,
            tail_lines: i64::try_from(self.tail).ok(),
            follow: self.follow.is_some(),
            ..LogParams::default()
        };
        let api: Api<Pod> = Api::namespaced(client, &self.namespace);
        let mut kept = Kept::new(KEEP_LINES);
        let end = match self.follow {
            None => {
                let text = api
                    .logs(&self.pod, &params)
                    .await
                    .map_err(|e| kube_error(&self.cluster, e))?;
                text.lines().for_each(|line| kept.push(line.to_string()));
                None
            }
            Some(follow) => Some(self.follow(cx, &api, params, follow, &mut kept).await?),
        };
        cx.report.push(Block::Heading(msg!(
            "pod-logs-heading",
            pod = self.pod.as_str(),
            container = container.as_deref().unwrap_or("-"),
            namespace = self.namespace.as_str(),
            cluster = self.cluster.as_str()
        )));
        if kept.total == 0 {
            cx.report.push(Block::Note(msg!("pod-logs-empty")));
        } else {
            cx.report.push(Block::Text(kept.text()));
            if kept.total > kept.lines.len() {
                cx.report.push(Block::Note(msg!(
                    "pod-logs-cut",
                    shown = kept.lines.len(),
                    total = kept.total
                )));
            }
        }
        let duration = |d: Duration| humantime::format_duration(d).to_string();
        match end {
            Some((End::Deadline, follow)) => cx.report.push(Block::Note(msg!(
                "pod-logs-followed",
                duration = duration(follow)
            ))),
            Some((End::Closed, follow)) => cx.report.push(Block::Note(msg!(
                "pod-logs-stream-ended",
                duration = duration(follow)
            ))),
            None => {}
        }
        Ok(())
    }
}

/// Why a follow stopped.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// `--follow`'s time was up.
    Deadline,
    /// The server closed the stream: the container stopped or the pod went away.
    Closed,
}

impl ReadLogs {
    /// Streams lines as progress until the deadline. A stream cut by the client's read timeout
    /// (a quiet container) is reopened from its end (`tailLines=0`); a line written in that
    /// instant can be missed, which a bounded look at a live log can afford.
    async fn follow(
        &self,
        cx: &RunContext<'_>,
        api: &Api<Pod>,
        mut params: LogParams,
        follow: Duration,
        kept: &mut Kept,
    ) -> Result<(End, Duration), OpError> {
        let deadline = tokio::time::Instant::now() + follow;
        let mut reopened = 0;
        loop {
            let opened = tokio::time::timeout_at(deadline, api.log_stream(&self.pod, &params));
            let stream = match opened.await {
                Err(_) => return Ok((End::Deadline, follow)),
                Ok(stream) => stream.map_err(|e| kube_error(&self.cluster, e))?,
            };
            let mut lines = Box::pin(stream).lines();
            let error = loop {
                match tokio::time::timeout_at(deadline, lines.next()).await {
                    Err(_) => return Ok((End::Deadline, follow)),
                    Ok(None) => return Ok((End::Closed, follow)),
                    Ok(Some(Ok(line))) => {
                        cx.progress
                            .report(msg!("pod-logs-line", line = line.as_str()));
                        kept.push(line);
                    }
                    Ok(Some(Err(e))) => break e,
                }
            };
            if reopened == MAX_REOPEN {
                return Err(OpError::Unreachable {
                    target: self.cluster.clone(),
                    reason: error.to_string(),
                });
            }
            reopened += 1;
            params.tail_lines = Some(0);
        }
    }
}

/// The container to read: the one asked for, the pod's only one, or the one kubectl's
/// default-container annotation names. A pod with several and no choice gets their names back,
/// where the API server would pick the first silently.
fn choose_container(pod: &Pod, asked: Option<&str>) -> Result<Option<String>, OpError> {
    if let Some(asked) = asked {
        return Ok(Some(asked.to_string()));
    }
    let names = container_names(pod);
    if names.len() <= 1 {
        return Ok(names.into_iter().next());
    }
    let annotated = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(DEFAULT_CONTAINER))
        .filter(|name| names.contains(name));
    match annotated {
        Some(name) => Ok(Some(name.clone())),
        None => Err(OpError::Failed(msg!(
            "pod-logs-choose-container",
            pod = pod.metadata.name.as_deref().unwrap_or(""),
            containers = names.join(", ")
        ))),
    }
}

/// The last `limit` lines of a log and how many there were in all.
struct Kept {
    lines: VecDeque<String>,
    limit: usize,
    total: usize,
}

impl Kept {
    fn new(limit: usize) -> Self {
        Kept {
            lines: VecDeque::new(),
            limit,
            total: 0,
        }
    }

    fn push(&mut self, line: String) {
        self.total += 1;
        if self.lines.len() == self.limit {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    fn text(&self) -> String {
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kept_holds_the_last_lines_and_counts_all() {
        let mut kept = Kept::new(2);
        for line in ["a", "b", "c"] {
            kept.push(line.to_string());
        }
        assert_eq!(kept.text(), "b\nc\n");
        assert_eq!(kept.total, 3);
    }

    fn pod(annotations: serde_json::Value, containers: &[&str]) -> Pod {
        let containers: Vec<_> = containers
            .iter()
            .map(|c| json!({ "name": c, "image": "x" }))
            .collect();
        serde_json::from_value(json!({
            "metadata": { "name": "web-1", "annotations": annotations },
            "spec": { "containers": containers }
        }))
        .expect("pod")
    }

    #[test]
    fn a_single_container_needs_no_choice() {
        let single = pod(json!({}), &["app"]);
        assert_eq!(
            choose_container(&single, None).ok(),
            Some(Some("app".into()))
        );
    }

    #[test]
    fn several_containers_without_a_choice_are_named() {
        let two = pod(json!({}), &["app", "istio-proxy"]);
        let Err(OpError::Failed(message)) = choose_container(&two, None) else {
            panic!("expected a refusal");
        };
        assert_eq!(message.id, "pod-logs-choose-container");
        assert_eq!(
            message.get("containers").map(ToString::to_string),
            Some("app, istio-proxy".into())
        );
        assert_eq!(
            choose_container(&two, Some("istio-proxy")).ok(),
            Some(Some("istio-proxy".into()))
        );
    }

    #[test]
    fn the_default_container_annotation_is_honoured() {
        let annotated = pod(json!({ DEFAULT_CONTAINER: "app" }), &["istio-proxy", "app"]);
        assert_eq!(
            choose_container(&annotated, None).ok(),
            Some(Some("app".into()))
        );
    }
}
