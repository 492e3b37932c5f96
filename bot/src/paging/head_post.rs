//! The audit log's head, posted to the incident channels every `audit.head_post_interval`:
//! a second anchor outside the database, kept in the chat's own history, so a database writer
//! who also rewrites the anchor file is still contradicted by what the channel was told.

use std::sync::Arc;
use std::time::Duration;

use commands::msg;

use super::Desk;
use crate::store::Store;

/// Starts posting the head every `every` (the first post one interval after start). A post
/// that fails is logged and made again at the next tick with the head of that time.
pub fn start_head_posts(desk: Arc<Desk>, store: Arc<dyn Store>, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            post_head(&desk, store.as_ref()).await;
        }
    });
}

/// One post of the current head to every attached incident channel.
pub async fn post_head(desk: &Desk, store: &dyn Store) {
    let head = match store.audit_head().await {
        Ok(head) => head,
        Err(e) => {
            tracing::warn!(error = %e, "the audit head could not be read to post it");
            return;
        }
    };
    let note = match head {
        Some((seq, hash)) => msg!(
            "audit-head-post",
            seq = seq,
            hash = hash,
            at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        None => msg!("audit-head-post-empty"),
    };
    for (target, result) in desk.note(&note).await {
        if let Err(e) = result {
            tracing::warn!(target, error = %e, "the audit head was not posted");
        }
    }
}
