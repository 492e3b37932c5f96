//! Small readers over API objects, typed or dynamic, shared by the Kubernetes operations.

use chrono::{DateTime, Utc};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use serde_json::Value;

use crate::{OpError, msg};

/// A custom resource's API by group, version, kind and plural (Velero, cert-manager, Cilium,
/// External Secrets, metrics.k8s.io have no typed structs here).
pub fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

/// The API for a dynamic resource in one namespace, or across all (`None`).
pub fn dynamic(
    client: kube::Client,
    resource: &ApiResource,
    namespace: Option<&str>,
) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client, ns, resource),
        None => Api::all_with(client, resource),
    }
}

/// The string at a JSON pointer (`/status/phase`), if it is one.
pub fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer)?.as_str()
}

/// A condition of `type` in `/status/conditions`: (status, reason, message).
pub fn condition<'a>(value: &'a Value, kind: &str) -> Option<(&'a str, &'a str, &'a str)> {
    value
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
        .map(|c| {
            let field = |name| c.get(name).and_then(Value::as_str).unwrap_or("");
            (field("status"), field("reason"), field("message"))
        })
}

/// "3d", "5h", "12m", "40s": kubectl's AGE column.
pub fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - since).num_seconds().max(0);
    match seconds {
        s if s >= 2 * 86_400 => format!("{}d", s / 86_400),
        s if s >= 3_600 => format!("{}h", s / 3_600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// An RFC 3339 timestamp as written by the API server.
pub fn timestamp(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Fails with one sentence when `namespace` does not exist, so "no pods" is never the answer
/// to a typo.
pub async fn require_namespace(
    client: &kube::Client,
    cluster: &str,
    namespace: &str,
) -> Result<(), OpError> {
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    match namespaces.get_opt(namespace).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(OpError::Failed(msg!(
            "kube-no-namespace",
            cluster = cluster,
            namespace = namespace
        ))),
        Err(e) => Err(super::kube_error(cluster, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn age_uses_kubectl_units() {
        let now = Utc::now();
        assert_eq!(age(now - chrono::Duration::seconds(40), now), "40s");
        assert_eq!(age(now - chrono::Duration::minutes(12), now), "12m");
        assert_eq!(age(now - chrono::Duration::hours(30), now), "30h");
        assert_eq!(age(now - chrono::Duration::days(3), now), "3d");
    }

    #[test]
    fn condition_finds_by_type() {
        let cert = json!({"status": {"conditions": [
            {"type": "Issuing", "status": "False"},
            {"type": "Ready", "status": "True", "reason": "Ready", "message": "up to date"}
        ]}});
        assert_eq!(
            condition(&cert, "Ready"),
            Some(("True", "Ready", "up to date"))
        );
        assert_eq!(condition(&cert, "Missing"), None);
    }
}
