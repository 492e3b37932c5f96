//! Audit records for what reaches the engine beside a command: a request refused at the door
//! (from a Slack workspace or Discord guild the bot is not pinned to), and a read a chat makes
//! for its own interface (an autocomplete lookup). Nothing here runs an operation.

use serde_json::{Value, json};

use super::{Audit, Engine};
use crate::store::AuditKind;

impl Engine {
    /// A request from outside the pinned workspaces or guilds: one `rejected` record naming
    /// where it came from. A failed append is logged; the request is refused either way.
    pub async fn audit_foreign(&self, subject: &str, detail: Value) {
        let request_id = new_request_id();
        let audit = Audit {
            store: self.store.as_ref(),
            request_id: &request_id,
            subject,
            glass: None,
        };
        let detail = json!({ "refused": "foreign tenant", "from": detail });
        if audit
            .record(AuditKind::Rejected, None, detail)
            .await
            .is_err()
        {
            tracing::warn!(subject, "a request from a foreign tenant was not audited");
        }
    }

    /// A lookup made for `subject` to fill an autocomplete list: a `read` record of what was
    /// listed where. Autocomplete has no request of its own, so it gets a fresh id.
    pub(super) async fn audit_read(&self, subject: &str, detail: Value) {
        let request_id = new_request_id();
        let audit = Audit {
            store: self.store.as_ref(),
            request_id: &request_id,
            subject,
            glass: None,
        };
        if audit.record(AuditKind::Read, None, detail).await.is_err() {
            tracing::warn!(subject, "an autocomplete lookup was not audited");
        }
    }
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}
