//! The audit trail of one request: every record it appends carries its request id and
//! subject, and a break-glass run's records say so.

use commands::{Message, msg};

use super::break_glass;
use crate::store::{AuditEvent, AuditKind, Store};

/// Appends this request's records; a failed append stops the request (nothing runs unaudited).
pub(super) struct Audit<'a> {
    pub(super) store: &'a dyn Store,
    pub(super) request_id: &'a str,
    pub(super) subject: &'a str,
    /// The `[[break_glass]]` rule a run was let through by: every record of it says so.
    pub(super) glass: Option<String>,
}

impl Audit<'_> {
    pub(super) async fn record(
        &self,
        kind: AuditKind,
        operation: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<(), Message> {
        let detail = break_glass::mark(detail, self.glass.as_deref());
        let event = AuditEvent {
            request_id: self.request_id.to_string(),
            kind,
            subject: self.subject.to_string(),
            operation: operation.map(str::to_string),
            detail,
        };
        self.store
            .append_audit(&event)
            .await
            .map(|_| ())
            .map_err(|e| {
                tracing::error!(error = %e, "audit append failed");
                msg!("engine-audit-unavailable", reason = e.to_string())
            })
    }
}
