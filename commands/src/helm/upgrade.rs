//! helm.upgrade: runbook §4.2, risk write. The configured `helm` program, argv only:
//! `helm upgrade RELEASE CHART --namespace NS [--version V] [--values FILE] --kube-context
//! CONTEXT --wait --timeout 10m`, the context being `clusters.C.context`. Only within the
//! bounds `[helm]` sets ([`super::bounds`]): a listed release, one of its charts and versions,
//! a values file from `helm.values_dir`, checked by a gate before approval and again here.
//!
//! Also home of [`InCluster`], the step that runs a configured program against one cluster's
//! kubeconfig context (helm, cilium, hubble): the context is read from the configuration when
//! the step runs, and a configured `clusters.C.kubeconfig` is passed as `KUBECONFIG`.

use std::io::Write;

use async_trait::async_trait;

use super::bounds::{self, Upgrade, UpgradeWithinBounds, VALUES_SHA256};
use crate::runner::{ProgramCall, ProgramOutput, command_line, local};
use crate::spec::{Form, Kind};
use crate::{
    Block, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step, args, msg,
};

pub static SPEC: Spec = Spec {
    id: "helm.upgrade",
    section: "4.2",
    risk: Risk::Write,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["helm", "upgrade"],
        args: &[
            args::positional("release", Kind::Name),
            args::positional("chart", Kind::Text),
            args::namespace_required(),
            args::option("version", "version", Kind::Text),
            args::option("values", "values", Kind::Path),
            args::cluster(false),
        ],
    }],
};

pub struct HelmUpgrade;

impl Operation for HelmUpgrade {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn gates(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(UpgradeWithinBounds(Upgrade::of(request)?))])
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(UpgradeStep(Upgrade::of(request)?))])
    }
}

/// `helm upgrade`, checked against the configuration as it runs.
struct UpgradeStep(Upgrade);

impl UpgradeStep {
    /// The helm call; `values` is the file helm reads (as typed, for the plan).
    fn helm(&self, values: Option<&str>) -> InCluster {
        let u = &self.0;
        let mut args = vec![
            "upgrade",
            u.release.release.as_str(),
            u.chart.as_str(),
            "--namespace",
            u.release.namespace.as_str(),
        ];
        if let Some(version) = &u.version {
            args.extend(["--version", version.as_str()]);
        }
        if let Some(values) = values {
            args.extend(["--values", values]);
        }
        InCluster::new("helm", args, &u.release.cluster, "--kube-context").then([
            "--wait",
            "--timeout",
            "10m",
        ])
    }
}

#[async_trait]
impl Step for UpgradeStep {
    fn plan(&self) -> Message {
        self.helm(self.0.values.as_deref()).plan()
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let values = self.0.check(&cx.settings.helm)?;
        let (Some(path), Some(typed)) = (values, self.0.values.as_deref()) else {
            return self.helm(None).run(cx).await;
        };
        let (bytes, sha) = bounds::read_values(&path, typed)?;
        if let Some(approved) = cx.pinned(VALUES_SHA256)
            && approved != sha
        {
            return Err(OpError::Failed(msg!(
                "helm-values-changed",
                path = typed,
                approved = approved
            )));
        }
        // Helm reads a private copy of the bytes just hashed, so the file cannot change
        // between this check and helm's read. Removed when the step ends.
        let mut copy = tempfile::Builder::new()
            .prefix("opsbot-values-")
            .suffix(".yaml")
            .tempfile()
            .map_err(|e| OpError::io(std::env::temp_dir(), e))?;
        copy.write_all(&bytes)
            .and_then(|()| copy.flush())
            .map_err(|e| OpError::io(copy.path(), e))?;
        let copy_path = copy.path().display().to_string();
        self.helm(Some(&copy_path)).run(cx).await
    }
}

/// A required argument (the parser guarantees it; its absence is a bug).
pub(super) fn text<'r>(request: &'r Request, name: &'static str) -> Result<&'r str, OpError> {
    request.args.text(name).ok_or(OpError::MissingFact(name))
}

/// The one cluster and the namespace of a namespaced request.
pub(super) fn cluster_and_namespace(request: &Request) -> Result<(&str, &str), OpError> {
    let cluster = request
        .cluster()
        .ok_or_else(|| OpError::Failed(msg!("helm-upgrade-no-cluster")))?;
    Ok((cluster, text(request, "namespace")?))
}

