//! Operations of the runbook whose execution comes in later releases.
//!
//! They are parsed, judged by the policy and listed by `help` like any other, then answer
//! that they are not available yet. When one is built, its spec moves into its own file.

use crate::spec::args::*;
use crate::spec::{Form, Kind, Risk, Scope, Spec};

const NAME: Kind = Kind::Name;
const SORT: Kind = Kind::Choice(&["memory", "cpu"]);

macro_rules! planned {
    ($name:ident, $id:literal, $section:literal, $risk:ident, $scope:ident, [$($form:expr),+ $(,)?]) => {
        pub static $name: Spec = Spec {
            id: $id,
            section: $section,
            risk: Risk::$risk,
            scope: Scope::$scope,
            forms: &[$($form),+],
        };
    };
}

const fn form(words: &'static [&'static str], args: &'static [crate::Arg]) -> Form {
    Form { words, args }
}

planned!(
    CLUSTER_TOP,
    "cluster.top",
    "1.2, 6.3",
    Read,
    Cluster,
    [
        form(
            &["top", "nodes"],
            &[
                cluster(true),
                option("sort", "sort", SORT),
                option("limit", "limit", Kind::Count { min: 1, max: 500 })
            ]
        ),
        form(
            &["top", "pods"],
            &[
                cluster(true),
                option("sort", "sort", SORT),
                option("limit", "limit", Kind::Count { min: 1, max: 500 })
            ]
        ),
    ]
);
planned!(
    STORAGE_PVC,
    "storage.pvc",
    "1.2, 5.3, 6.2",
    Read,
    Namespaced,
    [
        form(&["pvc"], &[namespace(), all_namespaces(), cluster(true)]),
        form(&["pv"], &[switch("released", "released"), cluster(true)]),
    ]
);
planned!(
    CERTS_LIST,
    "certs.list",
    "1.3, 5.4",
    Read,
    Cluster,
    [form(
        &["certs"],
        &[option("within", "within", Kind::Duration), cluster(true)]
    )]
);
planned!(
    VELERO_BACKUP,
    "velero.backup",
    "2.2",
    Write,
    Cluster,
    [form(
        &["velero", "backup", "create"],
        &[
            option("name", "name", NAME),
            option("namespaces", "namespaces", Kind::Namespaces),
            switch("all", "all"),
            option("exclude", "exclude", Kind::Namespaces),
            option("ttl", "ttl", Kind::Duration),
            cluster(false),
        ]
    )]
);
planned!(
    VELERO_BACKUPS,
    "velero.backups",
    "2.2",
    Read,
    Cluster,
    [
        form(&["velero", "backup", "list"], &[cluster(false)]),
        form(
            &["velero", "backup", "describe"],
            &[positional("backup", NAME), cluster(false)]
        ),
    ]
);
planned!(
    VELERO_SCHEDULE,
    "velero.schedule",
    "2.3",
    Write,
    Cluster,
    [
        form(
            &["velero", "schedule", "create"],
            &[
                positional("schedule", NAME),
                required("cron", "cron", Kind::Cron),
                option("ttl", "ttl", Kind::Duration),
                option("namespaces", "namespaces", Kind::Namespaces),
                cluster(false)
            ]
        ),
        form(&["velero", "schedule", "list"], &[cluster(false)]),
    ]
);
planned!(
    ETCD_RESTORE,
    "etcd.restore",
    "3.1",
    Destructive,
    Cluster,
    [form(
        &["etcd", "restore"],
        &[
            positional("snapshot", Kind::SnapshotFile),
            cluster_required()
        ]
    )]
);
planned!(
    VELERO_RESTORE,
    "velero.restore",
    "3.2",
    Destructive,
    Cluster,
    [form(
        &["velero", "restore"],
        &[
            positional("backup", NAME),
            option("namespaces", "namespaces", Kind::Namespaces),
            cluster(false)
        ]
    )]
);
planned!(
    DR_REBUILD,
    "dr.rebuild",
    "3.3",
    Destructive,
    Global,
    [form(&["dr", "rebuild"], &[])]
);
planned!(
    K8S_UPGRADE,
    "k8s.upgrade",
    "4.1",
    Destructive,
    Cluster,
    [form(
        &["upgrade", "k8s"],
        &[positional("version", Kind::Version), cluster_required()]
    )]
);
planned!(
    HELM_LIST,
    "helm.list",
    "4.2",
    Read,
    Namespaced,
    [
        form(
            &["helm", "list"],
            &[namespace(), all_namespaces(), cluster(false)]
        ),
        form(
            &["helm", "history"],
            &[
                positional("release", NAME),
                namespace_required(),
                cluster(false)
            ]
        ),
    ]
);
planned!(
    HELM_UPGRADE,
    "helm.upgrade",
    "4.2",
    Write,
    Namespaced,
    [form(
        &["helm", "upgrade"],
        &[
            positional("release", NAME),
            positional("chart", Kind::Text),
            namespace_required(),
            option("values", "values", Kind::Path),
            cluster(false),
        ]
    )]
);
planned!(
    HELM_ROLLBACK,
    "helm.rollback",
    "4.2",
    Write,
    Namespaced,
    [form(
        &["helm", "rollback"],
        &[
            positional("release", NAME),
            positional(
                "revision",
                Kind::Count {
                    min: 1,
                    max: 1_000_000
                }
            ),
            namespace_required(),
            cluster(false),
        ]
    )]
);
planned!(
    CILIUM_STATUS,
    "cilium.status",
    "1.1, 4.3",
    Read,
    Cluster,
    [
        form(&["cilium", "status"], &[cluster(true)]),
        form(&["cilium", "version"], &[cluster(true)]),
    ]
);
planned!(
    CILIUM_UPGRADE,
    "cilium.upgrade",
    "4.3",
    Destructive,
    Cluster,
    [form(
        &["cilium", "upgrade"],
        &[positional("version", Kind::Version), cluster(false)]
    )]
);
planned!(
    POD_DESCRIBE,
    "pod.describe",
    "5.1",
    Read,
    Namespaced,
    [form(
        &["pod", "describe"],
        &[
            positional("pod", NAME),
            namespace_required(),
            cluster(false)
        ]
    )]
);
planned!(
    POD_LOGS,
    "pod.logs",
    "5.1",
    Read,
    Namespaced,
    [form(
        &["pod", "logs"],
        &[
            positional("pod", NAME),
            namespace_required(),
            // `-c` is the container here, as in kubectl; the cluster is `--cluster`.
            crate::Arg {
                name: "container",
                kind: NAME,
                how: crate::How::Option {
                    long: "container",
                    short: Some('c'),
                    required: false
                }
            },
            crate::Arg {
                name: "cluster",
                kind: Kind::Cluster { all: false },
                how: crate::How::Option {
                    long: "cluster",
                    short: None,
                    required: false
                }
            },
            switch("previous", "previous"),
            option(
                "tail",
                "tail",
                Kind::Count {
                    min: 1,
                    max: 100_000
                }
            ),
            option("follow", "follow", Kind::Duration),
        ]
    )]
);
planned!(
    EVENTS,
    "events",
    "5.1",
    Read,
    Namespaced,
    [form(&["events"], &[namespace_required(), cluster(false)])]
);
planned!(
    NET_ENDPOINTS,
    "net.endpoints",
    "5.2",
    Read,
    Namespaced,
    [form(&["net", "endpoints"], &[namespace(), cluster(true)])]
);
planned!(
    NET_TEST,
    "net.test",
    "5.2",
    Write,
    Cluster,
    [form(&["net", "test"], &[cluster(false)])]
);
planned!(
    NET_OBSERVE,
    "net.observe",
    "5.2",
    Read,
    Namespaced,
    [form(
        &["net", "observe"],
        &[
            namespace_required(),
            option("for", "for", Kind::Duration),
            cluster(false)
        ]
    )]
);
planned!(
    STORAGE_DESCRIBE,
    "storage.describe",
    "5.3",
    Read,
    Namespaced,
    [form(
        &["storage"],
        &[
            positional("pod", NAME),
            namespace_required(),
            cluster(false)
        ]
    )]
);
planned!(
    CERT_DESCRIBE,
    "cert.describe",
    "5.4",
    Read,
    Namespaced,
    [form(
        &["cert", "describe"],
        &[
            positional("certificate", NAME),
            namespace_required(),
            cluster(false)
        ]
    )]
);
planned!(
    CERT_RENEW,
    "cert.renew",
    "5.4",
    Write,
    Namespaced,
    [form(
        &["cert", "renew"],
        &[
            positional("certificate", NAME),
            namespace_required(),
            cluster(false)
        ]
    )]
);
planned!(
    VAULT_STATUS,
    "vault.status",
    "5.5",
    Read,
    Global,
    [form(&["vault", "status"], &[])]
);
planned!(
    VAULT_UNSEAL,
    "vault.unseal",
    "5.5",
    Write,
    Global,
    [form(&["vault", "unseal"], &[])]
);
planned!(
    SECRETS_SYNC,
    "secrets.sync",
    "5.5",
    Read,
    Namespaced,
    [form(&["externalsecrets"], &[namespace(), cluster(true)])]
);
planned!(
    VM_LIST,
    "vm.list",
    "6.1",
    Read,
    Global,
    [form(&["vm", "list"], &[])]
);
planned!(
    VM_RESTART,
    "vm.restart",
    "6.1",
    Destructive,
    Global,
    [form(&["vm", "restart"], &[positional("vm", NAME)])]
);
planned!(
    NODE_KUBELET,
    "node.kubelet",
    "6.1",
    Read,
    Cluster,
    [form(
        &["node", "kubelet"],
        &[
            positional("node", NAME),
            option(
                "logs",
                "logs",
                Kind::Count {
                    min: 1,
                    max: 10_000
                }
            ),
            cluster(false)
        ]
    )]
);
planned!(
    NODE_DISK,
    "node.disk",
    "6.2",
    Read,
    Cluster,
    [form(
        &["node", "disk"],
        &[positional("node", NAME), cluster(false)]
    )]
);
planned!(
    NODE_PRUNE,
    "node.prune",
    "6.2",
    Write,
    Cluster,
    [form(
        &["node", "prune"],
        &[positional("node", NAME), cluster(false)]
    )]
);
planned!(
    OOM,
    "oom",
    "6.3",
    Read,
    Cluster,
    [form(&["oom"], &[cluster(true)])]
);
planned!(
    LIMITS_SET,
    "limits.set",
    "6.3",
    Write,
    Namespaced,
    [form(
        &["limits"],
        &[
            positional("deployment", NAME),
            namespace_required(),
            required("memory", "memory", Kind::Quantity),
            option("cpu", "cpu", Kind::Quantity),
            cluster(false),
        ]
    )]
);
planned!(
    PAGE,
    "page",
    "6.4",
    Write,
    Global,
    [form(
        &["page"],
        &[positional("situation", Kind::Situation), rest("message")]
    )]
);
planned!(
    GET,
    "get",
    "appendix",
    Read,
    Namespaced,
    [form(
        &["get"],
        &[
            positional("kind", Kind::Resource { with_name: false }),
            namespace(),
            all_namespaces(),
            cluster(false)
        ]
    )]
);
planned!(
    YAML,
    "yaml",
    "appendix",
    Read,
    Namespaced,
    [form(
        &["yaml"],
        &[
            positional("resource", Kind::Resource { with_name: true }),
            namespace_required(),
            cluster(false)
        ]
    )]
);
planned!(
    POD_DELETE,
    "pod.delete",
    "appendix",
    Destructive,
    Namespaced,
    [form(
        &["pod", "delete"],
        &[
            positional("pod", NAME),
            namespace_required(),
            switch("force", "force"),
            cluster(false)
        ]
    )]
);
