//! Kind names as kubectl accepts them, resolved against what the API server serves.
//!
//! kube's discovery gives each resource's plural and kind but not the short names
//! (`po`, `deploy`) that discovery documents carry, so the well-known ones are listed here;
//! they only ever apply to a resource the server really serves.

use kube::discovery::{ApiCapabilities, ApiResource, Discovery, Scope};

use crate::k8s::kube_error;
use crate::{Message, OpError, msg};

/// Short names of built-in kinds and of the platform's add-ons, by (group, plural), as their
/// API servers and CRDs declare them.
const SHORT_NAMES: &[(&str, &str, &[&str])] = &[
    ("", "pods", &["po"]),
    ("", "services", &["svc"]),
    ("", "nodes", &["no"]),
    ("", "namespaces", &["ns"]),
    ("", "configmaps", &["cm"]),
    ("", "events", &["ev"]),
    ("", "endpoints", &["ep"]),
    ("", "persistentvolumeclaims", &["pvc"]),
    ("", "persistentvolumes", &["pv"]),
    ("", "serviceaccounts", &["sa"]),
    ("", "replicationcontrollers", &["rc"]),
    ("", "limitranges", &["limits"]),
    ("", "resourcequotas", &["quota"]),
    ("apps", "deployments", &["deploy"]),
    ("apps", "daemonsets", &["ds"]),
    ("apps", "replicasets", &["rs"]),
    ("apps", "statefulsets", &["sts"]),
    ("batch", "cronjobs", &["cj"]),
    ("autoscaling", "horizontalpodautoscalers", &["hpa"]),
    ("policy", "poddisruptionbudgets", &["pdb"]),
    ("networking.k8s.io", "ingresses", &["ing"]),
    ("networking.k8s.io", "networkpolicies", &["netpol"]),
    ("storage.k8s.io", "storageclasses", &["sc"]),
    ("scheduling.k8s.io", "priorityclasses", &["pc"]),
    (
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        &["crd", "crds"],
    ),
    ("cert-manager.io", "certificates", &["cert", "certs"]),
    ("cert-manager.io", "certificaterequests", &["cr", "crs"]),
    ("cilium.io", "ciliumendpoints", &["cep", "ciliumep"]),
    ("cilium.io", "ciliumnodes", &["cn", "ciliumn"]),
    ("cilium.io", "ciliumnetworkpolicies", &["cnp", "ciliumnp"]),
    ("external-secrets.io", "externalsecrets", &["es"]),
    ("external-secrets.io", "secretstores", &["ss"]),
    ("external-secrets.io", "clustersecretstores", &["css"]),
];

/// Kinds that live in no namespace, by (group, plural, singular, short names): the built-in
/// ones and the platform's add-ons. The policy judges a read of these as reaching past every
/// namespace before the cluster is asked; a cluster-scoped kind missing here is caught when
/// discovery says what it is (`get` and `yaml` refuse it if it was judged in one namespace).
const CLUSTER_SCOPED: &[(&str, &str, &str, &[&str])] = &[
    ("", "nodes", "node", &["no"]),
    ("", "namespaces", "namespace", &["ns"]),
    ("", "persistentvolumes", "persistentvolume", &["pv"]),
    ("", "componentstatuses", "componentstatus", &["cs"]),
    (
        "rbac.authorization.k8s.io",
        "clusterroles",
        "clusterrole",
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        "clusterrolebinding",
        &[],
    ),
    ("storage.k8s.io", "storageclasses", "storageclass", &["sc"]),
    ("storage.k8s.io", "csidrivers", "csidriver", &[]),
    ("storage.k8s.io", "csinodes", "csinode", &[]),
    (
        "storage.k8s.io",
        "volumeattachments",
        "volumeattachment",
        &[],
    ),
    (
        "scheduling.k8s.io",
        "priorityclasses",
        "priorityclass",
        &["pc"],
    ),
    ("networking.k8s.io", "ingressclasses", "ingressclass", &[]),
    ("node.k8s.io", "runtimeclasses", "runtimeclass", &[]),
    (
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "customresourcedefinition",
        &["crd", "crds"],
    ),
    ("apiregistration.k8s.io", "apiservices", "apiservice", &[]),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        &[],
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        &[],
    ),
    (
        "certificates.k8s.io",
        "certificatesigningrequests",
        "certificatesigningrequest",
        &["csr"],
    ),
    ("cert-manager.io", "clusterissuers", "clusterissuer", &[]),
    ("cilium.io", "ciliumnodes", "ciliumnode", &["cn", "ciliumn"]),
    (
        "cilium.io",
        "ciliumclusterwidenetworkpolicies",
        "ciliumclusterwidenetworkpolicy",
        &["ccnp"],
    ),
    ("cilium.io", "ciliumidentities", "ciliumidentity", &[]),
    (
        "external-secrets.io",
        "clustersecretstores",
        "clustersecretstore",
        &["css"],
    ),
    (
        "external-secrets.io",
        "clusterexternalsecrets",
        "clusterexternalsecret",
        &["ces"],
    ),
];

