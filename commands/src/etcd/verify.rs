//! Checks a snapshot file as it lies on disk, the way `etcdctl snapshot status` and
//! `etcdctl snapshot restore` do: etcd appends the SHA-256 of the database to the snapshot it
//! streams, so the file is a bbolt database followed by 32 bytes that must be its hash; the
//! database must then open and yield its revision and keys.
//!
//! Shared by `etcd snapshot` (right after writing) and `etcd snapshots` (every kept file).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::bbolt::{self, BoltError};
use crate::OpError;

const SHA256_LEN: u64 = 32;

/// What a snapshot file holds, once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Verified {
    /// The whole file, hash included.
    pub size: u64,
    /// SHA-256 of the whole file, hex: what `sha256sum` prints.
    pub sha256: String,
    pub revision: i64,
    pub total_keys: u64,
    /// etcdctl's HASH (CRC-32C of the key space), hex as etcdctl prints it.
    pub kv_hash: String,
    /// The database's own size (etcdctl's TOTAL SIZE).
    pub db_size: u64,
}

/// Reads and checks `path`. Blocking: call it from `spawn_blocking`.
///
/// # Errors
/// [`OpError::Verification`] when the file is not a complete etcd snapshot (no appended hash,
/// a hash that does not match, a database that does not parse); [`OpError::Io`] when it
/// cannot be read.
pub(crate) fn verify_file(path: &Path) -> Result<Verified, OpError> {
    let io = |e| OpError::io(path, e);
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    // etcd's restore uses the same test for "has an appended hash": size mod 512 is 32.
    if size < 512 + SHA256_LEN || size % 512 != SHA256_LEN {
        return Err(OpError::Verification(format!(
            "{} bytes is not a bbolt database followed by etcd's SHA-256",
            size
        )));
    }
    let db_len = size - SHA256_LEN;

    // One pass: the database's hash, then (same state, plus the trailer) the whole file's.
    let mut hasher = Sha256::new();
    let mut reader = (&file).take(db_len);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let mut trailer = [0u8; SHA256_LEN as usize];
    (&file).read_exact(&mut trailer).map_err(io)?;
    let db_sum = hasher.clone().finalize();
    hasher.update(trailer);
    let sha256 = hex::encode(hasher.finalize());
    if db_sum[..] != trailer[..] {
        return Err(OpError::Verification(
            "the SHA-256 etcd appended does not match the database".into(),
        ));
    }

    let status = bbolt::status(&file, db_len).map_err(|e| match e {
        BoltError::Io(e) => io(e),
        BoltError::Corrupt(why) => OpError::Verification(why),
    })?;
    Ok(Verified {
        size,
        sha256,
        revision: status.revision,
        total_keys: status.total_keys,
        kv_hash: format!("{:x}", status.hash),
        db_size: status.total_size,
    })
}

/// [`verify_file`] off the async threads.
pub(crate) async fn verify_file_async(path: &Path) -> Result<Verified, OpError> {
    let owned = path.to_path_buf();
    tokio::task::spawn_blocking(move || verify_file(&owned))
        .await
        .map_err(|e| OpError::Verification(format!("verification stopped: {e}")))?
}
