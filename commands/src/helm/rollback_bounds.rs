//! The bounds of `helm rollback` (issue 11, point 6): a rollback installs again whatever
//! chart the target revision had, so that revision must be one the release may become today.
//! A revision installed before the bounds existed, or by hand with another chart, is refused
//! like an upgrade to that chart would be.

use async_trait::async_trait;
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;

use super::bounds::Release;
use super::release;
use crate::k8s::{kube_error, single};
use crate::{HelmRelease, Message, OpError, RunContext, Step, msg};

/// Gate and first step of `helm rollback`: the release is listed and the revision's chart
/// and version are within its bounds.
pub(crate) struct RevisionWithinBounds {
    pub release: Release,
    pub revision: u64,
}

#[async_trait]
impl Step for RevisionWithinBounds {
    fn plan(&self) -> Message {
        msg!(
            "helm-gate-revision",
            release = self.release.release.as_str(),
            revision = self.revision,
            namespace = self.release.namespace.as_str(),
            cluster = self.release.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let rows = self.release.listed(&cx.settings.helm)?;
        let r = &self.release;
        let client = single(cx, &r.cluster).await?;
        let secrets: Api<Secret> = Api::namespaced(client, &r.namespace);
        // Helm's storage name for one revision: `sh.helm.release.v1.NAME.vREVISION`.
        let name = format!("sh.helm.release.v1.{}.v{}", r.release, self.revision);
        let not_found = || {
            OpError::Failed(msg!(
                "helm-revision-not-found",
                release = r.release.as_str(),
                revision = self.revision
            ))
        };
        let secret = secrets
            .get_opt(&name)
            .await
            .map_err(|e| kube_error(&r.cluster, e))?
            .filter(|s| s.type_.as_deref() == Some(release::SECRET_TYPE))
            .ok_or_else(not_found)?;
        let data = secret
            .data
            .as_ref()
            .and_then(|d| d.get("release"))
            .ok_or_else(not_found)?;
        let stored = release::decode(&data.0).map_err(|_| not_found())?;
        if rows.iter().any(|row| allows(row, &stored.chart)) {
            return Ok(());
        }
        Err(OpError::Failed(msg!(
            "helm-revision-out-of-bounds",
            release = r.release.as_str(),
            revision = self.revision,
            chart = stored.chart.as_str()
        )))
    }
}

/// Whether `NAME-VERSION` (a release record's chart) is one of the row's charts (by the last
/// part of its reference, which is the chart's name) at a version within its range.
fn allows(row: &HelmRelease, chart: &str) -> bool {
    row.charts.iter().any(|reference| {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        let Some(version) = chart
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('-'))
        else {
            return false;
        };
        let Ok(version) = semver::Version::parse(version) else {
            return false;
        };
        match &row.versions {
            None => true,
            Some(range) => semver::VersionReq::parse(range).is_ok_and(|r| r.matches(&version)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(versions: Option<&str>) -> HelmRelease {
        HelmRelease {
            cluster: "*".into(),
            namespace: "ingress".into(),
            release: "ingress-nginx".into(),
            charts: vec!["ingress-nginx/ingress-nginx".into()],
            versions: versions.map(str::to_string),
        }
    }

    #[test]
    fn a_revision_is_judged_by_its_chart_name_and_version() {
        assert!(allows(&row(Some(">=4.0, <5")), "ingress-nginx-4.11.2"));
        assert!(!allows(&row(Some(">=4.0, <5")), "ingress-nginx-3.9.0"));
        assert!(allows(&row(None), "ingress-nginx-3.9.0"));
        assert!(!allows(&row(None), "cluster-admin-1.0.0"));
        // A name that merely starts like the allowed one is another chart.
        assert!(!allows(&row(None), "ingress-nginx-evil-1.0.0"));
    }
}
