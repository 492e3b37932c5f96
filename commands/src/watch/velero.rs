//! Velero Backups in `velero`: a schedule whose latest finished backup Failed or
//! PartiallyFailed, or a backup of no schedule that did. A newer Completed backup of the same
//! schedule clears it; so does deleting the failed one.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kube::ResourceExt;
use kube::api::DynamicObject;

use super::track::Judge;
use super::{Condition, ConditionKind, key};
use crate::k8s::objects::text;
use crate::msg;

const SCHEDULE_LABEL: &str = "velero.io/schedule-name";
const FAILED: [&str; 2] = ["Failed", "PartiallyFailed"];
const COMPLETED: &str = "Completed";

/// What of a Backup the judgement needs.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Backup {
    name: String,
    schedule: Option<String>,
    phase: String,
    created: Option<DateTime<Utc>>,
    failure: Option<String>,
}

impl Backup {
    fn of(backup: &DynamicObject) -> Backup {
        Backup {
            name: backup.name_any(),
            schedule: backup.labels().get(SCHEDULE_LABEL).cloned(),
            phase: text(&backup.data, "/status/phase")
                .unwrap_or_default()
                .to_string(),
            created: backup
                .metadata
                .creation_timestamp
                .as_ref()
                .and_then(|t| crate::pod::instant(&t.0)),
            failure: text(&backup.data, "/status/failureReason").map(str::to_string),
        }
    }

    /// Velero names scheduled backups `SCHEDULE-YYYYMMDDhhmmss`, so the name breaks a tie of
    /// creation times (which have whole seconds) in the right order.
    fn order(&self) -> (Option<DateTime<Utc>>, &str) {
        (self.created, self.name.as_str())
    }
}

/// The group a backup is judged in: its schedule, or itself.
fn group_of(backup: &Backup) -> String {
    match &backup.schedule {
        Some(schedule) => format!("schedule/{schedule}"),
        None => format!("backup/{}", backup.name),
    }
}

/// The condition the backups of one group give: the latest finished one failed.
fn failed(cluster: &str, group: &[&Backup]) -> Option<Condition> {
    let latest = group
        .iter()
        .filter(|b| b.phase == COMPLETED || FAILED.contains(&b.phase.as_str()))
        .max_by(|a, b| a.order().cmp(&b.order()))?;
    if latest.phase == COMPLETED {
        return None;
    }
    let summary = match &latest.schedule {
        Some(schedule) => msg!(
            "watch-velero-backup-failed",
            backup = latest.name.as_str(),
            schedule = schedule.as_str(),
            phase = latest.phase.as_str(),
            cluster = cluster
        ),
        None => msg!(
            "watch-velero-manual-backup-failed",
            backup = latest.name.as_str(),
            phase = latest.phase.as_str(),
            cluster = cluster
        ),
    };
    let mut details = vec![
        ("backup".to_string(), latest.name.clone()),
        ("phase".to_string(), latest.phase.clone()),
    ];
    if let Some(schedule) = &latest.schedule {
        details.push(("schedule".to_string(), schedule.clone()));
    }
    if let Some(reason) = &latest.failure {
        details.push(("reason".to_string(), reason.clone()));
    }
    let kind = ConditionKind::VeleroBackupFailed;
    let (what, name) = match &latest.schedule {
        Some(schedule) => ("schedule", schedule.as_str()),
        None => ("backup", latest.name.as_str()),
    };
    Some(Condition {
        key: key(kind, cluster, &[what, name]),
        kind,
        cluster: cluster.to_string(),
        summary,
        details,
    })
}

/// The condition `backups` (all of one cluster's, any schedules) give for `schedule`, or for
/// the backups of no schedule when `None`: for tests and for whoever has a list at hand.
pub fn backup_failed(
    cluster: &str,
    backups: &[DynamicObject],
    schedule: Option<&str>,
) -> Vec<Condition> {
    let facts: Vec<Backup> = backups.iter().map(Backup::of).collect();
    let mut groups: BTreeMap<String, Vec<&Backup>> = BTreeMap::new();
    for fact in facts.iter().filter(|b| b.schedule.as_deref() == schedule) {
        groups.entry(group_of(fact)).or_default().push(fact);
    }
    groups
        .values()
        .filter_map(|group| failed(cluster, group))
        .collect()
}

