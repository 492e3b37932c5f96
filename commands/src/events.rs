//! events: runbook §5.1, risk read. `kubectl get events -n NS --sort-by='.lastTimestamp'`:
//! a namespace's events, newest last, so the line to read is the one nearest the prompt.
//!
//! The event readers here are shared: `pod describe` and `storage` show a pod's own events.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams};

use crate::k8s::objects::{age, require_namespace};
use crate::k8s::{kube_error, single};
use crate::pod::instant;
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "events",
    section: "5.1",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["events"],
        args: &[args::namespace_required(), args::cluster(false)],
    }],
};

/// A busy namespace keeps about an hour of events; more than this is scrolled past in a chat.
const MAX_ROWS: usize = 200;

pub struct Events;

impl Operation for Events {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (Some(cluster), Some(namespace)) = (request.cluster(), request.args.text("namespace"))
        else {
            return Err(OpError::MissingFact("cluster and namespace"));
        };
        Ok(vec![Box::new(ListEvents {
            cluster: cluster.to_string(),
            namespace: namespace.to_string(),
        })])
    }
}

struct ListEvents {
    cluster: String,
    namespace: String,
}

#[async_trait]
impl Step for ListEvents {
    fn plan(&self) -> Message {
        msg!(
            "events-plan",
            namespace = self.namespace.as_str(),
            cluster = self.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        // An empty list must mean "nothing happened", never "you typed the namespace wrong".
        require_namespace(&client, &self.cluster, &self.namespace).await?;
        let events = list(client, &self.cluster, &self.namespace, None).await?;
        cx.report.push(Block::Heading(msg!(
            "events-heading",
            namespace = self.namespace.as_str(),
            cluster = self.cluster.as_str()
        )));
        if events.is_empty() {
            cx.report.push(Block::Note(msg!(
                "events-none",
                namespace = self.namespace.as_str()
            )));
            return Ok(());
        }
        let total = events.len();
        let shown = &events[total.saturating_sub(MAX_ROWS)..];
        cx.report
            .push(Block::Table(table(shown, Utc::now(), Columns::WithObject)));
        if total > shown.len() {
            cx.report.push(Block::Note(msg!(
                "events-limited",
                shown = shown.len(),
                total = total
            )));
        }
        let warnings = events.iter().filter(|e| is_warning(e)).count();
        if warnings > 0 {
            cx.report
                .push(Block::Note(msg!("events-warnings", count = warnings)));
        }
        Ok(())
    }
}

/// The events of `namespace`, or only those about the object `about` (a pod), sorted oldest
/// first as `--sort-by=.lastTimestamp` does.
pub(crate) async fn list(
    client: kube::Client,
    cluster: &str,
    namespace: &str,
    about: Option<&str>,
) -> Result<Vec<Event>, OpError> {
    let api: Api<Event> = Api::namespaced(client, namespace);
    let mut params = ListParams::default();
    if let Some(name) = about {
        params = params.fields(&format!(
            "involvedObject.name={name},involvedObject.namespace={namespace}"
        ));
    }
    let mut events = api
        .list(&params)
        .await
        .map_err(|e| kube_error(cluster, e))?
        .items;
    sort(&mut events);
    Ok(events)
}

/// When the event was last seen: `lastTimestamp`, else `eventTime` (events.k8s.io writers
/// leave the old field empty), else `firstTimestamp`, else when the object was created.
pub(crate) fn last_seen(event: &Event) -> Option<DateTime<Utc>> {
    event
        .last_timestamp
        .as_ref()
        .and_then(|t| instant(&t.0))
        .or_else(|| event.event_time.as_ref().and_then(|t| instant(&t.0)))
        .or_else(|| event.first_timestamp.as_ref().and_then(|t| instant(&t.0)))
        .or_else(|| {
            event
                .metadata
                .creation_timestamp
                .as_ref()
                .and_then(|t| instant(&t.0))
        })
}

/// Oldest first, newest last; events without any time first, as kubectl puts them.
pub(crate) fn sort(events: &mut [Event]) {
    events.sort_by_key(last_seen);
}

pub(crate) fn is_warning(event: &Event) -> bool {
    event.type_.as_deref() == Some("Warning")
}

/// Whether the table names the object each event is about (not needed for one pod's events).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Columns {
    WithObject,
    WithoutObject,
}

/// last seen, type, reason, [object,] message.
pub(crate) fn table(events: &[Event], now: DateTime<Utc>, columns: Columns) -> Table {
    let mut header = vec![
        msg!("events-col-last-seen"),
        msg!("events-col-type"),
        msg!("events-col-reason"),
    ];
    if columns == Columns::WithObject {
        header.push(msg!("events-col-object"));
    }
    header.push(msg!("events-col-message"));
    let mut table = Table::new(header);
    for event in events {
        let mut row = vec![
            Cell::Text(last_seen(event).map_or_else(|| "-".into(), |t| age(t, now))),
            Cell::Text(event.type_.clone().unwrap_or_default()),
            Cell::Text(event.reason.clone().unwrap_or_default()),
        ];
        if columns == Columns::WithObject {
            let object = &event.involved_object;
            row.push(Cell::Text(format!(
                "{}/{}",
                object.kind.as_deref().unwrap_or("").to_lowercase(),
                object.name.as_deref().unwrap_or("")
            )));
        }
        // A message can span lines (a probe's output); a table cell cannot.
        let message = event.message.clone().unwrap_or_default();
        row.push(Cell::Text(message.trim().replace('\n', " ")));
        table.rows.push(row);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(name: &str, value: serde_json::Value) -> Event {
        let mut object = json!({
            "metadata": { "name": name, "namespace": "app" },
            "involvedObject": { "kind": "Pod", "name": "web-1", "namespace": "app" },
            "type": "Normal", "reason": "Pulled", "message": "ok"
        });
        if let (Some(target), Some(extra)) = (object.as_object_mut(), value.as_object()) {
            target.extend(extra.clone());
        }
        serde_json::from_value(object).expect("event")
    }

    #[test]
    fn sorted_by_last_seen_with_fallbacks_newest_last() {
        let mut events = vec![
            event("late", json!({ "lastTimestamp": "2026-03-01T10:05:00Z" })),
            event(
                "micro",
                json!({ "eventTime": "2026-03-01T10:03:00.123456Z" }),
            ),
            event(
                "created",
                json!({ "metadata": { "name": "created", "creationTimestamp": "2026-03-01T10:01:00Z" } }),
            ),
            event("early", json!({ "lastTimestamp": "2026-03-01T10:00:00Z" })),
        ];
        sort(&mut events);
        let names: Vec<&str> = events
            .iter()
            .filter_map(|e| e.metadata.name.as_deref())
            .collect();
        assert_eq!(names, ["early", "created", "micro", "late"]);
    }

    #[test]
    fn table_names_the_object_and_keeps_messages_on_one_line() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T10:10:00Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("time");
        let events = vec![event(
            "e",
            json!({ "lastTimestamp": "2026-03-01T10:05:00Z", "type": "Warning", "reason": "Unhealthy",
                    "message": "Readiness probe failed:\nconnection refused\n" }),
        )];
        assert!(is_warning(&events[0]));
        let t = table(&events, now, Columns::WithObject);
        assert_eq!(
            t.rows[0],
            vec![
                Cell::Text("5m".into()),
                Cell::Text("Warning".into()),
                Cell::Text("Unhealthy".into()),
                Cell::Text("pod/web-1".into()),
                Cell::Text("Readiness probe failed: connection refused".into()),
            ]
        );
        assert_eq!(table(&events, now, Columns::WithoutObject).rows[0].len(), 4);
    }
}
