//! vm.restart: runbook §6.1, risk destructive. `multipass restart VM`, then
//! `multipass info VM --format json` to report the state it came back in.

use async_trait::async_trait;

use super::{Capture, MULTIPASS, captured, parse_info};
use crate::runner::{ProgramCall, RunProgram, local};
use crate::spec::{Form, Kind};
use crate::{
    Block, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "vm.restart",
    section: "6.1",
    risk: Risk::Destructive,
    scope: Scope::Global,
    forms: &[Form {
        words: &["vm", "restart"],
        args: &[args::positional("vm", Kind::Name)],
    }],
};

pub struct VmRestart;

impl Operation for VmRestart {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let vm = request
            .args
            .text("vm")
            .ok_or_else(|| OpError::Failed(msg!("vm-restart-no-vm")))?
            .to_string();
        Ok(vec![
            Box::new(RunProgram::new(MULTIPASS, ["restart", vm.as_str()])),
            Box::new(Info { vm }),
        ])
    }
}

/// `info`: the VM's state after the restart.
struct Info {
    vm: String,
}

#[async_trait]
impl Step for Info {
    fn plan(&self) -> Message {
        msg!("vm-restart-plan-info", vm = self.vm.as_str())
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let capture = Capture::new(cx.progress);
        let call = ProgramCall::new(MULTIPASS, ["info", self.vm.as_str(), "--format", "json"]);
        local::run(&cx.settings.runners, &call, &capture).await?;
        let vm = parse_info(&captured(&capture)?, &self.vm)?;
        let ipv4 = match vm.ipv4.is_empty() {
            true => "-".to_string(),
            false => vm.ipv4.join(", "),
        };
        cx.report.push(Block::Fields(vec![
            (msg!("vm-col-name"), vm.name.clone().into()),
            (msg!("vm-col-state"), vm.state.clone().into()),
            (msg!("vm-col-ipv4"), ipv4.into()),
            (msg!("vm-col-release"), vm.release.clone().into()),
        ]));
        if vm.state != "Running" {
            return Err(OpError::Failed(msg!(
                "vm-restart-not-running",
                vm = self.vm.as_str(),
                state = vm.state.as_str()
            )));
        }
        cx.report
            .push(Block::Note(msg!("vm-restart-done", vm = self.vm.as_str())));
        Ok(())
    }
}
