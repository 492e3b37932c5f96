//! velero.backup: runbook §2.2, risk write. Create a `velero.io/v1` Backup of some
//! namespaces (`ns-backup-…`) or of the whole cluster (`full-backup-…`), then follow it until
//! Velero says it is done, reporting the items backed up as they grow.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kube::api::{DynamicObject, PostParams};
use serde_json::{Value, json};

use super::follow::{FOLLOW_TIMEOUT, follow_backup};
use super::{
    DEFAULT_TTL, FIELD_MANAGER, NAMESPACE, Outcome, STORAGE_LOCATION, backups, go_duration,
    outcome, require_velero, velero_error,
};
use crate::k8s::single;
use crate::spec::Kind;
use crate::{
    Block, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step, args,
    msg,
};

pub static SPEC: Spec = Spec {
    id: "velero.backup",
    section: "2.2",
    risk: Risk::Write,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["velero", "backup", "create"],
        args: &[
            args::option("name", "name", Kind::Name),
            args::option("namespaces", "namespaces", Kind::Namespaces),
            args::switch("all", "all"),
            args::option("exclude", "exclude", Kind::Namespaces),
            args::option("ttl", "ttl", Kind::Duration),
            args::cluster(false),
        ],
    }],
};

pub struct VeleroBackup;

impl Operation for VeleroBackup {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let backup = Backup::from_request(request, Utc::now())?;
        Ok(vec![
            Box::new(Create(backup.clone())),
            Box::new(Follow {
                backup,
                timeout: FOLLOW_TIMEOUT,
            }),
        ])
    }
}

/// The backup asked for, decided before anything runs so the plan names it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Backup {
    cluster: String,
    name: String,
    /// `["*"]` for a full backup, as `velero backup create` sends by default.
    included: Vec<String>,
    excluded: Vec<String>,
    ttl: Duration,
}

impl Backup {
    fn from_request(request: &Request, now: DateTime<Utc>) -> Result<Backup, OpError> {
        let cluster = request
            .cluster()
            .ok_or_else(|| OpError::Failed(msg!("velero-no-cluster")))?
            .to_string();
        let namespaces = request.args.list("namespaces");
        if namespaces.is_some() && request.args.switch("all") {
            return Err(OpError::Failed(msg!("velero-all-and-namespaces")));
        }
        let (prefix, included) = match namespaces {
            Some(list) => ("ns-backup", list.to_vec()),
            None => ("full-backup", vec!["*".to_string()]),
        };
        let name = match request.args.text("name") {
            Some(name) => name.to_string(),
            None => format!("{prefix}-{}", now.format("%Y%m%d-%H%M%S")),
        };
        Ok(Backup {
            cluster,
            name,
            included,
            excluded: request
                .args
                .list("exclude")
                .map(<[String]>::to_vec)
                .unwrap_or_default(),
            ttl: request.args.duration("ttl").unwrap_or(DEFAULT_TTL),
        })
    }

    /// The object `velero backup create` would post, built from values (never from text).
    fn object(&self) -> Value {
        let mut spec = json!({
            "includedNamespaces": self.included,
            "ttl": go_duration(self.ttl),
            "storageLocation": STORAGE_LOCATION,
        });
        if !self.excluded.is_empty() {
            spec["excludedNamespaces"] = json!(self.excluded);
        }
        json!({
            "apiVersion": "velero.io/v1",
            "kind": "Backup",
            "metadata": { "name": self.name, "namespace": NAMESPACE },
            "spec": spec,
        })
    }

    /// "namespaces default, app", "all namespaces except kube-system", "all namespaces".
    fn scope(&self) -> Message {
        let all = self.included.iter().any(|n| n == "*");
        match (all, self.excluded.is_empty()) {
            (true, true) => msg!("velero-scope-all"),
            (true, false) => msg!(
                "velero-scope-all-except",
                excluded = self.excluded.join(", ")
            ),
            (false, true) => msg!("velero-scope-some", included = self.included.join(", ")),
            (false, false) => msg!(
                "velero-scope-some-except",
                included = self.included.join(", "),
                excluded = self.excluded.join(", ")
            ),
        }
    }
}

/// `create`: posts the Backup; a name already taken is one sentence, not a conflict code.
struct Create(Backup);

