//! cert.describe: runbook §5.4, risk read. `kubectl describe certificate`: the Certificate
//! (names, secret, issuer, validity, conditions), the CertificateRequests cert-manager made for
//! it, and the events of both, so "why is it not Ready" is answered in one place.

use async_trait::async_trait;
use chrono::Utc;
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value;

use super::{certificate_requests, certificates, days_left_cell, issuer, revision, time_at, when};
use crate::k8s::objects::{age, condition, dynamic, require_namespace, text, timestamp};
use crate::k8s::{each_cluster, kube_error, not_found_is_none};
use crate::{
    Block, Cell, Form, Kind, Message, OpError, Operation, Report, Request, Risk, RunContext, Scope,
    Spec, Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "cert.describe",
    section: "5.4",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["cert", "describe"],
        args: &[
            args::positional("certificate", Kind::Name),
            args::namespace_required(),
            args::cluster(false),
        ],
    }],
};

pub struct CertDescribe;

impl Operation for CertDescribe {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(Describe {
            target: Target::of(request)?,
        })])
    }
}

/// The one Certificate a request names; shared with `cert renew`.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub cluster: String,
    pub namespace: String,
    pub name: String,
}

impl Target {
    pub fn of(request: &Request) -> Result<Target, OpError> {
        // The parser requires all three; a missing one is a bug in the spec, not user input.
        let field =
            |value: Option<&str>, what| value.map(str::to_string).ok_or(OpError::MissingFact(what));
        Ok(Target {
            cluster: field(request.cluster(), "cluster")?,
            namespace: field(request.args.text("namespace"), "namespace")?,
            name: field(request.args.text("certificate"), "certificate")?,
        })
    }

    /// Reads the Certificate; one sentence when it (or its namespace) does not exist.
    pub async fn get(&self, client: &kube::Client) -> Result<DynamicObject, OpError> {
        require_namespace(client, &self.cluster, &self.namespace).await?;
        let api = dynamic(client.clone(), &certificates(), Some(&self.namespace));
        not_found_is_none(api.get(&self.name).await)
            .map_err(|e| kube_error(&self.cluster, e))?
            .ok_or_else(|| {
                OpError::Failed(msg!(
                    "cert-not-found",
                    certificate = self.name.as_str(),
                    namespace = self.namespace.as_str(),
                    cluster = self.cluster.as_str()
                ))
            })
    }
}

/// What `describe` found.
struct Found {
    certificate: DynamicObject,
    requests: Vec<DynamicObject>,
    events: Vec<Event>,
}

struct Describe {
    target: Target,
}

#[async_trait]
impl Step for Describe {
    fn plan(&self) -> Message {
        msg!(
            "cert-describe-plan",
            certificate = self.target.name.as_str(),
            namespace = self.target.namespace.as_str(),
            cluster = self.target.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let target = &self.target;
        let clusters = [target.cluster.clone()];
        let mut results = each_cluster(cx, &clusters, |client, _| read(client, target)).await;
        let (_, found) = results
            .pop()
            .ok_or(OpError::MissingFact("cluster answer"))?;
        render(&mut cx.report, target, found?);
        Ok(())
    }
}

async fn read(client: kube::Client, target: &Target) -> Result<Found, OpError> {
    let certificate = target.get(&client).await?;
    let err = |e| kube_error(&target.cluster, e);
    let requests = dynamic(
        client.clone(),
        &certificate_requests(),
        Some(&target.namespace),
    );
    let events: Api<Event> = Api::namespaced(client, &target.namespace);
    let (requests, events) = tokio::try_join!(
        async { requests.list(&ListParams::default()).await.map_err(err) },
        async { events.list(&ListParams::default()).await.map_err(err) },
    )?;
    let uid = certificate.metadata.uid.clone().unwrap_or_default();
    let mut requests: Vec<DynamicObject> = requests
        .items
        .into_iter()
        .filter(|r| requested_by(r, &target.name, &uid))
        .collect();
    requests.sort_by_key(|r| (request_revision(r), r.metadata.creation_timestamp.clone()));
    let request_names: Vec<String> = requests
        .iter()
        .filter_map(|r| r.metadata.name.clone())
        .collect();
    let mut events: Vec<Event> = events
        .items
        .into_iter()
        .filter(|e| {
            let object = &e.involved_object;
            let name = object.name.as_deref().unwrap_or("");
            match object.kind.as_deref() {
                Some("Certificate") => name == target.name,
                Some("CertificateRequest") => request_names.iter().any(|n| n == name),
                _ => false,
            }
        })
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(event_time(e)));
    Ok(Found {
        certificate,
        requests,
        events,
    })
}

