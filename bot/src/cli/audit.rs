//! `opsbot audit verify` and `opsbot audit export`: both read the log a page at a time, so a
//! million records take the memory of one page.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use commands::{Message, msg};

use super::{fail, load, open_store, say};
use crate::i18n::Localizer;
use crate::store::{AnchorFault, AuditRecord, BreakReason, SealProblem, Verification};

/// `opsbot audit verify`: the chain, the key, the head table and the anchor.
pub(super) async fn verify(path: &Path) -> ExitCode {
    let Some(config) = load(path) else {
        return ExitCode::from(1);
    };
    let l10n = Localizer::new(config.locale);
    let Some(store) = open_store(&config, &l10n).await else {
        return ExitCode::from(1);
    };
    let (verification, summary) = match store.verify_audit().await {
        Ok(result) => result,
        Err(e) => {
            tracing::error!(error = ?e, "audit verify");
            fail(&l10n, &msg!("audit-verify-failed", reason = e.to_string()));
            return ExitCode::from(1);
        }
    };
    match verification {
        Verification::Intact { records } => {
            say(&l10n, &msg!("audit-intact", records = records));
            if let (Some(seq), Some(key)) = (summary.sealed_from, &config.audit.key) {
                say(
                    &l10n,
                    &msg!("audit-intact-sealed", seq = seq, key = key.id()),
                );
            }
            if let (Some(seq), Some(anchor)) = (summary.anchored, &config.audit.anchor_file) {
                let path = anchor.display().to_string();
                say(
                    &l10n,
                    &msg!("audit-intact-anchored", seq = seq, path = path),
                );
            }
            match (&config.audit.key, &config.audit.anchor_file) {
                (None, None) => say(&l10n, &msg!("audit-intact-unprotected")),
                // A key keeps records from being rewritten, not from being cut off the end.
                (Some(_), None) => say(&l10n, &msg!("audit-intact-unanchored")),
                _ => {}
            }
            // Break-glass runs nobody has reviewed yet stay named here until someone does.
            if let Some(note) = crate::engine::open_reviews_note(&store).await {
                say(&l10n, &note);
            }
            ExitCode::SUCCESS
        }
        Verification::Broken { seq, reason } => {
            let anchor = config
                .audit
                .anchor_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            fail(&l10n, &broken(seq, reason, &anchor));
            ExitCode::from(1)
        }
    }
}

/// The one sentence for a log that does not hold.
fn broken(seq: i64, reason: BreakReason, anchor: &str) -> Message {
    let tampered = |why: Message| msg!("audit-broken", seq = seq, reason = why);
    match reason {
        BreakReason::Gap { expected } => tampered(msg!("audit-break-gap", expected = expected)),
        BreakReason::Link => tampered(msg!("audit-break-link")),
        BreakReason::Content => tampered(msg!("audit-break-content")),
        BreakReason::Truncated { head } => tampered(msg!("audit-break-truncated", head = head)),
        BreakReason::Downgrade => tampered(msg!("audit-break-downgrade")),
        BreakReason::Unsealed => tampered(msg!("audit-break-unsealed")),
        BreakReason::AnchorMismatch => tampered(msg!("audit-break-anchor-mismatch")),
        BreakReason::AnchorBeyond { last: Some(last) } => {
            tampered(msg!("audit-break-anchor-beyond", last = last))
        }
        BreakReason::AnchorBeyond { last: None } => {
            tampered(msg!("audit-break-anchor-beyond-empty"))
        }
        BreakReason::AnchorBehind {
            anchored: Some(anchored),
        } => tampered(msg!("audit-break-anchor-behind", anchored = anchored)),
        BreakReason::AnchorBehind { anchored: None } => {
            tampered(msg!("audit-break-anchor-behind-empty"))
        }
        BreakReason::AnchorFile(AnchorFault::Malformed { line }) => {
            msg!("audit-anchor-malformed", line = line, path = anchor)
        }
        BreakReason::AnchorFile(AnchorFault::OutOfOrder { line }) => {
            msg!("audit-anchor-out-of-order", line = line, path = anchor)
        }
        BreakReason::Seal(SealProblem::KeyMissing { key_id }) => {
            msg!("audit-key-missing", seq = seq, key = key_id)
        }
        BreakReason::Seal(SealProblem::OtherKey { key_id }) => {
            msg!("audit-key-other", seq = seq, key = key_id)
        }
        BreakReason::Seal(SealProblem::UnknownScheme(scheme)) => {
            msg!("audit-scheme-unknown", seq = seq, scheme = scheme)
        }
    }
}

