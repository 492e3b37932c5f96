//! yaml: runbook appendix, risk read. `yaml KIND/NAME -n NS` (no `-n` for a cluster-scoped
//! kind, which the policy judges as reaching past every namespace): one object as YAML, as
//! `kubectl get -o yaml` exports it, without managedFields. A Secret's values are replaced by
//! their size before anything is written, including the copy kubectl keeps in the
//! last-applied-configuration annotation.

use async_trait::async_trait;
use serde_json::Value;

use super::emit::to_yaml;
use super::resolve::Catalog;
use crate::k8s::objects::{dynamic, require_namespace};
use crate::k8s::{kube_error, single};
use crate::spec::Kind;
use crate::{
    Block, Form, Message, Namespaces, OpError, Operation, Request, Risk, RunContext, Scope, Spec,
    Step, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "yaml",
    section: "appendix",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["yaml"],
        args: &[
            args::positional("resource", Kind::Resource { with_name: true }),
            args::namespace(),
            args::cluster(false),
        ],
    }],
};

/// kubectl keeps the whole applied object here, a Secret's data included.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

pub struct Yaml;

impl Operation for Yaml {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let cluster = request
            .cluster()
            .ok_or_else(|| OpError::Failed(msg!("get-no-cluster")))?
            .to_string();
        let (kind, name) = request
            .args
            .text("resource")
            .and_then(|r| r.split_once('/'))
            .ok_or_else(|| OpError::Failed(msg!("get-no-kind")))?;
        // No -n: only a cluster-scoped kind, judged as reaching past every namespace.
        let namespace = match &request.namespaces {
            Namespaces::One(namespace) => Some(namespace.clone()),
            Namespaces::NotApplicable | Namespaces::All => None,
            Namespaces::Many(_) => return Err(OpError::Failed(msg!("yaml-no-namespace"))),
        };
        Ok(vec![Box::new(Show {
            cluster,
            kind: kind.to_string(),
            name: name.to_string(),
            namespace,
            judged: request.namespaces.clone(),
        })])
    }
}

struct Show {
    cluster: String,
    kind: String,
    name: String,
    /// `None` for a cluster-scoped kind (or no -n, which only such a kind accepts).
    namespace: Option<String>,
    /// Where the policy judged the read to be; the kind found must live there.
    judged: Namespaces,
}

#[async_trait]
impl Step for Show {
    fn plan(&self) -> Message {
        match &self.namespace {
            Some(namespace) => msg!(
                "yaml-plan",
                kind = self.kind.as_str(),
                name = self.name.as_str(),
                namespace = namespace.as_str(),
                cluster = self.cluster.as_str()
            ),
            None => msg!(
                "yaml-plan-cluster",
                kind = self.kind.as_str(),
                name = self.name.as_str(),
                cluster = self.cluster.as_str()
            ),
        }
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let cluster = self.cluster.as_str();
        let client = single(cx, cluster).await?;
        let found = Catalog::discover(client.clone(), cluster)
            .await?
            .resolve(&self.kind, cluster)?;
        super::get::check_scope(&found, &self.judged, &self.kind, cluster)?;
        let namespace = match (found.namespaced, self.namespace.as_deref()) {
            (true, None) => return Err(OpError::Failed(msg!("yaml-no-namespace"))),
            (true, Some(ns)) => Some(ns),
            (false, _) => None,
        };
        let object = dynamic(client.clone(), &found.resource, namespace)
            .get_opt(&self.name)
            .await
            .map_err(|e| kube_error(cluster, e))?;
        let Some(object) = object else {
            if let Some(ns) = namespace {
                // "No such namespace" is the better sentence when that is the reason.
                require_namespace(&client, cluster, ns).await?;
            }
            return Err(OpError::Failed(match namespace {
                Some(ns) => msg!(
                    "yaml-not-found",
                    kind = found.qualified(),
                    name = self.name.as_str(),
                    namespace = ns,
                    cluster = cluster
                ),
                None => msg!(
                    "yaml-not-found-cluster",
                    kind = found.qualified(),
                    name = self.name.as_str(),
                    cluster = cluster
                ),
            }));
        };
        let mut value = serde_json::to_value(&object)
            .map_err(|e| OpError::Failed(msg!("error-internal", detail = e.to_string())))?;
        export(&mut value, found.is_secret());
        cx.report.push(Block::Text(to_yaml(&value)));
        Ok(())
    }
}

