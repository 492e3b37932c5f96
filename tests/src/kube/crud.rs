//! get, list, create, replace, patch, delete and deletecollection, plus the `status` and
//! `scale` subresources: the HTTP side of [`Store`](super::store::Store).

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::Shared;
use super::ids::name_suffix;
use super::patch;
use super::routes::{Req, Target};
use super::selectors::{FieldSelector, LabelSelector};
use super::status::{ApiError, json_response};
use super::store::{Preconditions, Store, remove_field, str_at};

/// The `labelSelector` and `fieldSelector` of a list, watch or deletecollection.
pub(crate) struct Selectors {
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Selectors {
    pub fn from(req: &Req) -> Result<Selectors, ApiError> {
        let labels = LabelSelector::parse(req.query.get("labelSelector").unwrap_or(""));
        let fields = FieldSelector::parse(req.query.get("fieldSelector").unwrap_or(""));
        Ok(Selectors {
            labels: labels.map_err(ApiError::bad_request)?,
            fields: fields.map_err(ApiError::bad_request)?,
        })
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.labels.matches(object) && self.fields.matches(object)
    }
}

/// The object as asked for: whole, or as `PartialObjectMetadata` for kube-rs' metadata calls.
pub(crate) fn render(object: Value, metadata_only: bool) -> Value {
    if metadata_only {
        json!({
            "apiVersion": "meta.k8s.io/v1",
            "kind": "PartialObjectMetadata",
            "metadata": object["metadata"],
        })
    } else {
        object
    }
}

fn ok(code: StatusCode, object: Value, req: &Req) -> Result<Response, ApiError> {
    Ok(json_response(code, &render(object, req.metadata_only())))
}

fn list_response(target: &Target, items: Vec<Value>, rv: u64, req: &Req) -> Response {
    let metadata_only = req.metadata_only();
    let (api_version, kind) = if metadata_only {
        (
            "meta.k8s.io/v1".to_string(),
            "PartialObjectMetadataList".to_string(),
        )
    } else {
        (
            target.resource.api_version(),
            format!("{}List", target.resource.kind),
        )
    };
    let items: Vec<Value> = items
        .into_iter()
        .map(|o| render(o, metadata_only))
        .collect();
    let list = json!({
        "kind": kind,
        "apiVersion": api_version,
        "metadata": { "resourceVersion": rv.to_string() },
        "items": items,
    });
    json_response(StatusCode::OK, &list)
}

fn stored(store: &Store, target: &Target) -> Result<Value, ApiError> {
    store
        .get(&target.resource, target.namespace(), target.name())
        .ok_or_else(|| ApiError::not_found(&target.resource, target.name()))
}

pub(crate) fn get(shared: &Shared, target: &Target, req: &Req) -> Result<Response, ApiError> {
    let object = shared.read(|store| stored(store, target))?;
    ok(StatusCode::OK, object, req)
}

/// All matching objects, with no `continue` token: `limit` is ignored, one page holds all.
pub(crate) fn list(shared: &Shared, target: &Target, req: &Req) -> Result<Response, ApiError> {
    let selectors = Selectors::from(req)?;
    let (items, rv) = shared.read(|store| {
        let items = store.list(&target.resource, target.namespace.as_deref());
        (items, store.resource_version())
    });
    let items = items.into_iter().filter(|o| selectors.matches(o)).collect();
    Ok(list_response(target, items, rv, req))
}

pub(crate) fn create(shared: &Shared, target: &Target, req: &Req) -> Result<Response, ApiError> {
    let resource = &target.resource;
    let mut object = req.json_body()?;
    if let Some(kind) = object["kind"].as_str()
        && kind != resource.kind
    {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({kind}) does not match the expected kind ({})",
            resource.kind
        )));
    }
    if !object["metadata"].is_object() {
        object["metadata"] = json!({});
    }
    let meta = &mut object["metadata"];
    if resource.namespaced {
        let namespace = target.namespace();
        let given = str_at(meta, "namespace");
        if !given.is_empty() && given != namespace {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        meta["namespace"] = json!(namespace);
    } else {
        remove_field(meta, "namespace");
    }
    if str_at(meta, "name").is_empty() {
        let prefix = str_at(meta, "generateName").to_string();
        if prefix.is_empty() {
            let why = "Required value: name or generateName is required";
            return Err(ApiError::invalid(resource, "", "metadata.name", why));
        }
        meta["name"] = json!(format!("{prefix}{}", name_suffix()));
    }
    strip_server_fields(meta);
    let created = shared.write_unless_dry(req.dry_run(), |store| store.create(resource, object))?;
    ok(StatusCode::CREATED, created, req)
}

