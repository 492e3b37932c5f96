//! Just enough of bbolt's file format to read an etcd snapshot the way `etcdctl snapshot status`
//! does: revision, total keys, total size and its CRC-32C hash of every bucket's keys and values.
//!
//! The layout (little-endian): every page starts with a 16-byte header (id u64, flags u16,
//! count u16, overflow u32) and spans `1 + overflow` pages. Pages 0 and 1 are meta pages
//! (magic, version, page size, flags, root bucket, freelist, page count, txid, FNV-1a checksum);
//! the newer valid one wins. A bucket is a B+tree of branch pages (16-byte elements: pos, ksize,
//! pgid) and leaf pages (16-byte elements: flags, pos, ksize, vsize; key and value at `pos`
//! from the element). A bucket's value is its root pgid and sequence, followed by the bucket
//! itself as an inline page when the root is 0.
//!
//! Pages are read one at a time with `pread`, so a large snapshot is never held in memory.
//! Every offset is checked: a corrupt file gives [`BoltError::Corrupt`], never a panic.

use std::fs::File;
use std::os::unix::fs::FileExt;

const MAGIC: u32 = 0xED0C_DAED;
const VERSION: u32 = 2;
const PAGE_HEADER: usize = 16;
const ELEMENT: usize = 16;
const META_LEN: usize = 64;
const BRANCH_PAGE: u16 = 0x01;
const LEAF_PAGE: u16 = 0x02;
const META_PAGE: u16 = 0x04;
const BUCKET_LEAF: u32 = 0x01;
/// A B+tree this deep would hold more keys than any disk; deeper means a cycle.
const MAX_DEPTH: usize = 32;
/// etcd keys its revisions as 8-byte main revision, `_`, 8-byte sub revision.
const REVISION_KEY_LEN: usize = 17;

/// What `etcdctl snapshot status` reports of a bbolt file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DbStatus {
    /// The main revision of the last key of the `key` bucket.
    pub revision: i64,
    /// Entries in all buckets together, as etcdctl counts them.
    pub total_keys: u64,
    /// CRC-32C (Castagnoli) of bucket names, keys and values in order: etcdctl's HASH.
    pub hash: u32,
    /// Page count times page size, the size bbolt itself reports.
    pub total_size: u64,
}

#[derive(Debug)]
pub(crate) enum BoltError {
    Io(std::io::Error),
    Corrupt(String),
}

impl From<std::io::Error> for BoltError {
    fn from(e: std::io::Error) -> Self {
        BoltError::Io(e)
    }
}

fn corrupt(why: impl Into<String>) -> BoltError {
    BoltError::Corrupt(why.into())
}

/// Reads the bbolt database in the first `db_len` bytes of `file`.
pub(crate) fn status(file: &File, db_len: u64) -> Result<DbStatus, BoltError> {
    let meta = newest_meta(file, db_len)?;
    let page_size = u64::from(meta.page_size);
    let total_size = meta
        .pages
        .checked_mul(page_size)
        .ok_or_else(|| corrupt("page count overflows"))?;
    if total_size > db_len {
        return Err(corrupt(format!(
            "truncated: the meta page says {total_size} bytes, the file has {db_len}"
        )));
    }
    let pages = Pages {
        file,
        page_size,
        count: meta.pages,
    };
    let mut buckets = Vec::new();
    pages.walk_page(meta.root, 0, &mut |name, value, is_bucket| {
        if !is_bucket {
            return Err(corrupt("the root holds a key that is not a bucket"));
        }
        buckets.push((name.to_vec(), value.to_vec()));
        Ok(())
    })?;

    let mut crc = 0u32;
    let mut total_keys = 0u64;
    let mut revision = 0i64;
    for (name, value) in &buckets {
        crc = crc32c(crc, name);
        let is_key_bucket = name.as_slice() == b"key";
        pages.walk_bucket(value, &mut |key, value, is_bucket| {
            crc = crc32c(crc, key);
            // bbolt's ForEach gives a nested bucket a nil value.
            if !is_bucket {
                crc = crc32c(crc, value);
            }
            if is_key_bucket {
                revision = main_revision(key)?;
            }
            total_keys += 1;
            Ok(())
        })?;
    }
    Ok(DbStatus {
        revision,
        total_keys,
        hash: crc,
        total_size,
    })
}

