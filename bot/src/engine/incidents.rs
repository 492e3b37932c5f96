//! The engine's side of paging: `ack ID` / `resolve ID` (and the incident message's buttons)
//! checked against the policy and handed to the desk, and failed runbook operations raised as
//! incidents of their own.

use commands::incidents::{Alert, Severity};
use commands::{Message, Request, Risk, msg};
use policies::{Decision, Target};
use serde_json::json;

use super::{Audit, Caller, Engine, Event, Outcome, Reply};
use crate::paging::Moved;
use crate::store::AuditKind;

/// The operation whose right also covers acknowledging and resolving incidents.
const PAGE_OPERATION: &str = "page";

/// Failed runs of the bot's own operations concern the people who run the clusters.
const RUN_FAILED_SITUATION: &str = "cluster-failure";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum IncidentMove {
    Acknowledge,
    Resolve,
}

impl IncidentMove {
    /// `ack ID` or `resolve ID`; anything else is not ours.
    pub(super) fn parse(line: &str) -> Option<Result<(IncidentMove, String), Message>> {
        let mut words = line.split_whitespace();
        let which = match words.next()? {
            "ack" => IncidentMove::Acknowledge,
            "resolve" => IncidentMove::Resolve,
            _ => return None,
        };
        Some(match (words.next(), words.next()) {
            (Some(id), None) => Ok((which, id.to_string())),
            _ => Err(msg!("incident-usage")),
        })
    }

    /// A button's value: `incident-ack:ID` or `incident-resolve:ID`.
    pub(super) fn from_action(value: &str) -> Option<(IncidentMove, &str)> {
        match value.split_once(':')? {
            ("incident-ack", id) => Some((IncidentMove::Acknowledge, id)),
            ("incident-resolve", id) => Some((IncidentMove::Resolve, id)),
            _ => None,
        }
    }
}

/// An incident's state in the reader's language.
fn state_word(state: crate::paging::IncidentState) -> Message {
    use crate::paging::IncidentState;
    match state {
        IncidentState::Open => msg!("pages-state-open"),
        IncidentState::Acknowledged => msg!("pages-state-acknowledged"),
        IncidentState::Resolved => msg!("pages-state-resolved"),
    }
}

impl Engine {
    pub(super) async fn move_incident(
        &self,
        audit: &Audit<'_>,
        caller: &Caller,
        which: IncidentMove,
        id: &str,
        reply: &dyn Reply,
    ) -> Outcome {
        let Some(desk) = self.desk.clone() else {
            let message = msg!("incidents-not-configured");
            return self
                .refuse(audit, Some(PAGE_OPERATION), message, Outcome::NotRun, reply)
                .await;
        };
        // Judged where the incident is: whoever may page about dev does not resolve prod's
        // incident (nor, through it, its PagerDuty incident).
        let source = match self.store.incident(id).await {
            Ok(found) => found.map(|incident| incident.source),
            Err(e) => {
                let message = msg!("engine-audit-unavailable", reason = e.to_string());
                return self
                    .refuse(audit, Some(PAGE_OPERATION), message, Outcome::Failed, reply)
                    .await;
            }
        };
        let places: Vec<(Target<'_>, Target<'_>)> = self
            .incident_clusters(source.as_deref())
            .into_iter()
            .map(|cluster| (cluster, Target::NotApplicable))
            .collect();
        let decision =
            self.config
                .policy
                .decide_all(&caller.subject, &caller.groups, PAGE_OPERATION, &places);
        if !matches!(decision, Decision::Allow { .. }) {
            let message = msg!("incident-not-allowed", subject = caller.subject.as_str());
            return self
                .refuse(audit, Some(PAGE_OPERATION), message, Outcome::Denied, reply)
                .await;
        }
        let moved = match which {
            IncidentMove::Acknowledge => desk.acknowledge(id, &caller.subject).await,
            IncidentMove::Resolve => desk.resolve(id, &caller.subject).await,
        };
        let message = match moved {
            Ok(Moved::Done(_)) => match which {
                IncidentMove::Acknowledge => {
                    msg!(
                        "incident-acknowledged",
                        id = id,
                        by = caller.subject.as_str()
                    )
                }
                IncidentMove::Resolve => {
                    msg!("incident-resolved", id = id, by = caller.subject.as_str())
                }
            },
            Ok(Moved::Unknown) => {
                return self
                    .refuse(
                        audit,
                        Some(PAGE_OPERATION),
                        msg!("incident-unknown", id = id),
                        Outcome::Rejected,
                        reply,
                    )
                    .await;
            }
            Ok(Moved::AlreadyIn(state)) => {
                return self
                    .refuse(
                        audit,
                        Some(PAGE_OPERATION),
                        msg!("incident-already", id = id, state = state_word(state)),
                        Outcome::NotRun,
                        reply,
                    )
                    .await;
            }
            Err(e) => {
                return self
                    .refuse(
                        audit,
                        Some(PAGE_OPERATION),
                        e.message(),
                        Outcome::Failed,
                        reply,
                    )
                    .await;
            }
        };
        let detail =
            json!({ "outcome": "succeeded", "incident": id, "message": message.to_string() });
        if let Err(audit_message) = audit
            .record(AuditKind::Result, Some(PAGE_OPERATION), detail)
            .await
        {
            reply.send(Event::Rejected(audit_message));
            return Outcome::Failed;
        }
        reply.send(Event::Notice(message));
        Outcome::Succeeded
    }

    /// The clusters an incident is about, as the policy judges them: the configured clusters
    /// its source names (a watcher's cluster, a page's `-c`, a failed run's clusters). A
    /// source that names anything else (`opsbot`: a page about no cluster, the bot itself), or
    /// an unknown incident, is judged as reaching every cluster, which only a grant of `*`
    /// covers.
    fn incident_clusters<'a>(&self, source: Option<&'a str>) -> Vec<Target<'a>> {
        let known = &self.config.settings.clusters;
        let named: Vec<&str> = source.map(|s| s.split(',').collect()).unwrap_or_default();
        if named.is_empty() || !named.iter().all(|c| known.contains_key(*c)) {
            return vec![Target::NotApplicable];
        }
        named.into_iter().map(Target::One).collect()
    }

    /// A failed operation that changes clusters is an incident (told to the incident channel,
    /// not paged); its next success resolves it.
    pub(super) async fn note_run(&self, request: &Request, error: Option<&Message>) {
        let Some(desk) = self.desk.as_ref() else {
            return;
        };
        if request.spec.risk == Risk::Read || request.spec.id == PAGE_OPERATION {
            return;
        }
        let clusters = request.clusters.join(",");
        let key = format!("run-failed/{}/{}", request.spec.id, clusters);
        let result = match error {
            None => desk.clear_quietly(&key).await,
            Some(error) => {
                let alert = Alert {
                    key,
                    situation: RUN_FAILED_SITUATION.to_string(),
                    severity: Severity::Error,
                    summary: msg!(
                        "incident-run-failed",
                        operation = request.spec.id,
                        clusters = clusters.as_str(),
                        reason = error.clone()
                    ),
                    source: if clusters.is_empty() {
                        "opsbot".to_string()
                    } else {
                        clusters.clone()
                    },
                    details: vec![
                        ("operation".to_string(), request.spec.id.to_string()),
                        ("request".to_string(), request.canonical()),
                    ],
                    page: false,
                    raised_by: request.requester.clone(),
                };
                desk.raise_quietly(alert).await
            }
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record a failed run as an incident");
        }
    }
}
