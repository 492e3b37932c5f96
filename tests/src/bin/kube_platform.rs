//! Serves three Kubernetes API test servers (mgmt, app1, app2) filled with a healthy platform
//! and PODS pods each (with pod metrics), and writes an opsbot configuration for them, so a
//! benchmark can time the real binary against a realistic size:
//!
//!     kube_platform DIR [PODS]     # prints "ready" once DIR/opsbot.toml is usable
//!
//! It serves until its standard input closes.

use std::io::Read;
use std::path::PathBuf;

use opsbot_tests::fixtures::platform;
use opsbot_tests::kube::{KubeServer, kubeconfig};
use serde_json::json;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: kube_platform DIR [PODS]");
        std::process::exit(2);
    };
    let pods: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(500);
    let clusters = [
        ("mgmt", KubeServer::start()),
        ("app1", KubeServer::start()),
        ("app2", KubeServer::start()),
    ];
    for (name, server) in &clusters {
        let remotes: Vec<&str> = clusters
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| n != name)
            .collect();
        platform::healthy_cluster(server, name, &remotes);
        let nodes = platform::node_names(name);
        for i in 0..pods {
            let namespace = ["app", "monitoring", "default"][i % 3];
            let pod_name = format!("web-{i:04}-7d9f8c6b5-x{:04}", i * 7 % 10_000);
            let node = &nodes[1 + i % 2];
            server.apply(platform::pod(namespace, &pod_name, node, i % 50 != 0));
            server.apply(json!({
                "apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
                "metadata": { "name": pod_name, "namespace": namespace },
                "timestamp": "2026-11-26T00:00:00Z", "window": "15s",
                "containers": [{ "name": "web", "usage": {
                    "cpu": format!("{}m", 5 + i % 400), "memory": format!("{}Mi", 32 + (i * 37) % 900) } }]
            }));
        }
        for node in &nodes {
            server.apply(json!({
                "apiVersion": "metrics.k8s.io/v1beta1", "kind": "NodeMetrics",
                "metadata": { "name": node }, "timestamp": "2026-11-26T00:00:00Z", "window": "15s",
                "usage": { "cpu": "850m", "memory": "2900Mi" }
            }));
        }
    }
    let refs: Vec<(&str, &KubeServer)> = clusters.iter().map(|(n, s)| (*n, s)).collect();
    let write = |name: &str, text: String| {
        if let Err(e) = std::fs::write(dir.join(name), text) {
            eprintln!("kube_platform: cannot write {name}: {e}");
            std::process::exit(1);
        }
    };
    write("kubeconfig", kubeconfig(&refs));
    let mut config = String::from(
        "locale = \"en\"\n[state]\npath = \"state.db\"\n[policy]\nfile = \"policy.toml\"\n[backup]\ndir = \"backups\"\n[shell]\nimpersonation = true\n",
    );
    for (name, _) in &clusters {
        config.push_str(&format!(
            "[clusters.{name}]\ncontext = \"{name}\"\nkubeconfig = \"kubeconfig\"\ntimeout = \"30s\"\n"
        ));
    }
    write("opsbot.toml", config);
    write(
        "policy.toml",
        "[roles.viewer]\noperations = [\"cluster.*\"]\n[[bindings]]\nrole = \"viewer\"\nsubjects = [\"shell:bench\"]\n".to_string(),
    );
    println!("ready");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}
