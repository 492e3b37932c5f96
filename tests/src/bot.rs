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

impl Bot {
    /// A bot whose clusters are `(name, etcd endpoint)` pairs, speaking `locale`.
    pub fn new(bin: &Path, clusters: &[(&str, String)], locale: &str) -> Bot {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = format!(
            "locale = \"{locale}\"\n[state]\npath = \"state.db\"\n[policy]\nfile = \"policy.toml\"\n\
             [backup]\ndir = \"backups\"\nretention = \"7d\"\n"
        );
        for (name, endpoint) in clusters {
            config.push_str(&format!(
                "[clusters.{name}.etcd]\nendpoints = [\"{endpoint}\"]\ntimeout = \"2s\"\n"
            ));
        }
        config.push_str(
            "[[contacts]]\nsituation = \"cluster-failure\"\nteam = \"Platform Team\"\n\
             slack_mentions = [\"S0PLATFORM\"]\npagerduty_routing_key = \"R0UTINGKEY-SECRET\"\n",
        );
        std::fs::write(dir.path().join("opsbot.toml"), config).expect("write config");
        std::fs::write(dir.path().join("policy.toml"), POLICY).expect("write policy");
        Bot {
            dir,
            bin: bin.to_path_buf(),
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
