//! vault.unseal: runbook §5.5, risk write. Each key share is asked for privately (a modal in
//! Slack, hidden input in the terminal) and sent straight to Vault's `sys/unseal`: never
//! echoed, logged, stored, or put in a message.

use async_trait::async_trait;
use serde_json::json;

use super::{
    http_client, parse_seal_status, refused, request_error, seal_status, url, vault_settings,
};
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    msg,
};

pub static SPEC: Spec = Spec {
    id: "vault.unseal",
    section: "5.5",
    risk: Risk::Write,
    scope: Scope::Global,
    forms: &[Form {
        words: &["vault", "unseal"],
        args: &[],
    }],
};

pub struct VaultUnseal;

impl Operation for VaultUnseal {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, _request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(EnterShares)])
    }
}

/// Reads the seal, then asks for one share at a time until Vault reports it unsealed.
struct EnterShares;

#[async_trait]
impl Step for EnterShares {
    fn plan(&self) -> Message {
        msg!("vault-unseal-plan")
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let vault = vault_settings(cx.settings)?;
        let client = http_client(vault).await?;
        let mut status = seal_status(&client, vault).await?;
        if !status.initialized {
            return Err(OpError::Failed(msg!("vault-unseal-uninitialized")));
        }
        if !status.sealed {
            cx.report.push(Block::Note(msg!("vault-unseal-already")));
            return Ok(());
        }
        // A bound on the questions: a share Vault rejects does not count, so allow a few.
        let mut asked = 0;
        while status.sealed {
            if asked >= status.t.saturating_mul(2).max(3) {
                return Err(OpError::Failed(msg!(
                    "vault-unseal-gave-up",
                    progress = status.progress,
                    threshold = status.t
                )));
            }
            asked += 1;
            let question = msg!(
                "vault-unseal-ask",
                index = status.progress + 1,
                threshold = status.t
            );
            let Some(share) = cx.prompt.secret(&question).await else {
                return Err(OpError::Failed(msg!(
                    "vault-unseal-no-share",
                    progress = status.progress,
                    threshold = status.t
                )));
            };
            let response = client
                .put(url(vault, "sys/unseal"))
                .json(&json!({ "key": share.expose() }))
                .send()
                .await
                .map_err(|e| request_error(vault, &e))?;
            drop(share);
            let code = response.status();
            let body = response
                .text()
                .await
                .map_err(|e| request_error(vault, &e))?;
            if code.as_u16() == 400 {
                // A wrong or malformed share: say so and ask again; Vault keeps its progress.
                cx.progress.report(msg!("vault-unseal-share-refused"));
                status = seal_status(&client, vault).await?;
                continue;
            }
            if !code.is_success() {
                return Err(refused(vault, code, &body));
            }
            status = parse_seal_status(vault, &body)?;
            cx.progress.report(msg!(
                "vault-unseal-progress",
                progress = if status.sealed {
                    status.progress
                } else {
                    status.t
                },
                threshold = status.t
            ));
        }
        cx.report.push(Block::Fields(vec![
            (
                msg!("vault-unseal-field-sealed"),
                Cell::Message(msg!("vault-no")),
            ),
            (
                msg!("vault-unseal-field-version"),
                Cell::Text(status.version.clone()),
            ),
        ]));
        Ok(())
    }
}
