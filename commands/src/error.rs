//! Why an operation failed, in terms a user can act on.

use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

use crate::{Message, msg};

/// A failed step. Each kind keeps the other side's words (etcd's, the kernel's) in `reason`,
/// so the user reads "connection refused", not "error".
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OpError {
    /// The cluster lacks the configuration this operation needs (`clusters.app2.etcd`).
    #[error("cluster {cluster} has no {what} configured")]
    NotConfigured { cluster: String, what: &'static str },
    /// A service did not answer.
    #[error("{target} is unreachable: {reason}")]
    Unreachable { target: String, reason: String },
    /// A service answered with an error.
    #[error("{target} refused: {reason}")]
    Refused { target: String, reason: String },
    #[error("{what} did not finish within {}", humantime::format_duration(*.after))]
    Timeout { what: String, after: Duration },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A result that did not pass its check (a snapshot whose hash differs).
    #[error("verification failed: {0}")]
    Verification(String),
    /// Something the operation itself refuses, said as a message.
    #[error("{0}")]
    Failed(Message),
    /// A step needed a fact an earlier step should have left; a bug in the operation.
    #[error("internal: step order broken, missing {0}")]
    MissingFact(&'static str),
}

impl OpError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        OpError::Io {
            path: path.into(),
            source,
        }
    }

    /// The sentence the user reads.
    pub fn message(&self) -> Message {
        match self {
            OpError::NotConfigured { cluster, what } => {
                msg!("error-not-configured", cluster = cluster, what = *what)
            }
            OpError::Unreachable { target, reason } => {
                msg!("error-unreachable", target = target, reason = reason)
            }
            OpError::Refused { target, reason } => {
                msg!("error-refused", target = target, reason = reason)
            }
            OpError::Timeout { what, after } => msg!(
                "error-timeout",
                what = what,
                after = humantime::format_duration(*after).to_string()
            ),
            OpError::Io { path, source } => msg!(
                "error-io",
                path = path.display().to_string(),
                reason = source.to_string()
            ),
            OpError::Verification(reason) => msg!("error-verification", reason = reason),
            OpError::Failed(message) => message.clone(),
            OpError::MissingFact(what) => msg!("error-internal", detail = *what),
        }
    }
}