#[async_trait]
impl Step for Create {
    fn plan(&self) -> Message {
        let b = &self.0;
        msg!(
            "velero-backup-plan-create",
            name = b.name.as_str(),
            cluster = b.cluster.as_str(),
            scope = b.scope(),
            ttl = go_duration(b.ttl)
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let b = &self.0;
        let client = single(cx, &b.cluster).await?;
        require_velero(&client, &b.cluster).await?;
        let object: DynamicObject = serde_json::from_value(b.object())
            .map_err(|e| OpError::Failed(msg!("error-internal", detail = e.to_string())))?;
        let params = PostParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..PostParams::default()
        };
        match backups(client).create(&params, &object).await {
            Ok(_) => {
                cx.progress.report(msg!(
                    "velero-backup-created",
                    name = b.name.as_str(),
                    namespace = NAMESPACE
                ));
                Ok(())
            }
            Err(kube::Error::Api(status)) if status.code == 409 => Err(OpError::Failed(msg!(
                "velero-backup-exists",
                name = b.name.as_str(),
                cluster = b.cluster.as_str()
            ))),
            Err(e) => Err(velero_error(&b.cluster, e)),
        }
    }
}

/// `follow`: waits for a final phase; anything but Completed fails the run with Velero's
/// reason, after the report shows what was backed up.
struct Follow {
    backup: Backup,
    timeout: Duration,
}

#[async_trait]
impl Step for Follow {
    fn plan(&self) -> Message {
        msg!(
            "velero-backup-plan-follow",
            name = self.backup.name.as_str(),
            minutes = self.timeout.as_secs() / 60
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let b = &self.backup;
        let client = single(cx, &b.cluster).await?;
        let view = follow_backup(client, &b.cluster, &b.name, cx.progress, self.timeout).await?;
        cx.report.push(Block::Fields(view.fields(Utc::now())));
        match outcome(view.phase.as_deref()) {
            Outcome::Completed => Ok(()),
            _ => Err(OpError::Failed(msg!(
                "velero-backup-failed",
                name = b.name.as_str(),
                phase = view.phase(),
                why = view.why()
            ))),
        }
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

    fn now() -> DateTime<Utc> {
        crate::k8s::objects::timestamp("2026-11-26T02:03:04Z").expect("time")
    }

    #[test]
    fn a_namespace_backup_is_named_and_shaped_as_the_runbook_does() {
        let r = request("velero backup create --namespaces default,app --ttl 168h");
        let backup = Backup::from_request(&r, now()).expect("backup");
        assert_eq!(backup.name, "ns-backup-20261126-020304");
        let object = backup.object();
        assert_eq!(object["metadata"]["namespace"], "velero");
        assert_eq!(
            object["spec"]["includedNamespaces"],
            json!(["default", "app"])
        );
        assert_eq!(object["spec"]["ttl"], "168h0m0s");
        assert_eq!(object["spec"]["storageLocation"], "default");
        assert!(object["spec"].get("excludedNamespaces").is_none());
    }

    #[test]
    fn a_full_backup_includes_everything_but_the_excluded() {
        let r = request("velero backup create --all --exclude kube-system --ttl 7d");
        let backup = Backup::from_request(&r, now()).expect("backup");
        assert_eq!(backup.name, "full-backup-20261126-020304");
        let object = backup.object();
        assert_eq!(object["spec"]["includedNamespaces"], json!(["*"]));
        assert_eq!(object["spec"]["excludedNamespaces"], json!(["kube-system"]));
        assert_eq!(object["spec"]["ttl"], "168h0m0s");
        assert_eq!(backup.scope().id, "velero-scope-all-except");
    }

    #[test]
    fn namespaces_and_all_together_are_refused() {
        let r = request("velero backup create --all --namespaces app");
        let error = Backup::from_request(&r, now()).expect_err("refused");
        assert_eq!(error.message().id, "velero-all-and-namespaces");
    }

    #[test]
    fn a_given_name_is_kept_and_ttl_defaults_to_seven_days() {
        let r = request("velero backup create --name before-upgrade --namespaces app");
        let backup = Backup::from_request(&r, now()).expect("backup");
        assert_eq!(backup.name, "before-upgrade");
        assert_eq!(backup.object()["spec"]["ttl"], "168h0m0s");
    }
}
