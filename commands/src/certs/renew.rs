//! cert.renew: runbook §5.4, risk write. Re-issues a Certificate the way `cmctl renew` does:
//! it sets the `Issuing` condition on the Certificate's status, which cert-manager's trigger
//! controller takes as "issue now". The runbook's `kubectl delete certificate` also works, but
//! it deletes the object the Ingress and its Secret hang on; this keeps everything in place.
//! Then it follows cert-manager for a bounded time until the certificate is Ready again with a
//! newer revision.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use kube::api::{Patch, PatchParams};
use serde_json::{Value, json};

use super::describe::Target;
use super::{certificates, revision, time_at, when};
use crate::k8s::objects::{condition, dynamic};
use crate::k8s::{each_cluster, kube_error};
use crate::{
    Block, Cell, Form, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec,
    Step, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "cert.renew",
    section: "5.4",
    risk: Risk::Write,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["cert", "renew"],
        args: &[
            args::positional("certificate", Kind::Name),
            args::namespace_required(),
            args::cluster(false),
        ],
    }],
};

/// How long the follow step watches cert-manager work. An ACME issuance can take minutes; past
/// this the user is told it was requested, and `cert describe` shows how it goes.
const FOLLOW_FOR: Duration = Duration::from_secs(30);
/// How often the follow step reads the Certificate.
const POLL_EVERY: Duration = Duration::from_secs(1);

const REASON: &str = "ManuallyTriggered";
const MESSAGE: &str = "Certificate re-issuance manually triggered";

pub struct CertRenew;

impl Operation for CertRenew {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let target = Target::of(request)?;
        Ok(vec![
            Box::new(Trigger {
                target: target.clone(),
            }),
            Box::new(Follow { target }),
        ])
    }
}

/// The revision the certificate had when the re-issue was asked for.
struct Triggered {
    revision: Option<i64>,
}

/// Sets `Issuing=True` through the status subresource.
struct Trigger {
    target: Target,
}

