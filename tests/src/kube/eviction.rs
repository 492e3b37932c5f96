//! `POST pods/{name}/eviction`: the disruption-budget check a drain runs into.
//!
//! A PodDisruptionBudget in the pod's namespace whose selector picks the pod and whose
//! `status.disruptionsAllowed` is 0 (or missing: no controller has computed it) blocks the
//! eviction with 429 TooManyRequests, exactly the answer kube-rs' default client would retry,
//! so a drain has to read the reason instead. Otherwise the pod is deleted and that budget's
//! `disruptionsAllowed` goes down by one, as the disruption controller would recompute it.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::Shared;
use super::crud::dry_run_in;
use super::routes::{Req, Target};
use super::selectors::structured_matches;
use super::status::{ApiError, json_response, success};
use super::store::{Preconditions, Store, str_at};

const BLOCKED: &str = "Cannot evict pod as it would violate the pod's disruption budget.";

pub(crate) fn evict(shared: &Shared, target: &Target, req: &Req) -> Result<Response, ApiError> {
    let body = req.json_body()?;
    let name = target.name();
    let body_name = str_at(&body["metadata"], "name");
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(
            "name in URL does not match name in Eviction object",
        ));
    }
    // policy/v1 says `deleteOptions`; older kube-rs serialised `delete_options`.
    let options = match &body["deleteOptions"] {
        Value::Null => &body["delete_options"],
        options => options,
    };
    let dry_run = req.dry_run() || dry_run_in(options);
    let preconditions = Preconditions {
        uid: options["preconditions"]["uid"].as_str().map(String::from),
        resource_version: options["preconditions"]["resourceVersion"]
            .as_str()
            .map(String::from),
    };
    shared.write_unless_dry(dry_run, |store| {
        let pod = store
            .get(&target.resource, target.namespace(), name)
            .ok_or_else(|| ApiError::not_found(&target.resource, name))?;
        spend_budget(store, &pod)?;
        store.delete(&target.resource, target.namespace(), name, &preconditions)
    })?;
    Ok(json_response(StatusCode::CREATED, &success(201)))
}

/// Checks the budget covering `pod` and takes one disruption from it.
fn spend_budget(store: &mut Store, pod: &Value) -> Result<(), ApiError> {
    // Pods that already finished disrupt nothing; the apiserver lets them go unchecked.
    if matches!(str_at(&pod["status"], "phase"), "Succeeded" | "Failed") {
        return Ok(());
    }
    let Some(pdb_resource) = store.by_kind("policy/v1", "PodDisruptionBudget") else {
        return Ok(());
    };
    let namespace = str_at(&pod["metadata"], "namespace");
    let budgets: Vec<Value> = store
        .list(&pdb_resource, Some(namespace))
        .into_iter()
        // Under policy/v1 a null selector selects nothing and an empty one everything.
        .filter(|pdb| pdb["spec"]["selector"].is_object())
        .filter(|pdb| structured_matches(&pdb["spec"]["selector"], pod))
        .collect();
    let mut budget = match budgets.as_slice() {
        [] => return Ok(()),
        [budget] => budget.clone(),
        _ => {
            return Err(ApiError::internal(
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            ));
        }
    };
    let status = &budget["status"];
    let allowed = status["disruptionsAllowed"].as_i64().unwrap_or(0);
    if allowed <= 0 {
        let cause = format!(
            "The disruption budget {} needs {} healthy pods and has {} currently",
            str_at(&budget["metadata"], "name"),
            status["desiredHealthy"].as_i64().unwrap_or(0),
            status["currentHealthy"].as_i64().unwrap_or(0),
        );
        let causes = json!([{ "reason": "DisruptionBudget", "message": cause }]);
        return Err(ApiError::too_many_requests(BLOCKED, causes));
    }
    budget["status"]["disruptionsAllowed"] = json!(allowed - 1);
    store.update(&pdb_resource, budget, None)?;
    Ok(())
}
