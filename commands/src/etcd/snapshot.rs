//! etcd.snapshot: runbook §2.1, risk write. Stream a snapshot through etcd's Maintenance API
//! into `backup.dir/CLUSTER/etcd-snapshot-YYYYmmdd-HHMMSS.db`, verify it as `etcdctl snapshot
//! status` would, then delete the snapshots older than the retention.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use etcd_client::{Client, SnapshotStreaming};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWriteExt, BufWriter};

use super::files::{self, PartialFile};
use super::verify::{Verified, verify_file_async};
use super::{bounded, connect, etcd_settings, request_error, target};
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Progress, Request, Risk, RunContext, Scope,
    Spec, Step, Table, args, human_bytes, msg,
};

pub static SPEC: Spec = Spec {
    id: "etcd.snapshot",
    section: "2.1",
    risk: Risk::Write,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["etcd", "snapshot"],
        args: &[args::cluster(false)],
    }],
};

pub struct EtcdSnapshot;

impl Operation for EtcdSnapshot {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let cluster = request
            .cluster()
            .ok_or_else(|| OpError::Failed(msg!("etcd-no-clusters")))?
            .to_string();
        Ok(vec![
            Box::new(Stream {
                cluster: cluster.clone(),
            }),
            Box::new(Verify),
            Box::new(PruneExpired { cluster }),
        ])
    }
}

/// How often progress is reported while streaming.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);
/// Chunks arrive at about 32 KiB; writing them a mebibyte at a time keeps system calls few.
const WRITE_BUFFER: usize = 1 << 20;

/// The snapshot the stream step wrote: what the verify step checks.
#[derive(Clone, Debug)]
pub struct WrittenSnapshot {
    pub cluster: String,
    pub path: PathBuf,
    pub endpoint: String,
    /// The member's revision just before the snapshot was taken.
    pub revision_before: i64,
    pub size: u64,
    /// SHA-256 of the bytes received, hex.
    pub sha256: String,
    pub took: Duration,
}

/// `stream`: the Maintenance API's snapshot, chunk by chunk, into a hidden `.part` file that
/// becomes the snapshot only once complete and on disk. Any failure, and dropping the step
/// half way, removes the partial file.
pub struct Stream {
    pub cluster: String,
}

#[async_trait]
impl Step for Stream {
    fn plan(&self) -> Message {
        msg!("etcd-snapshot-plan-stream", cluster = self.cluster.as_str())
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let cluster = self.cluster.as_str();
        let etcd = etcd_settings(cx.settings, cluster)?;
        let timeout = etcd.timeout();
        let dir = files::cluster_dir(&cx.settings.backup.dir, cluster);
        // The snapshot holds every Secret of the cluster: owner only.
        tokio::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .await
            .map_err(|e| OpError::io(&dir, e))?;

        let (mut client, endpoint, revision_before) = first_member(cluster, etcd).await?;
        let started = Instant::now();
        let name = files::snapshot_name(Utc::now());
        let path = dir.join(&name);
        if tokio::fs::symlink_metadata(&path).await.is_ok() {
            return Err(OpError::Failed(msg!(
                "etcd-snapshot-exists",
                path = path.display().to_string()
            )));
        }
        let (partial, file) = PartialFile::create(dir.join(files::partial_name(&name))).await?;
        cx.progress.report(msg!(
            "etcd-snapshot-started",
            cluster = cluster,
            endpoint = endpoint.as_str(),
            revision = revision_before
        ));

        let target = target(cluster, &endpoint);
        let mut stream = bounded(|| target.clone(), timeout, async {
            client
                .snapshot()
                .await
                .map_err(|e| request_error(cluster, &endpoint, &e))
        })
        .await?;
        let (size, sha256) = receive(&mut stream, file, &partial, cx.progress, timeout, |e| {
            request_error(cluster, &endpoint, &e)
        })
        .await
        .map_err(|e| match e {
            // No chunk within the timeout: etcd stalled, name it.
            None => OpError::Timeout {
                what: target.clone(),
                after: timeout,
            },
            Some(e) => e,
        })?;
        partial.publish(&path).await?;

        cx.facts.insert(WrittenSnapshot {
            cluster: cluster.to_string(),
            path,
            endpoint,
            revision_before,
            size,
            sha256,
            took: started.elapsed(),
        });
        Ok(())
    }
}

