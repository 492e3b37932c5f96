//! Following a run's pod: wait for it to start, stream its log as progress, read its exit.
//!
//! The pod's status is polled (every [`POLL`]) rather than watched: a run lasts seconds to
//! minutes and one GET per half second is cheap and survives API hiccups without a relist.
//! The log is followed as it is written; when the container has terminated the runner waits
//! [`LOG_GRACE`] for the stream to end, then reads what it may have missed in one go, so a
//! stream cut early (or an API server that keeps it open) loses no line.

use std::io;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::AsyncReadExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams};
use tokio::time::Instant;

use super::NodeCommand;
use super::job::{CONTAINER, RUN_LABEL};
use crate::k8s::kube_error;
use crate::runner::Exit;
use crate::runner::lines::{LineSink, Splitter};
use crate::{OpError, Progress, msg};

/// How often the pod's status is read.
const POLL: Duration = Duration::from_millis(500);
/// After the container terminated, how long the log stream may take to end by itself.
const LOG_GRACE: Duration = Duration::from_secs(1);
const READ_BUFFER: usize = 8 * 1024;

pub(super) struct Limits {
    /// How long the pod may take to start.
    pub start: Duration,
}

/// Where a run is, so that a timeout says whether the pod never started or the command never
/// ended.
pub(super) enum Stage {
    /// The pod is not running yet; the kubelet's last waiting reason (`ImagePullBackOff`).
    Starting(Option<String>),
    Running,
}

impl Stage {
    pub fn timeout(&self, call: &NodeCommand, job: &str, after: Duration) -> OpError {
        let node = &call.node;
        let what = match self {
            Stage::Starting(Some(reason)) => format!("{job} on node {node} (Pending: {reason})"),
            Stage::Starting(None) => format!("{job} on node {node} (Pending)"),
            Stage::Running => format!("`{}` on node {node}", call.command_line()),
        };
        OpError::Timeout { what, after }
    }
}

/// What the pod's status says about the run.
#[derive(Debug, PartialEq)]
enum PodState {
    Waiting(Option<String>),
    Running,
    Terminated {
        code: i32,
        reason: String,
    },
    /// The pod failed without the command having run to an exit (evicted, refused by the
    /// kubelet, past its deadline).
    Failed(String),
}

/// Waits for the pod, streams its log and returns its exit and terminated reason.
pub(super) async fn follow(
    pods: &Api<Pod>,
    run_id: &str,
    call: &NodeCommand,
    limits: Limits,
    stage: &Mutex<Stage>,
    progress: &dyn Progress,
) -> Result<(Exit, String), OpError> {
    let job = super::job::job_name(run_id);
    let pod = wait_started(pods, run_id, call, limits.start, stage, progress).await?;
    *stage.lock().unwrap_or_else(PoisonError::into_inner) = Stage::Running;
    progress.report(msg!(
        "runner-node-running",
        pod = pod.as_str(),
        node = call.node.as_str()
    ));
    let mut sink = LineSink::new(progress);
    let (code, reason) = stream_log(pods, &pod, call, &mut sink)
        .await
        .map_err(|e| match e {
            Stop::Error(e) => e,
            Stop::Gone => OpError::Failed(msg!(
                "runner-node-pod-gone",
                job = job.as_str(),
                node = call.node.as_str()
            )),
        })?;
    Ok((
        Exit {
            code,
            tail: sink.tail,
        },
        reason,
    ))
}

