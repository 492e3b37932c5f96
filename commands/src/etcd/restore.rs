//! etcd.restore: runbook §3.1, risk destructive. The pre-checklist as gates (the snapshot
//! exists in `backup.dir/C/`, it verifies, other admins are notified: the approval card posted
//! to the channel is that notice), then `scripts/backup/etcd-restore.sh`'s six steps on the
//! control-plane node of C (label `node-role.kubernetes.io/control-plane`), each a node Job
//! with an argument vector, and finally a bounded wait for the API server to answer.
//!
//! The snapshot lives on the bot's host; the node reads it at the same path. So `backup.dir`
//! must be the same absolute path on the control-plane node (the runbook's
//! `/var/backups/etcd`, shared or synced), which step 1 checks there with
//! `etcdctl snapshot status FILE`.
//!
//! # Why steps 2 to 6 run in one pod
//!
//! Step 2 stops the API server, and node Jobs are created through the API server: a Job per
//! step could not start until it is back. So steps 2–6 run in one pod created while the API
//! server still answers; the kubelet keeps it running through the outage. Its program is a
//! constant script of the runbook's commands; the snapshot, the node name and the timestamp
//! reach it as positional arguments (`"$1"`…), never spliced into its text. It echoes each
//! step as it starts, and those lines stream as progress.
//!
//! # Bound to the snapshot that was approved
//!
//! The gate that verifies the snapshot pins its SHA-256 ([`SNAPSHOT_SHA256`]), so the approval
//! covers that exact file, not just its name. After approval the file is hashed again on the
//! bot's host before anything runs, and once more on the node: the pod copies the snapshot
//! beside the data dir, hashes the copy and restores from that copy, so the bytes etcdctl
//! reads are the bytes that were approved, whoever writes to `backup.dir` meanwhile. The
//! script lives in [`script`], with what it does when a step fails (put everything back).

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};
use tokio::time::Instant;

use super::files;
use super::restore_checks::{Exists, Notified, StillApproved, Verifies, approved_sha256};
use super::restore_script as script;
use crate::k8s::{kube_error, single};
use crate::operation::PinKey;
use crate::runner::ProgramOutput;
use crate::runner::{RunOnNode, command_line};
use crate::spec::{Form, Kind};
use crate::{
    Block, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "etcd.restore",
    section: "3.1",
    risk: Risk::Destructive,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["etcd", "restore"],
        args: &[
            args::positional("snapshot", Kind::SnapshotFile),
            args::cluster_required(),
        ],
    }],
};

const CONTROL_PLANE: &str = "node-role.kubernetes.io/control-plane";
/// The runbook's `sleep 10` after stopping the API server.
const SETTLE: Duration = Duration::from_secs(10);
/// How long the API server may take to answer again.
const API_WAIT: Duration = Duration::from_secs(300);

/// The SHA-256 (hex, of the whole file) of the snapshot the restore was approved for.
pub const SNAPSHOT_SHA256: PinKey = PinKey::new("snapshot-sha256");

pub struct EtcdRestore;

impl Operation for EtcdRestore {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn gates(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let target = Target::of(request)?;
        Ok(vec![
            Box::new(Exists(target.clone())),
            Box::new(Verifies(target)),
            Box::new(Notified),
        ])
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let target = Target::of(request)?;
        Ok(restore_steps(&target, Utc::now(), SETTLE, API_WAIT))
    }
}

/// The snapshot and the cluster asked for.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Target {
    pub(super) cluster: String,
    pub(super) snapshot: String,
}

impl Target {
    fn of(request: &Request) -> Result<Target, OpError> {
        let cluster = request
            .cluster()
            .ok_or_else(|| OpError::Failed(msg!("restore-etcd-no-cluster")))?;
        let snapshot = request
            .args
            .text("snapshot")
            .ok_or(OpError::MissingFact("snapshot"))?;
        Ok(Target {
            cluster: cluster.to_string(),
            snapshot: snapshot.to_string(),
        })
    }

    /// `backup.dir/C/SNAPSHOT`, the same path on the bot's host and on the node.
    pub(super) fn path(&self, backup_dir: &std::path::Path) -> PathBuf {
        files::cluster_dir(backup_dir, &self.cluster).join(&self.snapshot)
    }
}

/// The steps after approval; `at` names the data-dir backup, `settle` is the runbook's sleep.
fn restore_steps(
    target: &Target,
    at: chrono::DateTime<Utc>,
    settle: Duration,
    api_wait: Duration,
) -> Vec<Box<dyn Step>> {
    let stamp = at.format("%Y%m%d-%H%M%S");
    let node = |number: u8, argv: Vec<Arg>| -> Box<dyn Step> {
        Box::new(OnControlPlane {
            cluster: target.cluster.clone(),
            number,
            argv,
        })
    };
    let word = |w: &str| Arg::Word(w.to_string());
    vec![
        Box::new(StillApproved(target.clone())),
        Box::new(FindControlPlane(target.cluster.clone())),
        node(
            1,
            vec![
                word("etcdctl"),
                word("snapshot"),
                word("status"),
                Arg::Snapshot(target.clone()),
                word("--write-out=table"),
            ],
        ),
        Box::new(RestoreInOnePod {
            cluster: target.cluster.clone(),
            target: target.clone(),
            stamp: stamp.to_string(),
            settle,
        }),
        Box::new(ApiAnswers {
            cluster: target.cluster.clone(),
            within: api_wait,
        }),
    ]
}

/// The control-plane node the six steps run on, found by the first step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ControlPlane(pub String);

/// Finds the control-plane node of the cluster by its label.
struct FindControlPlane(String);

