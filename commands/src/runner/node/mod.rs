//! The node runner: an argument vector run on one node through a one-shot Job.
//!
//! In runbook order: check the node exists (before anything is created), create the Job
//! ([`job::manifest`]) in `runners.node.namespace`, wait for its pod to start, stream its log
//! line by line as progress, read the container's exit code, and delete the Job with its pod.
//!
//! The deletion is not optional: a privileged pod with the host's root mounted must not stay
//! behind. It happens on success, on failure, on timeout, and when the run's future is
//! dropped half way (a [`JobGuard`] spawns it then). Should the bot die before that,
//! `activeDeadlineSeconds` stops the pod and `ttlSecondsAfterFinished` removes the Job.

mod follow;
pub mod job;

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, DeleteParams, PostParams};

use super::{Exit, command_line};
use crate::k8s::kube_error;
use crate::{NodeRunnerSettings, OpError, Progress, msg};

use follow::Stage;

/// How long a pod may stay Pending (an image that does not pull, a node that does not admit
/// it) before the run gives up, when the run's own timeout is longer.
const START_LIMIT: Duration = Duration::from_secs(300);
/// How long the final deletion may take before it is left to the Job's TTL.
const DELETE_TIMEOUT: Duration = Duration::from_secs(10);

/// One command on one node of one cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeCommand {
    /// The cluster's name in the configuration, for messages.
    pub cluster: String,
    pub node: String,
    /// Run on the host after `chroot /host`: `["crictl", "rmi", "--prune"]`.
    pub argv: Vec<String>,
    /// `runners.node.timeout` (default 10 minutes) when `None`.
    pub timeout: Option<Duration>,
}

impl NodeCommand {
    pub fn new<S: Into<String>>(
        cluster: impl Into<String>,
        node: impl Into<String>,
        argv: impl IntoIterator<Item = S>,
    ) -> Self {
        NodeCommand {
            cluster: cluster.into(),
            node: node.into(),
            argv: argv.into_iter().map(Into::into).collect(),
            timeout: None,
        }
    }

    /// `crictl rmi --prune`, quoted for reading.
    pub fn command_line(&self) -> String {
        command_line(&self.argv)
    }
}

/// Runs `call` on its node to the end. A non-zero exit is an error naming the node, the code
/// and the last line.
///
/// # Errors
/// The node does not exist (nothing is created then); the API refused or could not be reached;
/// the pod stayed Pending too long or the command outlived its timeout ([`OpError::Timeout`]);
/// the pod failed or vanished; the command exited non-zero ([`OpError::Failed`]).
pub async fn run(
    client: kube::Client,
    settings: &NodeRunnerSettings,
    call: &NodeCommand,
    progress: &dyn Progress,
) -> Result<Exit, OpError> {
    let (exit, reason) = run_to_end(client, settings, call, progress).await?;
    if exit.success() {
        Ok(exit)
    } else {
        Err(failed(call, &exit, &reason))
    }
}

/// Like [`run`], but any exit code is an answer (`systemctl is-active kubelet` says 3).
pub async fn run_any(
    client: kube::Client,
    settings: &NodeRunnerSettings,
    call: &NodeCommand,
    progress: &dyn Progress,
) -> Result<Exit, OpError> {
    Ok(run_to_end(client, settings, call, progress).await?.0)
}