/// cert-manager owns each request by the Certificate (an ownerReference) and also annotates
/// it with the Certificate's name; either is enough, as `cmctl status certificate` reads them.
fn requested_by(request: &DynamicObject, certificate: &str, uid: &str) -> bool {
    let owned = request.metadata.owner_references.iter().flatten().any(|o| {
        o.kind == "Certificate" && o.name == certificate && (uid.is_empty() || o.uid == uid)
    });
    let annotated = request
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("cert-manager.io/certificate-name"))
        .is_some_and(|n| n == certificate);
    owned || annotated
}

fn request_revision(request: &DynamicObject) -> i64 {
    request
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("cert-manager.io/certificate-revision"))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn event_time(event: &Event) -> Option<chrono::DateTime<Utc>> {
    let jiff = event
        .last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| event.event_time.as_ref().map(|t| t.0))
        .or_else(|| event.metadata.creation_timestamp.as_ref().map(|t| t.0))?;
    chrono::DateTime::from_timestamp(jiff.as_second(), 0)
}

fn render(report: &mut Report, target: &Target, found: Found) {
    let now = Utc::now();
    let cert = &found.certificate.data;
    report.push(Block::Heading(msg!(
        "cert-describe-heading",
        certificate = target.name.as_str(),
        namespace = target.namespace.as_str(),
        cluster = target.cluster.as_str()
    )));
    let ready =
        condition(cert, "Ready").map_or("-".to_string(), |(status, reason, message)| {
            match (reason, message) {
                ("", _) => status.to_string(),
                (reason, "") => format!("{status} ({reason})"),
                (reason, message) => format!("{status} ({reason}: {message})"),
            }
        });
    let dns_names: Vec<&str> = cert
        .pointer("/spec/dnsNames")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let not_after = time_at(cert, "/status/notAfter");
    let or_dash = |v: Option<&str>| v.unwrap_or("-").to_string();
    report.push(Block::Fields(vec![
        (msg!("cert-field-ready"), Cell::Text(ready)),
        (
            msg!("cert-field-dns-names"),
            Cell::Text(if dns_names.is_empty() {
                "-".to_string()
            } else {
                dns_names.join(", ")
            }),
        ),
        (
            msg!("cert-field-common-name"),
            Cell::Text(or_dash(text(cert, "/spec/commonName"))),
        ),
        (
            msg!("cert-field-secret"),
            Cell::Text(or_dash(text(cert, "/spec/secretName"))),
        ),
        (msg!("cert-field-issuer"), Cell::Text(issuer(cert))),
        (
            msg!("cert-field-not-before"),
            Cell::Text(when(time_at(cert, "/status/notBefore"))),
        ),
        (msg!("cert-field-not-after"), Cell::Text(when(not_after))),
        (msg!("cert-field-days-left"), days_left_cell(not_after, now)),
        (
            msg!("cert-field-renewal"),
            Cell::Text(when(time_at(cert, "/status/renewalTime"))),
        ),
        (
            msg!("cert-field-revision"),
            Cell::Text(revision(cert).map_or("-".to_string(), |r| r.to_string())),
        ),
    ]));
    render_conditions(report, cert, now);
    render_requests(report, &found.requests, now);
    render_events(report, &found.events, now);
}

fn render_conditions(report: &mut Report, cert: &Value, now: chrono::DateTime<Utc>) {
    let conditions = cert
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if conditions.is_empty() {
        return;
    }
    let mut table = Table::new(vec![
        msg!("cert-col-type"),
        msg!("cert-col-status"),
        msg!("cert-col-reason"),
        msg!("cert-col-since"),
        msg!("cert-col-message"),
    ]);
    for c in &conditions {
        let field = |name: &str| {
            c.get(name)
                .and_then(Value::as_str)
                .unwrap_or("-")
                .to_string()
        };
        let since = c
            .get("lastTransitionTime")
            .and_then(Value::as_str)
            .and_then(timestamp)
            .map_or("-".to_string(), |t| age(t, now));
        table.rows.push(vec![
            Cell::Text(field("type")),
            Cell::Text(field("status")),
            Cell::Text(field("reason")),
            Cell::Text(since),
            Cell::Text(field("message")),
        ]);
    }
    report.push(Block::Table(table));
}

