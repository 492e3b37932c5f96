//! Runbook §1.1 and §4.3: Cilium, the platform's CNI, and the ClusterMesh between the three
//! clusters.

pub mod status;
pub mod upgrade;
