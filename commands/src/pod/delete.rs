//! pod.delete: runbook appendix, risk destructive. `kubectl delete pod POD -n NS`, and with
//! `--force` the appendix's `--force --grace-period=0`: the pod object goes at once, whether or
//! not its kubelet confirms the containers stopped.

use async_trait::async_trait;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams};

use super::{bounded, get, target};
use crate::k8s::{kube_error, single};
use crate::{
    Block, Form, Kind, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    args, msg,
};

pub static SPEC: Spec = Spec {
    id: "pod.delete",
    section: "appendix",
    risk: Risk::Destructive,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["pod", "delete"],
        args: &[
            args::positional("pod", Kind::Name),
            args::namespace_required(),
            args::switch("force", "force"),
            args::cluster(false),
        ],
    }],
};

pub struct PodDelete;

impl Operation for PodDelete {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let (cluster, namespace, pod) = target(request)?;
        Ok(vec![Box::new(DeletePod {
            cluster,
            namespace,
            pod,
            force: request.args.switch("force"),
        })])
    }
}

struct DeletePod {
    cluster: String,
    namespace: String,
    pod: String,
    force: bool,
}

impl DeletePod {
    /// `--force --grace-period=0`, or the pod's own grace period.
    fn params(&self) -> DeleteParams {
        match self.force {
            true => DeleteParams {
                grace_period_seconds: Some(0),
                ..DeleteParams::default()
            },
            false => DeleteParams::default(),
        }
    }
}

#[async_trait]
impl Step for DeletePod {
    fn plan(&self) -> Message {
        let (pod, namespace, cluster) = (
            self.pod.as_str(),
            self.namespace.as_str(),
            self.cluster.as_str(),
        );
        match self.force {
            true => msg!(
                "pod-delete-plan-force",
                pod = pod,
                namespace = namespace,
                cluster = cluster
            ),
            false => msg!(
                "pod-delete-plan",
                pod = pod,
                namespace = namespace,
                cluster = cluster
            ),
        }
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let client = single(cx, &self.cluster).await?;
        let delete = async {
            // Read first: an unknown pod (or namespace) is one sentence, and the report can
            // say where the deleted pod ran.
            let pod = get(&client, &self.cluster, &self.namespace, &self.pod).await?;
            let pods: Api<Pod> = Api::namespaced(client.clone(), &self.namespace);
            pods.delete(&self.pod, &self.params())
                .await
                .map_err(|e| kube_error(&self.cluster, e))?;
            Ok(pod)
        };
        let pod = bounded(cx, &self.cluster, delete).await?;
        let node = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_else(|| "-".to_string());
        let phase = pod
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "-".to_string());
        let done = match self.force {
            true => msg!(
                "pod-delete-done-force",
                pod = self.pod.as_str(),
                namespace = self.namespace.as_str(),
                cluster = self.cluster.as_str(),
                node = node.as_str(),
                phase = phase.as_str()
            ),
            false => msg!(
                "pod-delete-done",
                pod = self.pod.as_str(),
                namespace = self.namespace.as_str(),
                cluster = self.cluster.as_str(),
                node = node.as_str(),
                phase = phase.as_str()
            ),
        };
        cx.report.push(Block::Note(done));
        if !self.force {
            cx.report
                .push(Block::Note(msg!("pod-delete-graceful-note")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_means_grace_period_zero() {
        let mut step = DeletePod {
            cluster: "app1".into(),
            namespace: "app".into(),
            pod: "web-1".into(),
            force: true,
        };
        assert_eq!(step.params().grace_period_seconds, Some(0));
        assert_eq!(step.plan().id, "pod-delete-plan-force");
        step.force = false;
        assert_eq!(step.params().grace_period_seconds, None);
        assert_eq!(step.plan().id, "pod-delete-plan");
    }
}