/// The run's pod once it runs (or already ran); Pending beyond `limit` is a timeout.
async fn wait_started(
    pods: &Api<Pod>,
    run_id: &str,
    call: &NodeCommand,
    limit: Duration,
    stage: &Mutex<Stage>,
    progress: &dyn Progress,
) -> Result<String, OpError> {
    let job = super::job::job_name(run_id);
    let params = ListParams::default().labels(&format!("{RUN_LABEL}={run_id}"));
    let started = Instant::now();
    let mut last_reason = None;
    loop {
        let pod = match pods.list(&params).await {
            // backoffLimit 0: one pod, unless someone deleted it and the Job made another.
            Ok(list) => list.items.into_iter().max_by(|a, b| {
                a.metadata
                    .creation_timestamp
                    .cmp(&b.metadata.creation_timestamp)
            }),
            Err(e) if transient(&e) => None,
            Err(e) => return Err(kube_error(&call.cluster, e)),
        };
        let state = pod.as_ref().map_or(PodState::Waiting(None), state_of);
        let name = pod.and_then(|p| p.metadata.name).unwrap_or_default();
        match state {
            PodState::Running | PodState::Terminated { .. } => return Ok(name),
            PodState::Failed(reason) => return Err(pod_failed(call, &name, &reason)),
            PodState::Waiting(reason) if reason != last_reason => {
                if let Some(reason) = &reason {
                    progress.report(msg!(
                        "runner-node-waiting",
                        node = call.node.as_str(),
                        reason = reason.as_str()
                    ));
                }
                *stage.lock().unwrap_or_else(PoisonError::into_inner) =
                    Stage::Starting(reason.clone());
                last_reason = reason;
            }
            PodState::Waiting(_) => {}
        }
        if started.elapsed() >= limit {
            let stage = stage.lock().unwrap_or_else(PoisonError::into_inner);
            return Err(stage.timeout(call, &job, limit));
        }
        tokio::time::sleep(POLL).await;
    }
}

enum Stop {
    Error(OpError),
    /// The pod was deleted under the run.
    Gone,
}

/// Follows the log until the container has terminated; its exit code and reason.
async fn stream_log(
    pods: &Api<Pod>,
    pod: &str,
    call: &NodeCommand,
    sink: &mut LineSink<'_>,
) -> Result<(i32, String), Stop> {
    let params = LogParams {
        container: Some(CONTAINER.to_string()),
        follow: true,
        ..LogParams::default()
    };
    let mut stream = match pods.log_stream(pod, &params).await {
        Ok(stream) => Some(Box::pin(stream)),
        Err(e) => {
            // Followed again on the next poll; the catch-up read at the end is the last resort.
            tracing::warn!(pod, error = %e, "could not follow a node runner's log");
            None
        }
    };
    let mut splitter = Splitter::default();
    let mut buf = vec![0u8; READ_BUFFER];
    let mut consumed = 0;
    // A follow opened again starts at the log's beginning: this many bytes were delivered.
    let mut skip = 0;
    let mut complete = false;
    let mut ended: Option<(i32, String)> = None;
    let mut stop_reading = None;
    let mut ticker = tokio::time::interval(POLL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if let (Some(ended), None) = (&ended, &stream) {
            if !complete {
                catch_up(pods, pod, consumed, &mut splitter, sink).await;
            }
            return Ok(ended.clone());
        }
        tokio::select! {
            biased;
            read = read_some(&mut stream, &mut buf) => match read {
                Ok(0) => {
                    // Only a stream that ends after the container did has all of the log; one
                    // that ends before (an API server going away cleanly) is followed again.
                    complete = ended.is_some();
                    stream = None;
                    // A line cut short is finished by the stream that follows, or by catch_up.
                    if complete && let Some(line) = splitter.finish() {
                        sink.line(line, false);
                    }
                }
                Ok(n) => {
                    let seen = skip.min(n);
                    skip -= seen;
                    consumed += n - seen;
                    for line in splitter.push(&buf[seen..n]) {
                        sink.line(line, false);
                    }
                }
                Err(e) => {
                    tracing::warn!(pod, error = %e, "a node runner's log stream broke");
                    stream = None;
                }
            },
            _ = ticker.tick(), if ended.is_none() => {
                if let Some(exit) = poll_exit(pods, pod, call).await? {
                    ended = Some(exit);
                    stop_reading = Some(Instant::now() + LOG_GRACE);
                } else if stream.is_none() {
                    // The stream was cut (an API server outage, a read timeout on a quiet
                    // command): follow again, so later lines still arrive as they are written.
                    if let Ok(again) = pods.log_stream(pod, &params).await {
                        stream = Some(Box::pin(again));
                        skip = consumed;
                    }
                }
            }
            () = sleep_until(stop_reading) => stream = None,
        }
    }
}

