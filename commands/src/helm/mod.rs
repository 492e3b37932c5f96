//! Runbook §4.2: the Helm releases installed on the platform (kube-prometheus-stack, Vault,
//! cert-manager, Velero …), read straight from the release records Helm 3 keeps as Secrets, so
//! no helm binary or repository is needed to look.

pub mod bounds;
pub mod list;
pub mod release;
pub mod rollback;
mod rollback_bounds;
pub mod upgrade;
