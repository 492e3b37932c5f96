//! The runbook appendix's "any resource" commands: `get KIND` (a table) and `yaml KIND/NAME`
//! (one object), for every kind the API server serves, built-in or custom.
//!
//! Kinds are typed as kubectl takes them (`po`, `deploy`, `deployments.apps`,
//! `certificates.cert-manager.io`) and resolved through API discovery ([`resolve`]).
//! Secret data never leaves this module: `get` counts a Secret's keys, and `yaml` replaces
//! every value with its size before the object is printed ([`emit`]).

mod emit;
pub mod get;
mod resolve;
pub mod yaml;

pub use emit::to_yaml;
pub(crate) use resolve::is_cluster_scoped;
