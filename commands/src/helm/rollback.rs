//! helm.rollback: runbook §4.2, risk write. The configured `helm` program, argv only:
//! `helm rollback RELEASE REVISION --namespace NS --kube-context CONTEXT --wait`. Only for a
//! release listed under `[[helm.releases]]` ([`super::bounds`]), to a revision whose chart and
//! version that release may become ([`super::rollback_bounds`]).

use super::bounds::Release;
use super::rollback_bounds::RevisionWithinBounds;
use super::upgrade::{InCluster, cluster_and_namespace, text};
use crate::spec::{Form, Kind};
use crate::{OpError, Operation, Request, Risk, Scope, Spec, Step, args};

pub static SPEC: Spec = Spec {
    id: "helm.rollback",
    section: "4.2",
    risk: Risk::Write,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["helm", "rollback"],
        args: &[
            args::positional("release", Kind::Name),
            args::positional(
                "revision",
                Kind::Count {
                    min: 1,
                    max: 1_000_000,
                },
            ),
            args::namespace_required(),
            args::cluster(false),
        ],
    }],
};

pub struct HelmRollback;

impl Operation for HelmRollback {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn gates(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(within(request)?)])
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, namespace) = cluster_and_namespace(request)?;
        let release = text(request, "release")?;
        let revision = request
            .args
            .count("revision")
            .ok_or(OpError::MissingFact("revision"))?
            .to_string();
        let args = [
            "rollback",
            release,
            revision.as_str(),
            "--namespace",
            namespace,
        ];
        // The configuration and the revision are read again as the rollback runs.
        Ok(vec![
            Box::new(within(request)?),
            Box::new(InCluster::new("helm", args, cluster, "--kube-context").then(["--wait"])),
        ])
    }
}

fn within(request: &Request) -> Result<RevisionWithinBounds, OpError> {
    Ok(RevisionWithinBounds {
        release: Release::of(request)?,
        revision: request
            .args
            .count("revision")
            .ok_or(OpError::MissingFact("revision"))?,
    })
}
