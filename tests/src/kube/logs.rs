//! The pod `log` subresource: `container`, `previous`, `tailLines`, `limitBytes`, `follow`.
//! Log text comes from `KubeServer::set_log` / `append_log`; `timestamps` and `since*` are
//! ignored since stored lines carry no times.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::routes::{Req, Target};
use super::status::ApiError;
use super::store::{Store, str_at};
use super::{Resource, Shared};

type LogKey = (String, String, String, bool);

pub(crate) fn respond(
    shared: Arc<Shared>,
    target: &Target,
    req: &Req,
) -> Result<Response, ApiError> {
    let (namespace, name) = (target.namespace(), target.name());
    let pod = shared
        .read(|store| store.get(&target.resource, namespace, name))
        .ok_or_else(|| ApiError::not_found(&target.resource, name))?;
    let container = choose_container(&shared, &pod, req.query.get("container"))?;
    let previous = req.query.flag("previous");
    let key: LogKey = (namespace.into(), name.into(), container.clone(), previous);
    let text = shared.read(|store| store.log(&key).map(String::from));
    let text = match text {
        Some(text) => text,
        None if previous => {
            return Err(ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{name}\" not found"
            )));
        }
        None => String::new(),
    };
    let mut shown = match req.query.number("tailLines") {
        Some(lines) => tail(&text, lines as usize).to_string(),
        None => text.clone(),
    };
    if let Some(limit) = req.query.number("limitBytes") {
        let mut cut = (limit as usize).min(shown.len());
        while !shown.is_char_boundary(cut) {
            cut -= 1;
        }
        shown.truncate(cut);
    }
    if !req.query.flag("follow") || previous {
        return Ok(text_response(Body::from(shown)));
    }
    let follow = Follow {
        changes: shared.subscribe(),
        shared,
        key,
        uid: str_at(&pod["metadata"], "uid").to_string(),
        pod_resource: target.resource,
        offset: text.len(),
        first: Some(shown),
    };
    let stream = futures_util::stream::unfold(follow, |mut follow| async move {
        let chunk = follow.next_chunk().await?;
        Some((Ok::<_, Infallible>(Bytes::from(chunk)), follow))
    });
    Ok(text_response(Body::from_stream(stream)))
}

fn text_response(body: Body) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], body).into_response()
}

/// The asked container, or the pod's first one, as the apiserver defaults for single-container
/// pods. Pods whose spec names no containers accept any name (fixtures may leave spec out).
fn choose_container(shared: &Shared, pod: &Value, asked: Option<&str>) -> Result<String, ApiError> {
    let spec = &pod["spec"];
    let containers: Vec<&str> = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|list| spec[*list].as_array().into_iter().flatten())
        .map(|c| str_at(c, "name"))
        .collect();
    let meta = &pod["metadata"];
    let name = str_at(meta, "name");
    match asked {
        Some(asked) if containers.is_empty() || containers.contains(&asked) => {
            Ok(asked.to_string())
        }
        Some(asked) => Err(ApiError::bad_request(format!(
            "container \"{asked}\" in pod \"{name}\" is not valid"
        ))),
        None => containers
            .first()
            .map(|c| c.to_string())
            .or_else(|| {
                let namespace = str_at(meta, "namespace");
                shared.read(|store| store.logged_containers(namespace, name).into_iter().next())
            })
            .ok_or_else(|| {
                ApiError::bad_request(format!("a container name must be specified for pod {name}"))
            }),
    }
}

/// The last `lines` lines; a final line without `\n` counts as a line.
fn tail(text: &str, lines: usize) -> &str {
    if lines == 0 {
        return "";
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    match body.rmatch_indices('\n').nth(lines - 1) {
        Some((newline, _)) => &text[newline + 1..],
        None => text,
    }
}

/// A `follow=true` stream: what is there, then each append, until the pod is deleted (or
/// replaced by a new pod of the same name), the client hangs up or the server stops.
struct Follow {
    shared: Arc<Shared>,
    changes: tokio::sync::watch::Receiver<u64>,
    key: LogKey,
    uid: String,
    pod_resource: Resource,
    offset: usize,
    first: Option<String>,
}

impl Follow {
    async fn next_chunk(&mut self) -> Option<String> {
        if let Some(first) = self.first.take().filter(|f| !f.is_empty()) {
            return Some(first);
        }
        loop {
            self.changes.borrow_and_update();
            let shared = self.shared.clone();
            match shared.read(|store| self.look(store)) {
                Look::Gone => return None,
                Look::New(chunk) => return Some(chunk),
                Look::Nothing => {}
            }
            self.changes.changed().await.ok()?;
        }
    }

    fn look(&mut self, store: &Store) -> Look {
        let (namespace, pod, _, _) = &self.key;
        let text = store.log(&self.key).unwrap_or("");
        // `set_log` may have replaced the text with a shorter one: go on from its end.
        let new = text.get(self.offset..).unwrap_or("");
        self.offset = text.len();
        if !new.is_empty() {
            // What was written before the pod went is still delivered, as the kubelet does.
            return Look::New(new.to_string());
        }
        let alive = store
            .get(&self.pod_resource, namespace, pod)
            .is_some_and(|p| str_at(&p["metadata"], "uid") == self.uid);
        if alive { Look::Nothing } else { Look::Gone }
    }
}

enum Look {
    Gone,
    New(String),
    Nothing,
}

#[cfg(test)]
mod tests {
    use super::tail;

    #[test]
    fn tail_counts_lines_with_or_without_final_newline() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc\n");
        assert_eq!(tail("a\nb\nc", 2), "b\nc");
        assert_eq!(tail("a\nb\n", 5), "a\nb\n");
        assert_eq!(tail("a\n", 0), "");
    }
}
