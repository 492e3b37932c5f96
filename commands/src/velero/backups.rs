//! velero.backups: runbook §2.2, risk read. `velero backup list` is the table of
//! `velero backup get`; `velero backup describe NAME` is one backup's fields.

use async_trait::async_trait;
use chrono::Utc;
use kube::api::ListParams;

use super::view::BackupView;
use super::{NAMESPACE, backups, clock, require_velero, velero_error};
use crate::k8s::single;
use crate::spec::Kind;
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "velero.backups",
    section: "2.2",
    risk: Risk::Read,
    scope: Scope::Cluster,
    forms: &[
        Form {
            words: &["velero", "backup", "list"],
            args: &[args::cluster(false)],
        },
        Form {
            words: &["velero", "backup", "describe"],
            args: &[args::positional("backup", Kind::Name), args::cluster(false)],
        },
    ],
};

pub struct VeleroBackups;

impl Operation for VeleroBackups {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let cluster = request
            .cluster()
            .ok_or_else(|| OpError::Failed(msg!("velero-no-cluster")))?
            .to_string();
        Ok(match request.args.text("backup") {
            Some(name) => vec![Box::new(Describe {
                cluster,
                name: name.to_string(),
            })],
            None => vec![Box::new(List { cluster })],
        })
    }
}

struct List {
    cluster: String,
}

#[async_trait]
impl Step for List {
    fn plan(&self) -> Message {
        msg!("velero-backups-plan-list", cluster = self.cluster.as_str())
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        require_velero(&client, &self.cluster).await?;
        let list = backups(client)
            .list(&ListParams::default())
            .await
            .map_err(|e| velero_error(&self.cluster, e))?;
        let mut views: Vec<BackupView> = list.items.iter().map(BackupView::of).collect();
        if views.is_empty() {
            cx.report.push(Block::Note(msg!(
                "velero-backups-none",
                cluster = self.cluster.as_str()
            )));
            return Ok(());
        }
        // Newest first: the one to restore from is usually at the top.
        views.sort_by(|a, b| b.created.cmp(&a.created).then(a.name.cmp(&b.name)));
        let now = Utc::now();
        let mut table = Table::new(vec![
            msg!("velero-col-name"),
            msg!("velero-col-status"),
            msg!("velero-col-errors"),
            msg!("velero-col-warnings"),
            msg!("velero-col-created"),
            msg!("velero-col-expires"),
            msg!("velero-col-storage-location"),
            msg!("velero-col-selector"),
        ]);
        for view in &views {
            table.rows.push(vec![
                Cell::Text(view.name.clone()),
                Cell::Text(view.phase().to_string()),
                Cell::Text(view.errors.to_string()),
                Cell::Text(view.warnings.to_string()),
                Cell::Text(view.created.map(clock).unwrap_or_default()),
                view.expires_short(now),
                Cell::Text(view.storage_location.clone().unwrap_or_default()),
                view.selector_cell(),
            ]);
        }
        cx.report.push(Block::Table(table));
        Ok(())
    }
}

struct Describe {
    cluster: String,
    name: String,
}

#[async_trait]
impl Step for Describe {
    fn plan(&self) -> Message {
        msg!(
            "velero-backups-plan-describe",
            name = self.name.as_str(),
            cluster = self.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let found = backups(client)
            .get_opt(&self.name)
            .await
            .map_err(|e| velero_error(&self.cluster, e))?;
        let Some(object) = found else {
            return Err(OpError::Failed(msg!(
                "velero-backup-unknown",
                name = self.name.as_str(),
                cluster = self.cluster.as_str(),
                namespace = NAMESPACE
            )));
        };
        let view = BackupView::of(&object);
        cx.report.push(Block::Fields(view.fields(Utc::now())));
        Ok(())
    }
}
