//! Operations of the runbook whose execution comes in later releases.
//!
//! They are parsed, judged by the policy and listed by `help` like any other, then answer
//! that they are not available yet. When one is built, its spec moves into its own file.

use crate::spec::args::*;
use crate::spec::{Form, Kind, Risk, Scope, Spec};

const NAME: Kind = Kind::Name;

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
    VAULT_UNSEAL,
    "vault.unseal",
    "5.5",
    Write,
    Global,
    [form(&["vault", "unseal"], &[])]
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
