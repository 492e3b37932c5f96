//! Where snapshots live and how they are named: `backup.dir/CLUSTER/etcd-snapshot-YYYYmmdd-HHMMSS.db`
//! (UTC), one directory per cluster because one bot backs up several.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{OpError, msg};

const PREFIX: &str = "etcd-snapshot-";
const SUFFIX: &str = ".db";
const TIME_FORMAT: &str = "%Y%m%d-%H%M%S";

/// The directory holding one cluster's snapshots.
pub(crate) fn cluster_dir(backup_dir: &Path, cluster: &str) -> PathBuf {
    backup_dir.join(cluster)
}

/// `etcd-snapshot-20261126-020000.db` for a snapshot taken at `at`.
pub(crate) fn snapshot_name(at: DateTime<Utc>) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format(TIME_FORMAT))
}

/// The name a snapshot is streamed under until it is complete. The leading dot keeps it out
/// of every listing of `etcd-snapshot-*.db`, including the runbook's `find`.
pub(crate) fn partial_name(final_name: &str) -> String {
    format!(".{final_name}.part")
}

/// Whether a file name is one of ours: `etcd-snapshot-*.db`, as the runbook's `find` matches.
pub(crate) fn is_snapshot_name(name: &str) -> bool {
    name.len() > PREFIX.len() + SUFFIX.len() && name.starts_with(PREFIX) && name.ends_with(SUFFIX)
}

/// The time in the name, when the name has one in our format.
pub(crate) fn time_in_name(name: &str) -> Option<DateTime<Utc>> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    NaiveDateTime::parse_from_str(stamp, TIME_FORMAT)
        .ok()
        .map(|t| t.and_utc())
}

/// One snapshot file found in a cluster's directory.
#[derive(Clone, Debug)]
pub(crate) struct SnapshotFile {
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
    /// When it was taken: from its name, or its modification time for a name without one.
    pub taken: DateTime<Utc>,
}

/// The snapshots in `dir`, newest first. A missing directory holds none. Only regular files
/// named `etcd-snapshot-*.db` count; anything else in the directory is left alone.
pub(crate) fn list(dir: &Path) -> Result<Vec<SnapshotFile>, OpError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(OpError::io(dir, e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| OpError::io(dir, e))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if !is_snapshot_name(&name) {
            continue;
        }
        let path = entry.path();
        // symlink_metadata: a link named like a snapshot is not ours to judge or delete.
        let meta = std::fs::symlink_metadata(&path).map_err(|e| OpError::io(&path, e))?;
        if !meta.is_file() {
            continue;
        }
        let taken = time_in_name(&name)
            .or_else(|| meta.modified().ok().map(DateTime::<Utc>::from))
            .unwrap_or_else(|| DateTime::<Utc>::from(SystemTime::UNIX_EPOCH));
        found.push(SnapshotFile {
            name,
            path,
            size: meta.len(),
            taken,
        });
    }
    found.sort_by(|a, b| b.taken.cmp(&a.taken).then_with(|| b.name.cmp(&a.name)));
    Ok(found)
}

/// A file being written that is deleted on drop unless it was published.
pub(crate) struct PartialFile {
    path: PathBuf,
    published: bool,
}

impl PartialFile {
    /// Creates the file exclusively: an existing one means another snapshot is being written.
    pub(crate) async fn create(path: PathBuf) -> Result<(Self, tokio::fs::File), OpError> {
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .await
            .map_err(|e| OpError::io(&path, e))?;
        Ok((
            PartialFile {
                path,
                published: false,
            },
            file,
        ))
    }

    pub(crate) fn error(&self, e: std::io::Error) -> OpError {
        OpError::io(&self.path, e)
    }

    /// Gives the complete file its final name without ever replacing an existing file
    /// (a hard link fails if the name is taken; a rename would overwrite it).
    pub(crate) async fn publish(mut self, to: &Path) -> Result<(), OpError> {
        match tokio::fs::hard_link(&self.path, to).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(OpError::Failed(msg!(
                    "etcd-snapshot-exists",
                    path = to.display().to_string()
                )));
            }
            // A file system without hard links: check, then rename.
            Err(_) if tokio::fs::symlink_metadata(to).await.is_err() => {
                tokio::fs::rename(&self.path, to)
                    .await
                    .map_err(|e| self.error(e))?;
            }
            Err(e) => return Err(OpError::io(to, e)),
        }
        self.published = true;
        let _ = tokio::fs::remove_file(&self.path).await;
        // The new directory entry must survive a crash too.
        if let Some(dir) = to.parent()
            && let Ok(dir) = tokio::fs::File::open(dir).await
        {
            let _ = dir.sync_all().await;
        }
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_carry_the_utc_time_and_parse_back() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 26, 2, 0, 0)
            .single()
            .expect("valid time");
        let name = snapshot_name(at);
        assert_eq!(name, "etcd-snapshot-20261126-020000.db");
        assert!(crate::validate::snapshot_file(&name).is_ok());
        assert_eq!(time_in_name(&name), Some(at));
        assert_eq!(
            partial_name(&name),
            ".etcd-snapshot-20261126-020000.db.part"
        );
        assert!(!is_snapshot_name(&partial_name(&name)));
    }

    #[test]
    fn only_snapshot_names_are_ours() {
        assert!(is_snapshot_name("etcd-snapshot-manual.db"));
        assert_eq!(time_in_name("etcd-snapshot-manual.db"), None);
        for other in [
            "etcd-snapshot-.db",
            "notes.txt",
            "etcd-snapshot-1.db.bak",
            "x-etcd-snapshot-1.db",
        ] {
            assert!(!is_snapshot_name(other), "{other}");
        }
    }
}
