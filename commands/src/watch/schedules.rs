//! Velero Schedules in `velero`: one whose spec Velero refused (phase `FailedValidation`)
//! makes no backups at all, which no failed Backup would ever show. Fixing or deleting it
//! clears the condition.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kube::ResourceExt;
use kube::api::DynamicObject;

use super::track::Judge;
use super::{Condition, ConditionKind, key};
use crate::k8s::objects::text;
use crate::msg;

const FAILED_VALIDATION: &str = "FailedValidation";

/// What of a Schedule the judgement needs.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Schedule {
    name: String,
    phase: String,
    errors: Vec<String>,
}

impl Schedule {
    fn of(schedule: &DynamicObject) -> Schedule {
        Schedule {
            name: schedule.name_any(),
            phase: text(&schedule.data, "/status/phase")
                .unwrap_or_default()
                .to_string(),
            errors: schedule
                .data
                .pointer("/status/validationErrors")
                .and_then(|e| e.as_array())
                .map(|e| {
                    e.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The condition one schedule gives: Velero refused it.
pub fn schedule_failed(cluster: &str, schedule: &DynamicObject) -> Option<Condition> {
    failed(cluster, &Schedule::of(schedule))
}

fn failed(cluster: &str, schedule: &Schedule) -> Option<Condition> {
    if schedule.phase != FAILED_VALIDATION {
        return None;
    }
    let reason = schedule.errors.join("; ");
    let kind = ConditionKind::VeleroScheduleFailed;
    let mut details = vec![
        ("schedule".to_string(), schedule.name.clone()),
        ("phase".to_string(), schedule.phase.clone()),
    ];
    if !reason.is_empty() {
        details.push(("reason".to_string(), reason.clone()));
    }
    Some(Condition {
        key: key(kind, cluster, &[schedule.name.as_str()]),
        kind,
        cluster: cluster.to_string(),
        summary: msg!(
            "watch-velero-schedule-failed",
            schedule = schedule.name.as_str(),
            cluster = cluster,
            reason = reason
        ),
        details,
    })
}

/// Schedules, each judged alone.
pub(super) struct Schedules {
    pub cluster: String,
}

impl Judge for Schedules {
    type Object = DynamicObject;
    type Fact = Schedule;

    fn kinds(&self) -> &'static [ConditionKind] {
        &[ConditionKind::VeleroScheduleFailed]
    }

    fn fact(&self, schedule: &DynamicObject) -> Schedule {
        Schedule::of(schedule)
    }

    fn judge(&self, members: &BTreeMap<String, Schedule>, _: DateTime<Utc>) -> Vec<Condition> {
        members
            .values()
            .filter_map(|s| failed(&self.cluster, s))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schedule(phase: &str, errors: serde_json::Value) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "velero.io/v1", "kind": "Schedule",
            "metadata": { "name": "nightly", "namespace": "velero" },
            "spec": { "schedule": "0 2 * * *" },
            "status": { "phase": phase, "validationErrors": errors }
        }))
        .expect("a schedule")
    }

    #[test]
    fn a_schedule_velero_refused_is_a_condition_and_an_enabled_one_is_not() {
        let refused = schedule_failed(
            "mgmt",
            &schedule("FailedValidation", json!(["invalid schedule: bad cron"])),
        )
        .expect("a condition");
        assert_eq!(refused.key, "velero-schedule-failed/mgmt/nightly");
        assert_eq!(
            refused.details.last(),
            Some(&(
                "reason".to_string(),
                "invalid schedule: bad cron".to_string()
            ))
        );
        assert!(schedule_failed("mgmt", &schedule("Enabled", json!([]))).is_none());
    }
}