/// Backups judged per schedule.
pub(super) struct Backups {
    pub cluster: String,
}

impl Judge for Backups {
    type Object = DynamicObject;
    type Fact = Backup;

    fn kinds(&self) -> &'static [ConditionKind] {
        &[ConditionKind::VeleroBackupFailed]
    }

    fn group(&self, _key: &str, backup: &DynamicObject) -> String {
        group_of(&Backup::of(backup))
    }

    fn fact(&self, backup: &DynamicObject) -> Backup {
        Backup::of(backup)
    }

    fn judge(&self, members: &BTreeMap<String, Backup>, _: DateTime<Utc>) -> Vec<Condition> {
        let group: Vec<&Backup> = members.values().collect();
        failed(&self.cluster, &group).into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn backup(name: &str, schedule: Option<&str>, phase: &str, created: &str) -> DynamicObject {
        let mut labels = json!({});
        if let Some(s) = schedule {
            labels[SCHEDULE_LABEL] = json!(s);
        }
        serde_json::from_value(json!({
            "apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": { "name": name, "namespace": "velero", "labels": labels,
                          "creationTimestamp": created },
            "status": { "phase": phase }
        }))
        .expect("a backup")
    }

    #[test]
    fn the_latest_finished_backup_of_a_schedule_decides() {
        let failed_then_ok = [
            backup(
                "daily-20261124020000",
                Some("daily"),
                "Failed",
                "2026-11-24T02:00:00Z",
            ),
            backup(
                "daily-20261125020000",
                Some("daily"),
                "Completed",
                "2026-11-25T02:00:00Z",
            ),
        ];
        assert!(backup_failed("mgmt", &failed_then_ok, Some("daily")).is_empty());

        let ok_then_failed = [
            backup(
                "daily-20261124020000",
                Some("daily"),
                "Completed",
                "2026-11-24T02:00:00Z",
            ),
            backup(
                "daily-20261125020000",
                Some("daily"),
                "PartiallyFailed",
                "2026-11-25T02:00:00Z",
            ),
            backup(
                "daily-20261126020000",
                Some("daily"),
                "InProgress",
                "2026-11-26T02:00:00Z",
            ),
        ];
        let found = backup_failed("mgmt", &ok_then_failed, Some("daily"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "velero-backup-failed/mgmt/schedule/daily");
        assert_eq!(found[0].summary.id, "watch-velero-backup-failed");
        assert!(
            found[0]
                .details
                .contains(&("backup".into(), "daily-20261125020000".into()))
        );
    }

    #[test]
    fn a_backup_of_no_schedule_is_judged_alone() {
        let backups = [
            backup("manual-1", None, "Failed", "2026-11-24T02:00:00Z"),
            backup("manual-2", None, "Completed", "2026-11-25T02:00:00Z"),
        ];
        let found = backup_failed("mgmt", &backups, None);
        assert_eq!(
            found.len(),
            1,
            "a later manual backup clears nothing: {found:?}"
        );
        assert_eq!(found[0].key, "velero-backup-failed/mgmt/backup/manual-1");
        assert_eq!(found[0].summary.id, "watch-velero-manual-backup-failed");
    }

    #[test]
    fn the_name_breaks_a_tie_of_creation_times() {
        let same_second = [
            backup(
                "daily-20261125020000",
                Some("daily"),
                "Completed",
                "2026-11-25T02:00:00Z",
            ),
            backup(
                "daily-20261124020000",
                Some("daily"),
                "Failed",
                "2026-11-25T02:00:00Z",
            ),
        ];
        assert!(backup_failed("mgmt", &same_second, Some("daily")).is_empty());
    }
}