/// PUT. On `status` only the body's `status` is taken, as the status subresource does.
pub(crate) fn replace(
    shared: &Shared,
    target: &Target,
    req: &Req,
    status_only: bool,
) -> Result<Response, ApiError> {
    let body = req.json_body()?;
    let name = target.name();
    let body_name = str_at(&body["metadata"], "name");
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    let expected_rv = str_at(&body["metadata"], "resourceVersion").to_string();
    let updated = shared.write_unless_dry(req.dry_run(), |store| {
        let current = stored(store, target)?;
        let object = if status_only {
            with_status_of(current, &body)
        } else {
            at_path(body, target)
        };
        store.update(&target.resource, object, Some(&expected_rv))
    })?;
    ok(StatusCode::OK, updated, req)
}

/// PATCH in any of the four patch types. A server-side apply of a missing object creates it.
pub(crate) fn patch(
    shared: &Shared,
    target: &Target,
    req: &Req,
    status_only: bool,
) -> Result<Response, ApiError> {
    let content_type = req.content_type();
    let apply = content_type == "application/apply-patch+yaml";
    let body = req.json_body()?;
    let (object, code) = shared.write_unless_dry(req.dry_run(), |store| {
        let current = match stored(store, target) {
            Ok(current) => current,
            Err(_) if apply && !status_only => {
                let mut object = at_path(body.clone(), target);
                strip_server_fields(&mut object["metadata"]);
                return Ok((store.create(&target.resource, object)?, StatusCode::CREATED));
            }
            Err(not_found) => return Err(not_found),
        };
        let current_rv = str_at(&current["metadata"], "resourceVersion").to_string();
        let mut patched = current.clone();
        match content_type {
            "application/merge-patch+json" => patch::merge(&mut patched, &body),
            "application/strategic-merge-patch+json" | "application/apply-patch+yaml" => {
                patch::strategic(&mut patched, &body);
            }
            "application/json-patch+json" => {
                patch::json_patch(&mut patched, &body).map_err(|why| {
                    ApiError::invalid(&target.resource, target.name(), "patch", &why)
                })?;
            }
            other => return Err(ApiError::unsupported_media_type(other)),
        }
        // A patch that names a resourceVersion is a precondition, as on the apiserver.
        let expected_rv = str_at(&patched["metadata"], "resourceVersion").to_string();
        if !expected_rv.is_empty() && expected_rv != current_rv {
            return Err(ApiError::conflict(&target.resource, target.name()));
        }
        let object = if status_only {
            with_status_of(current, &patched)
        } else {
            at_path(patched, target)
        };
        Ok((
            store.update(&target.resource, object, None)?,
            StatusCode::OK,
        ))
    })?;
    ok(code, object, req)
}

