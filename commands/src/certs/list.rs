//! certs.list: runbook §1.3, §5.4, risk read. Every cert-manager Certificate of each cluster
//! (`kubectl get certificates -A`), expiring ones first, and with `--within 30d` only those that
//! expire within that time: the runbook's "만료 임박 인증서 확인 (30일 이내)".

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kube::api::DynamicObject;

use super::{certificates, days_left_cell, issuer, time_at, when};
use crate::k8s::objects::condition;
use crate::k8s::{list_on_each, report_each};
use crate::{
    Block, Cell, Form, Kind, Message, OpError, Operation, Report, Request, Risk, RunContext, Scope,
    Spec, Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "certs.list",
    section: "1.3, 5.4",
    risk: Risk::Read,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["certs"],
        args: &[
            args::option("within", "within", Kind::Duration),
            args::cluster(true),
        ],
    }],
};

pub struct CertsList;

impl Operation for CertsList {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(ListCertificates {
            clusters: request.clusters.clone(),
            within: request.args.duration("within"),
        })])
    }
}

/// One Certificate, as the table shows it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    namespace: String,
    name: String,
    /// The Ready condition's status and reason, if cert-manager has set it.
    ready: Option<(String, String)>,
    not_after: Option<DateTime<Utc>>,
    renewal: Option<DateTime<Utc>>,
    issuer: String,
}

/// Lists the Certificates of every targeted cluster at once.
struct ListCertificates {
    clusters: Vec<String>,
    within: Option<Duration>,
}

#[async_trait]
impl Step for ListCertificates {
    fn plan(&self) -> Message {
        match self.within {
            Some(within) => msg!(
                "cert-list-plan-within",
                clusters = self.clusters.join(", "),
                within = span(within)
            ),
            None => msg!("cert-list-plan", clusters = self.clusters.join(", ")),
        }
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        // No Certificate CRD: cert-manager is not installed on this cluster, not a failure.
        let results = list_on_each(cx, &self.clusters, &certificates(), None).await;
        let now = Utc::now();
        report_each(cx, results, |cx, cluster, items| {
            let rows = items.map(|items| items.iter().map(row).collect::<Vec<_>>());
            render(&mut cx.report, cluster, rows, self.within, now)
        })
    }
}

fn row(object: &DynamicObject) -> Row {
    let data = &object.data;
    Row {
        namespace: object.metadata.namespace.clone().unwrap_or_default(),
        name: object.metadata.name.clone().unwrap_or_default(),
        ready: condition(data, "Ready").map(|(s, r, _)| (s.to_string(), r.to_string())),
        not_after: time_at(data, "/status/notAfter"),
        renewal: time_at(data, "/status/renewalTime"),
        issuer: issuer(data),
    }
}

/// Keeps what `--within` asks for and puts the most urgent first: a Certificate never issued
/// (no notAfter: there is no valid certificate at all), then by notAfter, soonest first.
fn select(mut rows: Vec<Row>, within: Option<Duration>, now: DateTime<Utc>) -> Vec<Row> {
    if let Some(within) = within {
        let limit = chrono::Duration::from_std(within)
            .ok()
            .and_then(|w| now.checked_add_signed(w))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        // Expired ones are "within" too: they are the most urgent of all.
        rows.retain(|r| r.not_after.is_some_and(|t| t <= limit));
    }
    rows.sort_by(|a, b| {
        (a.not_after.is_some(), a.not_after, &a.namespace, &a.name).cmp(&(
            b.not_after.is_some(),
            b.not_after,
            &b.namespace,
            &b.name,
        ))
    });
    rows
}

fn render(
    report: &mut Report,
    cluster: &str,
    rows: Option<Vec<Row>>,
    within: Option<Duration>,
    now: DateTime<Utc>,
) {
    report.push(Block::Heading(msg!("cert-heading", cluster = cluster)));
    let Some(rows) = rows else {
        report.push(Block::Note(msg!("cert-manager-missing", cluster = cluster)));
        return;
    };
    let total = rows.len();
    if total == 0 {
        report.push(Block::Note(msg!("cert-none")));
        return;
    }
    let not_ready = rows
        .iter()
        .filter(|r| r.ready.as_ref().is_none_or(|(s, _)| s != "True"))
        .count();
    let rows = select(rows, within, now);
    if !rows.is_empty() {
        let mut table = Table::new(vec![
            msg!("cert-col-namespace"),
            msg!("cert-col-name"),
            msg!("cert-col-ready"),
            msg!("cert-col-not-after"),
            msg!("cert-col-days-left"),
            msg!("cert-col-renewal"),
            msg!("cert-col-issuer"),
        ]);
        for r in &rows {
            let ready = match &r.ready {
                Some((status, reason)) if reason.is_empty() || reason == "Ready" => status.clone(),
                Some((status, reason)) => format!("{status} ({reason})"),
                None => "-".to_string(),
            };
            table.rows.push(vec![
                Cell::Text(r.namespace.clone()),
                Cell::Text(r.name.clone()),
                Cell::Text(ready),
                Cell::Text(when(r.not_after)),
                days_left_cell(r.not_after, now),
                Cell::Text(when(r.renewal)),
                Cell::Text(r.issuer.clone()),
            ]);
        }
        report.push(Block::Table(table));
    }
    report.push(Block::Note(match within {
        Some(within) => msg!(
            "cert-count-within",
            count = rows.len(),
            total = total,
            within = span(within)
        ),
        None => msg!("cert-count", count = total, not_ready = not_ready),
    }));
}

/// `30d`, `12h`, `90m`: the window as it was typed.
fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3_600 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(rows: &[Row]) -> Vec<&str> {
        rows.iter().map(|r| r.name.as_str()).collect()
    }

    fn cert(name: &str, days: Option<i64>, now: DateTime<Utc>) -> Row {
        Row {
            namespace: "app".into(),
            name: name.into(),
            ready: Some(("True".into(), "Ready".into())),
            not_after: days.map(|d| now + chrono::Duration::days(d)),
            renewal: None,
            issuer: "ClusterIssuer/letsencrypt-prod".into(),
        }
    }

    #[test]
    fn soonest_expiry_comes_first_and_never_issued_before_all() {
        let now = Utc::now();
        let rows = vec![
            cert("later", Some(80), now),
            cert("pending", None, now),
            cert("soon", Some(5), now),
            cert("expired", Some(-2), now),
        ];
        assert_eq!(
            names(&select(rows, None, now)),
            ["pending", "expired", "soon", "later"]
        );
    }

    #[test]
    fn within_keeps_expired_and_expiring_only() {
        let now = Utc::now();
        let rows = vec![
            cert("later", Some(80), now),
            cert("pending", None, now),
            cert("soon", Some(29), now),
            cert("expired", Some(-2), now),
        ];
        let within = Duration::from_secs(30 * 86_400);
        assert_eq!(names(&select(rows, Some(within), now)), ["expired", "soon"]);
    }

    #[test]
    fn span_is_written_as_typed() {
        assert_eq!(span(Duration::from_secs(30 * 86_400)), "30d");
        assert_eq!(span(Duration::from_secs(36 * 3_600)), "36h");
        assert_eq!(span(Duration::from_secs(90 * 60)), "90m");
        assert_eq!(span(Duration::from_secs(45)), "45s");
    }
}
