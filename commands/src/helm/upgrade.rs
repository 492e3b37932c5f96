//! helm.upgrade: runbook §4.2, risk write. The configured `helm` program, argv only:
//! `helm upgrade RELEASE CHART --namespace NS [--values FILE] --kube-context CONTEXT --wait
//! --timeout 10m`, the context being `clusters.C.context`.
//!
//! Also home of [`InCluster`], the step that runs a configured program against one cluster's
//! kubeconfig context (helm, cilium, hubble): the context is read from the configuration when
//! the step runs, and a configured `clusters.C.kubeconfig` is passed as `KUBECONFIG`.

use std::path::Path;

use async_trait::async_trait;

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

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, namespace) = cluster_and_namespace(request)?;
        let release = text(request, "release")?;
        let chart = text(request, "chart")?;
        let mut args = vec!["upgrade", release, chart, "--namespace", namespace];
        if let Some(values) = request.args.text("values") {
            readable(values)?;
            args.extend(["--values", values]);
        }
        Ok(vec![Box::new(
            InCluster::new("helm", args, cluster, "--kube-context").then([
                "--wait",
                "--timeout",
                "10m",
            ]),
        )])
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

/// `--values FILE` must name a readable file on the bot's host, said before anything runs.
fn readable(path: &str) -> Result<(), OpError> {
    let refuse = |reason: String| {
        OpError::Failed(msg!(
            "helm-upgrade-values-unreadable",
            path = path,
            reason = reason
        ))
    };
    let meta = std::fs::metadata(Path::new(path)).map_err(|e| refuse(e.to_string()))?;
    if !meta.is_file() {
        return Err(refuse("not a regular file".to_string()));
    }
    std::fs::File::open(path).map_err(|e| refuse(e.to_string()))?;
    Ok(())
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
    use crate::{ClusterSettings, Command, NoProgress, Settings, parse, resolve};

    pub(crate) fn request(line: &str) -> Request {
        let Ok(Command::Run(invocation)) = parse(line) else {
            panic!("{line} does not parse");
        };
        let mut settings = Settings::default();
        settings
            .clusters
            .insert("mgmt".into(), ClusterSettings::default());
        resolve(invocation, &settings).expect("resolves")
    }

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

    #[test]
    fn a_values_file_that_is_not_there_is_refused_before_running() {
        let r = request("helm upgrade web repo/web -n app --values /nonexistent/values.yaml");
        let error = HelmUpgrade.steps(&r).err().expect("refused");
        assert_eq!(error.message().id, "helm-upgrade-values-unreadable");
        let dir = std::env::temp_dir();
        let r = request(&format!(
            "helm upgrade web repo/web -n app --values {}",
            dir.display()
        ));
        assert!(
            HelmUpgrade.steps(&r).is_err(),
            "a directory is not a values file"
        );
    }
}
