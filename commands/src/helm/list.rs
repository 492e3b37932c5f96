//! helm.list: runbook §4.2, risk read. `helm list -A` (the latest revision of each release) and
//! `helm history RELEASE -n NS` (every revision), decoded from Helm's release Secrets by
//! [`release`](super::release): the columns helm prints and nothing else of the record.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};

use super::release::{self, Release};
use crate::k8s::objects::require_namespace;
use crate::k8s::{each_cluster, kube_error};
use crate::{
    Block, Cell, Form, Kind, Message, Namespaces, OpError, Operation, Report, Request, Risk,
    RunContext, Scope, Spec, Step, Table, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "helm.list",
    section: "4.2",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[
        Form {
            words: &["helm", "list"],
            args: &[
                args::namespace(),
                args::all_namespaces(),
                args::cluster(false),
            ],
        },
        Form {
            words: &["helm", "history"],
            args: &[
                args::positional("release", Kind::Name),
                args::namespace_required(),
                args::cluster(false),
            ],
        },
    ],
};

pub struct HelmList;

impl Operation for HelmList {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        // The parser makes sure of these; a missing one is a bug in the spec.
        let cluster = request
            .cluster()
            .ok_or(OpError::MissingFact("cluster"))?
            .to_string();
        let namespace = match &request.namespaces {
            Namespaces::One(ns) => Some(ns.clone()),
            _ => None,
        };
        Ok(match request.args.text("release") {
            Some(release) => vec![Box::new(History {
                cluster,
                namespace: namespace.ok_or(OpError::MissingFact("namespace"))?,
                release: release.to_string(),
            })],
            None => vec![Box::new(ListReleases { cluster, namespace })],
        })
    }
}

/// The release Secrets matching `labels`, in one namespace or all.
async fn release_secrets(
    client: kube::Client,
    cluster: &str,
    namespace: Option<&str>,
    labels: &str,
) -> Result<Vec<Secret>, OpError> {
    if let Some(ns) = namespace {
        require_namespace(&client, cluster, ns).await?;
    }
    let api: Api<Secret> = match namespace {
        Some(ns) => Api::namespaced(client, ns),
        None => Api::all(client),
    };
    let list = api
        .list(&ListParams::default().labels(labels))
        .await
        .map_err(|e| kube_error(cluster, e))?;
    Ok(list
        .items
        .into_iter()
        .filter(|s| s.type_.as_deref() == Some(release::SECRET_TYPE))
        .collect())
}

/// Decodes one record; a record that cannot be read becomes a note naming its Secret.
fn decode(secret: &Secret, report: &mut Report) -> Option<Release> {
    let name = secret.metadata.name.as_deref().unwrap_or("");
    let result = match secret.data.as_ref().and_then(|d| d.get("release")) {
        Some(data) => release::decode(&data.0).map_err(|e| e.to_string()),
        None => Err("no release key".to_string()),
    };
    match result {
        Ok(release) => Some(release),
        Err(reason) => {
            report.push(Block::Note(msg!(
                "helm-undecodable",
                secret = name,
                reason = reason
            )));
            None
        }
    }
}

fn label<'a>(secret: &'a Secret, key: &str) -> Option<&'a str> {
    secret
        .metadata
        .labels
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

/// Each release's newest record, chosen by the `version` label so only those are decoded.
fn latest(secrets: Vec<Secret>) -> Vec<Secret> {
    let mut newest: BTreeMap<(String, String), (u64, Secret)> = BTreeMap::new();
    for secret in secrets {
        let key = (
            secret.metadata.namespace.clone().unwrap_or_default(),
            label(&secret, "name").unwrap_or_default().to_string(),
        );
        let version = label(&secret, "version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if newest.get(&key).is_none_or(|(v, _)| version > *v) {
            newest.insert(key, (version, secret));
        }
    }
    newest.into_values().map(|(_, s)| s).collect()
}

/// Helm's UPDATED column without its nanoseconds.
fn updated(t: Option<DateTime<Utc>>) -> String {
    t.map_or("-".to_string(), |t| {
        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    })
}

struct ListReleases {
    cluster: String,
    namespace: Option<String>,
}