fn render_requests(report: &mut Report, requests: &[DynamicObject], now: chrono::DateTime<Utc>) {
    report.push(Block::Heading(msg!("cert-requests-heading")));
    if requests.is_empty() {
        report.push(Block::Note(msg!("cert-requests-none")));
        return;
    }
    let mut table = Table::new(vec![
        msg!("cert-col-name"),
        msg!("cert-col-revision"),
        msg!("cert-col-approved"),
        msg!("cert-col-ready"),
        msg!("cert-col-age"),
    ]);
    for r in requests {
        let data = &r.data;
        // A denied request carries a Denied condition instead of Approved.
        let approved = match (condition(data, "Approved"), condition(data, "Denied")) {
            (_, Some(("True", reason, _))) => format!("Denied ({reason})"),
            (Some((status, _, _)), _) => status.to_string(),
            _ => "-".to_string(),
        };
        let ready = match condition(data, "Ready") {
            Some((status, "", _)) => status.to_string(),
            Some((status, reason, _)) => format!("{status} ({reason})"),
            None => "-".to_string(),
        };
        let created = r
            .metadata
            .creation_timestamp
            .as_ref()
            .and_then(|t| chrono::DateTime::from_timestamp(t.0.as_second(), 0));
        table.rows.push(vec![
            Cell::Text(r.metadata.name.clone().unwrap_or_default()),
            Cell::Text(request_revision(r).to_string()),
            Cell::Text(approved),
            Cell::Text(ready),
            Cell::Text(created.map_or("-".to_string(), |t| age(t, now))),
        ]);
    }
    report.push(Block::Table(table));
}

fn render_events(report: &mut Report, events: &[Event], now: chrono::DateTime<Utc>) {
    report.push(Block::Heading(msg!("cert-events-heading")));
    if events.is_empty() {
        report.push(Block::Note(msg!("cert-events-none")));
        return;
    }
    let mut table = Table::new(vec![
        msg!("cert-col-last-seen"),
        msg!("cert-col-type"),
        msg!("cert-col-reason"),
        msg!("cert-col-object"),
        msg!("cert-col-message"),
    ]);
    for e in events {
        let object = &e.involved_object;
        table.rows.push(vec![
            Cell::Text(event_time(e).map_or("-".to_string(), |t| age(t, now))),
            Cell::Text(e.type_.clone().unwrap_or_default()),
            Cell::Text(e.reason.clone().unwrap_or_default()),
            Cell::Text(format!(
                "{}/{}",
                object.kind.as_deref().unwrap_or(""),
                object.name.as_deref().unwrap_or("")
            )),
            Cell::Text(e.message.clone().unwrap_or_default()),
        ]);
    }
    report.push(Block::Table(table));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(value: Value) -> DynamicObject {
        serde_json::from_value(value).expect("a CertificateRequest")
    }

    #[test]
    fn a_request_belongs_by_owner_or_by_annotation() {
        let owned = request(json!({
            "apiVersion": "cert-manager.io/v1", "kind": "CertificateRequest",
            "metadata": {"name": "web-tls-1", "ownerReferences": [
                {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "name": "web-tls", "uid": "u1", "controller": true}
            ]}
        }));
        let annotated = request(json!({
            "apiVersion": "cert-manager.io/v1", "kind": "CertificateRequest",
            "metadata": {"name": "web-tls-2", "annotations": {"cert-manager.io/certificate-name": "web-tls"}}
        }));
        let other = request(json!({
            "apiVersion": "cert-manager.io/v1", "kind": "CertificateRequest",
            "metadata": {"name": "api-tls-1", "ownerReferences": [
                {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "name": "api-tls", "uid": "u2"}
            ]}
        }));
        assert!(requested_by(&owned, "web-tls", "u1"));
        assert!(!requested_by(&owned, "web-tls", "a-recreated-certificate"));
        assert!(requested_by(&annotated, "web-tls", "u1"));
        assert!(!requested_by(&other, "web-tls", "u1"));
    }
}
