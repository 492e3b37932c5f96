//! storage.describe: runbook §5.3, risk read. `kubectl describe pod POD | grep -A5 Volumes:`
//! made whole: the pod's volumes and where they are mounted, the claims behind them with the
//! volume each is bound to, and the pod's mount errors (its FailedMount / FailedAttachVolume
//! warnings), which say why a pod with storage sits in ContainerCreating.

use async_trait::async_trait;
use chrono::Utc;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Volume};
use kube::api::Api;

use super::{access_modes, capacity, or_dash};
use crate::events::{self, Columns};
use crate::k8s::{kube_error, single};
use crate::pod::{bounded, get, target};
use crate::{
    Block, Cell, Form, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec,
    Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "storage.describe",
    section: "5.3",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["storage"],
        args: &[
            args::positional("pod", Kind::Name),
            args::namespace_required(),
            args::cluster(false),
        ],
    }],
};

/// The kubelet's and attach-detach controller's reasons for a volume that will not mount.
const MOUNT_ERRORS: [&str; 3] = ["FailedMount", "FailedAttachVolume", "FailedMapVolume"];

pub struct StorageDescribe;

impl Operation for StorageDescribe {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, namespace, pod) = target(request)?;
        Ok(vec![Box::new(DescribeStorage {
            cluster,
            namespace,
            pod,
        })])
    }
}

struct DescribeStorage {
    cluster: String,
    namespace: String,
    pod: String,
}

/// One of the pod's volumes, classified.
#[derive(Debug, PartialEq)]
struct VolumeRow {
    name: String,
    kind: &'static str,
    source: String,
    /// The claim behind a PVC or generic ephemeral volume.
    claim: Option<String>,
}

#[async_trait]
impl Step for DescribeStorage {
    fn plan(&self) -> Message {
        msg!(
            "storage-describe-plan",
            pod = self.pod.as_str(),
            namespace = self.namespace.as_str(),
            cluster = self.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let (pod, claims, events) = bounded(cx, &self.cluster, async {
            let client = single(cx, &self.cluster).await?;
            let pod = get(&client, &self.cluster, &self.namespace, &self.pod).await?;
            let api: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &self.namespace);
            let mut claims = Vec::new();
            for name in volumes(&pod).into_iter().filter_map(|v| v.claim) {
                let claim = api
                    .get_opt(&name)
                    .await
                    .map_err(|e| kube_error(&self.cluster, e))?;
                claims.push((name, claim));
            }
            let events =
                events::list(client, &self.cluster, &self.namespace, Some(&self.pod)).await?;
            Ok((pod, claims, events))
        })
        .await?;
        cx.report.push(Block::Heading(msg!(
            "storage-pod-heading",
            pod = self.pod.as_str(),
            namespace = self.namespace.as_str(),
            cluster = self.cluster.as_str()
        )));
        let rows = volumes(&pod);
        if rows.is_empty() {
            cx.report.push(Block::Note(msg!("storage-pod-no-volumes")));
        } else {
            cx.report.push(Block::Table(volumes_table(&pod, &rows)));
        }
        if !claims.is_empty() {
            cx.report.push(Block::Table(claims_table(&claims)));
        }
        for (name, claim) in &claims {
            let phase = claim
                .as_ref()
                .and_then(|c| c.status.as_ref())
                .and_then(|s| s.phase.as_deref());
            match phase {
                Some("Bound") => {}
                None => cx.report.push(Block::Note(msg!(
                    "storage-claim-missing",
                    claim = name.as_str()
                ))),
                Some(phase) => cx.report.push(Block::Note(msg!(
                    "storage-claim-not-bound",
                    claim = name.as_str(),
                    phase = phase
                ))),
            }
        }
        let failures: Vec<_> = events
            .into_iter()
            .filter(|e| {
                events::is_warning(e) && MOUNT_ERRORS.contains(&e.reason.as_deref().unwrap_or(""))
            })
            .collect();
        if failures.is_empty() {
            cx.report.push(Block::Note(msg!("storage-no-mount-errors")));
        } else {
            cx.report.push(Block::Note(msg!(
                "storage-mount-errors",
                count = failures.len()
            )));
            cx.report.push(Block::Table(events::table(
                &failures,
                Utc::now(),
                Columns::WithoutObject,
            )));
        }
        Ok(())
    }
}

fn volumes(pod: &Pod) -> Vec<VolumeRow> {
    let pod_name = pod.metadata.name.as_deref().unwrap_or("");
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .map(|v| classify(v, pod_name))
        .collect()
}

