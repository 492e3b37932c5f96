//! The Job that runs one command on one node.
//!
//! Its pod skips the scheduler (`nodeName`) and tolerates every taint, so it lands on a
//! cordoned or control-plane node too; it shares the host's PID and network namespaces and
//! mounts the host's root at `/host`; its one privileged container `chroot`s there, so the
//! command is the node's own (`crictl`, `journalctl`, `kubeadm`), and the image only needs a
//! `chroot`. One attempt only: a node command is not retried behind the user's back.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Container, HostPathVolumeSource, PodSpec, PodTemplateSpec, SecurityContext, Toleration, Volume,
    VolumeMount,
};
use kube::api::ObjectMeta;

use super::NodeCommand;
use crate::runner::command_line;

/// The label every object the bot creates carries.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "opsbot");
/// The label naming one run: how its pod is found (no job controller label is relied on).
pub const RUN_LABEL: &str = "opsbot.io/run";
/// The annotation showing the command to whoever finds the Job with kubectl.
pub const COMMAND_ANNOTATION: &str = "opsbot.io/command";
/// The container's name, for its log and its status.
pub const CONTAINER: &str = "run";
/// Where the host's root is mounted in the container.
pub const HOST_ROOT: &str = "/host";
/// A finished Job the bot could not delete (it crashed) goes away by itself after this.
const TTL_AFTER_FINISHED: i32 = 300;

/// A fresh run id: 10 hex digits, unique enough for one-shot Jobs of one cluster.
pub fn run_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // RandomState is seeded from the OS per process; time and a counter tell runs apart.
    let mut hasher = RandomState::new().build_hasher();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    hasher.write_u128(now.as_nanos());
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{:010x}", hasher.finish() & 0xff_ffff_ffff)
}

pub fn job_name(run_id: &str) -> String {
    format!("opsbot-run-{run_id}")
}

/// The Job for `call`, killed by Kubernetes itself once `timeout` has passed, even if the bot
/// is gone by then.
pub fn manifest(
    run_id: &str,
    call: &NodeCommand,
    image: &str,
    namespace: &str,
    timeout: Duration,
) -> Job {
    let labels = BTreeMap::from([
        (MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string()),
        (RUN_LABEL.to_string(), run_id.to_string()),
    ]);
    let mut command = vec!["chroot".to_string(), HOST_ROOT.to_string()];
    command.extend(call.argv.iter().cloned());
    let container = Container {
        name: CONTAINER.to_string(),
        image: Some(image.to_string()),
        image_pull_policy: Some("IfNotPresent".to_string()),
        command: Some(command),
        security_context: Some(SecurityContext {
            privileged: Some(true),
            ..SecurityContext::default()
        }),
        volume_mounts: Some(vec![VolumeMount {
            name: "host".to_string(),
            mount_path: HOST_ROOT.to_string(),
            ..VolumeMount::default()
        }]),
        ..Container::default()
    };
    let pod = PodSpec {
        node_name: Some(call.node.clone()),
        // Every taint, NoExecute included: control-plane and cordoned nodes need work too.
        tolerations: Some(vec![Toleration {
            operator: Some("Exists".to_string()),
            ..Toleration::default()
        }]),
        host_pid: Some(true),
        host_network: Some(true),
        restart_policy: Some("Never".to_string()),
        // The command works on the node, not through the API: no token in the pod.
        automount_service_account_token: Some(false),
        containers: vec![container],
        volumes: Some(vec![Volume {
            name: "host".to_string(),
            host_path: Some(HostPathVolumeSource {
                path: "/".to_string(),
                type_: Some("Directory".to_string()),
            }),
            ..Volume::default()
        }]),
        ..PodSpec::default()
    };
    Job {
        metadata: ObjectMeta {
            name: Some(job_name(run_id)),
            namespace: Some(namespace.to_string()),
            labels: Some(labels.clone()),
            annotations: Some(BTreeMap::from([(
                COMMAND_ANNOTATION.to_string(),
                command_line(&call.argv),
            )])),
            ..ObjectMeta::default()
        },
        spec: Some(JobSpec {
            backoff_limit: Some(0),
            ttl_seconds_after_finished: Some(TTL_AFTER_FINISHED),
            active_deadline_seconds: Some(deadline_seconds(timeout)),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(pod),
            },
            ..JobSpec::default()
        }),
        status: None,
    }
}

/// Whole seconds, rounded up and at least one (the API refuses 0).
fn deadline_seconds(timeout: Duration) -> i64 {
    let seconds = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
    i64::try_from(seconds.max(1)).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_differ_and_make_valid_names() {
        let (a, b) = (run_id(), run_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 10);
        assert!(crate::validate::dns1123_label(&job_name(&a)).is_ok());
    }

    #[test]
    fn the_deadline_rounds_up_to_whole_seconds() {
        assert_eq!(deadline_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(deadline_seconds(Duration::ZERO), 1);
        assert_eq!(deadline_seconds(Duration::from_secs(600)), 600);
    }
}