/// Copies the stream into `file` and syncs it; gives the size and SHA-256 of what arrived.
/// `Err(None)` when no chunk came within `idle` (a large database may take long as a whole,
/// but a stalled one must not hang the step).
async fn receive(
    stream: &mut SnapshotStreaming,
    file: tokio::fs::File,
    partial: &PartialFile,
    progress: &dyn Progress,
    idle: Duration,
    etcd_error: impl Fn(etcd_client::Error) -> OpError,
) -> Result<(u64, String), Option<OpError>> {
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut sha = Sha256::new();
    let mut received = 0u64;
    let mut total = None;
    let mut remaining = u64::MAX;
    let mut last_report = Instant::now();
    loop {
        let chunk = match tokio::time::timeout(idle, stream.message()).await {
            Err(_) => return Err(None),
            Ok(Err(e)) => return Err(Some(etcd_error(e))),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => chunk,
        };
        let blob = chunk.blob();
        total.get_or_insert(chunk.remaining_bytes() + blob.len() as u64);
        remaining = chunk.remaining_bytes();
        sha.update(blob);
        out.write_all(blob).await.map_err(|e| partial.error(e))?;
        received += blob.len() as u64;
        if last_report.elapsed() >= PROGRESS_EVERY {
            report_progress(progress, received, total);
            last_report = Instant::now();
        }
    }
    // etcd counts down to zero; a stream that ends before that was cut, whatever gRPC says.
    if remaining != 0 {
        return Err(Some(OpError::Failed(msg!(
            "etcd-snapshot-cut",
            received = human_bytes(received),
            total = human_bytes(total.unwrap_or(received))
        ))));
    }
    out.flush().await.map_err(|e| partial.error(e))?;
    out.into_inner()
        .sync_all()
        .await
        .map_err(|e| partial.error(e))?;
    report_progress(progress, received, total);
    Ok((received, hex::encode(sha.finalize())))
}

