//! The runners as [`Step`]s, so an operation is composed of them (and later the configuration
//! can list them): `helm.upgrade` is one [`RunProgram`], `node.prune` two [`RunOnNode`]s.
//!
//! Each puts the output's tail in the report and leaves a [`ProgramOutput`] for later steps;
//! a non-zero exit fails the step after the tail is in the report, so the user sees why.

use async_trait::async_trait;

use super::{Exit, NodeCommand, ProgramCall, Tail, command_line, local, node};
use crate::{Block, Message, OpError, RunContext, Step, msg};

/// What the last run step left: its exit code and the last lines it printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramOutput {
    pub exit: i32,
    pub tail: Tail,
}

/// Runs a configured program on the bot's host (`runners.programs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunProgram {
    /// The logical name under `runners.programs`.
    pub program: String,
    pub args: Vec<String>,
}

impl RunProgram {
    pub fn new<S: Into<String>>(
        program: impl Into<String>,
        args: impl IntoIterator<Item = S>,
    ) -> Self {
        RunProgram {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
        }
    }

    /// `helm upgrade prometheus …`, quoted for reading.
    pub fn command_line(&self) -> String {
        command_line(std::iter::once(&self.program).chain(&self.args))
    }
}

#[async_trait]
impl Step for RunProgram {
    fn plan(&self) -> Message {
        msg!("runner-plan-program", command = self.command_line())
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let call = ProgramCall::new(self.program.as_str(), self.args.iter().cloned());
        let exit = local::run_any(&cx.settings.runners, &call, cx.progress).await?;
        let outcome = match exit.success() {
            true => Ok(()),
            false => Err(local::failed(&self.program, &exit)),
        };
        finish(cx, &self.command_line(), exit);
        outcome
    }
}

/// Runs an argument vector on a node, through the node runner's Job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOnNode {
    pub cluster: String,
    pub node: String,
    pub argv: Vec<String>,
}

impl RunOnNode {
    pub fn new<S: Into<String>>(
        cluster: impl Into<String>,
        node: impl Into<String>,
        argv: impl IntoIterator<Item = S>,
    ) -> Self {
        RunOnNode {
            cluster: cluster.into(),
            node: node.into(),
            argv: argv.into_iter().map(Into::into).collect(),
        }
    }
}

#[async_trait]
impl Step for RunOnNode {
    fn plan(&self) -> Message {
        msg!(
            "runner-plan-node",
            command = command_line(&self.argv),
            node = self.node.as_str(),
            cluster = self.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = crate::k8s::single(cx, &self.cluster).await?;
        let call = NodeCommand::new(
            self.cluster.as_str(),
            self.node.as_str(),
            self.argv.iter().cloned(),
        );
        let (exit, reason) =
            node::run_to_end(client, &cx.settings.runners.node, &call, cx.progress).await?;
        let outcome = match exit.success() {
            true => Ok(()),
            false => Err(node::failed(&call, &exit, &reason)),
        };
        finish(cx, &call.command_line(), exit);
        outcome
    }
}

/// The tail into the report, the output into the facts.
fn finish(cx: &mut RunContext<'_>, command: &str, exit: Exit) {
    if !exit.tail.is_empty() {
        let heading = if exit.tail.dropped() > 0 {
            msg!(
                "runner-output-tail",
                command = command,
                lines = exit.tail.lines().len()
            )
        } else {
            msg!("runner-output", command = command)
        };
        cx.report.push(Block::Heading(heading));
        cx.report.push(Block::Text(exit.tail.text()));
    }
    cx.facts.insert(ProgramOutput {
        exit: exit.code,
        tail: exit.tail,
    });
}
