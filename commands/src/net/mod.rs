//! Runbook §5.2, network problems: the Cilium view of the pods.

pub mod endpoints;
pub mod observe;
pub mod test;