/// The container's exit once it has terminated; `None` while it runs.
async fn poll_exit(
    pods: &Api<Pod>,
    pod: &str,
    call: &NodeCommand,
) -> Result<Option<(i32, String)>, Stop> {
    match pods.get_opt(pod).await {
        Ok(None) => Err(Stop::Gone),
        Ok(Some(found)) => match state_of(&found) {
            PodState::Terminated { code, reason } => Ok(Some((code, reason))),
            PodState::Failed(reason) => Err(Stop::Error(pod_failed(call, pod, &reason))),
            PodState::Running | PodState::Waiting(_) => Ok(None),
        },
        // A hiccup of the API server must not end (and so kill) a command half way.
        Err(e) if transient(&e) => Ok(None),
        Err(e) => Err(Stop::Error(kube_error(&call.cluster, e))),
    }
}

/// Reads the whole log once more and reports what the follow did not deliver.
async fn catch_up(
    pods: &Api<Pod>,
    pod: &str,
    consumed: usize,
    splitter: &mut Splitter,
    sink: &mut LineSink<'_>,
) {
    let params = LogParams {
        container: Some(CONTAINER.to_string()),
        ..LogParams::default()
    };
    let mut text = Vec::new();
    let read = match pods.log_stream(pod, &params).await {
        Ok(stream) => Box::pin(stream).read_to_end(&mut text).await.map(|_| ()),
        Err(e) => Err(io::Error::other(e)),
    };
    if let Err(e) = read {
        tracing::warn!(pod, error = %e, "could not read the rest of a node runner's log");
    }
    for line in splitter.push(text.get(consumed..).unwrap_or_default()) {
        sink.line(line, false);
    }
    if let Some(line) = splitter.finish() {
        sink.line(line, false);
    }
}

async fn read_some<R: futures_util::AsyncRead + Unpin>(
    stream: &mut Option<R>,
    buf: &mut [u8],
) -> io::Result<usize> {
    match stream {
        Some(stream) => stream.read(buf).await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn state_of(pod: &Pod) -> PodState {
    let status = pod.status.as_ref();
    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
    let container = status
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|all| all.iter().find(|c| c.name == CONTAINER))
        .and_then(|c| c.state.as_ref());
    if let Some(state) = container {
        if let Some(terminated) = &state.terminated {
            return PodState::Terminated {
                code: terminated.exit_code,
                reason: terminated.reason.clone().unwrap_or_default(),
            };
        }
        if state.running.is_some() {
            return PodState::Running;
        }
        if let (Some(waiting), false) = (&state.waiting, phase == "Failed") {
            return PodState::Waiting(waiting.reason.clone());
        }
    }
    match phase {
        "Failed" => PodState::Failed(
            status
                .and_then(|s| s.reason.clone().or_else(|| s.message.clone()))
                .unwrap_or_else(|| phase.to_string()),
        ),
        "Succeeded" => PodState::Terminated {
            code: 0,
            reason: "Completed".to_string(),
        },
        "Running" => PodState::Running,
        _ => PodState::Waiting(None),
    }
}

fn pod_failed(call: &NodeCommand, pod: &str, reason: &str) -> OpError {
    OpError::Failed(msg!(
        "runner-node-pod-failed",
        pod = pod,
        node = call.node.as_str(),
        reason = reason
    ))
}

/// Errors worth another try: the server busy or down for a moment, the connection cut.
fn transient(error: &kube::Error) -> bool {
    match error {
        kube::Error::Api(status) => status.code == 429 || status.code >= 500,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod(status: serde_json::Value) -> Pod {
        serde_json::from_value(json!({ "metadata": { "name": "p" }, "status": status }))
            .expect("a pod")
    }

    #[test]
    fn the_container_state_decides_before_the_phase() {
        let waiting = pod(json!({ "phase": "Pending", "containerStatuses": [
            { "name": "run", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
              "state": { "waiting": { "reason": "ImagePullBackOff" } } }] }));
        assert_eq!(
            state_of(&waiting),
            PodState::Waiting(Some("ImagePullBackOff".into()))
        );
        let done = pod(json!({ "phase": "Failed", "containerStatuses": [
            { "name": "run", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
              "state": { "terminated": { "exitCode": 137, "reason": "OOMKilled" } } }] }));
        assert_eq!(
            state_of(&done),
            PodState::Terminated {
                code: 137,
                reason: "OOMKilled".into()
            }
        );
        let evicted = pod(json!({ "phase": "Failed", "reason": "Evicted" }));
        assert_eq!(state_of(&evicted), PodState::Failed("Evicted".into()));
        assert_eq!(state_of(&pod(json!({}))), PodState::Waiting(None));
    }
}
