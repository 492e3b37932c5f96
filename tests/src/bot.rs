//! Drives the real `opsbot` binary: writes a configuration and a policy into a temp dir, then
//! runs `opsbot shell` (stdin in, stdout out) and the other subcommands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// The policy the spine tests use: bob is an admin, viewers may look, nobody else anything.
pub const POLICY: &str = r#"
[roles.viewer]
operations = ["etcd.status", "etcd.snapshots", "contacts", "cluster.*"]
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["shell:bob"]

[[bindings]]
role = "viewer"
subjects = ["shell:victor"]

[[deny]]
subjects = ["*"]
operations = ["pod.delete"]
clusters = ["mgmt"]

[[approvals]]
operations = ["etcd.restore", "pod.delete"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#;

/// A configured bot in a temp dir.
pub struct Bot {
    dir: TempDir,
    bin: PathBuf,
}

/// What one run printed and how it exited.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// stdout and stderr together, for assertions that don't care which.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }
}

/// Builds a configuration: clusters with etcd and/or a kubeconfig context, extra sections.
pub struct BotBuilder {
    bin: PathBuf,
    locale: String,
    etcd: Vec<(String, String)>,
    kube: Vec<(String, String)>,
    kubeconfig: Option<String>,
    extra: String,
    policy: String,
}

impl BotBuilder {
    pub fn locale(mut self, locale: &str) -> Self {
        self.locale = locale.to_string();
        self
    }
    /// A cluster whose etcd answers at `endpoint`.
    pub fn etcd(mut self, cluster: &str, endpoint: String) -> Self {
        self.etcd.push((cluster.to_string(), endpoint));
        self
    }
    /// The kubeconfig text every cluster's context is read from.
    pub fn kubeconfig(mut self, text: String) -> Self {
        self.kubeconfig = Some(text);
        self
    }
    /// A cluster reached through kubeconfig context `context`.
    pub fn kube(mut self, cluster: &str, context: &str) -> Self {
        self.kube.push((cluster.to_string(), context.to_string()));
        self
    }
    /// More TOML appended to the configuration (a `[vault]` section, say).
    pub fn extra(mut self, toml: &str) -> Self {
        self.extra.push_str(toml);
        self.extra.push('\n');
        self
    }
    pub fn policy(mut self, policy: &str) -> Self {
        self.policy = policy.to_string();
        self
    }

    pub fn build(self) -> Bot {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = format!(
            "locale = \"{}\"\n[state]\npath = \"state.db\"\n[policy]\nfile = \"policy.toml\"\n\
             [backup]\ndir = \"backups\"\nretention = \"7d\"\n",
            self.locale
        );
        let mut names: Vec<&String> = self.etcd.iter().map(|(n, _)| n).collect();
        names.extend(self.kube.iter().map(|(n, _)| n));
        names.sort();
        names.dedup();
        for name in names {
            config.push_str(&format!("[clusters.{name}]\ntimeout = \"3s\"\n"));
            if let Some((_, context)) = self.kube.iter().find(|(n, _)| n == name) {
                config.push_str(&format!(
                    "context = \"{context}\"\nkubeconfig = \"kubeconfig\"\n"
                ));
            }
            if let Some((_, endpoint)) = self.etcd.iter().find(|(n, _)| n == name) {
                config.push_str(&format!(
                    "[clusters.{name}.etcd]\nendpoints = [\"{endpoint}\"]\ntimeout = \"2s\"\n"
                ));
            }
        }
        config.push_str(
            "[[contacts]]\nsituation = \"cluster-failure\"\nteam = \"Platform Team\"\n\
             slack_mentions = [\"S0PLATFORM\"]\npagerduty_routing_key = \"R0UTINGKEY-SECRET\"\n",
        );
        config.push_str(&self.extra);
        std::fs::write(dir.path().join("opsbot.toml"), config).expect("write config");
        std::fs::write(dir.path().join("policy.toml"), &self.policy).expect("write policy");
        if let Some(kubeconfig) = &self.kubeconfig {
            std::fs::write(dir.path().join("kubeconfig"), kubeconfig).expect("write kubeconfig");
        }
        Bot { dir, bin: self.bin }
    }
}

impl Bot {
    /// A bot whose clusters are `(name, etcd endpoint)` pairs, speaking `locale`.
    pub fn new(bin: &Path, clusters: &[(&str, String)], locale: &str) -> Bot {
        let mut builder = Bot::builder(bin).locale(locale);
        for (name, endpoint) in clusters {
            builder = builder.etcd(name, endpoint.clone());
        }
        builder.build()
    }

    pub fn builder(bin: &Path) -> BotBuilder {
        BotBuilder {
            bin: bin.to_path_buf(),
            locale: "en".to_string(),
            etcd: Vec::new(),
            kube: Vec::new(),
            kubeconfig: None,
            extra: String::new(),
            policy: POLICY.to_string(),
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("opsbot.toml")
    }

    pub fn state_db(&self) -> PathBuf {
        self.dir.path().join("state.db")
    }

    pub fn backups(&self, cluster: &str) -> PathBuf {
        self.dir.path().join("backups").join(cluster)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        // The developer's own overrides must not leak into the test.
        for (key, _) in std::env::vars() {
            if key.starts_with("OPSBOT__") {
                cmd.env_remove(key);
            }
        }
        cmd.env("RUST_LOG", "error");
        cmd
    }

    /// `opsbot shell --as NAME` with `input` on stdin.
    pub fn shell(&self, name: &str, input: &str) -> Run {
        let mut child = self
            .command()
            .args(["shell", "--config"])
            .arg(self.config())
            .args(["--as", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start opsbot shell");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("opsbot shell").into()
    }

    /// Any other subcommand; `--config` is appended for you.
    pub fn run(&self, args: &[&str]) -> Run {
        self.command()
            .args(args)
            .arg("--config")
            .arg(self.config())
            .output()
            .expect("run opsbot")
            .into()
    }

    /// Same, with extra environment variables.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command();
        cmd.args(args).arg("--config").arg(self.config());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run opsbot").into()
    }
}
