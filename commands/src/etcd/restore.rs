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

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};
use tokio::time::Instant;

use super::files;
use super::verify::verify_file_async;
use crate::k8s::{kube_error, single};
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
struct Target {
    cluster: String,
    snapshot: String,
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
    fn path(&self, backup_dir: &std::path::Path) -> PathBuf {
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

/// Gate 1: the snapshot file is in `backup.dir/C/`.
struct Exists(Target);

#[async_trait]
impl Step for Exists {
    fn plan(&self) -> Message {
        msg!(
            "restore-etcd-gate-exists",
            snapshot = self.0.snapshot.as_str(),
            cluster = self.0.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let path = self.0.path(&cx.settings.backup.dir);
        match tokio::fs::metadata(&path).await {
            Ok(meta) if meta.is_file() => Ok(()),
            Ok(_) => Err(missing(&self.0, &path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(missing(&self.0, &path)),
            Err(e) => Err(OpError::io(&path, e)),
        }
    }
}

fn missing(target: &Target, path: &std::path::Path) -> OpError {
    OpError::Failed(msg!(
        "restore-etcd-missing",
        snapshot = target.snapshot.as_str(),
        path = path.display().to_string()
    ))
}

/// Gate 2: the file is a whole etcd snapshot (etcd's SHA-256, a readable database).
struct Verifies(Target);

#[async_trait]
impl Step for Verifies {
    fn plan(&self) -> Message {
        msg!(
            "restore-etcd-gate-verifies",
            snapshot = self.0.snapshot.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let path = self.0.path(&cx.settings.backup.dir);
        let verified = verify_file_async(&path).await.map_err(|e| match e {
            OpError::Verification(reason) => OpError::Failed(msg!(
                "restore-etcd-corrupt",
                snapshot = self.0.snapshot.as_str(),
                reason = reason
            )),
            other => other,
        })?;
        let verified = msg!(
            "restore-etcd-verified",
            snapshot = self.0.snapshot.as_str(),
            revision = verified.revision,
            keys = verified.total_keys,
            sha256 = verified.sha256.as_str()
        );
        cx.progress.report(verified.clone());
        cx.report.push(Block::Note(verified));
        Ok(())
    }
}

/// Gate 3: other admins are notified. Gates run only when a request is put to approval, and
/// the approval card that follows is posted to the channel: that card is the notice.
struct Notified;

#[async_trait]
impl Step for Notified {
    fn plan(&self) -> Message {
        msg!("restore-etcd-gate-notified")
    }

    async fn run(&self, _cx: &mut RunContext<'_>) -> Result<(), OpError> {
        Ok(())
    }
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

/// Steps 2–6 of §3.1, as the runbook's script runs them: `"$1"` the snapshot, `"$2"` the
/// node, `"$3"` the timestamp of the data-dir backup, `"$4"` the seconds to let the API
/// server stop. Each step says its number before it runs, so a failure shows where it stopped.
const RESTORE_SCRIPT: &str = r#"set -eu
file="$1"; node="$2"; stamp="$3"; settle="$4"
echo "step 2: mv /etc/kubernetes/manifests/kube-apiserver.yaml /tmp/"
mv /etc/kubernetes/manifests/kube-apiserver.yaml /tmp/
sleep "$settle"
echo "step 3: mv /var/lib/etcd /var/lib/etcd-backup-$stamp"
mv /var/lib/etcd "/var/lib/etcd-backup-$stamp"
echo "step 4: etcdctl snapshot restore $file"
ETCDCTL_API=3 etcdctl snapshot restore "$file" --data-dir=/var/lib/etcd --name="$node" --initial-cluster="$node=https://$node:2380" --initial-advertise-peer-urls="https://$node:2380"
echo "step 5: chown -R etcd:etcd /var/lib/etcd"
chown -R etcd:etcd /var/lib/etcd
echo "step 6: mv /tmp/kube-apiserver.yaml /etc/kubernetes/manifests/"
mv /tmp/kube-apiserver.yaml /etc/kubernetes/manifests/
"#;

/// Steps 2–6 in one pod on the control-plane node, which outlives the API server's absence.
struct RestoreInOnePod {
    cluster: String,
    target: Target,
    stamp: String,
    settle: Duration,
}

impl RestoreInOnePod {
    fn argv(&self, backup_dir: &std::path::Path, node: &str) -> Vec<String> {
        vec![
            "sh".to_string(),
            "-c".to_string(),
            RESTORE_SCRIPT.to_string(),
            "etcd-restore".to_string(),
            self.target.path(backup_dir).display().to_string(),
            node.to_string(),
            self.stamp.clone(),
            self.settle.as_secs().to_string(),
        ]
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
        let node = cx.facts.require::<ControlPlane>()?.0.clone();
        let argv = self.argv(&cx.settings.backup.dir, &node);
        RunOnNode::new(self.cluster.as_str(), node.as_str(), argv)
            .run(cx)
            .await
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