/// `opsbot audit export [--since TIME]`: one JSON object a line, oldest first.
pub(super) async fn export(path: &Path, since: Option<&str>) -> ExitCode {
    let Some(config) = load(path) else {
        return ExitCode::from(1);
    };
    let l10n = Localizer::new(config.locale);
    let since = match since.map(parse_since).transpose() {
        Ok(since) => since,
        Err(()) => {
            let value = since.unwrap_or_default();
            fail(&l10n, &msg!("audit-export-bad-since", value = value));
            return ExitCode::from(2);
        }
    };
    let Some(store) = open_store(&config, &l10n).await else {
        return ExitCode::from(1);
    };
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let mut write_error: Option<std::io::Error> = None;
    let exported = store
        .export_audit(
            since.as_deref(),
            &mut |record| match writeln!(out, "{}", export_line(record)) {
                Ok(()) => true,
                Err(e) => {
                    write_error = Some(e);
                    false
                }
            },
        )
        .await;
    let flushed = out.flush();
    match (exported, write_error.or(flushed.err())) {
        (Err(e), _) => {
            tracing::error!(error = ?e, "audit export");
            fail(&l10n, &msg!("audit-verify-failed", reason = e.to_string()));
            ExitCode::from(1)
        }
        // A reader that stopped early (`| head`) is not a failure.
        (Ok(_), Some(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        (Ok(_), Some(e)) => {
            fail(
                &l10n,
                &msg!("audit-export-write-failed", reason = e.to_string()),
            );
            ExitCode::from(1)
        }
        (Ok(_), None) => ExitCode::SUCCESS,
    }
}

/// The fields a SIEM reads; `detail` as JSON when it is (it always is, unless edited).
fn export_line(record: &AuditRecord) -> serde_json::Value {
    let detail = serde_json::from_str::<serde_json::Value>(&record.detail)
        .unwrap_or_else(|_| serde_json::Value::String(record.detail.clone()));
    serde_json::json!({
        "seq": record.seq,
        "time": record.at,
        "request_id": record.request_id,
        "kind": record.kind,
        "subject": record.subject,
        "operation": record.operation,
        "detail": detail,
        "hash": record.hash,
    })
}

/// RFC 3339, or a duration back from now (`24h`, `7d`), as the stored time text: UTC with
/// microseconds, which orders as the times do.
fn parse_since(text: &str) -> Result<String, ()> {
    let format =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(format(time.with_timezone(&chrono::Utc)));
    }
    let back = commands::validate::duration(text).map_err(|_| ())?;
    let back = chrono::Duration::from_std(back).map_err(|_| ())?;
    chrono::Utc::now()
        .checked_sub_signed(back)
        .map(format)
        .ok_or(())
}

#[cfg(test)]
mod tests {
    use super::parse_since;

    #[test]
    fn since_takes_rfc3339_and_durations_and_refuses_the_rest() {
        assert_eq!(
            parse_since("2026-12-01T09:00:00+09:00"),
            Ok("2026-12-01T00:00:00.000000Z".to_string())
        );
        let day_ago = parse_since("24h").expect("24h");
        assert!(day_ago < parse_since("1h").expect("1h"));
        for bad in [
            "",
            "yesterday",
            "24",
            "2026-13-01T00:00:00Z",
            "99999999999d",
        ] {
            assert_eq!(parse_since(bad), Err(()), "{bad}");
        }
    }
}
