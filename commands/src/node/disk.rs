//! node.disk: runbook §6.2, risk read. `df -h` on the node, then the filesystems at or above
//! [`FULL_PERCENT`] named, so "disk full" is read off the report, not hunted for in it.

use async_trait::async_trait;

use super::target;
use crate::runner::{ProgramOutput, RunOnNode};
use crate::{
    Block, Form, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    args, msg,
};

pub static SPEC: Spec = Spec {
    id: "node.disk",
    section: "6.2",
    risk: Risk::Read,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["node", "disk"],
        args: &[args::positional("node", Kind::Name), args::cluster(false)],
    }],
};

/// A filesystem this full gets named (the kubelet's image GC starts at 85 % by default).
const FULL_PERCENT: u32 = 85;

pub struct NodeDisk;

impl Operation for NodeDisk {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, node) = target(request)?;
        Ok(vec![
            Box::new(RunOnNode::new(&cluster, &node, ["df", "-h"])),
            Box::new(Verdict { node }),
        ])
    }
}

/// Reads the `df -h` output the previous step left and names the full filesystems.
struct Verdict {
    node: String,
}

#[async_trait]
impl Step for Verdict {
    fn plan(&self) -> Message {
        msg!(
            "node-disk-plan-verdict",
            node = self.node.as_str(),
            percent = FULL_PERCENT
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let output = cx.facts.require::<ProgramOutput>()?;
        let lines: Vec<String> = output.tail.lines().map(|l| l.text.clone()).collect();
        let full = full_filesystems(&lines);
        let note = match full.is_empty() {
            true => msg!(
                "node-disk-ok",
                node = self.node.as_str(),
                percent = FULL_PERCENT
            ),
            false => msg!(
                "node-disk-full",
                node = self.node.as_str(),
                mounts = full
                    .iter()
                    .map(|(mount, used)| format!("{mount} ({used}%)"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        cx.report.push(Block::Note(note));
        Ok(())
    }
}

/// `(mount point, use %)` of each `df -h` line at or above [`FULL_PERCENT`].
fn full_filesystems(lines: &[String]) -> Vec<(String, u32)> {
    lines
        .iter()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            let used = cells.iter().rev().nth(1)?.strip_suffix('%')?.parse().ok()?;
            let mount = cells.last()?;
            (used >= FULL_PERCENT).then(|| (mount.to_string(), used))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_filesystems_are_read_from_df() {
        let df = [
            "Filesystem      Size  Used Avail Use% Mounted on",
            "/dev/sda1        39G   36G  2.9G  93% /",
            "tmpfs           2.0G     0  2.0G   0% /dev/shm",
            "/dev/sdb1        99G   84G   15G  85% /var/lib/containerd",
        ]
        .map(String::from);
        assert_eq!(
            full_filesystems(&df),
            [
                ("/".to_string(), 93),
                ("/var/lib/containerd".to_string(), 85)
            ]
        );
    }
}
