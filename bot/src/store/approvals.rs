//! Requests awaiting approval, as stored.

use std::fmt;

/// Where a request is in its life. Only `Pending` takes votes; only one caller moves it on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApprovalState {
    Pending,
    /// Enough distinct approvers; about to run.
    Approved,
    Denied,
    Expired,
    /// The request changed, or someone's right to run or approve it went away.
    Invalidated,
    Running,
    Succeeded,
    Failed,
    /// Its process stopped mid-run; never re-run.
    Interrupted,
}

impl ApprovalState {
    pub const ALL: [ApprovalState; 9] = [
        ApprovalState::Pending,
        ApprovalState::Approved,
        ApprovalState::Denied,
        ApprovalState::Expired,
        ApprovalState::Invalidated,
        ApprovalState::Running,
        ApprovalState::Succeeded,
        ApprovalState::Failed,
        ApprovalState::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalState::Pending => "pending",
            ApprovalState::Approved => "approved",
            ApprovalState::Denied => "denied",
            ApprovalState::Expired => "expired",
            ApprovalState::Invalidated => "invalidated",
            ApprovalState::Running => "running",
            ApprovalState::Succeeded => "succeeded",
            ApprovalState::Failed => "failed",
            ApprovalState::Interrupted => "interrupted",
        }
    }

    pub fn parse(text: &str) -> Option<ApprovalState> {
        ApprovalState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for ApprovalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request as the requester made it.
#[derive(Clone, Debug)]
pub struct NewApproval {
    pub id: String,
    /// SHA-256 over everything below that defines the request; votes are bound to it.
    pub hash: String,
    /// The line as typed; parsed again before it runs.
    pub line: String,
    pub operation: String,
    /// The resolved request (clusters, namespace, arguments), for reading and hashing.
    pub canonical: String,
    pub requester: String,
    pub requester_groups: Vec<String>,
    pub reason: Option<String>,
    pub approvers_needed: u32,
    pub approver_roles: Vec<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: i64,
    /// What the gates pinned before approval (part of `hash`), handed back to the steps.
    pub pins: commands::Pins,
}

/// A stored request and what has happened to it.
#[derive(Clone, Debug)]
pub struct Approval {
    pub request: NewApproval,
    pub state: ApprovalState,
    pub votes: Vec<Vote>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub card: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vote {
    pub approver: String,
    pub hash: String,
    pub at: i64,
}

/// What recording a vote did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VoteResult {
    /// Counted; `approvers` are the accounts that approved this exact request so far (the
    /// engine counts the people among them).
    Recorded { approvers: Vec<String> },
    /// This person had already approved.
    Duplicate,
    /// The request is not pending any more (or does not exist).
    NotPending(Option<ApprovalState>),
    /// The request's hash differs from the one voted on.
    Changed,
}