fn main_revision(key: &[u8]) -> Result<i64, BoltError> {
    match key.get(..8) {
        Some(main) if key.len() >= REVISION_KEY_LEN => {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(main);
            Ok(i64::from_be_bytes(bytes))
        }
        _ => Err(corrupt(format!(
            "a key of {} bytes in the key bucket is not a revision",
            key.len()
        ))),
    }
}

struct Meta {
    page_size: u32,
    root: u64,
    pages: u64,
    txid: u64,
}

/// The valid meta page with the highest transaction id, as bbolt opens a file.
fn newest_meta(file: &File, db_len: u64) -> Result<Meta, BoltError> {
    let first = read_meta(file, 0, db_len)?;
    // Without a valid first page, bbolt guesses the OS page size for the second.
    let second_at = first.as_ref().map_or(4096, |m| u64::from(m.page_size));
    let second = read_meta(file, second_at, db_len)?;
    match (first, second) {
        (Ok(a), Ok(b)) => Ok(if b.txid > a.txid { b } else { a }),
        (Ok(m), Err(_)) | (Err(_), Ok(m)) => Ok(m),
        (Err(why), Err(_)) => Err(corrupt(format!("no valid meta page: {why}"))),
    }
}

/// One meta page: `Ok(Err(why))` when it is not valid, `Err` when it cannot be read.
fn read_meta(file: &File, offset: u64, db_len: u64) -> Result<Result<Meta, String>, BoltError> {
    let len = (PAGE_HEADER + META_LEN) as u64;
    if offset + len > db_len {
        return Ok(Err("file too short for a meta page".into()));
    }
    let mut page = vec![0u8; PAGE_HEADER + META_LEN];
    file.read_exact_at(&mut page, offset)?;
    let meta = &page[PAGE_HEADER..];
    if u16_at(&page, 8) != Some(META_PAGE) {
        return Ok(Err(format!("page at {offset} is not a meta page")));
    }
    if u32_at(meta, 0) != Some(MAGIC) {
        return Ok(Err("not a bbolt file (wrong magic)".into()));
    }
    if u32_at(meta, 4) != Some(VERSION) {
        return Ok(Err("unsupported bbolt version".into()));
    }
    if u64_at(meta, 56) != Some(fnv1a64(&meta[..56])) {
        return Ok(Err("meta page checksum mismatch".into()));
    }
    let page_size = u32_at(meta, 8).unwrap_or(0);
    if !(512..=1 << 20).contains(&page_size) {
        return Ok(Err(format!("implausible page size {page_size}")));
    }
    Ok(Ok(Meta {
        page_size,
        root: u64_at(meta, 16).unwrap_or(0),
        pages: u64_at(meta, 40).unwrap_or(0),
        txid: u64_at(meta, 48).unwrap_or(0),
    }))
}

/// Reads pages of the file by id, within the page count of the meta page.
struct Pages<'a> {
    file: &'a File,
    page_size: u64,
    count: u64,
}

/// Called for each entry of a bucket in key order: key, value, whether it is a nested bucket.
type Visit<'v> = dyn FnMut(&[u8], &[u8], bool) -> Result<(), BoltError> + 'v;

