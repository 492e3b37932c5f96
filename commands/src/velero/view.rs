//! One Backup object read into what people look at, shared by `velero backup list`,
//! `describe` and the final report of `velero backup create`.

use chrono::{DateTime, Utc};
use kube::api::DynamicObject;
use serde_json::Value;

use super::clock;
use crate::k8s::objects::{age, text, timestamp};
use crate::{Cell, Message, msg};

/// The fields of a `velero.io/v1` Backup that the CLI shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct BackupView {
    pub name: String,
    pub phase: Option<String>,
    pub errors: u64,
    pub warnings: u64,
    pub created: Option<DateTime<Utc>>,
    pub started: Option<DateTime<Utc>>,
    pub completed: Option<DateTime<Utc>>,
    pub expiration: Option<DateTime<Utc>>,
    pub storage_location: Option<String>,
    /// `app=web,tier in (a,b)`, or `None` for every object.
    pub selector: Option<String>,
    pub included: Vec<String>,
    pub excluded: Vec<String>,
    pub ttl: Option<String>,
    /// status.progress: (itemsBackedUp, totalItems).
    pub items: Option<(u64, u64)>,
    pub validation_errors: Vec<String>,
    pub failure_reason: Option<String>,
}

impl BackupView {
    pub fn of(object: &DynamicObject) -> Self {
        let value = serde_json::to_value(object).unwrap_or_default();
        Self::from_value(&value)
    }

