//! `[audit]`: the key that makes the audit chain an HMAC chain and the file that anchors its
//! head, both kept outside the database so that whoever can write the database cannot rewrite
//! the log unnoticed.
//!
//! ```toml
//! [audit]
//! key_file = "/etc/opsbot/audit.key"      # or key_env = "OPSBOT_AUDIT_KEY"
//! anchor_file = "/var/lib/opsbot-anchor/audit.anchor"
//! head_post_interval = "1h"               # the head, posted to the incident channels
//! ```

use std::path::{Path, PathBuf};

use commands::msg;
use serde::Deserialize;

use super::check::{Checker, relative_to};
use crate::store::{Anchor, AuditKey, AuditSeal, MIN_KEY_BYTES};

/// The section as written.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AuditSection {
    /// A file holding the key (surrounding whitespace ignored), readable by its owner only.
    pub key_file: Option<PathBuf>,
    /// Instead: the name of an environment variable holding the key.
    pub key_env: Option<String>,
    /// An existing file, append-only, that receives the head at every append.
    pub anchor_file: Option<PathBuf>,
    /// How often `serve` posts the head to the incident channels, e.g. `1h`: a second anchor,
    /// in the chat's history. Unset, never.
    pub head_post_interval: Option<String>,
}

/// The checked section: the key already read, the anchor known to exist.
#[derive(Clone, Debug, Default)]
pub struct AuditSettings {
    pub key: Option<AuditKey>,
    pub anchor_file: Option<PathBuf>,
    /// How often the head is posted to the incident channels.
    pub head_post_interval: Option<std::time::Duration>,
}

impl AuditSettings {
    /// What the state store seals its audit log with.
    pub fn seal(&self) -> AuditSeal {
        AuditSeal {
            key: self.key.clone(),
            anchor: self.anchor_file.clone().map(Anchor::new),
        }
    }
}

pub(super) fn check(c: &mut Checker<'_>, section: AuditSection, base: &Path) -> AuditSettings {
    let key = match (&section.key_file, &section.key_env) {
        (Some(_), Some(_)) => {
            c.add("audit.key_env", msg!("config-audit-key-twice"));
            None
        }
        (Some(file), None) => key_from_file(c, &relative_to(base, file)),
        (None, Some(name)) => key_from_env(c, name),
        (None, None) => None,
    };
    let anchor_file = section.anchor_file.map(|file| {
        let path = relative_to(base, &file);
        check_anchor(c, &path);
        path
    });
    let head_post_interval = section.head_post_interval.and_then(|text| {
        match commands::validate::duration(text.trim()) {
            Ok(every) if !every.is_zero() => Some(every),
            _ => {
                c.add(
                    "audit.head_post_interval",
                    msg!("config-audit-head-interval", value = text.as_str()),
                );
                None
            }
        }
    });
    AuditSettings {
        key,
        anchor_file,
        head_post_interval,
    }
}

fn key_from_file(c: &mut Checker<'_>, path: &Path) -> Option<AuditKey> {
    use std::os::unix::fs::PermissionsExt;
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            c.add(
                "audit.key_file",
                msg!("config-audit-key-missing", path = shown),
            );
            return None;
        }
        Err(e) => {
            let reason = e.to_string();
            c.add(
                "audit.key_file",
                msg!("config-audit-key-unreadable", path = shown, reason = reason),
            );
            return None;
        }
    };
    // Anyone who can read the key can forge the chain; anyone who can write it can swap it.
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o007 != 0 {
        c.add(
            "audit.key_file",
            msg!(
                "config-audit-key-open",
                path = shown,
                mode = format!("{mode:o}")
            ),
        );
        return None;
    }
    match std::fs::read(path) {
        Ok(bytes) => key_from_bytes(c, "audit.key_file", &bytes),
        Err(e) => {
            let reason = e.to_string();
            c.add(
                "audit.key_file",
                msg!("config-audit-key-unreadable", path = shown, reason = reason),
            );
            None
        }
    }
}

fn key_from_env(c: &mut Checker<'_>, name: &str) -> Option<AuditKey> {
    match std::env::var_os(name) {
        None => {
            c.add(
                "audit.key_env",
                msg!("config-audit-key-env-unset", name = name),
            );
            None
        }
        Some(value) => {
            use std::os::unix::ffi::OsStrExt;
            key_from_bytes(c, "audit.key_env", value.as_bytes())
        }
    }
}

fn key_from_bytes(c: &mut Checker<'_>, key: &str, bytes: &[u8]) -> Option<AuditKey> {
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        c.add(key, msg!("config-audit-key-empty"));
        return None;
    }
    if trimmed.len() < MIN_KEY_BYTES {
        c.add(
            key,
            msg!(
                "config-audit-key-short",
                bytes = trimmed.len(),
                needed = MIN_KEY_BYTES
            ),
        );
        return None;
    }
    Some(AuditKey::new(trimmed.to_vec()))
}

/// The anchor must exist already (the operator creates it and makes it append-only) and be
/// open for appending; the bot never creates it, so a deleted anchor is noticed.
fn check_anchor(c: &mut Checker<'_>, path: &Path) {
    let shown = path.display().to_string();
    if !path.is_file() {
        c.add(
            "audit.anchor_file",
            msg!("config-audit-anchor-missing", path = shown),
        );
        return;
    }
    if let Err(e) = std::fs::OpenOptions::new().append(true).open(path) {
        let reason = e.to_string();
        c.add(
            "audit.anchor_file",
            msg!(
                "config-audit-anchor-unwritable",
                path = shown,
                reason = reason
            ),
        );
    }
}