/// The exit and the container's terminated reason (`Error`, `OOMKilled`).
pub(super) async fn run_to_end(
    client: kube::Client,
    settings: &NodeRunnerSettings,
    call: &NodeCommand,
    progress: &dyn Progress,
) -> Result<(Exit, String), OpError> {
    let cluster = call.cluster.as_str();
    if call.argv.is_empty() {
        return Err(OpError::Failed(msg!("runner-node-no-command")));
    }
    require_node(&client, call).await?;

    let run_id = job::run_id();
    let name = job::job_name(&run_id);
    let namespace = settings.namespace.as_str();
    let timeout = call.timeout.unwrap_or_else(|| settings.timeout());
    let jobs: Api<Job> = Api::namespaced(client.clone(), namespace);
    let manifest = job::manifest(&run_id, call, &settings.image, namespace, timeout);
    jobs.create(&PostParams::default(), &manifest)
        .await
        .map_err(|e| kube_error(cluster, e))?;
    let guard = JobGuard::new(jobs, name.clone());
    progress.report(msg!(
        "runner-node-created",
        job = name.as_str(),
        namespace = namespace,
        node = call.node.as_str()
    ));

    let pods: Api<Pod> = Api::namespaced(client, namespace);
    let stage = Mutex::new(Stage::Starting(None));
    let limits = follow::Limits {
        start: START_LIMIT.min(timeout),
    };
    let result = tokio::time::timeout(
        timeout,
        follow::follow(&pods, &run_id, call, limits, &stage, progress),
    )
    .await
    .unwrap_or_else(|_| {
        let stage = stage.lock().unwrap_or_else(PoisonError::into_inner);
        Err(stage.timeout(call, &name, timeout))
    });
    guard.delete().await;
    result
}

/// One sentence before anything is created, rather than a pod Pending for ever on a typo.
async fn require_node(client: &kube::Client, call: &NodeCommand) -> Result<(), OpError> {
    let nodes: Api<Node> = Api::all(client.clone());
    match nodes.get_opt(&call.node).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(OpError::Failed(msg!(
            "runner-node-unknown",
            node = call.node.as_str(),
            cluster = call.cluster.as_str()
        ))),
        Err(e) => Err(kube_error(&call.cluster, e)),
    }
}

pub(super) fn failed(call: &NodeCommand, exit: &Exit, reason: &str) -> OpError {
    let command = call.command_line();
    // The kubelet always says why; an API server that did not, reads as a plain error.
    let reason = if reason.is_empty() { "Error" } else { reason };
    OpError::Failed(match exit.tail.last() {
        Some(line) => msg!(
            "runner-node-exit",
            command = command.as_str(),
            node = call.node.as_str(),
            code = exit.code,
            reason = reason,
            last = line.text.as_str()
        ),
        None => msg!(
            "runner-node-exit-silent",
            command = command.as_str(),
            node = call.node.as_str(),
            code = exit.code,
            reason = reason
        ),
    })
}

/// Deletes the run's Job (and, in the background, its pod) when the run ends: awaited by
/// [`delete`](Self::delete) on every path of a run that completes, spawned from `Drop` when the
/// run's future is dropped before that.
struct JobGuard {
    jobs: Api<Job>,
    name: String,
    armed: bool,
}

impl JobGuard {
    fn new(jobs: Api<Job>, name: String) -> Self {
        JobGuard {
            jobs,
            name,
            armed: true,
        }
    }

    async fn delete(mut self) {
        self.armed = false;
        delete_job(self.jobs.clone(), self.name.clone()).await;
    }
}

impl Drop for JobGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(delete_job(self.jobs.clone(), self.name.clone()));
            }
            Err(_) => {
                tracing::warn!(job = %self.name, "no runtime to delete a node runner's Job; its TTL will");
            }
        }
    }
}

async fn delete_job(jobs: Api<Job>, name: String) {
    // Background: the Job goes now, the garbage collector takes its pod (the kubelet then
    // kills a command still running).
    let deleted = tokio::time::timeout(
        DELETE_TIMEOUT,
        jobs.delete(&name, &DeleteParams::background()),
    )
    .await;
    match deleted {
        Ok(Ok(_)) => {}
        Ok(Err(kube::Error::Api(status))) if status.code == 404 => {}
        Ok(Err(e)) => {
            tracing::warn!(job = %name, error = %e, "could not delete a node runner's Job")
        }
        Err(_) => tracing::warn!(job = %name, "deleting a node runner's Job timed out"),
    }
}