#[async_trait]
impl Step for ListReleases {
    fn plan(&self) -> Message {
        let cluster = self.cluster.as_str();
        match &self.namespace {
            Some(ns) => msg!(
                "helm-list-plan-namespace",
                cluster = cluster,
                namespace = ns
            ),
            None => msg!("helm-list-plan", cluster = cluster),
        }
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let namespace = self.namespace.as_deref();
        let clusters = [self.cluster.clone()];
        let mut results = each_cluster(cx, &clusters, |client, cluster| async move {
            release_secrets(client, &cluster, namespace, "owner=helm").await
        })
        .await;
        let (_, secrets) = results
            .pop()
            .ok_or(OpError::MissingFact("cluster answer"))?;
        let report = &mut cx.report;
        report.push(Block::Heading(match namespace {
            Some(ns) => msg!(
                "helm-list-heading-namespace",
                cluster = self.cluster.as_str(),
                namespace = ns
            ),
            None => msg!("helm-list-heading", cluster = self.cluster.as_str()),
        }));
        let mut releases: Vec<Release> = latest(secrets?)
            .iter()
            .filter_map(|s| decode(s, report))
            .collect();
        if releases.is_empty() {
            report.push(Block::Note(msg!("helm-none")));
            return Ok(());
        }
        // helm sorts by name.
        releases.sort_by(|a, b| (&a.name, &a.namespace).cmp(&(&b.name, &b.namespace)));
        let mut table = Table::new(vec![
            msg!("helm-col-name"),
            msg!("helm-col-namespace"),
            msg!("helm-col-revision"),
            msg!("helm-col-updated"),
            msg!("helm-col-status"),
            msg!("helm-col-chart"),
            msg!("helm-col-app-version"),
        ]);
        for r in &releases {
            table.rows.push(vec![
                Cell::Text(r.name.clone()),
                Cell::Text(r.namespace.clone()),
                Cell::Text(r.revision.to_string()),
                Cell::Text(updated(r.updated)),
                Cell::Text(r.status.clone()),
                Cell::Text(r.chart.clone()),
                Cell::Text(r.app_version.clone()),
            ]);
        }
        report.push(Block::Table(table));
        let unsettled = releases.iter().filter(|r| r.status != "deployed").count();
        report.push(Block::Note(msg!(
            "helm-count",
            count = releases.len(),
            unsettled = unsettled
        )));
        Ok(())
    }
}

struct History {
    cluster: String,
    namespace: String,
    release: String,
}

#[async_trait]
impl Step for History {
    fn plan(&self) -> Message {
        msg!(
            "helm-history-plan",
            release = self.release.as_str(),
            namespace = self.namespace.as_str(),
            cluster = self.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let labels = format!("owner=helm,name={}", self.release);
        let (namespace, labels) = (self.namespace.as_str(), labels.as_str());
        let clusters = [self.cluster.clone()];
        let mut results = each_cluster(cx, &clusters, |client, cluster| async move {
            release_secrets(client, &cluster, Some(namespace), labels).await
        })
        .await;
        let (_, secrets) = results
            .pop()
            .ok_or(OpError::MissingFact("cluster answer"))?;
        let secrets = secrets?;
        if secrets.is_empty() {
            return Err(OpError::Failed(msg!(
                "helm-release-not-found",
                release = self.release.as_str(),
                namespace = namespace,
                cluster = self.cluster.as_str()
            )));
        }
        let report = &mut cx.report;
        report.push(Block::Heading(msg!(
            "helm-history-heading",
            release = self.release.as_str(),
            namespace = namespace,
            cluster = self.cluster.as_str()
        )));
        let mut revisions: Vec<Release> =
            secrets.iter().filter_map(|s| decode(s, report)).collect();
        revisions.sort_by_key(|r| r.revision);
        let mut table = Table::new(vec![
            msg!("helm-col-revision"),
            msg!("helm-col-updated"),
            msg!("helm-col-status"),
            msg!("helm-col-chart"),
            msg!("helm-col-app-version"),
            msg!("helm-col-description"),
        ]);
        for r in &revisions {
            table.rows.push(vec![
                Cell::Text(r.revision.to_string()),
                Cell::Text(updated(r.updated)),
                Cell::Text(r.status.clone()),
                Cell::Text(r.chart.clone()),
                Cell::Text(r.app_version.clone()),
                Cell::Text(r.description.clone()),
            ]);
        }
        report.push(Block::Table(table));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn secret(namespace: &str, release: &str, version: u32) -> Secret {
        Secret {
            metadata: kube::api::ObjectMeta {
                name: Some(format!("sh.helm.release.v1.{release}.v{version}")),
                namespace: Some(namespace.to_string()),
                labels: Some(BTreeMap::from([
                    ("owner".to_string(), "helm".to_string()),
                    ("name".to_string(), release.to_string()),
                    ("version".to_string(), version.to_string()),
                ])),
                ..Default::default()
            },
            type_: Some(release::SECRET_TYPE.to_string()),
            ..Default::default()
        }
    }

    #[test]
    fn latest_keeps_the_highest_revision_of_each_release_per_namespace() {
        let chosen = latest(vec![
            secret("monitoring", "prometheus", 9),
            secret("monitoring", "prometheus", 10),
            secret("monitoring", "prometheus", 2),
            secret("staging", "prometheus", 1),
            secret("vault", "vault", 4),
        ]);
        let names: Vec<&str> = chosen
            .iter()
            .filter_map(|s| s.metadata.name.as_deref())
            .collect();
        assert_eq!(
            names,
            [
                "sh.helm.release.v1.prometheus.v10",
                "sh.helm.release.v1.prometheus.v1",
                "sh.helm.release.v1.vault.v4"
            ]
        );
    }
}