    pub fn from_value(v: &Value) -> Self {
        let time = |pointer: &str| text(v, pointer).and_then(timestamp);
        let number = |pointer: &str| v.pointer(pointer).and_then(Value::as_u64);
        let strings = |pointer: &str| -> Vec<String> {
            v.pointer(pointer)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let items = match (
            number("/status/progress/itemsBackedUp"),
            number("/status/progress/totalItems"),
        ) {
            (None, None) => None,
            (done, total) => Some((done.unwrap_or(0), total.unwrap_or(0))),
        };
        BackupView {
            name: text(v, "/metadata/name").unwrap_or_default().to_string(),
            phase: text(v, "/status/phase").map(String::from),
            errors: number("/status/errors").unwrap_or(0),
            warnings: number("/status/warnings").unwrap_or(0),
            created: time("/metadata/creationTimestamp"),
            started: time("/status/startTimestamp"),
            completed: time("/status/completionTimestamp"),
            expiration: time("/status/expiration"),
            storage_location: text(v, "/spec/storageLocation").map(String::from),
            selector: v.pointer("/spec/labelSelector").and_then(selector),
            included: strings("/spec/includedNamespaces"),
            excluded: strings("/spec/excludedNamespaces"),
            ttl: text(v, "/spec/ttl").map(String::from),
            items,
            validation_errors: strings("/status/validationErrors"),
            failure_reason: text(v, "/status/failureReason")
                .filter(|r| !r.is_empty())
                .map(String::from),
        }
    }

    /// The phase, or `New` as the velero CLI shows a backup its server has not picked up yet.
    pub fn phase(&self) -> &str {
        self.phase.as_deref().unwrap_or("New")
    }

    /// Why a failed backup failed: the failure reason, the validation errors, or its counts.
    pub fn why(&self) -> Message {
        if let Some(reason) = &self.failure_reason {
            return msg!("velero-why-reason", reason = reason.as_str());
        }
        if !self.validation_errors.is_empty() {
            return msg!(
                "velero-why-validation",
                errors = self.validation_errors.join("; ")
            );
        }
        msg!(
            "velero-why-counts",
            errors = self.errors,
            warnings = self.warnings,
            name = self.name.as_str()
        )
    }

    /// The fields of `velero backup describe`, and of the final report of a create.
    pub fn fields(&self, now: DateTime<Utc>) -> Vec<(Message, Cell)> {
        let none = || Cell::Message(msg!("velero-none"));
        let list = |names: &[String]| match names {
            [] => none(),
            [all] if all == "*" => Cell::Message(msg!("velero-scope-all")),
            names => Cell::Text(names.join(", ")),
        };
        let when = |t: Option<DateTime<Utc>>| t.map(|t| Cell::Text(clock(t))).unwrap_or_else(none);
        let mut fields = vec![
            (msg!("velero-field-name"), Cell::Text(self.name.clone())),
            (
                msg!("velero-field-phase"),
                Cell::Text(self.phase().to_string()),
            ),
            (msg!("velero-field-included"), list(&self.included)),
            (msg!("velero-field-excluded"), list(&self.excluded)),
            (
                msg!("velero-field-ttl"),
                self.ttl.clone().map(Cell::Text).unwrap_or_else(none),
            ),
            (
                msg!("velero-field-storage-location"),
                self.storage_location
                    .clone()
                    .map(Cell::Text)
                    .unwrap_or_else(none),
            ),
            (msg!("velero-field-selector"), self.selector_cell()),
            (
                msg!("velero-field-items"),
                match self.items {
                    Some((done, total)) => {
                        Cell::Message(msg!("velero-items-of", done = done, total = total))
                    }
                    None => none(),
                },
            ),
            (
                msg!("velero-field-errors"),
                Cell::Text(self.errors.to_string()),
            ),
            (
                msg!("velero-field-warnings"),
                Cell::Text(self.warnings.to_string()),
            ),
            (msg!("velero-field-created"), when(self.created)),
            (msg!("velero-field-started"), when(self.started)),
            (msg!("velero-field-completed"), when(self.completed)),
            (msg!("velero-field-expires"), self.expires(now)),
        ];
        if !self.validation_errors.is_empty() {
            fields.push((
                msg!("velero-field-validation-errors"),
                Cell::Text(self.validation_errors.join("; ")),
            ));
        }
        if let Some(reason) = &self.failure_reason {
            fields.push((
                msg!("velero-field-failure-reason"),
                Cell::Text(reason.clone()),
            ));
        }
        fields
    }

    /// `<none>` when it selects everything, as the CLI prints it.
    pub fn selector_cell(&self) -> Cell {
        Cell::Text(
            self.selector
                .clone()
                .unwrap_or_else(|| "<none>".to_string()),
        )
    }

    /// The expiration and how far away it is: `2026-12-03 02:00:00 UTC (6d)`.
    pub fn expires(&self, now: DateTime<Utc>) -> Cell {
        match self.expiration {
            None => Cell::Message(msg!("velero-none")),
            Some(t) if t <= now => Cell::Message(msg!("velero-expired", at = clock(t))),
            Some(t) => Cell::Message(msg!("velero-expires-in", at = clock(t), left = age(now, t))),
        }
    }

    /// The list's EXPIRES column: only how far away.
    pub fn expires_short(&self, now: DateTime<Utc>) -> Cell {
        match self.expiration {
            None => Cell::Text("-".to_string()),
            Some(t) if t <= now => Cell::Message(msg!("velero-expired-short")),
            Some(t) => Cell::Text(age(now, t)),
        }
    }
}

/// A metav1.LabelSelector as `kubectl` writes one: `a=b,c in (x,y),!d`.
fn selector(value: &Value) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(labels) = value.get("matchLabels").and_then(Value::as_object) {
        for (key, v) in labels {
            parts.push(format!("{key}={}", v.as_str().unwrap_or_default()));
        }
    }
    for expression in value
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = expression
            .get("key")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let values: Vec<&str> = expression
            .get("values")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        match expression.get("operator").and_then(Value::as_str) {
            Some("In") => parts.push(format!("{key} in ({})", values.join(","))),
            Some("NotIn") => parts.push(format!("{key} notin ({})", values.join(","))),
            Some("Exists") => parts.push(key.to_string()),
            Some("DoesNotExist") => parts.push(format!("!{key}")),
            _ => {}
        }
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_partially_failed_backup_reads_with_its_counts_and_times() {
        let view = BackupView::from_value(&json!({
            "metadata": { "name": "ns-backup-1", "creationTimestamp": "2026-11-26T02:00:00Z" },
            "spec": { "includedNamespaces": ["default", "app"], "ttl": "168h0m0s",
                      "storageLocation": "default",
                      "labelSelector": { "matchLabels": { "app": "web" },
                                         "matchExpressions": [{ "key": "tier", "operator": "In", "values": ["a", "b"] }] } },
            "status": { "phase": "PartiallyFailed", "errors": 2, "warnings": 5,
                        "progress": { "itemsBackedUp": 338, "totalItems": 340 },
                        "expiration": "2026-12-03T02:00:00Z" }
        }));
        assert_eq!(view.phase(), "PartiallyFailed");
        assert_eq!((view.errors, view.warnings), (2, 5));
        assert_eq!(view.items, Some((338, 340)));
        assert_eq!(view.included, ["default", "app"]);
        assert_eq!(view.selector.as_deref(), Some("app=web,tier in (a,b)"));
        assert_eq!(view.why().id, "velero-why-counts");
        let now = timestamp("2026-11-27T02:00:00Z").unwrap();
        assert_eq!(view.expires_short(now), Cell::Text("6d".into()));
    }

    #[test]
    fn a_new_backup_has_no_phase_yet_and_selects_everything() {
        let view = BackupView::from_value(&json!({ "metadata": { "name": "b" }, "spec": {} }));
        assert_eq!(view.phase(), "New");
        assert_eq!(view.items, None);
        assert_eq!(view.selector_cell(), Cell::Text("<none>".into()));
    }

    #[test]
    fn failure_reason_comes_before_validation_errors() {
        let view = BackupView::from_value(&json!({
            "metadata": { "name": "b" },
            "status": { "phase": "FailedValidation", "validationErrors": ["bad ttl"], "failureReason": "" }
        }));
        assert_eq!(
            view.why(),
            msg!("velero-why-validation", errors = "bad ttl")
        );
    }
}
