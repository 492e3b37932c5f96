//! cilium.upgrade: runbook §4.3, risk destructive. Gate: the version the `cilium` DaemonSet
//! runs (its `cilium-agent` image tag, read through the API) is older than the target. Then the
//! configured `cilium` program, argv only: `cilium upgrade --version VERSION --context C`, and
//! `cilium status --wait --context C` to see the agents come back.

use async_trait::async_trait;
use k8s_openapi::api::apps::v1::DaemonSet;
use kube::Api;

use crate::helm::upgrade::InCluster;
use crate::k8s::{kube_error, single};
use crate::spec::{Form, Kind};
use crate::{
    Block, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "cilium.upgrade",
    section: "4.3",
    risk: Risk::Destructive,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["cilium", "upgrade"],
        args: &[
            args::positional("version", Kind::Version),
            args::cluster(false),
        ],
    }],
};

const NAMESPACE: &str = "kube-system";
const DAEMONSET: &str = "cilium";
const AGENT: &str = "cilium-agent";

pub struct CiliumUpgrade;

impl Operation for CiliumUpgrade {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn gates(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, version) = target(request)?;
        Ok(vec![Box::new(Newer { cluster, version })])
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, version) = target(request)?;
        Ok(vec![
            Box::new(InCluster::new(
                "cilium",
                ["upgrade", "--version", version.as_str()],
                &cluster,
                "--context",
            )),
            Box::new(InCluster::new(
                "cilium",
                ["status", "--wait"],
                &cluster,
                "--context",
            )),
        ])
    }
}

/// The cluster and the version asked for, as `1.17.0` (the cilium CLI takes both spellings).
fn target(request: &Request) -> Result<(String, String), OpError> {
    let cluster = request
        .cluster()
        .ok_or_else(|| OpError::Failed(msg!("cilium-upgrade-no-cluster")))?;
    let version = request
        .args
        .text("version")
        .ok_or(OpError::MissingFact("version"))?;
    Ok((cluster.to_string(), version.to_string()))
}

/// Gate: the current version, read from the DaemonSet, is older than the target.
struct Newer {
    cluster: String,
    version: String,
}

#[async_trait]
impl Step for Newer {
    fn plan(&self) -> Message {
        msg!(
            "cilium-upgrade-gate-newer",
            cluster = self.cluster.as_str(),
            version = self.version.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let daemonsets: Api<DaemonSet> = Api::namespaced(client, NAMESPACE);
        let ds = daemonsets
            .get_opt(DAEMONSET)
            .await
            .map_err(|e| kube_error(&self.cluster, e))?
            .ok_or_else(|| {
                OpError::Failed(msg!(
                    "cilium-upgrade-not-installed",
                    cluster = self.cluster.as_str()
                ))
            })?;
        let current = agent_image(&ds).map(image_tag).unwrap_or_default();
        cx.progress.report(msg!(
            "cilium-upgrade-versions",
            cluster = self.cluster.as_str(),
            current = current.as_str(),
            version = self.version.as_str()
        ));
        cx.report.push(Block::Fields(vec![
            (msg!("cilium-upgrade-current"), current.clone().into()),
            (msg!("cilium-upgrade-target"), self.version.clone().into()),
        ]));
        match (semver(&current), semver(&self.version)) {
            (Some(now), Some(to)) if to > now => Ok(()),
            (Some(_), Some(_)) => Err(OpError::Failed(msg!(
                "cilium-upgrade-not-newer",
                cluster = self.cluster.as_str(),
                current = current.as_str(),
                version = self.version.as_str()
            ))),
            _ => Err(OpError::Failed(msg!(
                "cilium-upgrade-unknown-version",
                cluster = self.cluster.as_str(),
                current = current.as_str()
            ))),
        }
    }
}

fn agent_image(ds: &DaemonSet) -> Option<&str> {
    let spec = ds.spec.template.spec.as_ref()?;
    spec.containers
        .iter()
        .find(|c| c.name == AGENT)
        .or_else(|| spec.containers.first())?
        .image
        .as_deref()
}

/// `quay.io/cilium/cilium:v1.16.0@sha256:…` → `v1.16.0`; a registry port is not a tag.
fn image_tag(image: &str) -> String {
    let image = image.split('@').next().unwrap_or(image);
    let name = image.rsplit('/').next().unwrap_or(image);
    name.split_once(':')
        .map_or_else(|| "latest".to_string(), |(_, tag)| tag.to_string())
}

/// `v1.16.2` → (1, 16, 2); a pre-release suffix (`-rc.1`) is ignored, anything else is `None`.
fn semver(version: &str) -> Option<(u64, u64, u64)> {
    let version = version.strip_prefix('v').unwrap_or(version);
    let core = version.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    parts.next().is_none().then_some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_numbers_not_text() {
        assert!(semver("v1.16.10") > semver("1.16.9"));
        assert!(semver("1.17.0") > semver("v1.16.5"));
        assert_eq!(semver("v1.16.0-rc.1"), Some((1, 16, 0)));
        assert_eq!(semver("latest"), None);
        assert_eq!(semver("1.2.3.4"), None);
    }

    #[test]
    fn the_tag_is_read_past_registry_ports_and_digests() {
        assert_eq!(
            image_tag("quay.io/cilium/cilium:v1.16.0@sha256:ab"),
            "v1.16.0"
        );
        assert_eq!(image_tag("registry.local:5000/cilium/cilium"), "latest");
    }
}