#[async_trait]
impl Step for Trigger {
    fn plan(&self) -> Message {
        msg!(
            "cert-renew-plan-trigger",
            certificate = self.target.name.as_str(),
            namespace = self.target.namespace.as_str(),
            cluster = self.target.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let target = &self.target;
        let clusters = [target.cluster.clone()];
        let progress = cx.progress;
        let mut results = each_cluster(cx, &clusters, |client, _| async move {
            let certificate = target.get(&client).await?;
            let before = revision(&certificate.data);
            if condition(&certificate.data, "Issuing").is_some_and(|(s, _, _)| s == "True") {
                progress.report(msg!("cert-renew-already-issuing"));
            }
            let patch = issuing_patch(
                &certificate.data,
                certificate.metadata.generation.unwrap_or(0),
                certificate
                    .metadata
                    .resource_version
                    .as_deref()
                    .unwrap_or(""),
                Utc::now(),
            );
            let api = dynamic(client, &certificates(), Some(&target.namespace));
            let params = PatchParams {
                field_manager: Some("opsbot".to_string()),
                ..PatchParams::default()
            };
            api.patch_status(&target.name, &params, &Patch::Merge(&patch))
                .await
                .map_err(|e| kube_error(&target.cluster, e))?;
            Ok(before)
        })
        .await;
        let (_, before) = results
            .pop()
            .ok_or(OpError::MissingFact("cluster answer"))?;
        let before = before?;
        cx.progress.report(msg!(
            "cert-renew-triggered",
            revision = before.map_or("-".to_string(), |r| r.to_string())
        ));
        cx.facts.insert(Triggered { revision: before });
        Ok(())
    }
}

/// The status merge patch: every current condition, with `Issuing` set as cert-manager's own
/// `SetCertificateCondition` sets it. A merge patch replaces a list whole, so the other
/// conditions are sent back unchanged; the resourceVersion makes it fail rather than
/// overwrite a status that cert-manager changed in between.
fn issuing_patch(
    certificate: &Value,
    generation: i64,
    resource_version: &str,
    now: DateTime<Utc>,
) -> Value {
    let mut conditions: Vec<Value> = certificate
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut issuing = json!({
        "type": "Issuing",
        "status": "True",
        "reason": REASON,
        "message": MESSAGE,
        "lastTransitionTime": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "observedGeneration": generation,
    });
    match conditions
        .iter_mut()
        .find(|c| c.get("type").and_then(Value::as_str) == Some("Issuing"))
    {
        Some(existing) => {
            // The transition time only moves when the status does.
            if existing.get("status").and_then(Value::as_str) == Some("True")
                && let Some(since) = existing.get("lastTransitionTime")
            {
                issuing["lastTransitionTime"] = since.clone();
            }
            *existing = issuing;
        }
        None => conditions.push(issuing),
    }
    json!({
        "metadata": { "resourceVersion": resource_version },
        "status": { "conditions": conditions },
    })
}

/// Reads the Certificate until cert-manager is done, or the time is up.
struct Follow {
    target: Target,
}

/// Where the re-issue stands, as read from the Certificate.
#[derive(Debug, PartialEq)]
enum Issuance {
    /// Ready with a revision newer than before the trigger.
    Done,
    /// cert-manager gave up on this attempt: the Issuing condition's message says why.
    Failed(String),
    Working,
}

fn issuance(certificate: &Value, before: Option<i64>) -> Issuance {
    let issuing = condition(certificate, "Issuing");
    if let Some(("False", "Failed", message)) = issuing {
        return Issuance::Failed(message.to_string());
    }
    let ready = condition(certificate, "Ready").is_some_and(|(s, _, _)| s == "True");
    let newer = match (revision(certificate), before) {
        (Some(now), Some(before)) => now > before,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let still_issuing = issuing.is_some_and(|(s, _, _)| s == "True");
    if ready && newer && !still_issuing {
        Issuance::Done
    } else {
        Issuance::Working
    }
}

#[async_trait]
impl Step for Follow {
    fn plan(&self) -> Message {
        msg!("cert-renew-plan-follow", seconds = FOLLOW_FOR.as_secs())
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let before = cx.facts.require::<Triggered>()?.revision;
        let target = &self.target;
        let client = cx.kube.client(cx.settings, &target.cluster).await?;
        let api = dynamic(client, &certificates(), Some(&target.namespace));
        let deadline = tokio::time::Instant::now() + FOLLOW_FOR;
        let mut last_said = None;
        let certificate = loop {
            let certificate = api
                .get(&target.name)
                .await
                .map_err(|e| kube_error(&target.cluster, e))?
                .data;
            // Say each new state once: the Issuing reason while it works, Ready when it is done.
            let state = condition(&certificate, "Issuing")
                .map(|(s, r, m)| msg!("cert-renew-issuing", status = s, reason = r, message = m))
                .unwrap_or_else(|| match condition(&certificate, "Ready") {
                    Some((s, r, _)) => msg!("cert-renew-ready-state", status = s, reason = r),
                    None => msg!("cert-renew-no-conditions"),
                });
            if last_said.as_ref() != Some(&state) {
                cx.progress.report(state.clone());
                last_said = Some(state);
            }
            match issuance(&certificate, before) {
                Issuance::Done => break Some(certificate),
                Issuance::Failed(why) => {
                    return Err(OpError::Failed(msg!(
                        "cert-renew-failed",
                        certificate = target.name.as_str(),
                        reason = why
                    )));
                }
                Issuance::Working if tokio::time::Instant::now() + POLL_EVERY > deadline => {
                    break None;
                }
                Issuance::Working => tokio::time::sleep(POLL_EVERY).await,
            }
        };
        match certificate {
            Some(certificate) => {
                cx.report.push(Block::Note(msg!(
                    "cert-renew-done",
                    certificate = target.name.as_str(),
                    namespace = target.namespace.as_str()
                )));
                let text = |v: String| Cell::Text(v);
                cx.report.push(Block::Fields(vec![
                    (
                        msg!("cert-field-revision"),
                        text(format!(
                            "{} → {}",
                            before.map_or("-".to_string(), |r| r.to_string()),
                            revision(&certificate).map_or("-".to_string(), |r| r.to_string())
                        )),
                    ),
                    (
                        msg!("cert-field-not-after"),
                        text(when(time_at(&certificate, "/status/notAfter"))),
                    ),
                    (
                        msg!("cert-field-renewal"),
                        text(when(time_at(&certificate, "/status/renewalTime"))),
                    ),
                ]));
            }
            None => cx.report.push(Block::Note(msg!(
                "cert-renew-pending",
                certificate = target.name.as_str(),
                namespace = target.namespace.as_str(),
                seconds = FOLLOW_FOR.as_secs()
            ))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        crate::k8s::objects::timestamp("2026-05-01T12:00:00Z").expect("a timestamp")
    }

    #[test]
    fn the_patch_adds_issuing_and_keeps_the_other_conditions() {
        let cert = json!({"status": {"revision": 2, "conditions": [
            {"type": "Ready", "status": "True", "reason": "Ready", "message": "Certificate is up to date and has not expired"}
        ]}});
        let patch = issuing_patch(&cert, 3, "4711", now());
        assert_eq!(patch["metadata"]["resourceVersion"], "4711");
        let conditions = patch["status"]["conditions"]
            .as_array()
            .expect("conditions");
        assert_eq!(conditions.len(), 2);
        assert_eq!(conditions[0]["type"], "Ready");
        assert_eq!(
            conditions[1],
            json!({"type": "Issuing", "status": "True", "reason": "ManuallyTriggered",
                   "message": "Certificate re-issuance manually triggered",
                   "lastTransitionTime": "2026-05-01T12:00:00Z", "observedGeneration": 3})
        );
    }

    #[test]
    fn an_issuing_condition_already_true_keeps_its_transition_time() {
        let cert = json!({"status": {"conditions": [
            {"type": "Issuing", "status": "True", "reason": "Renewing", "lastTransitionTime": "2026-04-30T08:00:00Z"}
        ]}});
        let patch = issuing_patch(&cert, 1, "1", now());
        let conditions = patch["status"]["conditions"]
            .as_array()
            .expect("conditions");
        assert_eq!(conditions.len(), 1);
        assert_eq!(conditions[0]["reason"], "ManuallyTriggered");
        assert_eq!(conditions[0]["lastTransitionTime"], "2026-04-30T08:00:00Z");
    }

    #[test]
    fn done_needs_ready_and_a_newer_revision() {
        let ready = |revision: i64, issuing: bool| {
            let mut conditions = vec![json!({"type": "Ready", "status": "True"})];
            if issuing {
                conditions.push(json!({"type": "Issuing", "status": "True"}));
            }
            json!({"status": {"revision": revision, "conditions": conditions}})
        };
        assert_eq!(issuance(&ready(2, true), Some(2)), Issuance::Working);
        assert_eq!(issuance(&ready(2, false), Some(2)), Issuance::Working);
        assert_eq!(issuance(&ready(3, true), Some(2)), Issuance::Working);
        assert_eq!(issuance(&ready(3, false), Some(2)), Issuance::Done);
        let failed = json!({"status": {"revision": 2, "conditions": [
            {"type": "Issuing", "status": "False", "reason": "Failed", "message": "The certificate request has failed to complete and will be retried: ACME order failed"}
        ]}});
        assert!(
            matches!(issuance(&failed, Some(2)), Issuance::Failed(m) if m.contains("ACME order failed"))
        );
    }
}
