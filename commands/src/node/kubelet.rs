//! node.kubelet: runbook §6.1, risk read. On the node: `systemctl status kubelet --no-pager`
//! (its exit code says whether the kubelet runs: 0 active, 3 not running, 4 no such unit),
//! then the last lines of its journal, `journalctl -u kubelet -n N --no-pager`.

use async_trait::async_trait;

use super::target;
use crate::k8s::single;
use crate::runner::{NodeCommand, ProgramOutput, RunOnNode, command_line, node};
use crate::{
    Block, Form, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    args, msg,
};

pub static SPEC: Spec = Spec {
    id: "node.kubelet",
    section: "6.1",
    risk: Risk::Read,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["node", "kubelet"],
        args: &[
            args::positional("node", Kind::Name),
            args::option(
                "logs",
                "logs",
                Kind::Count {
                    min: 1,
                    max: 10_000,
                },
            ),
            args::cluster(false),
        ],
    }],
};

/// Journal lines shown when `--logs` is not given.
const DEFAULT_LOG_LINES: u64 = 100;

pub struct NodeKubelet;

impl Operation for NodeKubelet {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, node) = target(request)?;
        let lines = request.args.count("logs").unwrap_or(DEFAULT_LOG_LINES);
        let journal = journal_argv(lines);
        Ok(vec![
            Box::new(Status {
                cluster: cluster.clone(),
                node: node.clone(),
            }),
            Box::new(RunOnNode::new(cluster, node, journal)),
        ])
    }
}

pub(crate) const STATUS: &[&str] = &["systemctl", "status", "kubelet", "--no-pager"];

fn journal_argv(lines: u64) -> Vec<String> {
    [
        "journalctl",
        "-u",
        "kubelet",
        "-n",
        &lines.to_string(),
        "--no-pager",
    ]
    .map(String::from)
    .to_vec()
}

/// `systemctl status kubelet`: any exit code is an answer, and the report says which.
struct Status {
    cluster: String,
    node: String,
}

#[async_trait]
impl Step for Status {
    fn plan(&self) -> Message {
        msg!(
            "runner-plan-node",
            command = command_line(STATUS),
            node = self.node.as_str(),
            cluster = self.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let call = NodeCommand::new(
            self.cluster.as_str(),
            self.node.as_str(),
            STATUS.iter().copied(),
        );
        let exit = node::run_any(client, &cx.settings.runners.node, &call, cx.progress).await?;
        if !exit.tail.is_empty() {
            cx.report.push(Block::Heading(msg!(
                "runner-output",
                command = call.command_line()
            )));
            cx.report.push(Block::Text(exit.tail.text()));
        }
        let node = self.node.as_str();
        cx.report.push(Block::Note(match exit.code {
            0 => msg!("node-kubelet-active", node = node),
            3 => msg!("node-kubelet-inactive", node = node),
            4 => msg!("node-kubelet-no-unit", node = node),
            code => msg!("node-kubelet-unknown", node = node, code = code),
        }));
        cx.facts.insert(ProgramOutput {
            exit: exit.code,
            tail: exit.tail,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_shows_the_asked_number_of_lines() {
        assert_eq!(
            command_line(journal_argv(200)),
            "journalctl -u kubelet -n 200 --no-pager"
        );
    }
}