/// The first endpoint that answers a status request, with the revision it reported: the
/// snapshot is then taken from that same member.
async fn first_member(
    cluster: &str,
    etcd: &crate::EtcdSettings,
) -> Result<(Client, String, i64), OpError> {
    let mut first_error = None;
    for endpoint in &etcd.endpoints {
        let attempt = bounded(|| target(cluster, endpoint), etcd.timeout(), async {
            let mut client = connect(cluster, etcd, endpoint).await?;
            let status = client
                .status()
                .await
                .map_err(|e| request_error(cluster, endpoint, &e))?;
            Ok((client, status.header().map_or(0, |h| h.revision())))
        })
        .await;
        match attempt {
            Ok((client, revision)) => return Ok((client, endpoint.clone(), revision)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(OpError::NotConfigured {
        cluster: cluster.to_string(),
        what: "etcd",
    }))
}

fn report_progress(progress: &dyn Progress, received: u64, total: Option<u64>) {
    progress.report(msg!(
        "etcd-snapshot-progress",
        received = human_bytes(received),
        total = human_bytes(total.unwrap_or(received))
    ));
}

/// `verify`: reads the written file back and checks it (etcd's appended SHA-256, the bbolt
/// database, its revision and keys). A snapshot that fails is deleted, never kept.
pub struct Verify;

#[async_trait]
impl Step for Verify {
    fn plan(&self) -> Message {
        msg!("etcd-snapshot-plan-verify")
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let written = cx.facts.require::<WrittenSnapshot>()?.clone();
        let checked = verify_file_async(&written.path).await.and_then(|v| {
            if v.sha256 == written.sha256 {
                Ok(v)
            } else {
                Err(OpError::Verification(
                    "the file on disk differs from what etcd sent".into(),
                ))
            }
        });
        let verified = match checked {
            Ok(v) => v,
            Err(e) => {
                if matches!(e, OpError::Verification(_)) {
                    let _ = tokio::fs::remove_file(&written.path).await;
                }
                return Err(e);
            }
        };
        cx.report.push(Block::Fields(fields(&written, &verified)));
        cx.facts.insert(verified);
        Ok(())
    }
}

fn fields(written: &WrittenSnapshot, v: &Verified) -> Vec<(Message, Cell)> {
    vec![
        (
            msg!("etcd-field-file"),
            Cell::Text(written.path.display().to_string()),
        ),
        (
            msg!("etcd-field-source"),
            Cell::Text(written.endpoint.clone()),
        ),
        (msg!("etcd-field-size"), Cell::Text(human_bytes(v.size))),
        (
            msg!("etcd-field-revision"),
            Cell::Text(v.revision.to_string()),
        ),
        (
            msg!("etcd-field-total-keys"),
            Cell::Text(v.total_keys.to_string()),
        ),
        (msg!("etcd-field-kv-hash"), Cell::Text(v.kv_hash.clone())),
        (msg!("etcd-field-sha256"), Cell::Text(v.sha256.clone())),
        (
            msg!("etcd-field-embedded-hash"),
            Cell::Message(msg!("etcd-verify-ok")),
        ),
        (
            msg!("etcd-field-took"),
            Cell::Message(msg!(
                "etcd-seconds",
                seconds = (written.took.as_secs_f64() * 10.0).round() / 10.0
            )),
        ),
    ]
}

/// `prune_expired`: deletes this cluster's `etcd-snapshot-*.db` files older than
/// `backup.retention` (by the time in the name, else the modification time). Other files,
/// other clusters' directories and the snapshot just written are never touched.
pub struct PruneExpired {
    pub cluster: String,
}

#[async_trait]
impl Step for PruneExpired {
    fn plan(&self) -> Message {
        msg!("etcd-snapshot-plan-prune", cluster = self.cluster.as_str())
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let backup = &cx.settings.backup;
        let retention = backup
            .retention()
            .and_then(|r| chrono::Duration::from_std(r).ok())
            .ok_or_else(|| {
                OpError::Failed(msg!(
                    "etcd-retention-invalid",
                    value = backup.retention.as_str()
                ))
            })?;
        let dir = files::cluster_dir(&backup.dir, &self.cluster);
        let just_written = cx.facts.get::<WrittenSnapshot>().map(|w| w.path.clone());
        let now = Utc::now();
        let mut table = Table::new(vec![
            msg!("etcd-col-file"),
            msg!("etcd-col-age"),
            msg!("etcd-col-size"),
        ]);
        for file in files::list(&dir)? {
            if now - file.taken <= retention || Some(&file.path) == just_written.as_ref() {
                continue;
            }
            tokio::fs::remove_file(&file.path)
                .await
                .map_err(|e| OpError::io(&file.path, e))?;
            table.rows.push(vec![
                Cell::Text(file.name),
                Cell::Message(age(now, file.taken)),
                Cell::Text(human_bytes(file.size)),
            ]);
        }
        let retention = backup.retention.as_str();
        if table.rows.is_empty() {
            cx.report
                .push(Block::Note(msg!("etcd-prune-none", retention = retention)));
        } else {
            cx.report.push(Block::Heading(msg!(
                "etcd-prune-deleted",
                count = table.rows.len(),
                retention = retention
            )));
            cx.report.push(Block::Table(table));
        }
        Ok(())
    }
}

/// How long ago, in the coarsest unit that still says something.
pub(crate) fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> Message {
    let minutes = (now - then).num_minutes().max(0);
    match minutes {
        0 => msg!("etcd-age-now"),
        m if m < 60 => msg!("etcd-age-minutes", minutes = m),
        m if m < 48 * 60 => msg!("etcd-age-hours", hours = m / 60),
        m => msg!("etcd-age-days", days = m / (24 * 60)),
    }
}

#[cfg(test)]
mod tests;
