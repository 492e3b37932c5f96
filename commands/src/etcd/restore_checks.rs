//! etcd.restore's checklist (the snapshot exists, verifies, admins are notified) and the
//! check after approval that binds the run to the file that was approved: the verify gate
//! pins the snapshot's SHA-256 ([`SNAPSHOT_SHA256`]), and [`StillApproved`] compares the
//! file with it before anything runs.

use async_trait::async_trait;

use super::restore::{SNAPSHOT_SHA256, Target};
use super::verify::verify_file_async;
use crate::{Block, Message, OpError, RunContext, Step, msg};

/// Gate 1: the snapshot file is in `backup.dir/C/`.
pub(super) struct Exists(pub(super) Target);

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
pub(super) struct Verifies(pub(super) Target);

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
        let sha256 = verified.sha256.clone();
        let verified = msg!(
            "restore-etcd-verified",
            snapshot = self.0.snapshot.as_str(),
            revision = verified.revision,
            keys = verified.total_keys,
            sha256 = verified.sha256.as_str()
        );
        cx.progress.report(verified.clone());
        cx.report.push(Block::Note(verified));
        cx.pin(SNAPSHOT_SHA256, sha256);
        Ok(())
    }
}

/// The pinned hash, or a refusal: a restore that no gate bound to a file never runs.
pub(super) fn approved_sha256<'c>(
    cx: &'c RunContext<'_>,
    target: &Target,
) -> Result<&'c str, OpError> {
    cx.pinned(SNAPSHOT_SHA256).ok_or_else(|| {
        OpError::Failed(msg!(
            "restore-etcd-not-pinned",
            snapshot = target.snapshot.as_str()
        ))
    })
}

/// Before anything runs: the file on the bot's host is still the one that was approved.
pub(super) struct StillApproved(pub(super) Target);

#[async_trait]
impl Step for StillApproved {
    fn plan(&self) -> Message {
        msg!(
            "restore-etcd-plan-same",
            snapshot = self.0.snapshot.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let approved = approved_sha256(cx, &self.0)?.to_string();
        let path = self.0.path(&cx.settings.backup.dir);
        let now = match verify_file_async(&path).await {
            Ok(verified) => verified.sha256,
            // Gone, unreadable or no longer a snapshot: not the file that was approved.
            Err(e) => e.to_string(),
        };
        if now != approved {
            return Err(OpError::Failed(msg!(
                "restore-etcd-changed",
                snapshot = self.0.snapshot.as_str(),
                approved = approved
            )));
        }
        Ok(())
    }
}

/// Gate 3: other admins are notified. Gates run only when a request is put to approval, and
/// the approval card that follows is posted to the channel: that card is the notice.
pub(super) struct Notified;

#[async_trait]
impl Step for Notified {
    fn plan(&self) -> Message {
        msg!("restore-etcd-gate-notified")
    }

    async fn run(&self, _cx: &mut RunContext<'_>) -> Result<(), OpError> {
        Ok(())
    }
}
