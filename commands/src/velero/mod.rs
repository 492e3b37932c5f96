//! Velero (runbook §2.2 and §2.3): backups and schedules as `velero.io/v1` objects in the
//! `velero` namespace, written and read through the API server the way the velero CLI does,
//! never by running it.
//!
//! [`backup`] creates a Backup and follows it to a final phase ([`follow`]); [`backups`] lists
//! and describes them ([`view`] reads one the same way for both); [`schedule`] creates and
//! lists Schedules.

pub mod backup;
pub mod backups;
mod follow;
pub mod restore;
pub mod schedule;
mod view;

use std::time::Duration;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ApiResource, DynamicObject};

use crate::k8s::kube_error;
use crate::k8s::objects::{dynamic, resource};
use crate::{OpError, msg};

/// Where Velero's server looks for its objects.
pub(crate) const NAMESPACE: &str = "velero";
/// The BackupStorageLocation the runbook's installation names `default`.
pub(crate) const STORAGE_LOCATION: &str = "default";
/// The runbook keeps backups seven days (`--ttl 168h`); used when no `--ttl` is given.
pub(crate) const DEFAULT_TTL: Duration = Duration::from_secs(168 * 3600);
/// Who writes: the API server records it in managedFields.
pub(crate) const FIELD_MANAGER: &str = "opsbot";

fn backup_resource() -> ApiResource {
    resource("velero.io", "v1", "Backup", "backups")
}

pub(crate) fn backups(client: kube::Client) -> Api<DynamicObject> {
    dynamic(client, &backup_resource(), Some(NAMESPACE))
}

pub(crate) fn schedules(client: kube::Client) -> Api<DynamicObject> {
    let schedule = resource("velero.io", "v1", "Schedule", "schedules");
    dynamic(client, &schedule, Some(NAMESPACE))
}

/// A 404 on Velero's collections means the CRD or the `velero` namespace is missing: say
/// Velero is not installed, in the API server's words, rather than "not found".
pub(crate) fn velero_error(cluster: &str, error: kube::Error) -> OpError {
    match error {
        kube::Error::Api(status) if status.code == 404 => OpError::Failed(msg!(
            "velero-not-installed",
            cluster = cluster,
            reason = status.message.as_str()
        )),
        other => kube_error(cluster, other),
    }
}

/// Fails with one sentence when the cluster has no `velero` namespace: the API server would
/// list nothing there rather than say Velero is missing.
pub(crate) async fn require_velero(client: &kube::Client, cluster: &str) -> Result<(), OpError> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    match namespaces.get_opt(NAMESPACE).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(OpError::Failed(msg!(
            "velero-no-namespace",
            cluster = cluster,
            namespace = NAMESPACE
        ))),
        Err(e) => Err(kube_error(cluster, e)),
    }
}

/// How a backup's phase stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// New, InProgress, WaitingForPluginOperations, Finalizing… (or no phase yet).
    Running,
    Completed,
    /// PartiallyFailed, Failed or FailedValidation: final, and the run fails.
    Failed,
}

/// Velero's final backup phases (pkg/apis/velero/v1/backup_types.go).
pub(crate) fn outcome(phase: Option<&str>) -> Outcome {
    match phase {
        Some("Completed") => Outcome::Completed,
        Some("PartiallyFailed" | "Failed" | "FailedValidation") => Outcome::Failed,
        _ => Outcome::Running,
    }
}

/// A duration as Go's `time.Duration.String()` writes it (`168h0m0s`, `5m0s`, `30s`,
/// `1.5s`, `500ms`), which is how Velero stores a `metav1.Duration`.
pub fn go_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    if nanos < 1_000_000_000 {
        return match nanos {
            n if n < 1_000 => format!("{n}ns"),
            n if n < 1_000_000 => format!("{}µs", decimal(n, 1_000)),
            n => format!("{}ms", decimal(n, 1_000_000)),
        };
    }
    let seconds = duration.as_secs();
    let (hours, minutes) = (seconds / 3600, seconds / 60 % 60);
    let rest = decimal(
        u128::from(seconds % 60) * 1_000_000_000 + u128::from(duration.subsec_nanos()),
        1_000_000_000,
    );
    match (hours, minutes) {
        (0, 0) => format!("{rest}s"),
        (0, m) => format!("{m}m{rest}s"),
        (h, m) => format!("{h}h{m}m{rest}s"),
    }
}

/// `value / unit` with the fraction Go prints: no trailing zeros, no dot when whole.
fn decimal(value: u128, unit: u128) -> String {
    let whole = value / unit;
    let fraction = value % unit;
    if fraction == 0 {
        return whole.to_string();
    }
    let width = unit.ilog10() as usize;
    let digits = format!("{fraction:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// A time as the velero CLI prints it, to the second, in UTC.
pub(crate) fn clock(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_as_go_does() {
        let secs = Duration::from_secs;
        assert_eq!(go_duration(secs(168 * 3600)), "168h0m0s");
        assert_eq!(go_duration(secs(7 * 86400)), "168h0m0s");
        assert_eq!(go_duration(secs(90 * 60)), "1h30m0s");
        assert_eq!(go_duration(secs(300)), "5m0s");
        assert_eq!(go_duration(secs(30)), "30s");
        assert_eq!(go_duration(secs(3661)), "1h1m1s");
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(go_duration(Duration::from_micros(1500)), "1.5ms");
        assert_eq!(go_duration(Duration::from_nanos(42)), "42ns");
        assert_eq!(go_duration(Duration::from_millis(61_250)), "1m1.25s");
    }

    #[test]
    fn only_velero_final_phases_end_a_backup() {
        assert_eq!(outcome(Some("Completed")), Outcome::Completed);
        for failed in ["PartiallyFailed", "Failed", "FailedValidation"] {
            assert_eq!(outcome(Some(failed)), Outcome::Failed, "{failed}");
        }
        for running in [None, Some("New"), Some("InProgress"), Some("Finalizing")] {
            assert_eq!(outcome(running), Outcome::Running, "{running:?}");
        }
    }
}
