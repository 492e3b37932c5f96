//! Runs made by breaking the glass, as stored until someone else reviews them.

/// A run made with `--break-glass`, as it started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReview {
    /// The id the run's audit records carry: the request id, or the approval id when the
    /// broken glass still asked for approvals. `review ID` names it.
    pub id: String,
    pub operation: String,
    /// The line as typed; parsed again to judge who may review it.
    pub line: String,
    pub requester: String,
    pub reason: String,
    /// The `[[break_glass]]` rule that let it through, as `key: summary`.
    pub rule: String,
    /// The approvals still required under that rule.
    pub approvers: u32,
    /// The security incident that was opened for it.
    pub incident: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// A break-glass run and, once someone else looked at it, who and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub run: NewReview,
    pub reviewed_by: Option<String>,
    /// Unix seconds.
    pub reviewed_at: Option<i64>,
}
