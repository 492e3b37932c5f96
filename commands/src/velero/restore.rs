//! velero.restore: runbook §3.2, risk destructive. `velero restore create --from-backup B
//! [--include-namespaces app]`: the checklist makes sure the backup exists and Completed, then
//! a `velero.io/v1` Restore is created and followed to a final phase, reporting the items
//! restored as they grow, and Velero's warning and error counts at the end.

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use kube::api::{Api, ApiResource, DynamicObject, PostParams};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::follow::FOLLOW_TIMEOUT;
use super::{FIELD_MANAGER, NAMESPACE, backups, require_velero, velero_error};
use crate::k8s::objects::{dynamic, resource};
use crate::k8s::{kube_error, single};
use crate::spec::Kind;
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    args, msg,
};

pub static SPEC: Spec = Spec {
    id: "velero.restore",
    section: "3.2",
    risk: Risk::Destructive,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["velero", "restore"],
        args: &[
            args::positional("backup", Kind::Name),
            args::option("namespaces", "namespaces", Kind::Namespaces),
            args::cluster(false),
        ],
    }],
};

/// How often the Restore's status is read while it runs.
const POLL: Duration = Duration::from_secs(1);

pub struct VeleroRestore;

impl Operation for VeleroRestore {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn gates(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let restore = Restore::from_request(request)?;
        Ok(vec![Box::new(BackupCompleted(restore))])
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let restore = Restore::from_request(request)?;
        Ok(vec![
            Box::new(Create(restore.clone())),
            Box::new(Follow {
                restore,
                timeout: FOLLOW_TIMEOUT,
            }),
        ])
    }
}

/// The restore asked for, named before anything runs so plan and approval show it.
#[derive(Clone, Debug, PartialEq)]
struct Restore {
    cluster: String,
    backup: String,
    /// The restore's name: the backup's and the time, as `velero restore create` makes it.
    name: String,
    /// Empty: everything the backup holds.
    namespaces: Vec<String>,
}

impl Restore {
    fn from_request(request: &Request) -> Result<Restore, OpError> {
        let cluster = request
            .cluster()
            .ok_or_else(|| OpError::Failed(msg!("velero-no-cluster")))?;
        let backup = request
            .args
            .text("backup")
            .ok_or(OpError::MissingFact("backup"))?;
        // A Kubernetes name is at most 253 characters; the suffix takes 15.
        let stem: String = backup.chars().take(253 - 15).collect();
        Ok(Restore {
            cluster: cluster.to_string(),
            backup: backup.to_string(),
            name: format!("{stem}-{}", Utc::now().format("%Y%m%d%H%M%S")),
            namespaces: request
                .args
                .list("namespaces")
                .map(<[String]>::to_vec)
                .unwrap_or_default(),
        })
    }

    fn object(&self) -> Value {
        let mut spec = json!({ "backupName": self.backup });
        if !self.namespaces.is_empty() {
            spec["includedNamespaces"] = json!(self.namespaces);
        }
        json!({
            "apiVersion": "velero.io/v1",
            "kind": "Restore",
            "metadata": { "name": self.name, "namespace": NAMESPACE },
            "spec": spec,
        })
    }

    fn scope(&self) -> Message {
        match self.namespaces.is_empty() {
            true => msg!("restore-scope-all"),
            false => msg!(
                "restore-scope-some",
                namespaces = self.namespaces.join(", ")
            ),
        }
    }
}

fn restores(client: kube::Client) -> Api<DynamicObject> {
    let restore: ApiResource = resource("velero.io", "v1", "Restore", "restores");
    dynamic(client, &restore, Some(NAMESPACE))
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(String::from)
}

fn number(value: &Value, pointer: &str) -> Option<u64> {
    value.pointer(pointer).and_then(Value::as_u64)
}

/// Gate: the backup exists and Velero finished it (`Completed`).
struct BackupCompleted(Restore);

