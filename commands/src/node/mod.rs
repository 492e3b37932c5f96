//! Node work of runbook §6.1 and §6.2, done on the node itself through the node runner (a
//! privileged Job pinned to it that `chroot`s into the host): the kubelet's state and journal
//! ([`kubelet`]), disk usage ([`disk`]) and the clean-up of unused images and old journals
//! ([`prune`]). An unknown node is refused by the runner before anything is created.

pub mod disk;
pub mod kubelet;
pub mod prune;

use crate::{OpError, Request};

/// The cluster and node of a `node … NODE` request; the parser requires the node, and a
/// single-cluster request always resolves to one cluster.
pub(crate) fn target(request: &Request) -> Result<(String, String), OpError> {
    match (request.cluster(), request.args.text("node")) {
        (Some(cluster), Some(node)) => Ok((cluster.to_string(), node.to_string())),
        _ => Err(OpError::MissingFact("cluster and node")),
    }
}
