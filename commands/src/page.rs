//! page and pages: runbook §6.4, the emergency contacts table made to call people.
//!
//! `page SITUATION [-c CLUSTER] MESSAGE` raises an incident for the situation's team (about
//! that cluster, whose rights then govern who acknowledges and resolves it): the incident channel
//! is told (mentioning the team) and every pager of its row is triggered with one dedup key.
//! The same page again, while the incident is open, opens nothing new. `pages` shows how each
//! delivery stands.

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use crate::incidents::{Alert, Severity};
use crate::spec::args::*;
use crate::{
    Block, Cell, Form, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec,
    Step, Table, msg,
};

pub static PAGE: Spec = Spec {
    id: "page",
    section: "6.4",
    risk: Risk::Write,
    scope: Scope::Global,
    forms: &[Form {
        words: &["page"],
        // `-c`: the cluster the page is about. Who may act on its incident is judged there;
        // a page naming no cluster needs a right over every cluster.
        args: &[
            positional("situation", Kind::Situation),
            cluster(false),
            rest("message"),
        ],
    }],
};

pub static PAGES: Spec = Spec {
    id: "pages",
    section: "6.4",
    risk: Risk::Read,
    scope: Scope::Global,
    forms: &[Form {
        words: &["pages"],
        args: &[],
    }],
};

/// Where a page that names no cluster comes from.
pub const PAGE_SOURCE: &str = "opsbot";

pub struct Page;

impl Operation for Page {
    fn spec(&self) -> &'static Spec {
        &PAGE
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let situation = request.args.text("situation").unwrap_or_default();
        let message = request.args.text("message").unwrap_or_default().trim();
        if message.is_empty() {
            return Err(OpError::Failed(msg!("page-message-needed")));
        }
        Ok(vec![Box::new(RaiseIncident {
            alert: Alert {
                key: page_key(situation, message),
                situation: situation.to_string(),
                severity: Severity::Critical,
                summary: msg!("page-summary", message = message),
                source: request.cluster().unwrap_or(PAGE_SOURCE).to_string(),
                details: Vec::new(),
                page: true,
                raised_by: request.requester.clone(),
            },
        })])
    }
}

/// The same situation and words (case and spacing aside) are the same incident.
fn page_key(situation: &str, message: &str) -> String {
    let normal = message
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let digest = Sha256::digest(normal.as_bytes());
    format!("page/{situation}/{}", &hex::encode(digest)[..16])
}

struct RaiseIncident {
    alert: Alert,
}

#[async_trait]
impl Step for RaiseIncident {
    fn plan(&self) -> Message {
        msg!("page-plan", situation = self.alert.situation.as_str())
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let raised = cx.incidents.raise(self.alert.clone()).await?;
        let team = cx
            .settings
            .contacts
            .iter()
            .find(|c| c.situation == self.alert.situation)
            .map(|c| c.team.clone())
            .unwrap_or_default();
        if !raised.opened {
            cx.report.push(Block::Note(msg!(
                "page-already-open",
                id = raised.id.as_str(),
                since = at(raised.since)
            )));
            return Ok(());
        }
        if raised.targets.is_empty() {
            return Err(OpError::Failed(msg!(
                "page-nobody-reached",
                situation = self.alert.situation.as_str()
            )));
        }
        cx.report.push(Block::Note(msg!(
            "page-raised",
            id = raised.id.as_str(),
            team = team,
            targets = raised.targets.join(", ")
        )));
        Ok(())
    }
}

pub struct Pages;

impl Operation for Pages {
    fn spec(&self) -> &'static Spec {
        &PAGES
    }
    fn steps(&self, _request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(ListDeliveries)])
    }
}

/// How many deliveries `pages` shows.
const SHOWN: usize = 50;

struct ListDeliveries;

#[async_trait]
impl Step for ListDeliveries {
    fn plan(&self) -> Message {
        msg!("pages-plan")
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let open = cx.incidents.open().await?;
        if !open.is_empty() {
            let mut table = Table::new(vec![
                msg!("pages-col-incident"),
                msg!("pages-col-situation"),
                msg!("pages-col-severity"),
                msg!("pages-col-state"),
                msg!("pages-col-source"),
                msg!("pages-col-summary"),
                msg!("pages-col-opened"),
            ]);
            for i in open {
                table.rows.push(vec![
                    Cell::Text(i.id),
                    Cell::Text(i.situation),
                    Cell::Text(i.severity.as_str().to_string()),
                    Cell::Message(word(&i.state)),
                    Cell::Text(i.source),
                    Cell::Text(i.summary),
                    Cell::Text(at(i.opened_at)),
                ]);
            }
            cx.report.push(Block::Note(msg!("pages-open-incidents")));
            cx.report.push(Block::Table(table));
        }
        let deliveries = cx.incidents.deliveries(SHOWN).await?;
        if deliveries.is_empty() {
            cx.report.push(Block::Note(msg!("pages-none")));
            return Ok(());
        }
        let mut table = Table::new(vec![
            msg!("pages-col-incident"),
            msg!("pages-col-situation"),
            msg!("pages-col-target"),
            msg!("pages-col-action"),
            msg!("pages-col-state"),
            msg!("pages-col-attempts"),
            msg!("pages-col-note"),
        ]);
        for d in deliveries {
            let note = match (&d.last_error, d.next_attempt_at) {
                (Some(error), Some(next)) => {
                    msg!("pages-retrying", error = error.as_str(), next = at(next))
                }
                (Some(error), None) => msg!("pages-error", error = error.as_str()),
                (None, _) => msg!("pages-created", at = at(d.created_at)),
            };
            table.rows.push(vec![
                Cell::Text(d.incident),
                Cell::Text(d.situation),
                Cell::Text(d.target),
                Cell::Text(d.action),
                Cell::Message(word(&d.state)),
                Cell::Text(d.attempts.to_string()),
                Cell::Message(note),
            ]);
        }
        cx.report.push(Block::Table(table));
        Ok(())
    }
}

/// A state as people read it, in their language; one the bot does not know, as stored.
fn word(state: &str) -> Message {
    match state {
        "open" => msg!("pages-state-open"),
        "acknowledged" => msg!("pages-state-acknowledged"),
        "pending" => msg!("pages-state-pending"),
        "delivered" => msg!("pages-state-delivered"),
        "failed" => msg!("pages-state-failed"),
        other => msg!("pages-state-other", state = other),
    }
}

/// A Unix time as people read it in an incident channel: UTC, to the second.
fn at(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_words_are_the_same_incident() {
        assert_eq!(
            page_key("cluster-failure", "app1  API down"),
            page_key("cluster-failure", "APP1 api down")
        );
        assert_ne!(
            page_key("cluster-failure", "app1 down"),
            page_key("security-incident", "app1 down")
        );
        assert_ne!(
            page_key("cluster-failure", "app1 down"),
            page_key("cluster-failure", "app2 down")
        );
    }
}