/// DELETE of one object. 200 with the object when it is gone, 202 when finalizers hold it.
pub(crate) fn delete(shared: &Shared, target: &Target, req: &Req) -> Result<Response, ApiError> {
    let options = req.json_body()?;
    let preconditions = Preconditions {
        uid: options["preconditions"]["uid"].as_str().map(String::from),
        resource_version: options["preconditions"]["resourceVersion"]
            .as_str()
            .map(String::from),
    };
    let dry_run = req.dry_run() || dry_run_in(&options);
    let (object, gone) = shared.write_unless_dry(dry_run, |store| {
        store.delete(
            &target.resource,
            target.namespace(),
            target.name(),
            &preconditions,
        )
    })?;
    let code = if gone {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    ok(code, object, req)
}

/// `DeleteOptions.dryRun: ["All"]`, the body form kube-rs uses for deletes.
pub(crate) fn dry_run_in(options: &Value) -> bool {
    options["dryRun"]
        .as_array()
        .is_some_and(|modes| modes.iter().any(|m| m == "All"))
}

/// DELETE on a collection: every matching object, answered as a list of what was deleted.
pub(crate) fn delete_collection(
    shared: &Shared,
    target: &Target,
    req: &Req,
) -> Result<Response, ApiError> {
    let selectors = Selectors::from(req)?;
    let dry_run = req.dry_run() || dry_run_in(&req.json_body()?);
    let (deleted, rv) = shared.write_unless_dry(dry_run, |store| {
        let matching: Vec<Value> = store
            .list(&target.resource, target.namespace.as_deref())
            .into_iter()
            .filter(|o| selectors.matches(o))
            .collect();
        let deleted = matching
            .iter()
            .filter_map(|object| {
                let meta = &object["metadata"];
                let (namespace, name) = (str_at(meta, "namespace"), str_at(meta, "name"));
                store
                    .delete(&target.resource, namespace, name, &Preconditions::default())
                    .ok()
                    .map(|(object, _)| object)
            })
            .collect();
        (deleted, store.resource_version())
    });
    Ok(list_response(target, deleted, rv, req))
}

/// The `scale` subresource of Deployments, StatefulSets and ReplicaSets, as `autoscaling/v1`
/// `Scale`: GET reads `spec.replicas`, PUT and PATCH write it back to the owner object.
pub(crate) fn scale(shared: &Shared, target: &Target, req: &Req) -> Result<Response, ApiError> {
    if req.method == Method::GET {
        let object = shared.read(|store| stored(store, target))?;
        return Ok(json_response(StatusCode::OK, &scale_of(&object)));
    }
    let body = req.json_body()?;
    let object = shared.write_unless_dry(req.dry_run(), |store| {
        let current = stored(store, target)?;
        let mut scale = scale_of(&current);
        let mut expected_rv = String::new();
        match (&req.method, req.content_type()) {
            (&Method::PUT, _) => {
                expected_rv = str_at(&body["metadata"], "resourceVersion").to_string();
                scale = body;
            }
            (_, "application/json-patch+json") => {
                patch::json_patch(&mut scale, &body).map_err(|why| {
                    ApiError::invalid(&target.resource, target.name(), "patch", &why)
                })?;
            }
            (_, "application/merge-patch+json") => patch::merge(&mut scale, &body),
            _ => patch::strategic(&mut scale, &body),
        }
        let replicas = scale["spec"]["replicas"].as_i64().ok_or_else(|| {
            let why = "Required value";
            ApiError::invalid(&target.resource, target.name(), "spec.replicas", why)
        })?;
        let mut object = current;
        object["spec"]["replicas"] = json!(replicas);
        store.update(&target.resource, object, Some(&expected_rv))
    })?;
    Ok(json_response(StatusCode::OK, &scale_of(&object)))
}

fn scale_of(object: &Value) -> Value {
    let meta = &object["metadata"];
    let selector: Vec<String> = object["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"],
            "creationTimestamp": meta["creationTimestamp"],
        },
        "spec": { "replicas": object["spec"]["replicas"].as_i64().unwrap_or(1) },
        "status": {
            "replicas": object["status"]["replicas"].as_i64().unwrap_or(0),
            "selector": selector.join(","),
        },
    })
}

/// The apiserver sets these itself on create; whatever the client sent is ignored.
fn strip_server_fields(meta: &mut Value) {
    for field in [
        "uid",
        "creationTimestamp",
        "resourceVersion",
        "deletionTimestamp",
        "generation",
    ] {
        remove_field(meta, field);
    }
}

/// `current` with `status` taken from `source`, the rest untouched.
fn with_status_of(mut current: Value, source: &Value) -> Value {
    match source.get("status") {
        Some(status) => current["status"] = status.clone(),
        None => remove_field(&mut current, "status"),
    }
    current
}

/// The object addressed by the URL: its name and namespace are the path's.
fn at_path(mut object: Value, target: &Target) -> Value {
    if !object["metadata"].is_object() {
        object["metadata"] = json!({});
    }
    object["metadata"]["name"] = json!(target.name());
    if target.resource.namespaced {
        object["metadata"]["namespace"] = json!(target.namespace());
    } else {
        remove_field(&mut object["metadata"], "namespace");
    }
    object
}
