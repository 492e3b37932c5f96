//! Issue 3, cluster operations: the real `opsbot` binary against three Kubernetes API test
//! servers playing mgmt, app1 and app2.

mod destructive;
mod helm_bounds;
mod platform_crds;
mod restore_bound;
mod restore_outage;
mod scopes;
mod status;
mod velero;
mod watchers;
mod workloads;

use opsbot_tests::bot::Bot;
use opsbot_tests::fixtures::platform;
use opsbot_tests::kube::{KubeServer, kubeconfig};

fn bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_opsbot"))
}

/// The three clusters of the runbook, healthy and meshed with each other.
pub struct Platform {
    pub mgmt: KubeServer,
    pub app1: KubeServer,
    pub app2: KubeServer,
}

impl Platform {
    pub fn start() -> Platform {
        let platform = Platform {
            mgmt: KubeServer::start(),
            app1: KubeServer::start(),
            app2: KubeServer::start(),
        };
        platform::healthy_cluster(&platform.mgmt, "mgmt", &["app1", "app2"]);
        platform::healthy_cluster(&platform.app1, "app1", &["mgmt", "app2"]);
        platform::healthy_cluster(&platform.app2, "app2", &["mgmt", "app1"]);
        platform
    }

    /// A bot that reaches all three through one kubeconfig.
    pub fn bot(&self, locale: &str) -> Bot {
        Bot::builder(bin())
            .locale(locale)
            .kubeconfig(kubeconfig(&[
                ("mgmt", &self.mgmt),
                ("app1", &self.app1),
                ("app2", &self.app2),
            ]))
            .kube("mgmt", "mgmt")
            .kube("app1", "app1")
            .kube("app2", "app2")
            .build()
    }
}
