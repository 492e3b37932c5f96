//! dr.rebuild: runbook §3.3, risk destructive. Gate: a recent Velero backup exists (Completed,
//! finished within the last 7 days) on the first configured cluster with Velero. Then the four
//! stages of `scripts/disaster-recovery.sh`, each a step running only configured programs:
//!
//! 1. `terraform destroy -auto-approve`, then `terraform apply -auto-approve`. The runbook
//!    runs them inside its `terraform/` directory; opsbot adds no setting for it, so the
//!    configured `terraform` program is expected to be a wrapper that picks the directory
//!    (`exec terraform -chdir=/srv/platform/terraform "$@"`).
//! 2. `init-cluster NAME` once per configured cluster, `mgmt` first and then the others by
//!    name (the runbook's mgmt, app1, app2).
//! 3. `install-platform`.
//! 4. A `velero.io/v1` Restore of the latest Completed backup, created the way
//!    `velero restore create --from-backup` does and followed to a final phase.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kube::api::{Api, DynamicObject, PostParams};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::k8s::kube_error;
use crate::k8s::objects::{dynamic, resource, text, timestamp};
use crate::runner::{ProgramCall, command_line, local};
use crate::spec::Form;
use crate::velero::{FIELD_MANAGER, NAMESPACE, backups, require_velero, velero_error};
use crate::{
    Block, Message, OpError, Operation, Request, Risk, RunContext, Scope, Settings, Spec, Step, msg,
};

pub static SPEC: Spec = Spec {
    id: "dr.rebuild",
    section: "3.3",
    risk: Risk::Destructive,
    scope: Scope::Global,
    forms: &[Form {
        words: &["dr", "rebuild"],
        args: &[],
    }],
};

/// How old the newest Completed backup may be.
const RECENT: Duration = Duration::from_secs(7 * 86_400);
/// How long the Velero restore is followed.
const RESTORE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
const POLL: Duration = Duration::from_secs(2);

pub struct DrRebuild;

impl Operation for DrRebuild {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn gates(&self, _request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(RecentBackup)])
    }

    fn steps(&self, _request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![
            Box::new(Stage {
                plan: msg!("dr-plan-terraform"),
                calls: vec![
                    ("terraform", vec!["destroy", "-auto-approve"]),
                    ("terraform", vec!["apply", "-auto-approve"]),
                ],
                per_cluster: None,
            }),
            Box::new(Stage {
                plan: msg!("dr-plan-init"),
                calls: Vec::new(),
                per_cluster: Some("init-cluster"),
            }),
            Box::new(Stage {
                plan: msg!("dr-plan-platform"),
                calls: vec![("install-platform", Vec::new())],
                per_cluster: None,
            }),
            Box::new(RestoreLatest),
        ])
    }
}

/// The configured clusters in the runbook's order: `mgmt` first, then the others by name.
pub(crate) fn clusters_in_order(settings: &Settings) -> Vec<String> {
    let mut names: Vec<String> = settings.clusters.keys().cloned().collect();
    names.sort_by_key(|n| (n != "mgmt", n.clone()));
    names
}

/// One stage: configured programs run one after the other; the first failure stops it.
struct Stage {
    plan: Message,
    calls: Vec<(&'static str, Vec<&'static str>)>,
    /// A program run once per configured cluster, with the cluster's name as its argument.
    per_cluster: Option<&'static str>,
}

impl Stage {
    fn calls(&self, settings: &Settings) -> Vec<ProgramCall> {
        let mut calls: Vec<ProgramCall> = self
            .calls
            .iter()
            .map(|(program, args)| ProgramCall::new(*program, args.iter().copied()))
            .collect();
        if let Some(program) = self.per_cluster {
            calls.extend(
                clusters_in_order(settings)
                    .into_iter()
                    .map(|c| ProgramCall::new(program, [c])),
            );
        }
        calls
    }
}