/// Runs a configured program against one cluster: `args`, then `context_flag CONTEXT`, then
/// `tail`. The context comes from `clusters.C.context` when the step runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InCluster {
    pub program: String,
    pub args: Vec<String>,
    pub cluster: String,
    pub context_flag: &'static str,
    pub tail: Vec<String>,
}

impl InCluster {
    pub(crate) fn new<S: Into<String>>(
        program: &str,
        args: impl IntoIterator<Item = S>,
        cluster: &str,
        context_flag: &'static str,
    ) -> Self {
        InCluster {
            program: program.to_string(),
            args: args.into_iter().map(Into::into).collect(),
            cluster: cluster.to_string(),
            context_flag,
            tail: Vec::new(),
        }
    }

    /// Arguments after the context flag.
    pub(crate) fn then<S: Into<String>>(mut self, tail: impl IntoIterator<Item = S>) -> Self {
        self.tail = tail.into_iter().map(Into::into).collect();
        self
    }

    /// The argument vector with the cluster's context in place.
    pub(crate) fn argv(&self, context: &str) -> Vec<String> {
        let mut argv = self.args.clone();
        argv.push(self.context_flag.to_string());
        argv.push(context.to_string());
        argv.extend(self.tail.iter().cloned());
        argv
    }

    /// The call as it will run, with the context and kubeconfig of the configuration.
    pub(crate) fn call(&self, cx: &RunContext<'_>) -> Result<ProgramCall, OpError> {
        let settings = cx.settings.clusters.get(&self.cluster);
        let context =
            settings
                .and_then(|c| c.context.as_deref())
                .ok_or_else(|| OpError::NotConfigured {
                    cluster: self.cluster.clone(),
                    what: "kubeconfig context",
                })?;
        let mut call = ProgramCall::new(self.program.as_str(), self.argv(context));
        if let Some(kubeconfig) = settings.and_then(|c| c.kubeconfig.as_ref()) {
            call.env
                .push(("KUBECONFIG".to_string(), kubeconfig.display().to_string()));
        }
        Ok(call)
    }
}

#[async_trait]
impl Step for InCluster {
    fn plan(&self) -> Message {
        let shown = self.argv(&format!("<{}>", self.cluster));
        msg!(
            "helm-upgrade-plan-program",
            command = command_line(std::iter::once(&self.program).chain(&shown)),
            cluster = self.cluster.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let call = self.call(cx)?;
        let exit = local::run_any(&cx.settings.runners, &call, cx.progress).await?;
        let command = command_line(std::iter::once(&call.program).chain(&call.args));
        if !exit.tail.is_empty() {
            cx.report
                .push(Block::Heading(msg!("runner-output", command = command)));
            cx.report.push(Block::Text(exit.tail.text()));
        }
        let failed = match exit.tail.last() {
            Some(line) => msg!(
                "runner-exit",
                program = self.program.as_str(),
                code = exit.code,
                last = line.text.as_str()
            ),
            None => msg!(
                "runner-exit-silent",
                program = self.program.as_str(),
                code = exit.code
            ),
        };
        let success = exit.success();
        cx.facts.insert(ProgramOutput {
            exit: exit.code,
            tail: exit.tail,
        });
        match success {
            true => Ok(()),
            false => Err(OpError::Failed(failed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NoProgress, Settings};

    #[test]
    fn the_argv_puts_the_context_between_the_arguments_and_the_wait() {
        let step = InCluster::new(
            "helm",
            ["upgrade", "web", "my chart"],
            "mgmt",
            "--kube-context",
        )
        .then(["--wait"]);
        assert_eq!(
            step.argv("admin@mgmt"),
            [
                "upgrade",
                "web",
                "my chart",
                "--kube-context",
                "admin@mgmt",
                "--wait"
            ]
        );
        assert_eq!(step.plan().id, "helm-upgrade-plan-program");
    }

    #[test]
    fn a_cluster_without_a_context_is_refused_by_name() {
        let settings = Settings::default();
        let progress = NoProgress;
        let cx = RunContext::new(&settings, &progress);
        let step = InCluster::new("helm", ["list"], "mgmt", "--kube-context");
        let error = step.call(&cx).expect_err("no context");
        assert_eq!(error.message().id, "error-not-configured");
    }
}
