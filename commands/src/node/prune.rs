//! node.prune: runbook §6.2, risk write. On the node: `crictl rmi --prune` (images no
//! container uses), then `journalctl --vacuum-time=3d` (journals older than three days).

use super::target;
use crate::runner::RunOnNode;
use crate::{Form, Kind, OpError, Operation, Request, Risk, Scope, Spec, Step, args};

pub static SPEC: Spec = Spec {
    id: "node.prune",
    section: "6.2",
    risk: Risk::Write,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["node", "prune"],
        args: &[args::positional("node", Kind::Name), args::cluster(false)],
    }],
};

/// The runbook's two clean-up commands, in its order.
pub(crate) const PRUNE_IMAGES: &[&str] = &["crictl", "rmi", "--prune"];
pub(crate) const VACUUM_JOURNAL: &[&str] = &["journalctl", "--vacuum-time=3d"];

pub struct NodePrune;

impl Operation for NodePrune {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, node) = target(request)?;
        Ok(vec![
            Box::new(RunOnNode::new(
                &cluster,
                &node,
                PRUNE_IMAGES.iter().copied(),
            )),
            Box::new(RunOnNode::new(
                &cluster,
                &node,
                VACUUM_JOURNAL.iter().copied(),
            )),
        ])
    }
}
