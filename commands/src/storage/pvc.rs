//! storage.pvc: runbook §1.2, §5.3 and §6.2, risk read. `kubectl get pvc -A`, `kubectl get pv`
//! and `kubectl get pv | grep Released` (§6.2 "사용하지 않는 PV 확인": a Released volume's
//! claim is gone but its data, and its disk, stay until someone deletes it).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use kube::api::{Api, ListParams};

use super::{access_modes, capacity, or_dash};
use crate::k8s::objects::{age, require_namespace};
use crate::k8s::{self, each_cluster, kube_error};
use crate::pod::instant;
use crate::{
    Block, Cell, Form, Message, Namespaces, OpError, Operation, Request, Risk, RunContext, Scope,
    Spec, Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "storage.pvc",
    section: "1.2, 5.3, 6.2",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[
        Form {
            words: &["pvc"],
            args: &[
                args::namespace(),
                args::all_namespaces(),
                args::cluster(true),
            ],
        },
        Form {
            words: &["pv"],
            args: &[args::switch("released", "released"), args::cluster(true)],
        },
    ],
};

pub struct StoragePvc;

impl Operation for StoragePvc {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let clusters = request.clusters.clone();
        Ok(if request.form.words == ["pv"] {
            vec![Box::new(ListVolumes {
                clusters,
                released_only: request.args.switch("released"),
            })]
        } else {
            let namespace = match &request.namespaces {
                Namespaces::One(ns) => Some(ns.clone()),
                Namespaces::All | Namespaces::NotApplicable | Namespaces::Many(_) => None,
            };
            vec![Box::new(ListClaims {
                clusters,
                namespace,
            })]
        })
    }
}

/// `kubectl get pvc [-n NS | -A]` on each cluster.
struct ListClaims {
    clusters: Vec<String>,
    namespace: Option<String>,
}

#[async_trait]
impl Step for ListClaims {
    fn plan(&self) -> Message {
        let clusters = self.clusters.join(", ");
        match &self.namespace {
            Some(ns) => msg!(
                "storage-pvc-plan",
                namespace = ns.as_str(),
                clusters = clusters
            ),
            None => msg!("storage-pvc-plan-all", clusters = clusters),
        }
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let namespace = self.namespace.as_deref();
        let results = each_cluster(cx, &self.clusters, |client, cluster| async move {
            if let Some(ns) = namespace {
                require_namespace(&client, &cluster, ns).await?;
            }
            let api: Api<PersistentVolumeClaim> = match namespace {
                Some(ns) => Api::namespaced(client, ns),
                None => Api::all(client),
            };
            let list = api
                .list(&ListParams::default())
                .await
                .map_err(|e| kube_error(&cluster, e))?;
            Ok(list.items)
        })
        .await;
        let now = Utc::now();
        report_each(cx, results, |cx, cluster, claims| {
            if claims.is_empty() {
                cx.report
                    .push(Block::Note(msg!("storage-no-claims", cluster = cluster)));
            } else {
                cx.report.push(Block::Table(claims_table(&claims, now)));
            }
        })
    }
}

fn claims_table(claims: &[PersistentVolumeClaim], now: DateTime<Utc>) -> Table {
    let mut table = Table::new(vec![
        msg!("storage-col-namespace"),
        msg!("storage-col-name"),
        msg!("storage-col-status"),
        msg!("storage-col-volume"),
        msg!("storage-col-capacity"),
        msg!("storage-col-access-modes"),
        msg!("storage-col-storage-class"),
        msg!("storage-col-age"),
    ]);
    for claim in claims {
        let spec = claim.spec.as_ref();
        let status = claim.status.as_ref();
        table.rows.push(vec![
            Cell::Text(or_dash(claim.metadata.namespace.as_ref())),
            Cell::Text(or_dash(claim.metadata.name.as_ref())),
            Cell::Text(or_dash(status.and_then(|s| s.phase.as_ref()))),
            Cell::Text(or_dash(spec.and_then(|s| s.volume_name.as_ref()))),
            Cell::Text(capacity(status.and_then(|s| s.capacity.as_ref()))),
            Cell::Text(access_modes(status.and_then(|s| s.access_modes.as_ref()))),
            Cell::Text(or_dash(spec.and_then(|s| s.storage_class_name.as_ref()))),
            Cell::Text(created_age(&claim.metadata, now)),
        ]);
    }
    table
}

/// `kubectl get pv`, or only the Released ones, on each cluster.
struct ListVolumes {
    clusters: Vec<String>,
    released_only: bool,
}