#[async_trait]
impl Step for Stage {
    fn plan(&self) -> Message {
        self.plan.clone()
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        for call in self.calls(cx.settings) {
            let command = command_line(std::iter::once(&call.program).chain(&call.args));
            cx.progress
                .report(msg!("dr-running", command = command.as_str()));
            let exit = local::run(&cx.settings.runners, &call, cx.progress).await?;
            cx.report
                .push(Block::Note(msg!("dr-ran", command = command.as_str())));
            if !exit.tail.is_empty() {
                cx.report
                    .push(Block::Heading(msg!("runner-output", command = command)));
                cx.report.push(Block::Text(exit.tail.text()));
            }
        }
        Ok(())
    }
}

/// The newest Completed backup: (cluster, name, completed at).
#[derive(Clone, Debug, PartialEq)]
struct Latest {
    cluster: String,
    backup: String,
    completed: DateTime<Utc>,
}

/// The newest Completed backup of the first configured cluster that runs Velero.
async fn latest_backup(cx: &RunContext<'_>) -> Result<Latest, OpError> {
    let mut first_error = None;
    for cluster in clusters_in_order(cx.settings) {
        let found = async {
            let client = cx.kube.client(cx.settings, &cluster).await?;
            require_velero(&client, &cluster).await?;
            let list = backups(client)
                .list(&Default::default())
                .await
                .map_err(|e| velero_error(&cluster, e))?;
            let values: Vec<Value> = list
                .items
                .iter()
                .filter_map(|o| serde_json::to_value(o).ok())
                .collect();
            Ok::<_, OpError>(newest_completed(&values))
        }
        .await;
        match found {
            Ok(Some((backup, completed))) => {
                return Ok(Latest {
                    cluster,
                    backup,
                    completed,
                });
            }
            Ok(None) => {
                return Err(OpError::Failed(msg!(
                    "dr-no-completed-backup",
                    cluster = cluster.as_str()
                )));
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| OpError::Failed(msg!("dr-no-velero"))))
}

/// The name and completion time of the newest Completed backup among `backups`.
fn newest_completed(backups: &[Value]) -> Option<(String, DateTime<Utc>)> {
    backups
        .iter()
        .filter(|b| text(b, "/status/phase") == Some("Completed"))
        .filter_map(|b| {
            let name = text(b, "/metadata/name")?;
            let completed = text(b, "/status/completionTimestamp").and_then(timestamp)?;
            Some((name.to_string(), completed))
        })
        .max_by_key(|(_, completed)| *completed)
}

/// Gate: a Completed backup finished within the last 7 days.
struct RecentBackup;

#[async_trait]
impl Step for RecentBackup {
    fn plan(&self) -> Message {
        msg!("dr-gate-backup", days = RECENT.as_secs() / 86_400)
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let latest = latest_backup(cx).await?;
        let age = Utc::now() - latest.completed;
        let when = latest.completed.format("%Y-%m-%d %H:%M UTC").to_string();
        if age.to_std().unwrap_or_default() > RECENT {
            return Err(OpError::Failed(msg!(
                "dr-backup-too-old",
                backup = latest.backup.as_str(),
                cluster = latest.cluster.as_str(),
                completed = when,
                days = RECENT.as_secs() / 86_400
            )));
        }
        let found = msg!(
            "dr-backup-found",
            backup = latest.backup.as_str(),
            cluster = latest.cluster.as_str(),
            completed = when
        );
        // Progress too: a gate's report is not on the card, its progress is seen by all.
        cx.progress.report(found.clone());
        cx.report.push(Block::Note(found));
        Ok(())
    }
}

/// Stage 4: a Restore of the newest Completed backup, followed to a final phase.
struct RestoreLatest;

#[async_trait]
impl Step for RestoreLatest {
    fn plan(&self) -> Message {
        msg!("dr-plan-restore")
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let latest = latest_backup(cx).await?;
        let name = format!(
            "{}-{}",
            latest.backup.chars().take(253 - 15).collect::<String>(),
            Utc::now().format("%Y%m%d%H%M%S")
        );
        let object: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "velero.io/v1",
            "kind": "Restore",
            "metadata": { "name": name, "namespace": NAMESPACE },
            "spec": { "backupName": latest.backup },
        }))
        .map_err(|e| OpError::Failed(msg!("error-internal", detail = e.to_string())))?;
        let client = cx.kube.client(cx.settings, &latest.cluster).await?;
        let api: Api<DynamicObject> = dynamic(
            client,
            &resource("velero.io", "v1", "Restore", "restores"),
            Some(NAMESPACE),
        );
        let params = PostParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..PostParams::default()
        };
        api.create(&params, &object)
            .await
            .map_err(|e| velero_error(&latest.cluster, e))?;
        cx.progress.report(msg!(
            "dr-restore-created",
            name = name.as_str(),
            backup = latest.backup.as_str(),
            cluster = latest.cluster.as_str()
        ));
        let phase = follow(&api, &latest.cluster, &name, cx).await?;
        cx.report.push(Block::Note(msg!(
            "dr-restore-finished",
            name = name.as_str(),
            phase = phase.as_str()
        )));
        match phase.as_str() {
            "Completed" => Ok(()),
            _ => Err(OpError::Failed(msg!(
                "dr-restore-failed",
                name = name.as_str(),
                phase = phase.as_str()
            ))),
        }
    }
}

