//! vault.status: runbook §5.5, risk read. `vault status` as Vault's HTTP API answers it
//! (`GET /v1/sys/seal-status`): sealed or not, key shares and threshold, unseal progress,
//! version, cluster and storage. A sealed Vault is a finding, not a failure: the run
//! succeeds and says to run `vault unseal`.

use async_trait::async_trait;

use super::{SealStatus, http_client, seal_status, vault_settings};
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    msg,
};

pub static SPEC: Spec = Spec {
    id: "vault.status",
    section: "5.5",
    risk: Risk::Read,
    scope: Scope::Global,
    forms: &[Form {
        words: &["vault", "status"],
        args: &[],
    }],
};

pub struct VaultStatus;

impl Operation for VaultStatus {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, _request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(ReadSealStatus)])
    }
}

struct ReadSealStatus;

#[async_trait]
impl Step for ReadSealStatus {
    fn plan(&self) -> Message {
        msg!("vault-status-plan")
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let vault = vault_settings(cx.settings)?;
        let client = http_client(vault).await?;
        let status = seal_status(&client, vault).await?;
        render(cx, &status);
        Ok(())
    }
}

fn render(cx: &mut RunContext<'_>, s: &SealStatus) {
    let yes_no = |b: bool| {
        Cell::Message(if b {
            msg!("vault-yes")
        } else {
            msg!("vault-no")
        })
    };
    let or_none = |v: Option<&str>| match v.filter(|v| !v.is_empty()) {
        Some(v) => Cell::Text(v.to_string()),
        None => Cell::Message(msg!("vault-none")),
    };
    cx.report.push(Block::Fields(vec![
        (msg!("vault-field-sealed"), yes_no(s.sealed)),
        (msg!("vault-field-initialized"), yes_no(s.initialized)),
        (msg!("vault-field-seal-type"), or_none(Some(&s.seal_type))),
        (msg!("vault-field-shares"), Cell::Text(s.n.to_string())),
        (msg!("vault-field-threshold"), Cell::Text(s.t.to_string())),
        (
            msg!("vault-field-progress"),
            Cell::Text(format!("{}/{}", s.progress, s.t)),
        ),
        (msg!("vault-field-version"), or_none(Some(&s.version))),
        (
            msg!("vault-field-cluster-name"),
            or_none(s.cluster_name.as_deref()),
        ),
        (
            msg!("vault-field-storage-type"),
            or_none(s.storage_type.as_deref()),
        ),
    ]));
    if !s.initialized {
        cx.report
            .push(Block::Note(msg!("vault-not-initialized-note")));
    } else if s.sealed {
        cx.report.push(Block::Note(msg!(
            "vault-sealed-note",
            progress = s.progress,
            threshold = s.t
        )));
    }
}