#[async_trait]
impl Step for BackupCompleted {
    fn plan(&self) -> Message {
        msg!(
            "restore-gate-backup",
            backup = self.0.backup.as_str(),
            cluster = self.0.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let r = &self.0;
        let client = single(cx, &r.cluster).await?;
        require_velero(&client, &r.cluster).await?;
        let found = backups(client)
            .get_opt(&r.backup)
            .await
            .map_err(|e| velero_error(&r.cluster, e))?;
        let Some(backup) = found else {
            return Err(OpError::Failed(msg!(
                "restore-backup-missing",
                backup = r.backup.as_str(),
                cluster = r.cluster.as_str()
            )));
        };
        let status = serde_json::to_value(&backup.data).unwrap_or_default();
        let phase = text(&status, "/status/phase").unwrap_or_else(|| "New".to_string());
        if phase != "Completed" {
            return Err(OpError::Failed(msg!(
                "restore-backup-not-completed",
                backup = r.backup.as_str(),
                phase = phase
            )));
        }
        cx.report.push(Block::Note(msg!(
            "restore-gate-backup-ok",
            backup = r.backup.as_str(),
            items = number(&status, "/status/progress/itemsBackedUp").unwrap_or(0)
        )));
        Ok(())
    }
}

/// `create`: posts the Restore.
struct Create(Restore);

#[async_trait]
impl Step for Create {
    fn plan(&self) -> Message {
        msg!(
            "restore-plan-create",
            name = self.0.name.as_str(),
            backup = self.0.backup.as_str(),
            cluster = self.0.cluster.as_str(),
            scope = self.0.scope()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let r = &self.0;
        let client = single(cx, &r.cluster).await?;
        let object: DynamicObject = serde_json::from_value(r.object())
            .map_err(|e| OpError::Failed(msg!("error-internal", detail = e.to_string())))?;
        let params = PostParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..PostParams::default()
        };
        restores(client)
            .create(&params, &object)
            .await
            .map_err(|e| velero_error(&r.cluster, e))?;
        cx.progress.report(msg!(
            "restore-created",
            name = r.name.as_str(),
            namespace = NAMESPACE
        ));
        Ok(())
    }
}

/// `follow`: reads the Restore until its phase is final; only Completed succeeds.
struct Follow {
    restore: Restore,
    timeout: Duration,
}

#[async_trait]
impl Step for Follow {
    fn plan(&self) -> Message {
        msg!(
            "restore-plan-follow",
            name = self.restore.name.as_str(),
            minutes = self.timeout.as_secs() / 60
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let r = &self.restore;
        let client = single(cx, &r.cluster).await?;
        let api = restores(client);
        let deadline = Instant::now() + self.timeout;
        let mut last: Option<(String, Option<u64>, Option<u64>)> = None;
        let status = loop {
            let object = match tokio::time::timeout_at(deadline, api.get_opt(&r.name)).await {
                Err(_) => None,
                Ok(Ok(Some(object))) => Some(object),
                Ok(Ok(None)) => {
                    return Err(OpError::Failed(msg!(
                        "restore-deleted",
                        name = r.name.as_str(),
                        cluster = r.cluster.as_str()
                    )));
                }
                Ok(Err(e)) => return Err(kube_error(&r.cluster, e)),
            };
            let Some(object) = object else {
                return Err(OpError::Timeout {
                    what: format!("restore {}", r.name),
                    after: self.timeout,
                });
            };
            let data = object.data;
            let phase = text(&data, "/status/phase").unwrap_or_else(|| "New".to_string());
            let done = number(&data, "/status/progress/itemsRestored");
            let total = number(&data, "/status/progress/totalItems");
            let now = (phase.clone(), done, total);
            if last.as_ref() != Some(&now) {
                cx.progress.report(match (done, total) {
                    (Some(done), Some(total)) => msg!(
                        "restore-progress",
                        phase = phase.as_str(),
                        done = done,
                        total = total
                    ),
                    _ => msg!("restore-phase", phase = phase.as_str()),
                });
                last = Some(now);
            }
            if matches!(
                phase.as_str(),
                "Completed" | "PartiallyFailed" | "Failed" | "FailedValidation"
            ) {
                break data;
            }
            if Instant::now() + POLL > deadline {
                return Err(OpError::Timeout {
                    what: format!("restore {}", r.name),
                    after: self.timeout,
                });
            }
            tokio::time::sleep(POLL).await;
        };
        let phase = text(&status, "/status/phase").unwrap_or_default();
        let count = |p: &str| number(&status, p).unwrap_or(0);
        let (warnings, errors) = (count("/status/warnings"), count("/status/errors"));
        cx.report.push(Block::Fields(vec![
            (msg!("restore-field-name"), Cell::Text(r.name.clone())),
            (msg!("restore-field-backup"), Cell::Text(r.backup.clone())),
            (msg!("restore-field-phase"), Cell::Text(phase.clone())),
            (
                msg!("restore-field-items"),
                Cell::Text(format!(
                    "{} / {}",
                    count("/status/progress/itemsRestored"),
                    count("/status/progress/totalItems")
                )),
            ),
            (
                msg!("restore-field-warnings"),
                Cell::Text(warnings.to_string()),
            ),
            (msg!("restore-field-errors"), Cell::Text(errors.to_string())),
        ]));
        if phase == "Completed" {
            return Ok(());
        }
        let why = text(&status, "/status/failureReason")
            .or_else(|| {
                status
                    .pointer("/status/validationErrors")
                    .and_then(Value::as_array)
                    .map(|v| {
                        v.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
            })
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "-".to_string());
        Err(OpError::Failed(msg!(
            "restore-failed",
            name = r.name.as_str(),
            phase = phase,
            errors = errors,
            warnings = warnings,
            why = why
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, Settings, parse, resolve};

    fn request(line: &str) -> Request {
        let Ok(Command::Run(invocation)) = parse(line) else {
            panic!("{line} does not parse");
        };
        let mut settings = Settings::default();
        settings.clusters.insert("mgmt".into(), Default::default());
        resolve(invocation, &settings).expect("resolves")
    }

    #[test]
    fn the_restore_names_its_backup_and_namespaces() {
        let r = Restore::from_request(&request("velero restore nightly --namespaces app,web"))
            .expect("restore");
        assert!(r.name.starts_with("nightly-"), "{}", r.name);
        let object = r.object();
        assert_eq!(object["spec"]["backupName"], "nightly");
        assert_eq!(object["spec"]["includedNamespaces"], json!(["app", "web"]));
        assert_eq!(object["metadata"]["namespace"], "velero");
        let all = Restore::from_request(&request("velero restore nightly")).expect("restore");
        assert!(all.object()["spec"].get("includedNamespaces").is_none());
    }
}