/// Polls the Restore until its phase is final, reporting each new phase.
async fn follow(
    api: &Api<DynamicObject>,
    cluster: &str,
    name: &str,
    cx: &RunContext<'_>,
) -> Result<String, OpError> {
    let deadline = Instant::now() + RESTORE_TIMEOUT;
    let mut last = String::new();
    loop {
        let object = api
            .get_opt(name)
            .await
            .map_err(|e| kube_error(cluster, e))?
            .ok_or_else(|| OpError::Failed(msg!("dr-restore-deleted", name = name)))?;
        let phase = text(&object.data, "/status/phase")
            .unwrap_or("New")
            .to_string();
        if phase != last {
            cx.progress
                .report(msg!("dr-restore-phase", phase = phase.as_str()));
            last.clone_from(&phase);
        }
        if matches!(
            phase.as_str(),
            "Completed" | "PartiallyFailed" | "Failed" | "FailedValidation"
        ) {
            return Ok(phase);
        }
        if Instant::now() + POLL > deadline {
            return Err(OpError::Timeout {
                what: format!("restore {name}"),
                after: RESTORE_TIMEOUT,
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClusterSettings;

    #[test]
    fn mgmt_is_initialised_first_then_the_others_by_name() {
        let mut settings = Settings::default();
        for name in ["app2", "mgmt", "app1"] {
            settings
                .clusters
                .insert(name.into(), ClusterSettings::default());
        }
        assert_eq!(clusters_in_order(&settings), ["mgmt", "app1", "app2"]);
        let stage = Stage {
            plan: msg!("dr-plan-init"),
            calls: Vec::new(),
            per_cluster: Some("init-cluster"),
        };
        let argv: Vec<Vec<String>> = stage.calls(&settings).into_iter().map(|c| c.args).collect();
        assert_eq!(argv, [["mgmt"], ["app1"], ["app2"]]);
    }

    #[test]
    fn the_newest_completed_backup_is_chosen() {
        let backup = |name: &str, phase: &str, at: &str| {
            json!({"metadata": {"name": name},
                   "status": {"phase": phase, "completionTimestamp": at}})
        };
        let list = [
            backup("old", "Completed", "2026-11-20T00:00:00Z"),
            backup("failed", "PartiallyFailed", "2026-11-25T00:00:00Z"),
            backup("new", "Completed", "2026-11-24T00:00:00Z"),
        ];
        let (name, _) = newest_completed(&list).expect("one");
        assert_eq!(name, "new");
        assert_eq!(newest_completed(&list[1..2]), None);
    }
}