/// Does `typed` (`nodes`, `no`, `clusterroles.rbac.authorization.k8s.io`) name a kind that
/// lives in no namespace? Decided by name alone, before any cluster is asked.
pub(crate) fn is_cluster_scoped(typed: &str) -> bool {
    let lower = typed.to_ascii_lowercase();
    let (name, group) = match lower.split_once('.') {
        Some((name, group)) => (name, Some(group)),
        None => (lower.as_str(), None),
    };
    CLUSTER_SCOPED.iter().any(|(g, plural, singular, short)| {
        let in_group = match group {
            None => true,
            Some(typed_group) => {
                typed_group == *g
                    || typed_group
                        .split_once('.')
                        .is_some_and(|(_, rest)| rest == *g)
                    || (g.is_empty() && typed_group == "v1")
            }
        };
        in_group && (name == *plural || name == *singular || short.contains(&name))
    })
}

/// What one run learned from discovery: every served resource at its most stable version,
/// the core group first and the others in alphabetical order, which is how kubectl breaks a
/// tie (`events` is the core Event, `pods` is not metrics.k8s.io's PodMetrics).
pub(crate) struct Catalog(Vec<(ApiResource, ApiCapabilities)>);

/// A kind that was found.
pub(crate) struct Found {
    pub resource: ApiResource,
    pub namespaced: bool,
    pub operations: Vec<String>,
}

impl Found {
    /// `pods` or `deployments.apps`, as the API server names a resource.
    pub fn qualified(&self) -> String {
        qualified(&self.resource)
    }

    pub fn can(&self, verb: &str) -> bool {
        self.operations.iter().any(|o| o == verb)
    }

    pub fn is_secret(&self) -> bool {
        self.resource.group.is_empty() && self.resource.kind == "Secret"
    }
}

impl Catalog {
    /// Runs discovery once; a run resolves every kind it needs from this.
    pub async fn discover(client: kube::Client, cluster: &str) -> Result<Catalog, OpError> {
        let discovery = Discovery::new(client)
            .run()
            .await
            .map_err(|e| kube_error(cluster, e))?;
        Ok(Catalog(
            discovery
                .groups_alphabetical()
                .into_iter()
                .flat_map(|group| group.resources_by_stability())
                .collect(),
        ))
    }

    #[cfg(test)]
    pub fn of(entries: Vec<(ApiResource, ApiCapabilities)>) -> Catalog {
        Catalog(entries)
    }

    /// The resource `typed` names, or the sentence saying it names none (with the nearest
    /// name if it looks like a typo).
    pub fn resolve(&self, typed: &str, cluster: &str) -> Result<Found, OpError> {
        let lower = typed.to_ascii_lowercase();
        // No plural, kind or short name has a dot, so a dot always starts a group:
        // `deployments.apps`, `deployments.v1.apps`, `backups.velero.io`.
        let (name, group) = match lower.split_once('.') {
            Some((name, group)) => (name, Some(group)),
            None => (lower.as_str(), None),
        };
        let hit = self.0.iter().find(|(r, _)| {
            let in_group = match group {
                None => true,
                Some(g) => r.group == g || format!("{}.{}", r.version, r.group) == g,
            };
            in_group && names(r).iter().any(|n| n == name)
        });
        match hit {
            Some((resource, caps)) => Ok(Found {
                resource: resource.clone(),
                namespaced: caps.scope == Scope::Namespaced,
                operations: caps.operations.clone(),
            }),
            None => Err(OpError::Failed(self.unknown(typed, &lower, cluster))),
        }
    }

    fn unknown(&self, typed: &str, lower: &str, cluster: &str) -> Message {
        let candidates = self.0.iter().flat_map(|(r, _)| {
            let mut all = names(r);
            all.push(qualified(r));
            all
        });
        let nearest = candidates
            .map(|c| (strsim::levenshtein(lower, &c), c))
            .filter(|(d, c)| *d <= (c.len() / 3).clamp(1, 2))
            .min_by_key(|(d, _)| *d);
        match nearest {
            Some((_, suggestion)) => msg!(
                "get-unknown-kind-suggest",
                kind = typed,
                cluster = cluster,
                suggestion = suggestion
            ),
            None => msg!("get-unknown-kind", kind = typed, cluster = cluster),
        }
    }
}

