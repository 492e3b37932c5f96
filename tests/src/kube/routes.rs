//! The axum app: one fallback handler that records the request, then routes it by path the
//! way the apiserver does (discovery, then `/api/v1/...` and `/apis/{g}/{v}/...` resources).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::discovery::{self, AGGREGATED_CONTENT_TYPE, AGGREGATED_MARKER};
use super::query::Query;
use super::resources::{METRICS_GROUP, Resource};
use super::status::{ApiError, json_response};
use super::{Recorded, Shared, crud, eviction, logs, watch};

/// The whole server as a function of its state.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(dispatch).with_state(shared)
}

/// What a handler gets to see of a request.
pub(crate) struct Req {
    pub method: Method,
    pub query: Query,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The media type without parameters (`application/merge-patch+json`).
    pub fn content_type(&self) -> &str {
        self.header(header::CONTENT_TYPE)
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
    }

    /// kube-rs' `*_metadata` calls ask for `PartialObjectMetadata` through `Accept`.
    pub fn metadata_only(&self) -> bool {
        self.header(header::ACCEPT)
            .contains("as=PartialObjectMetadata")
    }

    pub fn dry_run(&self) -> bool {
        self.query.get("dryRun") == Some("All")
    }

    /// The body as JSON; an empty body is `{}` (DELETE sends none or DeleteOptions).
    pub fn json_body(&self) -> Result<Value, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(json!({}));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::bad_request(format!(
                "the body of the request is not valid JSON ({e}); this test server reads JSON only, also for apply patches"
            ))
        })
    }
}

/// A resource path, resolved against the table.
pub(crate) struct Target {
    pub resource: Resource,
    /// Set for `/namespaces/{ns}/...` paths; None for cluster-scoped kinds and all-namespace lists.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

impl Target {
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }
}

async fn dispatch(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.record(Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or("").to_string(),
        headers: headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let req = Req {
        method,
        query: Query::parse(uri.query().unwrap_or("")),
        headers,
        body,
    };
    handle(&shared, uri.path(), &req).unwrap_or_else(IntoResponse::into_response)
}

fn handle(shared: &Arc<Shared>, path: &str, req: &Req) -> Result<Response, ApiError> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let served = shared.read(|store| store.served());
    let aggregated = req.header(header::ACCEPT).contains(AGGREGATED_MARKER);
    let discovery_answer = match segments.as_slice() {
        ["healthz" | "livez" | "readyz"] => {
            return Ok((StatusCode::OK, "ok").into_response());
        }
        ["version"] => Some(discovery::version()),
        ["api"] if aggregated => {
            return Ok(aggregated_response(discovery::aggregated(&served, true)));
        }
        ["apis"] if aggregated => {
            return Ok(aggregated_response(discovery::aggregated(&served, false)));
        }
        ["api"] => Some(discovery::core_versions(shared.port())),
        ["apis"] => Some(discovery::group_list(&served)),
        ["api", version] => discovery::resource_list(&served, "", version),
        ["apis", group] => discovery::group(&served, group),
        ["apis", group, version] => discovery::resource_list(&served, group, version),
        ["api", version, rest @ ..] => return resource_request(shared, "", version, rest, req),
        ["apis", group, version, rest @ ..] => {
            return resource_request(shared, group, version, rest, req);
        }
        _ => None,
    };
    let answer = discovery_answer.ok_or_else(ApiError::unknown_path)?;
    if req.method != Method::GET {
        return Err(ApiError::method_not_allowed("discovery is read-only"));
    }
    Ok(json_response(StatusCode::OK, &answer))
}

fn aggregated_response(body: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, AGGREGATED_CONTENT_TYPE)],
        body.to_string(),
    )
        .into_response()
}

fn resource_request(
    shared: &Arc<Shared>,
    group: &str,
    version: &str,
    rest: &[&str],
    req: &Req,
) -> Result<Response, ApiError> {
    let target = resolve(shared, group, version, rest)?;
    let resource = target.resource;
    if resource.group == METRICS_GROUP && req.method != Method::GET {
        return Err(ApiError::method_not_allowed("metrics are read-only"));
    }
    let subresource = target.subresource.as_deref();
    if let Some(sub) = subresource
        && !resource.subresources().contains(&sub)
    {
        return Err(ApiError::unknown_path());
    }
    let not_allowed =
        || ApiError::method_not_allowed(format!("{} is not supported on this path", req.method));
    match (&req.method, target.name.is_some(), subresource) {
        (&Method::GET, false, None) if req.query.flag("watch") => {
            watch::respond(shared.clone(), &target, req)
        }
        (&Method::GET, false, None) => crud::list(shared, &target, req),
        (&Method::POST, false, None) if !resource.namespaced || target.namespace.is_some() => {
            crud::create(shared, &target, req)
        }
        (&Method::DELETE, false, None) => crud::delete_collection(shared, &target, req),
        (&Method::GET, true, None | Some("status")) => crud::get(shared, &target, req),
        (&Method::PUT, true, None) => crud::replace(shared, &target, req, false),
        (&Method::PUT, true, Some("status")) => crud::replace(shared, &target, req, true),
        (&Method::PATCH, true, None) => crud::patch(shared, &target, req, false),
        (&Method::PATCH, true, Some("status")) => crud::patch(shared, &target, req, true),
        (&Method::DELETE, true, None) => crud::delete(shared, &target, req),
        (&Method::GET | &Method::PUT | &Method::PATCH, true, Some("scale")) => {
            crud::scale(shared, &target, req)
        }
        (&Method::GET, true, Some("log")) => logs::respond(shared.clone(), &target, req),
        (&Method::POST, true, Some("eviction")) => eviction::evict(shared, &target, req),
        _ => Err(not_allowed()),
    }
}

/// `[namespaces, ns,] plural [, name [, subresource]]` to a [`Target`]. `namespaces/x/status`
/// is the Namespace's own subresource because `status` is no namespaced plural.
fn resolve(shared: &Shared, group: &str, version: &str, rest: &[&str]) -> Result<Target, ApiError> {
    let find = |plural: &str| shared.read(|store| store.by_path(group, version, plural));
    let (namespace, rest) = match rest {
        ["namespaces", namespace, plural, ..] if find(plural).is_some_and(|r| r.namespaced) => {
            (Some(namespace.to_string()), &rest[2..])
        }
        _ => (None, rest),
    };
    let (plural, name, subresource) = match rest {
        [plural] => (*plural, None, None),
        [plural, name] => (*plural, Some(name.to_string()), None),
        [plural, name, sub] => (*plural, Some(name.to_string()), Some(sub.to_string())),
        _ => return Err(ApiError::unknown_path()),
    };
    let resource = find(plural).ok_or_else(ApiError::unknown_path)?;
    // A namespaced object is only addressable inside its namespace.
    if resource.namespaced && namespace.is_none() && name.is_some() {
        return Err(ApiError::unknown_path());
    }
    Ok(Target {
        resource,
        namespace,
        name,
        subresource,
    })
}
