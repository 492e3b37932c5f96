//! The one list of operations. `help`, the parser and `check-config` all read it; adding
//! an operation is its own file plus one line here.

use crate::{Operation, Spec, cluster, contacts, etcd, page};

/// One operation: its spec, and its implementation once it has one.
pub struct Entry {
    pub spec: &'static Spec,
    pub operation: Option<&'static dyn Operation>,
}

impl Entry {
    const fn ready(spec: &'static Spec, operation: &'static dyn Operation) -> Self {
        Entry {
            spec,
            operation: Some(operation),
        }
    }
}

/// Every operation of OPERATIONS.md, in its order.
pub static CATALOGUE: &[Entry] = &[
    Entry::ready(&cluster::status::SPEC, &cluster::status::ClusterStatus),
    Entry::ready(&cluster::top::SPEC, &cluster::top::ClusterTop),
    Entry::ready(&crate::storage::pvc::SPEC, &crate::storage::pvc::StoragePvc),
    Entry::ready(&crate::certs::list::SPEC, &crate::certs::list::CertsList),
    Entry::ready(&etcd::status::SPEC, &etcd::status::EtcdStatus),
    Entry::ready(&etcd::snapshot::SPEC, &etcd::snapshot::EtcdSnapshot),
    Entry::ready(&etcd::snapshots::SPEC, &etcd::snapshots::EtcdSnapshots),
    Entry::ready(
        &crate::velero::backup::SPEC,
        &crate::velero::backup::VeleroBackup,
    ),
    Entry::ready(
        &crate::velero::backups::SPEC,
        &crate::velero::backups::VeleroBackups,
    ),
    Entry::ready(
        &crate::velero::schedule::SPEC,
        &crate::velero::schedule::VeleroSchedule,
    ),
    Entry::ready(&etcd::restore::SPEC, &etcd::restore::EtcdRestore),
    Entry::ready(
        &crate::velero::restore::SPEC,
        &crate::velero::restore::VeleroRestore,
    ),
    Entry::ready(&crate::dr::rebuild::SPEC, &crate::dr::rebuild::DrRebuild),
    Entry::ready(&crate::upgrade::k8s::SPEC, &crate::upgrade::k8s::K8sUpgrade),
    Entry::ready(&crate::helm::list::SPEC, &crate::helm::list::HelmList),
    Entry::ready(
        &crate::helm::upgrade::SPEC,
        &crate::helm::upgrade::HelmUpgrade,
    ),
    Entry::ready(
        &crate::helm::rollback::SPEC,
        &crate::helm::rollback::HelmRollback,
    ),
    Entry::ready(
        &crate::cilium::status::SPEC,
        &crate::cilium::status::CiliumStatus,
    ),
    Entry::ready(
        &crate::cilium::upgrade::SPEC,
        &crate::cilium::upgrade::CiliumUpgrade,
    ),
    Entry::ready(
        &crate::pod::describe::SPEC,
        &crate::pod::describe::PodDescribe,
    ),
    Entry::ready(&crate::pod::logs::SPEC, &crate::pod::logs::PodLogs),
    Entry::ready(&crate::events::SPEC, &crate::events::Events),
    Entry::ready(
        &crate::net::endpoints::SPEC,
        &crate::net::endpoints::NetEndpoints,
    ),
    Entry::ready(&crate::net::test::SPEC, &crate::net::test::NetTest),
    Entry::ready(&crate::net::observe::SPEC, &crate::net::observe::NetObserve),
    Entry::ready(
        &crate::storage::describe::SPEC,
        &crate::storage::describe::StorageDescribe,
    ),
    Entry::ready(
        &crate::certs::describe::SPEC,
        &crate::certs::describe::CertDescribe,
    ),
    Entry::ready(&crate::certs::renew::SPEC, &crate::certs::renew::CertRenew),
    Entry::ready(
        &crate::vault::status::SPEC,
        &crate::vault::status::VaultStatus,
    ),
    Entry::ready(
        &crate::vault::unseal::SPEC,
        &crate::vault::unseal::VaultUnseal,
    ),
    Entry::ready(
        &crate::secrets::sync::SPEC,
        &crate::secrets::sync::SecretsSync,
    ),
    Entry::ready(&crate::vm::list::SPEC, &crate::vm::list::VmList),
    Entry::ready(&crate::vm::restart::SPEC, &crate::vm::restart::VmRestart),
    Entry::ready(
        &crate::node::kubelet::SPEC,
        &crate::node::kubelet::NodeKubelet,
    ),
    Entry::ready(&crate::node::disk::SPEC, &crate::node::disk::NodeDisk),
    Entry::ready(&crate::node::prune::SPEC, &crate::node::prune::NodePrune),
    Entry::ready(&crate::oom::SPEC, &crate::oom::Oom),
    Entry::ready(&crate::limits::SPEC, &crate::limits::LimitsSet),
    Entry::ready(&page::PAGE, &page::Page),
    Entry::ready(&contacts::SPEC, &contacts::Contacts),
    Entry::ready(&crate::resources::get::SPEC, &crate::resources::get::Get),
    Entry::ready(&crate::resources::yaml::SPEC, &crate::resources::yaml::Yaml),
    Entry::ready(&crate::pod::delete::SPEC, &crate::pod::delete::PodDelete),
    // Not a row of OPERATIONS.md: issue 7 asks for the outbox to be visible.
    Entry::ready(&page::PAGES, &page::Pages),
];

/// The entry for an operation id.
pub fn entry(id: &str) -> Option<&'static Entry> {
    CATALOGUE.iter().find(|e| e.spec.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_spellings_are_unique() {
        let mut ids = HashSet::new();
        let mut spellings = HashSet::new();
        for e in CATALOGUE {
            assert!(ids.insert(e.spec.id), "duplicate id {}", e.spec.id);
            for f in e.spec.forms {
                assert!(
                    spellings.insert(f.words.join(" ")),
                    "duplicate form {:?}",
                    f.words
                );
            }
        }
    }

    #[test]
    fn ready_operations_match_their_entry() {
        for e in CATALOGUE {
            if let Some(op) = e.operation {
                assert_eq!(op.spec().id, e.spec.id);
            }
        }
    }

    #[test]
    fn catalogue_covers_every_row_of_operations_md() {
        // The ids of OPERATIONS.md, copied here so a dropped row fails loudly.
        let expected = "cluster.status cluster.top storage.pvc certs.list etcd.status etcd.snapshot \
            etcd.snapshots velero.backup velero.backups velero.schedule etcd.restore velero.restore \
            dr.rebuild k8s.upgrade helm.list helm.upgrade helm.rollback cilium.status cilium.upgrade \
            pod.describe pod.logs events net.endpoints net.test net.observe storage.describe \
            cert.describe cert.renew vault.status vault.unseal secrets.sync vm.list vm.restart \
            node.kubelet node.disk node.prune oom limits.set page contacts get yaml pod.delete pages";
        let ids: Vec<&str> = CATALOGUE.iter().map(|e| e.spec.id).collect();
        assert_eq!(ids, expected.split_whitespace().collect::<Vec<_>>());
    }
}