/// Every name a resource answers to: plural, singular (its kind in lower case), short names.
fn names(resource: &ApiResource) -> Vec<String> {
    let mut names = vec![resource.plural.clone(), resource.kind.to_ascii_lowercase()];
    if let Some((_, _, short)) = SHORT_NAMES
        .iter()
        .find(|(g, p, _)| *g == resource.group && *p == resource.plural)
    {
        names.extend(short.iter().map(|s| s.to_string()));
    }
    names
}

fn qualified(resource: &ApiResource) -> String {
    if resource.group.is_empty() {
        resource.plural.clone()
    } else {
        format!("{}.{}", resource.plural, resource.group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_scoped_kinds_are_known_by_every_name() {
        for typed in [
            "nodes",
            "node",
            "no",
            "NODES",
            "pv",
            "ns",
            "clusterrole",
            "clusterroles.rbac.authorization.k8s.io",
            "crd",
            "storageclasses.v1.storage.k8s.io",
            "clusterissuers.cert-manager.io",
        ] {
            assert!(is_cluster_scoped(typed), "{typed}");
        }
        for typed in [
            "pods",
            "deploy",
            "pvc",
            "roles",
            "certificates",
            "nodes.example.com",
        ] {
            assert!(!is_cluster_scoped(typed), "{typed}");
        }
    }
    use kube::api::GroupVersionKind;

    fn entry(
        group: &str,
        version: &str,
        kind: &str,
        plural: &str,
        scope: Scope,
    ) -> (ApiResource, ApiCapabilities) {
        let gvk = GroupVersionKind::gvk(group, version, kind);
        (
            ApiResource::from_gvk_with_plural(&gvk, plural),
            ApiCapabilities {
                scope,
                subresources: Vec::new(),
                operations: vec!["get".into(), "list".into()],
            },
        )
    }

    fn catalog() -> Catalog {
        Catalog::of(vec![
            entry("", "v1", "Pod", "pods", Scope::Namespaced),
            entry("", "v1", "Event", "events", Scope::Namespaced),
            entry("", "v1", "Node", "nodes", Scope::Cluster),
            entry("apps", "v1", "Deployment", "deployments", Scope::Namespaced),
            entry(
                "cert-manager.io",
                "v1",
                "Certificate",
                "certificates",
                Scope::Namespaced,
            ),
            entry("events.k8s.io", "v1", "Event", "events", Scope::Namespaced),
            entry(
                "metrics.k8s.io",
                "v1beta1",
                "PodMetrics",
                "pods",
                Scope::Namespaced,
            ),
            entry("velero.io", "v1", "Backup", "backups", Scope::Namespaced),
        ])
    }

    fn resolved(typed: &str) -> String {
        match catalog().resolve(typed, "mgmt") {
            Ok(found) => format!("{}/{}", found.resource.api_version, found.resource.plural),
            Err(e) => e.message().to_string(),
        }
    }

    #[test]
    fn plural_singular_kind_and_short_names_resolve() {
        for typed in ["pods", "pod", "po", "Pod", "PODS"] {
            assert_eq!(resolved(typed), "v1/pods", "{typed}");
        }
        for typed in ["deploy", "deployment", "deployments", "Deployment"] {
            assert_eq!(resolved(typed), "apps/v1/deployments", "{typed}");
        }
        assert_eq!(resolved("certs"), "cert-manager.io/v1/certificates");
        assert_eq!(resolved("node"), "v1/nodes");
    }

    #[test]
    fn a_group_qualifies_and_the_core_group_wins_a_tie() {
        assert_eq!(resolved("deployments.apps"), "apps/v1/deployments");
        assert_eq!(resolved("deploy.v1.apps"), "apps/v1/deployments");
        assert_eq!(
            resolved("certificates.cert-manager.io"),
            "cert-manager.io/v1/certificates"
        );
        assert_eq!(resolved("backups.velero.io"), "velero.io/v1/backups");
        assert_eq!(resolved("events"), "v1/events");
        assert_eq!(resolved("events.events.k8s.io"), "events.k8s.io/v1/events");
        assert_eq!(resolved("pods"), "v1/pods");
        assert_eq!(
            resolved("pods.metrics.k8s.io"),
            "metrics.k8s.io/v1beta1/pods"
        );
    }

    #[test]
    fn an_unknown_kind_says_so_with_the_nearest_name() {
        assert_eq!(
            resolved("deploymnts"),
            "get-unknown-kind-suggest(kind=deploymnts, cluster=mgmt, suggestion=deployments)"
        );
        assert_eq!(
            resolved("widgets"),
            "get-unknown-kind(kind=widgets, cluster=mgmt)"
        );
        assert!(resolved("deployments.batch").starts_with("get-unknown-kind"));
    }
}