/// The volume's type as the pod spec names it (a claim is "PVC", as people say it), and what
/// it points at.
fn classify(volume: &Volume, pod: &str) -> VolumeRow {
    let (kind, source, claim) = if let Some(pvc) = &volume.persistent_volume_claim {
        ("PVC", pvc.claim_name.clone(), Some(pvc.claim_name.clone()))
    } else if volume.ephemeral.is_some() {
        // A generic ephemeral volume's claim is named after the pod and the volume.
        let claim = format!("{pod}-{}", volume.name);
        ("ephemeral", claim.clone(), Some(claim))
    } else if let Some(cm) = &volume.config_map {
        ("configMap", cm.name.clone(), None)
    } else if let Some(secret) = &volume.secret {
        ("secret", or_dash(secret.secret_name.as_ref()), None)
    } else if let Some(dir) = &volume.empty_dir {
        let source = match (&dir.medium, &dir.size_limit) {
            (Some(medium), _) if !medium.is_empty() => medium.clone(),
            (_, Some(limit)) => limit.0.clone(),
            _ => "-".into(),
        };
        ("emptyDir", source, None)
    } else if let Some(host) = &volume.host_path {
        ("hostPath", host.path.clone(), None)
    } else if let Some(nfs) = &volume.nfs {
        ("nfs", format!("{}:{}", nfs.server, nfs.path), None)
    } else if let Some(csi) = &volume.csi {
        ("csi", csi.driver.clone(), None)
    } else if let Some(projected) = &volume.projected {
        let sources: Vec<String> = projected
            .sources
            .iter()
            .flatten()
            .filter_map(|s| {
                if let Some(cm) = &s.config_map {
                    Some(format!("configMap {}", cm.name))
                } else if let Some(secret) = &s.secret {
                    Some(format!("secret {}", secret.name))
                } else if s.service_account_token.is_some() {
                    Some("serviceAccountToken".into())
                } else if s.downward_api.is_some() {
                    Some("downwardAPI".into())
                } else {
                    None
                }
            })
            .collect();
        ("projected", sources.join(", "), None)
    } else if volume.downward_api.is_some() {
        ("downwardAPI", "-".into(), None)
    } else {
        ("other", "-".into(), None)
    };
    VolumeRow {
        name: volume.name.clone(),
        kind,
        source,
        claim,
    }
}

/// `container:/path` for every container (init ones too) that mounts `volume`.
fn mounts(pod: &Pod, volume: &str) -> String {
    let spec = pod.spec.as_ref();
    let mounts: Vec<String> = spec
        .into_iter()
        .flat_map(|s| s.init_containers.iter().flatten().chain(&s.containers))
        .flat_map(|c| {
            c.volume_mounts
                .iter()
                .flatten()
                .filter(|m| m.name == volume)
                .map(|m| format!("{}:{}", c.name, m.mount_path))
        })
        .collect();
    if mounts.is_empty() {
        "-".into()
    } else {
        mounts.join(", ")
    }
}

fn volumes_table(pod: &Pod, rows: &[VolumeRow]) -> Table {
    let mut table = Table::new(vec![
        msg!("storage-col-volume-name"),
        msg!("storage-col-type"),
        msg!("storage-col-source"),
        msg!("storage-col-mounted-at"),
    ]);
    for row in rows {
        table.rows.push(vec![
            Cell::Text(row.name.clone()),
            Cell::Text(row.kind.into()),
            Cell::Text(row.source.clone()),
            Cell::Text(mounts(pod, &row.name)),
        ]);
    }
    table
}

fn claims_table(claims: &[(String, Option<PersistentVolumeClaim>)]) -> Table {
    let mut table = Table::new(vec![
        msg!("storage-col-claim"),
        msg!("storage-col-status"),
        msg!("storage-col-volume"),
        msg!("storage-col-capacity"),
        msg!("storage-col-access-modes"),
        msg!("storage-col-storage-class"),
    ]);
    for (name, claim) in claims {
        let spec = claim.as_ref().and_then(|c| c.spec.as_ref());
        let status = claim.as_ref().and_then(|c| c.status.as_ref());
        table.rows.push(vec![
            Cell::Text(name.clone()),
            match status.and_then(|s| s.phase.as_ref()) {
                Some(phase) => Cell::Text(phase.clone()),
                None if claim.is_none() => Cell::Message(msg!("storage-claim-absent")),
                None => Cell::Text("-".into()),
            },
            Cell::Text(or_dash(spec.and_then(|s| s.volume_name.as_ref()))),
            Cell::Text(capacity(status.and_then(|s| s.capacity.as_ref()))),
            Cell::Text(access_modes(status.and_then(|s| s.access_modes.as_ref()))),
            Cell::Text(or_dash(spec.and_then(|s| s.storage_class_name.as_ref()))),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volumes_are_classified_with_their_source_and_mounts() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": { "name": "grafana-0", "namespace": "monitoring" },
            "spec": {
                "containers": [{ "name": "grafana", "image": "grafana:11",
                    "volumeMounts": [{ "name": "storage", "mountPath": "/var/lib/grafana" },
                                     { "name": "config", "mountPath": "/etc/grafana" }] }],
                "volumes": [
                    { "name": "storage", "persistentVolumeClaim": { "claimName": "grafana" } },
                    { "name": "scratch", "ephemeral": { "volumeClaimTemplate": { "spec": {} } } },
                    { "name": "config", "configMap": { "name": "grafana-ini" } },
                    { "name": "tmp", "emptyDir": { "medium": "Memory" } },
                    { "name": "logs", "hostPath": { "path": "/var/log/pods" } },
                    { "name": "kube-api-access-x2v", "projected": { "sources": [
                        { "serviceAccountToken": { "path": "token" } },
                        { "configMap": { "name": "kube-root-ca.crt" } } ] } }
                ]
            }
        }))
        .expect("pod");
        let rows = volumes(&pod);
        let summary: Vec<(&str, &str, Option<&str>)> = rows
            .iter()
            .map(|r| (r.kind, r.source.as_str(), r.claim.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("PVC", "grafana", Some("grafana")),
                ("ephemeral", "grafana-0-scratch", Some("grafana-0-scratch")),
                ("configMap", "grafana-ini", None),
                ("emptyDir", "Memory", None),
                ("hostPath", "/var/log/pods", None),
                (
                    "projected",
                    "serviceAccountToken, configMap kube-root-ca.crt",
                    None
                ),
            ]
        );
        assert_eq!(mounts(&pod, "storage"), "grafana:/var/lib/grafana");
        assert_eq!(mounts(&pod, "tmp"), "-");
    }
}