impl Pages<'_> {
    /// A page and its overflow pages.
    fn read(&self, id: u64) -> Result<Vec<u8>, BoltError> {
        if id < 2 || id >= self.count {
            return Err(corrupt(format!(
                "page {id} is outside the file's {} pages",
                self.count
            )));
        }
        let mut page = vec![0u8; self.page_size as usize];
        self.file.read_exact_at(&mut page, id * self.page_size)?;
        if u64_at(&page, 0) != Some(id) {
            return Err(corrupt(format!("page {id} carries another page's id")));
        }
        let overflow = u64::from(u32_at(&page, 12).unwrap_or(0));
        if overflow > 0 {
            if id + overflow >= self.count {
                return Err(corrupt(format!(
                    "page {id} overflows past the end of the file"
                )));
            }
            let first = page.len();
            page.resize(((1 + overflow) * self.page_size) as usize, 0);
            self.file
                .read_exact_at(&mut page[first..], (id + 1) * self.page_size)?;
        }
        Ok(page)
    }

    /// Every entry of the bucket whose value (as stored in its parent) is `bucket`.
    fn walk_bucket(&self, bucket: &[u8], visit: &mut Visit<'_>) -> Result<(), BoltError> {
        let root = u64_at(bucket, 0).ok_or_else(|| corrupt("a bucket value is too short"))?;
        if root == 0 {
            let inline = bucket
                .get(PAGE_HEADER..)
                .ok_or_else(|| corrupt("an inline bucket is too short"))?;
            self.walk_entries(inline, 0, visit)
        } else {
            self.walk_page(root, 0, visit)
        }
    }

    fn walk_page(&self, id: u64, depth: usize, visit: &mut Visit<'_>) -> Result<(), BoltError> {
        if depth > MAX_DEPTH {
            return Err(corrupt("the page tree loops"));
        }
        let page = self.read(id)?;
        self.walk_entries(&page, depth, visit)
    }

    fn walk_entries(
        &self,
        page: &[u8],
        depth: usize,
        visit: &mut Visit<'_>,
    ) -> Result<(), BoltError> {
        let flags = u16_at(page, 8).ok_or_else(|| corrupt("a page is too short"))?;
        let count = usize::from(u16_at(page, 10).unwrap_or(0));
        for i in 0..count {
            let at = PAGE_HEADER + i * ELEMENT;
            if flags & BRANCH_PAGE != 0 {
                let child =
                    u64_at(page, at + 8).ok_or_else(|| corrupt("a branch element is cut off"))?;
                self.walk_page(child, depth + 1, visit)?;
            } else if flags & LEAF_PAGE != 0 {
                let (Some(flags), Some(pos), Some(ksize), Some(vsize)) = (
                    u32_at(page, at),
                    u32_at(page, at + 4),
                    u32_at(page, at + 8),
                    u32_at(page, at + 12),
                ) else {
                    return Err(corrupt("a leaf element is cut off"));
                };
                let key_at = at + pos as usize;
                let value_at = key_at + ksize as usize;
                let (Some(key), Some(value)) = (
                    page.get(key_at..value_at),
                    page.get(value_at..value_at + vsize as usize),
                ) else {
                    return Err(corrupt("a key or value runs past its page"));
                };
                visit(key, value, flags & BUCKET_LEAF != 0)?;
            } else {
                return Err(corrupt(format!(
                    "a page with flags {flags:#x} where a branch or leaf belongs"
                )));
            }
        }
        Ok(())
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// bbolt's meta checksum.
fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// CRC-32C, slice-by-8: the hash is computed over every value, so speed matters for big files.
fn crc32c(crc: u32, data: &[u8]) -> u32 {
    let t = &CRC_TABLES;
    let mut crc = !crc;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let lo = u32::from_le_bytes([c[0], c[1], c[2], c[3]]) ^ crc;
        let hi = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
        crc = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xff) as usize]
            ^ t[2][((hi >> 8) & 0xff) as usize]
            ^ t[1][((hi >> 16) & 0xff) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        crc = t[0][((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

static CRC_TABLES: [[u32; 256]; 8] = crc_tables();

const fn crc_tables() -> [[u32; 256]; 8] {
    const CASTAGNOLI: u32 = 0x82F6_3B78;
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ CASTAGNOLI
            } else {
                c >> 1
            };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut s = 1;
        while s < 8 {
            t[s][i] = (t[s - 1][i] >> 8) ^ t[0][(t[s - 1][i] & 0xff) as usize];
            s += 1;
        }
        i += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_matches_the_standard_check_value_in_any_split() {
        assert_eq!(crc32c(0, b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(crc32c(0, b"12345"), b"6789"), 0xE306_9283);
    }

    #[test]
    fn fnv1a64_matches_the_reference() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn a_file_that_is_not_bbolt_is_corrupt_not_a_panic() {
        let mut file = tempfile::tempfile().expect("temp file");
        std::io::Write::write_all(&mut file, &vec![0x5a; 3 * 4096]).expect("write");
        assert!(matches!(
            status(&file, 3 * 4096),
            Err(BoltError::Corrupt(_))
        ));
        assert!(matches!(status(&file, 10), Err(BoltError::Corrupt(_))));
    }
}
