//! velero.schedule: runbook §2.3, risk write. `velero schedule create NAME --cron "0 2 * * *"`
//! writes the runbook's `velero-schedule.yaml` as a Schedule object; `velero schedule list`
//! shows them as `velero schedule get` does.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kube::api::{DynamicObject, ListParams, PostParams};
use serde_json::{Value, json};

use super::{
    DEFAULT_TTL, FIELD_MANAGER, NAMESPACE, STORAGE_LOCATION, clock, go_duration, require_velero,
    schedules, velero_error,
};
use crate::k8s::objects::{age, text, timestamp};
use crate::k8s::single;
use crate::spec::Kind;
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "velero.schedule",
    section: "2.3",
    risk: Risk::Write,
    scope: Scope::Cluster,
    forms: &[
        Form {
            words: &["velero", "schedule", "create"],
            args: &[
                args::positional("schedule", Kind::Name),
                args::required("cron", "cron", Kind::Cron),
                args::option("ttl", "ttl", Kind::Duration),
                args::option("namespaces", "namespaces", Kind::Namespaces),
                args::cluster(false),
            ],
        },
        Form {
            words: &["velero", "schedule", "list"],
            args: &[args::cluster(false)],
        },
    ],
};

pub struct VeleroSchedule;

impl Operation for VeleroSchedule {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let cluster = request
            .cluster()
            .ok_or_else(|| OpError::Failed(msg!("velero-no-cluster")))?
            .to_string();
        let (Some(name), Some(cron)) = (request.args.text("schedule"), request.args.text("cron"))
        else {
            return Ok(vec![Box::new(List { cluster })]);
        };
        Ok(vec![Box::new(Create(Schedule {
            cluster,
            name: name.to_string(),
            cron: cron.to_string(),
            ttl: request.args.duration("ttl").unwrap_or(DEFAULT_TTL),
            included: request
                .args
                .list("namespaces")
                .map(<[String]>::to_vec)
                .unwrap_or_else(|| vec!["*".to_string()]),
        }))])
    }
}

/// The schedule asked for.
#[derive(Clone, Debug, PartialEq)]
struct Schedule {
    cluster: String,
    name: String,
    /// Already checked by the parser as a five-field cron expression.
    cron: String,
    ttl: Duration,
    included: Vec<String>,
}

impl Schedule {
    /// The runbook's `velero-schedule.yaml`, as values.
    fn object(&self) -> Value {
        json!({
            "apiVersion": "velero.io/v1",
            "kind": "Schedule",
            "metadata": { "name": self.name, "namespace": NAMESPACE },
            "spec": {
                "schedule": self.cron,
                "template": {
                    "ttl": go_duration(self.ttl),
                    "includedNamespaces": self.included,
                    "storageLocation": STORAGE_LOCATION,
                },
            },
        })
    }

    /// When Velero will first run it; its server reads cron expressions in UTC.
    fn next_run(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let cron = croner::parser::CronParser::new().parse(&self.cron).ok()?;
        cron.find_next_occurrence(&after, false).ok()
    }
}

struct Create(Schedule);

#[async_trait]
impl Step for Create {
    fn plan(&self) -> Message {
        let s = &self.0;
        msg!(
            "velero-schedule-plan-create",
            name = s.name.as_str(),
            cluster = s.cluster.as_str(),
            cron = s.cron.as_str(),
            ttl = go_duration(s.ttl)
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let s = &self.0;
        let client = single(cx, &s.cluster).await?;
        require_velero(&client, &s.cluster).await?;
        let object: DynamicObject = serde_json::from_value(s.object())
            .map_err(|e| OpError::Failed(msg!("error-internal", detail = e.to_string())))?;
        let params = PostParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..PostParams::default()
        };
        match schedules(client).create(&params, &object).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 409 => {
                return Err(OpError::Failed(msg!(
                    "velero-schedule-exists",
                    name = s.name.as_str(),
                    cluster = s.cluster.as_str()
                )));
            }
            Err(e) => return Err(velero_error(&s.cluster, e)),
        }
        let included = if s.included.iter().any(|n| n == "*") {
            Cell::Message(msg!("velero-scope-all"))
        } else {
            Cell::Text(s.included.join(", "))
        };
        cx.report.push(Block::Fields(vec![
            (msg!("velero-field-name"), Cell::Text(s.name.clone())),
            (msg!("velero-field-schedule"), Cell::Text(s.cron.clone())),
            (
                msg!("velero-field-next-run"),
                match s.next_run(Utc::now()) {
                    Some(t) => Cell::Text(clock(t)),
                    None => Cell::Message(msg!("velero-none")),
                },
            ),
            (msg!("velero-field-ttl"), Cell::Text(go_duration(s.ttl))),
            (msg!("velero-field-included"), included),
            (
                msg!("velero-field-storage-location"),
                Cell::Text(STORAGE_LOCATION.to_string()),
            ),
        ]));
        Ok(())
    }
}