/// What `kubectl get -o yaml` shows minus managedFields; for a Secret, every value under
/// `data` and `stringData` (and kubectl's applied copy) becomes `<redacted: N bytes>`.
pub(crate) fn export(object: &mut Value, secret: bool) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    if !secret {
        return;
    }
    if let Some(data) = object.get_mut("data").and_then(Value::as_object_mut) {
        for value in data.values_mut() {
            let bytes = value.as_str().map(decoded_len).unwrap_or(0);
            *value = redacted(bytes);
        }
    }
    if let Some(data) = object.get_mut("stringData").and_then(Value::as_object_mut) {
        for value in data.values_mut() {
            let bytes = value.as_str().map(str::len).unwrap_or(0);
            *value = redacted(bytes);
        }
    }
    if let Some(applied) = object.pointer_mut(&format!(
        "/metadata/annotations/{}",
        LAST_APPLIED.replace('/', "~1")
    )) {
        let bytes = applied.as_str().map(str::len).unwrap_or(0);
        *applied = redacted(bytes);
    }
}

fn redacted(bytes: usize) -> Value {
    Value::String(format!("<redacted: {bytes} bytes>"))
}

/// The size of what base64 text decodes to, without decoding it.
fn decoded_len(encoded: &str) -> usize {
    let encoded = encoded.trim();
    let padding = encoded.bytes().rev().take_while(|b| *b == b'=').count();
    (encoded.len() / 4 * 3 + encoded.len() % 4 * 3 / 4).saturating_sub(padding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_secret_keeps_its_shape_but_no_value() {
        let applied = r#"{"apiVersion":"v1","data":{"password":"aHVudGVyMg=="},"kind":"Secret"}"#;
        let mut secret = json!({
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": { "name": "db", "namespace": "app",
                          "annotations": { LAST_APPLIED: applied, "team": "platform" },
                          "managedFields": [{ "manager": "kubectl" }] },
            "data": { "password": "aHVudGVyMg==", "user": "YWRtaW4=", "empty": "" },
            "stringData": { "token": "s3cr3t" }
        });
        export(&mut secret, true);
        let yaml = to_yaml(&secret);
        for secret_text in [
            "aHVudGVyMg",
            "hunter2",
            "YWRtaW4",
            "admin",
            "s3cr3t",
            "managedFields",
        ] {
            assert!(!yaml.contains(secret_text), "{secret_text} in\n{yaml}");
        }
        assert!(yaml.contains("password: \"<redacted: 7 bytes>\""), "{yaml}");
        assert!(yaml.contains("user: \"<redacted: 5 bytes>\""), "{yaml}");
        assert!(yaml.contains("empty: \"<redacted: 0 bytes>\""), "{yaml}");
        assert!(yaml.contains("token: \"<redacted: 6 bytes>\""), "{yaml}");
        assert!(yaml.contains("team: platform"), "{yaml}");
    }

    #[test]
    fn other_kinds_only_lose_managed_fields() {
        let mut config = json!({
            "kind": "ConfigMap", "metadata": { "name": "c", "managedFields": [] },
            "data": { "mode": "fast" }
        });
        export(&mut config, false);
        assert_eq!(config["data"]["mode"], "fast");
        assert!(config["metadata"].get("managedFields").is_none());
    }

    #[test]
    fn base64_lengths_count_decoded_bytes() {
        assert_eq!(decoded_len("aHVudGVyMg=="), 7);
        assert_eq!(decoded_len("YWRtaW4="), 5);
        assert_eq!(decoded_len("b3BzYm90"), 6);
        assert_eq!(decoded_len(""), 0);
        assert_eq!(decoded_len("YWI"), 2);
    }
}
