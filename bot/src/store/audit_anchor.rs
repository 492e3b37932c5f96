//! The anchor: an append-only file outside the database (`audit.anchor_file`) that receives
//! the chain's head, `SEQ HASH`, one line per appended record.
//!
//! A database writer can rewrite the log and its head table, but not what was already written
//! to this file (keep it where that writer cannot reach, ideally `chattr +a`). Because each
//! hash covers every record before it, the last anchored line vouches for the whole log up to
//! it: a rewritten record disagrees with it, a cut tail leaves it pointing past the end.
//!
//! Appends and the anchor line are serialised by an exclusive `flock` on the file, taken
//! before the database transaction and released after the line is synced. So lines are in
//! sequence order across processes, and a line is written only for a committed record.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long an append or a verify waits for another process's anchor lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// The anchor file, as configured. Never created here: the operator creates it (and makes it
/// append-only), so a deleted anchor stops the bot instead of being replaced silently.
#[derive(Clone, Debug)]
pub struct Anchor {
    path: PathBuf,
}

/// The anchor file opened and locked; the lock goes with the handle.
pub struct LockedAnchor {
    file: File,
    path: PathBuf,
}

impl Anchor {
    pub fn new(path: PathBuf) -> Anchor {
        Anchor { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the file for appending (O_APPEND, never truncating nor creating) and locks it.
    pub async fn lock_for_append(&self) -> std::io::Result<LockedAnchor> {
        let file = OpenOptions::new().append(true).open(&self.path)?;
        lock(file, &self.path).await
    }

    /// Opens the file for reading and locks it, so no append is half done while the caller
    /// takes its snapshot of the database.
    pub async fn lock_for_reading(&self) -> std::io::Result<LockedAnchor> {
        lock(File::open(&self.path)?, &self.path).await
    }
}

async fn lock(file: File, path: &Path) -> std::io::Result<LockedAnchor> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => {
                return Ok(LockedAnchor {
                    file,
                    path: path.to_path_buf(),
                });
            }
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Err(TryLockError::WouldBlock) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "another process held its lock too long",
                ));
            }
            Err(TryLockError::Error(e)) => return Err(e),
        }
    }
}

impl LockedAnchor {
    /// Appends the head `SEQ HASH` and waits until it is on disk.
    pub fn append(&mut self, seq: i64, hash: &str) -> std::io::Result<()> {
        self.file.write_all(format!("{seq} {hash}\n").as_bytes())?;
        self.file.sync_data()
    }

    /// The file's lines as they are now, for a reader that keeps reading after the lock is
    /// released: only the bytes written so far are read. A fresh handle, because a duplicated
    /// one would share (and keep) the lock.
    pub fn snapshot(&self) -> std::io::Result<AnchorLines> {
        let len = self.file.metadata()?.len();
        let file = File::open(&self.path)?;
        Ok(AnchorLines {
            lines: BufReader::new(Box::new(file.take(len))),
            number: 0,
            last_seq: 0,
        })
    }
}

/// One head the anchor recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchorLine {
    /// 1-based line number in the file, for reports.
    pub line: usize,
    pub seq: i64,
    pub hash: String,
}

/// Why the anchor file itself cannot be trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnchorFault {
    /// A line is not `SEQ HASH`.
    Malformed { line: usize },
    /// A line's sequence is not above the one before: lines were moved or added by hand.
    OutOfOrder { line: usize },
}

/// The anchor's lines, read one at a time (constant memory however long the file).
pub struct AnchorLines {
    lines: BufReader<Box<dyn Read + Send>>,
    number: usize,
    last_seq: i64,
}

impl AnchorLines {
    #[cfg(test)]
    pub fn from_text(text: &str) -> AnchorLines {
        AnchorLines {
            lines: BufReader::new(Box::new(std::io::Cursor::new(text.as_bytes().to_vec()))),
            number: 0,
            last_seq: 0,
        }
    }

    /// The next line; `Ok(None)` at the end. I/O errors and bad lines are faults of the file.
    pub fn next_line(&mut self) -> Result<Option<AnchorLine>, AnchorReadError> {
        let mut text = String::new();
        loop {
            text.clear();
            if self
                .lines
                .read_line(&mut text)
                .map_err(AnchorReadError::Io)?
                == 0
            {
                return Ok(None);
            }
            self.number += 1;
            if !text.trim().is_empty() {
                break;
            }
        }
        let line = self.number;
        let malformed = AnchorReadError::Fault(AnchorFault::Malformed { line });
        let mut parts = text.split_whitespace();
        let (Some(seq), Some(hash), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed);
        };
        let Ok(seq) = seq.parse::<i64>() else {
            return Err(malformed);
        };
        let hex64 = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        if seq < 1 || !hex64 {
            return Err(malformed);
        }
        if seq <= self.last_seq {
            return Err(AnchorReadError::Fault(AnchorFault::OutOfOrder { line }));
        }
        self.last_seq = seq;
        Ok(Some(AnchorLine {
            line,
            seq,
            hash: hash.to_string(),
        }))
    }
}

#[derive(Debug)]
pub enum AnchorReadError {
    Io(std::io::Error),
    Fault(AnchorFault),
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "00000000000000000000000000000000000000000000000000000000000000aa";

    fn all(text: &str) -> Result<Vec<i64>, AnchorFault> {
        let mut lines = AnchorLines::from_text(text);
        let mut seqs = Vec::new();
        loop {
            match lines.next_line() {
                Ok(Some(l)) => seqs.push(l.seq),
                Ok(None) => return Ok(seqs),
                Err(AnchorReadError::Fault(f)) => return Err(f),
                Err(AnchorReadError::Io(e)) => panic!("{e}"),
            }
        }
    }

    #[test]
    fn lines_are_read_in_order_and_blank_lines_skipped() {
        assert_eq!(all(&format!("1 {H}\n\n3 {H}\n")), Ok(vec![1, 3]));
    }

    #[test]
    fn a_line_out_of_order_or_malformed_is_named() {
        assert_eq!(
            all(&format!("2 {H}\n1 {H}\n")),
            Err(AnchorFault::OutOfOrder { line: 2 })
        );
        assert_eq!(
            all(&format!("1 {H}\n2 nothex\n")),
            Err(AnchorFault::Malformed { line: 2 })
        );
        assert_eq!(all("x\n"), Err(AnchorFault::Malformed { line: 1 }));
    }

    #[tokio::test]
    async fn appends_go_to_the_end_and_a_missing_file_is_not_created() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("anchor");
        let anchor = Anchor::new(path.clone());
        assert!(anchor.lock_for_append().await.is_err());
        std::fs::write(&path, format!("1 {H}\n")).expect("create");
        anchor
            .lock_for_append()
            .await
            .expect("open")
            .append(2, H)
            .expect("append");
        let locked = anchor.lock_for_reading().await.expect("read");
        let mut lines = locked.snapshot().expect("snapshot");
        assert_eq!(lines.next_line().expect("line").map(|l| l.seq), Some(1));
        assert_eq!(lines.next_line().expect("line").map(|l| l.seq), Some(2));
    }
}
