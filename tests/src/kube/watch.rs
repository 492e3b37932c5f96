//! `?watch=true`: newline-delimited `{"type": …, "object": …}` events, replayed from the
//! store's history after the asked resourceVersion and then streamed live.
//!
//! What kube-runtime's watcher relies on: `resourceVersion` ""/"0" starts with synthetic ADDED
//! events for what exists; a version older than the history gets one ERROR event carrying a
//! 410 Expired `Status` (the watcher then relists); `sendInitialEvents=true` ends the initial
//! events with a BOOKMARK annotated `k8s.io/initial-events-end`; `timeoutSeconds` ends the
//! stream, after which the watcher resumes from its last version.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::time::{Instant, sleep, sleep_until};

use super::Shared;
use super::crud::{Selectors, render};
use super::resources::Resource;
use super::routes::{Req, Target};
use super::status::ApiError;
use super::store::Store;

/// When the client gives no `timeoutSeconds` (the apiserver picks 30 to 60 minutes).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
/// How often an idle watch that allows bookmarks gets one. The apiserver sends one about a
/// minute; sooner here so tests see them without waiting.
const BOOKMARK_EVERY: Duration = Duration::from_secs(5);

struct Watch {
    shared: Arc<Shared>,
    changes: tokio::sync::watch::Receiver<u64>,
    resource: Resource,
    namespace: Option<String>,
    selectors: Selectors,
    metadata_only: bool,
    bookmarks: bool,
    /// Every change up to this resourceVersion has been looked at.
    last: u64,
    pending: VecDeque<String>,
    done: bool,
    deadline: Instant,
}

pub(crate) fn respond(
    shared: Arc<Shared>,
    target: &Target,
    req: &Req,
) -> Result<Response, ApiError> {
    let selectors = Selectors::from(req)?;
    let timeout = req
        .query
        .number("timeoutSeconds")
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let asked = req.query.get("resourceVersion").unwrap_or("");
    let from =
        match asked {
            "" | "0" => None,
            version => Some(version.parse::<u64>().map_err(|_| {
                ApiError::bad_request(format!("invalid resource version {version:?}"))
            })?),
        };
    let mut watch = Watch {
        changes: shared.subscribe(),
        shared: shared.clone(),
        resource: target.resource,
        namespace: target.namespace.clone(),
        selectors,
        metadata_only: req.metadata_only(),
        bookmarks: req.query.flag("allowWatchBookmarks"),
        last: 0,
        pending: VecDeque::new(),
        done: false,
        deadline: Instant::now() + timeout,
    };
    let send_initial_events = req.query.flag("sendInitialEvents");
    shared.read(|store| watch.start(store, from, send_initial_events));
    let stream = futures_util::stream::unfold(watch, |mut watch| async move {
        let line = watch.next_line().await?;
        Some((Ok::<_, Infallible>(Bytes::from(line)), watch))
    });
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response())
}

impl Watch {
    fn start(&mut self, store: &Store, from: Option<u64>, send_initial_events: bool) {
        match from {
            None => {
                for object in store.list(&self.resource, self.namespace.as_deref()) {
                    if self.selectors.matches(&object) {
                        self.push("ADDED", object);
                    }
                }
                self.last = store.resource_version();
            }
            Some(version) => match store.changes_since(version) {
                Ok(_) => self.last = version,
                Err(expired) => {
                    self.push_error(&expired);
                    return;
                }
            },
        }
        if send_initial_events {
            self.push_bookmark(json!({ "k8s.io/initial-events-end": "true" }));
        }
    }

    async fn next_line(&mut self) -> Option<String> {
        loop {
            if let Some(line) = self.pending.pop_front() {
                return Some(line);
            }
            if self.done {
                return None;
            }
            // Mark the current generation seen *before* looking, so a write that lands after
            // the look still wakes `changed()` below.
            self.changes.borrow_and_update();
            let shared = self.shared.clone();
            shared.read(|store| self.collect(store));
            if !self.pending.is_empty() {
                continue;
            }
            tokio::select! {
                changed = self.changes.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
                _ = sleep_until(self.deadline) => self.done = true,
                _ = sleep(BOOKMARK_EVERY), if self.bookmarks => self.push_bookmark(json!({})),
            }
        }
    }

    fn collect(&mut self, store: &Store) {
        let changes = match store.changes_since(self.last) {
            Ok(changes) => changes,
            Err(expired) => return self.push_error(&expired),
        };
        let mut events = Vec::new();
        for change in changes {
            let in_namespace = match (&self.namespace, self.resource.namespaced) {
                (Some(namespace), true) => change.namespace == *namespace,
                _ => true,
            };
            if change.is_for(&self.resource)
                && in_namespace
                && self.selectors.matches(&change.object)
            {
                events.push((change.event.as_str(), change.object.clone()));
            }
        }
        for (event, object) in events {
            self.push(event, object);
        }
        // Everything up to now was looked at, events of other kinds included, so a bookmark
        // may safely carry this version.
        self.last = self.last.max(store.resource_version());
    }

    fn push(&mut self, event: &str, mut object: Value) {
        object["apiVersion"] = json!(self.resource.api_version());
        object["kind"] = json!(self.resource.kind);
        let object = render(object, self.metadata_only);
        self.pending.push_back(line(event, object));
    }

    fn push_bookmark(&mut self, annotations: Value) {
        let object = json!({
            "kind": self.resource.kind,
            "apiVersion": self.resource.api_version(),
            "metadata": { "resourceVersion": self.last.to_string(), "annotations": annotations },
        });
        self.pending.push_back(line("BOOKMARK", object));
    }

    /// The apiserver reports an expired version inside a 200 stream, as one ERROR event.
    fn push_error(&mut self, error: &ApiError) {
        self.pending.push_back(line("ERROR", error.to_status()));
        self.done = true;
    }
}

fn line(event: &str, object: Value) -> String {
    format!("{}\n", json!({ "type": event, "object": object }))
}
