//! Who may run which operation where, and who may approve it: opsbot's RBAC core.
//!
//! A [`Policy`] is read from the policy file's TOML text with [`Policy::from_toml`], which
//! checks it whole and reports every problem at once, each at its key path
//! ([`PolicyErrors`]). A valid policy is immutable and answers two questions:
//!
//! * [`Policy::decide`]: may this subject (and its groups) run this operation on this cluster
//!   and namespace? The answer is a [`Decision`]: `Allow`, naming the binding that allows it;
//!   `Deny`, naming the `[[deny]]` rule that forbids it or saying that nothing allows it (the
//!   default); or `NeedsApproval`, naming the binding and the `[[approvals]]` rule, whose
//!   [`ApprovalRule`] says how many people must approve, in which roles, and how soon.
//! * [`Policy::may_approve`]: may this person approve that request?
//!
//! Requests that touch several clusters or namespaces are judged on every one of them with
//! [`Policy::decide_all`] and [`Policy::may_approve_all`]: any deny wins, and the approval
//! asked for is the strictest of the rules that apply ([`ApprovalRule::strictest`]).
//!
//! Approvals count people, not accounts: `[[people]]` says which subjects are one person
//! ([`Policy::person`]), so nobody approves their own request from another chat, and two
//! accounts of one person are one approver. `[[break_glass]]` ([`Policy::break_glass`]) names
//! who may run an operation with fewer approvals when approvers cannot be reached.
//!
//! This crate does no I/O: it reads no file, clock or environment. The caller reads the
//! file, and keeps time for an approval's `ttl`. It knows subjects only by their syntax
//! (`slack:U0BOB`, `shell:bob`, `slack-group:S0ONCALL`) and operations only by their ids.
//!
//! ```
//! use policies::{Decision, DenyReason, Policy, Target};
//!
//! let policy = Policy::from_toml(r#"
//!     [roles.admin]
//!     operations = ["*"]
//!
//!     [[bindings]]
//!     role = "admin"
//!     subjects = ["shell:bob"]
//!
//!     [[deny]]
//!     subjects = ["*"]
//!     operations = ["pod.delete"]
//!     clusters = ["mgmt"]
//! "#)?;
//!
//! let mgmt = Target::One("mgmt");
//! let snapshot = policy.decide("shell:bob", &[], "etcd.snapshot", mgmt, Target::NotApplicable);
//! assert!(matches!(snapshot, Decision::Allow { ref by } if by.key == "bindings[0]"));
//!
//! let delete = policy.decide("shell:bob", &[], "pod.delete", mgmt, Target::One("default"));
//! let Decision::Deny { reason: DenyReason::Explicit { rule } } = delete else {
//!     panic!("expected the deny rule to win, got {delete:?}");
//! };
//! assert_eq!(rule.key, "deny[0]");
//! # Ok::<(), policies::PolicyErrors>(())
//! ```

mod decide;
mod error;
mod glob;
mod load;
mod model;
mod raw;

pub use error::{PolicyErrors, PolicyProblem, ProblemKind};
pub use model::{
    ApprovalRule, ApproveDecision, BreakGlass, Decision, DenyReason, Person, Policy, Reference,
    ReferenceKind, RuleRef, Target,
};