#[async_trait]
impl Step for ListVolumes {
    fn plan(&self) -> Message {
        let clusters = self.clusters.join(", ");
        if self.released_only {
            msg!("storage-pv-released-plan", clusters = clusters)
        } else {
            msg!("storage-pv-plan", clusters = clusters)
        }
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let results = each_cluster(cx, &self.clusters, |client, cluster| async move {
            let api: Api<PersistentVolume> = Api::all(client);
            let list = api
                .list(&ListParams::default())
                .await
                .map_err(|e| kube_error(&cluster, e))?;
            Ok(list.items)
        })
        .await;
        let now = Utc::now();
        let released_only = self.released_only;
        report_each(cx, results, |cx, cluster, volumes| {
            let volumes: Vec<&PersistentVolume> = volumes
                .iter()
                .filter(|v| !released_only || phase(v) == Some("Released"))
                .collect();
            match (volumes.is_empty(), released_only) {
                (true, true) => cx
                    .report
                    .push(Block::Note(msg!("storage-no-released", cluster = cluster))),
                (true, false) => cx
                    .report
                    .push(Block::Note(msg!("storage-no-volumes", cluster = cluster))),
                (false, _) => {
                    cx.report.push(Block::Table(volumes_table(&volumes, now)));
                    let released = volumes
                        .iter()
                        .filter(|v| phase(v) == Some("Released"))
                        .count();
                    if released > 0 {
                        cx.report
                            .push(Block::Note(msg!("storage-released-hint", count = released)));
                    }
                }
            }
        })
    }
}

fn phase(volume: &PersistentVolume) -> Option<&str> {
    volume.status.as_ref().and_then(|s| s.phase.as_deref())
}

fn volumes_table(volumes: &[&PersistentVolume], now: DateTime<Utc>) -> Table {
    let mut table = Table::new(vec![
        msg!("storage-col-name"),
        msg!("storage-col-capacity"),
        msg!("storage-col-access-modes"),
        msg!("storage-col-reclaim-policy"),
        msg!("storage-col-status"),
        msg!("storage-col-claim"),
        msg!("storage-col-storage-class"),
        msg!("storage-col-age"),
    ]);
    for volume in volumes {
        let spec = volume.spec.as_ref();
        // A Released volume still names the claim it was bound to; that is how one finds out
        // whose data it holds.
        let claim = spec.and_then(|s| s.claim_ref.as_ref()).map_or_else(
            || "-".to_string(),
            |c| {
                format!(
                    "{}/{}",
                    c.namespace.as_deref().unwrap_or(""),
                    c.name.as_deref().unwrap_or("")
                )
            },
        );
        table.rows.push(vec![
            Cell::Text(or_dash(volume.metadata.name.as_ref())),
            Cell::Text(capacity(spec.and_then(|s| s.capacity.as_ref()))),
            Cell::Text(access_modes(spec.and_then(|s| s.access_modes.as_ref()))),
            Cell::Text(or_dash(
                spec.and_then(|s| s.persistent_volume_reclaim_policy.as_ref()),
            )),
            Cell::Text(phase(volume).unwrap_or("-").to_string()),
            Cell::Text(claim),
            Cell::Text(or_dash(spec.and_then(|s| s.storage_class_name.as_ref()))),
            Cell::Text(created_age(&volume.metadata, now)),
        ]);
    }
    table
}

fn created_age(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    now: DateTime<Utc>,
) -> String {
    meta.creation_timestamp
        .as_ref()
        .and_then(|t| instant(&t.0))
        .map_or_else(|| "-".into(), |t| age(t, now))
}

/// Each cluster that answered under its heading; a failed one is one line.
fn report_each<T>(
    cx: &mut RunContext<'_>,
    results: Vec<(String, Result<T, OpError>)>,
    mut render: impl FnMut(&mut RunContext<'_>, &str, T),
) -> Result<(), OpError> {
    k8s::report_each(cx, results, |cx, cluster, items| {
        cx.report
            .push(Block::Heading(msg!("storage-heading", cluster = cluster)));
        render(cx, cluster, items);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_released_volume_shows_the_claim_it_was_bound_to() {
        let volume: PersistentVolume = serde_json::from_value(json!({
            "metadata": { "name": "pvc-1f0c", "creationTimestamp": "2026-01-01T00:00:00Z" },
            "spec": { "capacity": { "storage": "20Gi" }, "accessModes": ["ReadWriteOnce"],
                      "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "local-path",
                      "claimRef": { "namespace": "monitoring", "name": "data-prometheus-0" } },
            "status": { "phase": "Released" }
        }))
        .expect("pv");
        let now = DateTime::parse_from_rfc3339("2026-01-11T00:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("time");
        let table = volumes_table(&[&volume], now);
        let row: Vec<String> = table
            .rows
            .iter()
            .flatten()
            .map(|c| match c {
                Cell::Text(t) => t.clone(),
                Cell::Message(m) => m.to_string(),
            })
            .collect();
        assert_eq!(
            row,
            [
                "pvc-1f0c",
                "20Gi",
                "RWO",
                "Retain",
                "Released",
                "monitoring/data-prometheus-0",
                "local-path",
                "10d"
            ]
        );
    }
}
