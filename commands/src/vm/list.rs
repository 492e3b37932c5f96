//! vm.list: runbook §6.1, risk read. `multipass list --format json` on the host that runs the
//! VMs, shown as a table of name, state, IPv4 and release.

use async_trait::async_trait;

use super::{Capture, MULTIPASS, captured, parse_list};
use crate::runner::{ProgramCall, local};
use crate::spec::Form;
use crate::{
    Block, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step, Table, msg,
};

pub static SPEC: Spec = Spec {
    id: "vm.list",
    section: "6.1",
    risk: Risk::Read,
    scope: Scope::Global,
    forms: &[Form {
        words: &["vm", "list"],
        args: &[],
    }],
};

pub struct VmList;

impl Operation for VmList {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, _request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(List)])
    }
}

/// `list`: runs multipass and turns its JSON into a table.
struct List;

pub(super) const LIST_ARGS: [&str; 3] = ["list", "--format", "json"];

#[async_trait]
impl Step for List {
    fn plan(&self) -> Message {
        msg!("vm-list-plan")
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let capture = Capture::new(cx.progress);
        let call = ProgramCall::new(MULTIPASS, LIST_ARGS);
        local::run(&cx.settings.runners, &call, &capture).await?;
        let vms = parse_list(&captured(&capture)?)?;
        if vms.is_empty() {
            cx.report.push(Block::Note(msg!("vm-list-none")));
            return Ok(());
        }
        let rows = vms
            .into_iter()
            .map(|vm| {
                let ipv4 = match vm.ipv4.is_empty() {
                    true => "-".to_string(),
                    false => vm.ipv4.join(", "),
                };
                vec![
                    vm.name.into(),
                    vm.state.into(),
                    ipv4.into(),
                    vm.release.into(),
                ]
            })
            .collect();
        cx.report.push(Block::Table(Table {
            columns: vec![
                msg!("vm-col-name"),
                msg!("vm-col-state"),
                msg!("vm-col-ipv4"),
                msg!("vm-col-release"),
            ],
            rows,
        }));
        Ok(())
    }
}
