//! The resource table: which kinds the server knows, under which group, version and plural.
//!
//! Discovery and routing are both generated from this one list, so a kind a test registers is
//! discoverable and servable at once, exactly like a CRD on a real cluster.

/// One served kind. Built-ins are in [`BUILT_IN`]; tests add CRDs with
/// [`KubeServer::register`](super::KubeServer::register).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resource {
    /// API group, `""` for the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    /// The URL segment (`pods`, `backups`).
    pub plural: &'static str,
    pub namespaced: bool,
}

/// The group whose absence a test can play with `enable_metrics(false)` (no metrics-server).
pub(crate) const METRICS_GROUP: &str = "metrics.k8s.io";

const fn r(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
) -> Resource {
    Resource {
        group,
        version,
        kind,
        plural,
        namespaced,
    }
}

/// Everything a fresh server serves: the core workloads opsbot touches plus the add-ons the
/// runbook covers (Velero, cert-manager, Cilium, External Secrets, metrics-server).
pub(crate) const BUILT_IN: &[Resource] = &[
    r("", "v1", "Pod", "pods", true),
    r("", "v1", "Node", "nodes", false),
    r("", "v1", "Namespace", "namespaces", false),
    r("", "v1", "Event", "events", true),
    r("", "v1", "Secret", "secrets", true),
    r("", "v1", "ConfigMap", "configmaps", true),
    r("", "v1", "Service", "services", true),
    r(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
    ),
    r("", "v1", "PersistentVolume", "persistentvolumes", false),
    r("", "v1", "Endpoints", "endpoints", true),
    r("apps", "v1", "Deployment", "deployments", true),
    r("apps", "v1", "DaemonSet", "daemonsets", true),
    r("apps", "v1", "ReplicaSet", "replicasets", true),
    r("apps", "v1", "StatefulSet", "statefulsets", true),
    r("batch", "v1", "Job", "jobs", true),
    r(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
    ),
    r("events.k8s.io", "v1", "Event", "events", true),
    r(METRICS_GROUP, "v1beta1", "NodeMetrics", "nodes", false),
    r(METRICS_GROUP, "v1beta1", "PodMetrics", "pods", true),
    r("velero.io", "v1", "Backup", "backups", true),
    r("velero.io", "v1", "Restore", "restores", true),
    r("velero.io", "v1", "Schedule", "schedules", true),
    r(
        "velero.io",
        "v1",
        "BackupStorageLocation",
        "backupstoragelocations",
        true,
    ),
    r("cert-manager.io", "v1", "Certificate", "certificates", true),
    r(
        "cert-manager.io",
        "v1",
        "CertificateRequest",
        "certificaterequests",
        true,
    ),
    r("cert-manager.io", "v1", "Issuer", "issuers", true),
    r(
        "cert-manager.io",
        "v1",
        "ClusterIssuer",
        "clusterissuers",
        false,
    ),
    r("cilium.io", "v2", "CiliumEndpoint", "ciliumendpoints", true),
    r("cilium.io", "v2", "CiliumNode", "ciliumnodes", false),
    r(
        "external-secrets.io",
        "v1beta1",
        "ExternalSecret",
        "externalsecrets",
        true,
    ),
    r(
        "external-secrets.io",
        "v1beta1",
        "SecretStore",
        "secretstores",
        true,
    ),
    r("coordination.k8s.io", "v1", "Lease", "leases", true),
];

impl Resource {
    /// `v1` or `apps/v1`, as objects and lists carry it.
    pub(crate) fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `pods` or `deployments.apps`: how the apiserver names a resource in error messages.
    pub(crate) fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// Subresources this server answers, as discovery lists them (`status`, `log`, …).
    pub(crate) fn subresources(&self) -> &'static [&'static str] {
        match (self.group, self.plural) {
            (METRICS_GROUP, _) => &[],
            ("", "pods") => &["status", "log", "eviction"],
            ("apps", "deployments" | "statefulsets" | "replicasets") => &["status", "scale"],
            _ => &["status"],
        }
    }

    pub(crate) fn verbs(&self) -> &'static [&'static str] {
        if self.group == METRICS_GROUP {
            // metrics-server only serves reads.
            &["get", "list"]
        } else {
            &[
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch",
            ]
        }
    }
}

/// Splits `apps/v1` into `("apps", "v1")` and `v1` into `("", "v1")`.
pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

/// Kubernetes' version priority (v1 > v1beta2 > v1beta1 > v1alpha1), larger is preferred, so a
/// group served at two versions advertises the stable one as preferred, as the apiserver does.
pub(crate) fn version_priority(version: &str) -> (u8, u32, u32) {
    let Some(rest) = version.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (stability, minor) = if tail.is_empty() {
        (3, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (stability, major, minor)
}