struct List {
    cluster: String,
}

#[async_trait]
impl Step for List {
    fn plan(&self) -> Message {
        msg!(
            "velero-schedules-plan-list",
            cluster = self.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        require_velero(&client, &self.cluster).await?;
        let list = schedules(client)
            .list(&ListParams::default())
            .await
            .map_err(|e| velero_error(&self.cluster, e))?;
        if list.items.is_empty() {
            cx.report.push(Block::Note(msg!(
                "velero-schedules-none",
                cluster = self.cluster.as_str()
            )));
            return Ok(());
        }
        let now = Utc::now();
        let mut values: Vec<Value> = list
            .items
            .iter()
            .map(|object| serde_json::to_value(object).unwrap_or_default())
            .collect();
        values.sort_by(|a, b| text(a, "/metadata/name").cmp(&text(b, "/metadata/name")));
        let mut table = Table::new(vec![
            msg!("velero-col-name"),
            msg!("velero-col-status"),
            msg!("velero-col-schedule"),
            msg!("velero-col-last-backup"),
            msg!("velero-col-ttl"),
            msg!("velero-col-paused"),
        ]);
        table.rows = values.iter().map(|v| row(v, now)).collect();
        cx.report.push(Block::Table(table));
        Ok(())
    }
}

/// One line of `velero schedule get`.
fn row(v: &Value, now: DateTime<Utc>) -> Vec<Cell> {
    let last = match text(v, "/status/lastBackup").and_then(timestamp) {
        Some(t) => Cell::Message(msg!("velero-ago", age = age(t, now))),
        None => Cell::Message(msg!("velero-never")),
    };
    let paused = v.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    vec![
        Cell::Text(text(v, "/metadata/name").unwrap_or_default().to_string()),
        Cell::Text(text(v, "/status/phase").unwrap_or("New").to_string()),
        Cell::Text(text(v, "/spec/schedule").unwrap_or_default().to_string()),
        last,
        Cell::Text(
            text(v, "/spec/template/ttl")
                .unwrap_or_default()
                .to_string(),
        ),
        Cell::Text(paused.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daily() -> Schedule {
        Schedule {
            cluster: "mgmt".into(),
            name: "daily-backup".into(),
            cron: "0 2 * * *".into(),
            ttl: DEFAULT_TTL,
            included: vec!["default".into(), "app".into()],
        }
    }

    #[test]
    fn the_schedule_object_is_the_runbooks_yaml() {
        let object = daily().object();
        assert_eq!(object["metadata"]["namespace"], "velero");
        assert_eq!(object["spec"]["schedule"], "0 2 * * *");
        assert_eq!(
            object["spec"]["template"],
            json!({ "ttl": "168h0m0s", "includedNamespaces": ["default", "app"], "storageLocation": "default" })
        );
    }

    #[test]
    fn the_next_run_is_the_next_two_oclock_in_utc() {
        let after = timestamp("2026-11-26T03:00:00Z").expect("time");
        let next = daily().next_run(after).expect("next run");
        assert_eq!(clock(next), "2026-11-27 02:00:00 UTC");
    }

    #[test]
    fn a_list_row_shows_last_backup_age_and_pause() {
        let now = timestamp("2026-11-26T07:00:00Z").expect("time");
        let v = json!({
            "metadata": { "name": "daily-backup" },
            "spec": { "schedule": "0 2 * * *", "paused": true, "template": { "ttl": "168h0m0s" } },
            "status": { "phase": "Enabled", "lastBackup": "2026-11-26T02:00:00Z" }
        });
        let cells = row(&v, now);
        assert_eq!(cells[1], Cell::Text("Enabled".into()));
        assert_eq!(cells[3], Cell::Message(msg!("velero-ago", age = "5h")));
        assert_eq!(cells[5], Cell::Text("true".into()));
    }
}