#[async_trait]
impl Step for FindControlPlane {
    fn plan(&self) -> Message {
        msg!("restore-etcd-plan-find", cluster = self.0.as_str())
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.0).await?;
        let nodes: Api<Node> = Api::all(client);
        let list = nodes
            .list(&ListParams::default().labels(CONTROL_PLANE))
            .await
            .map_err(|e| kube_error(&self.0, e))?;
        let mut names: Vec<String> = list
            .items
            .into_iter()
            .filter_map(|n| n.metadata.name)
            .collect();
        names.sort();
        let node = match names.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(OpError::Failed(msg!(
                    "restore-etcd-no-control-plane",
                    cluster = self.0.as_str()
                )));
            }
            _ => {
                return Err(OpError::Failed(msg!(
                    "restore-etcd-many-control-planes",
                    cluster = self.0.as_str(),
                    nodes = names.join(", ")
                )));
            }
        };
        cx.progress
            .report(msg!("restore-etcd-control-plane", node = node.as_str()));
        cx.facts.insert(ControlPlane(node));
        Ok(())
    }
}

/// One word of a node step's argv; some are known only once the node is.
#[derive(Clone, Debug, PartialEq)]
enum Arg {
    Word(String),
    /// The snapshot's path under `backup.dir`.
    Snapshot(Target),
}

/// One of the runbook's six steps, on the control-plane node.
struct OnControlPlane {
    cluster: String,
    number: u8,
    argv: Vec<Arg>,
}

impl OnControlPlane {
    fn argv(&self, backup_dir: Option<&std::path::Path>) -> Vec<String> {
        self.argv
            .iter()
            .map(|a| match a {
                Arg::Word(w) => w.clone(),
                Arg::Snapshot(t) => match backup_dir {
                    Some(dir) => t.path(dir).display().to_string(),
                    None => t.snapshot.clone(),
                },
            })
            .collect()
    }
}

#[async_trait]
impl Step for OnControlPlane {
    fn plan(&self) -> Message {
        msg!(
            "restore-etcd-plan-step",
            number = u32::from(self.number),
            command = command_line(self.argv(None)),
            cluster = self.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let node = cx.facts.require::<ControlPlane>()?.0.clone();
        let argv = self.argv(Some(&cx.settings.backup.dir));
        cx.progress.report(msg!(
            "restore-etcd-step",
            number = u32::from(self.number),
            node = node.as_str()
        ));
        RunOnNode::new(self.cluster.as_str(), node.as_str(), argv)
            .run(cx)
            .await?;
        Ok(())
    }
}

/// Steps 2–6 in one pod on the control-plane node, which outlives the API server's absence.
struct RestoreInOnePod {
    cluster: String,
    target: Target,
    stamp: String,
    settle: Duration,
}

impl RestoreInOnePod {
    fn argv(&self, backup_dir: &std::path::Path, node: &str, sha256: &str) -> Vec<String> {
        script::argv(
            &self.target.path(backup_dir).display().to_string(),
            node,
            &self.stamp,
            self.settle,
            sha256,
        )
    }
}

#[async_trait]
impl Step for RestoreInOnePod {
    fn plan(&self) -> Message {
        msg!(
            "restore-etcd-plan-one-pod",
            cluster = self.cluster.as_str(),
            stamp = self.stamp.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let approved = approved_sha256(cx, &self.target)?.to_string();
        let node = cx.facts.require::<ControlPlane>()?.0.clone();
        let argv = self.argv(&cx.settings.backup.dir, &node, &approved);
        let ran = RunOnNode::new(self.cluster.as_str(), node.as_str(), argv)
            .run(cx)
            .await;
        let Err(failure) = ran else {
            return Ok(());
        };
        // The script's exit status says what state it left the node in.
        let Some(output) = cx.facts.get::<ProgramOutput>() else {
            return Err(failure);
        };
        let last = output
            .tail
            .last()
            .map(|l| l.text.clone())
            .unwrap_or_default();
        let snapshot = self.target.snapshot.as_str();
        let said = match script::Ending::of(output.exit) {
            Some(script::Ending::SnapshotChanged) => msg!(
                "restore-etcd-changed-on-node",
                node = node.as_str(),
                snapshot = snapshot
            ),
            Some(script::Ending::PutBack) => {
                msg!("restore-etcd-put-back", node = node.as_str(), last = last)
            }
            Some(script::Ending::PutBackFailed) => msg!(
                "restore-etcd-put-back-failed",
                node = node.as_str(),
                last = last
            ),
            None => return Err(failure),
        };
        Err(OpError::Failed(said))
    }
}

/// The check after the six steps: the API server answers `/version` again, within a bound.
struct ApiAnswers {
    cluster: String,
    within: Duration,
}

#[async_trait]
impl Step for ApiAnswers {
    fn plan(&self) -> Message {
        msg!(
            "restore-etcd-plan-api",
            cluster = self.cluster.as_str(),
            seconds = self.within.as_secs()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let deadline = Instant::now() + self.within;
        loop {
            let asked = tokio::time::timeout_at(deadline, client.apiserver_version()).await;
            match asked {
                Ok(Ok(version)) => {
                    cx.report.push(Block::Note(msg!(
                        "restore-etcd-api-answers",
                        cluster = self.cluster.as_str(),
                        version = version.git_version.as_str()
                    )));
                    return Ok(());
                }
                Ok(Err(_)) if Instant::now() + Duration::from_secs(2) < deadline => {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                _ => {
                    return Err(OpError::Timeout {
                        what: format!("the API server of {}", self.cluster),
                        after: self.within,
                    });
                }
            }
        }
    }
}
