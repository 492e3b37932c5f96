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

/// The id on the approval card a shell printed (its `approve ID` line); panics with the whole
/// output when there is no card, so a test that expected one says what it got instead.
pub fn approval_id(run: &Run) -> String {
    run.stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("approve "))
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no approval card in:\n{}", run.all()))
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
    paging: String,
    impersonation: bool,
}

impl BotBuilder {
    /// `shell.impersonation`: on by default, since tests play several people with `--as`;
    /// off, the shell is the OS user running the test and `--as` is refused.
    pub fn impersonation(mut self, on: bool) -> Self {
        self.impersonation = on;
        self
    }

    /// The `[paging]` section's lines. By default PagerDuty is a local port where nothing
    /// listens, so no test can page the real one by accident.
    pub fn paging(mut self, lines: &str) -> Self {
        self.paging = lines.to_string();
        self
    }

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
        config.push_str(&format!("[paging]\n{}\n", self.paging));
        config.push_str(&format!(
            "[shell]\nimpersonation = {}\n",
            self.impersonation
        ));
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
            paging: "pagerduty_url = \"http://127.0.0.1:9\"\nretry_initial = \"100ms\"".to_string(),
            impersonation: true,
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
        self.shell_args(&["--as", name], input)
    }

    /// `opsbot shell` with `args` after `--config FILE` and `input` on stdin.
    pub fn shell_args(&self, args: &[&str], input: &str) -> Run {
        let mut child = self
            .command()
            .args(["shell", "--config"])
            .arg(self.config())
            .args(args)
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

/// `opsbot serve` running as a child process, listening on a free port of 127.0.0.1. Killed
/// when dropped; [`Served::terminate`] stops it as a supervisor would.
pub struct Served {
    child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

/// One HTTP answer from the bot, and how long it took to arrive.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub elapsed: std::time::Duration,
}

impl HttpReply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Bot {
    /// `opsbot serve` on `127.0.0.1:0`; returns once it printed the address it listens on.
    pub fn serve(&self) -> Served {
        self.serve_with_env(&[])
    }

    /// Same, with extra environment variables (`RUST_LOG`, `OPSBOT__…` overrides).
    pub fn serve_with_env(&self, env: &[(&str, &str)]) -> Served {
        use std::io::BufRead;
        let mut cmd = self.command();
        cmd.args(["serve", "--config"])
            .arg(self.config())
            .env("OPSBOT__SERVER__LISTEN", "127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start opsbot serve");
        let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (found, address) = std::sync::mpsc::channel::<String>();
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let out = output.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(rest) = line.split("http://").nth(1) {
                    let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                    let _ = found.send(addr);
                }
                let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
                out.push_str(&line);
                out.push('\n');
            }
        });
        let err = output.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                let mut err = err.lock().unwrap_or_else(|e| e.into_inner());
                err.push_str(&line);
                err.push('\n');
            }
        });
        match address.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(addr) => Served {
                child,
                addr,
                output,
            },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(std::time::Duration::from_millis(100));
                let said = output.lock().map(|o| o.clone()).unwrap_or_default();
                panic!("opsbot serve did not start:\n{said}");
            }
        }
    }
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the bot printed so far, stdout and stderr.
    pub fn output(&self) -> String {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }

    /// Resident memory in KiB (`VmRSS` of /proc), None where there is no /proc.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    pub fn get(&self, path: &str) -> HttpReply {
        self.request("GET", path, &[], b"")
    }

    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpReply {
        self.request("POST", path, headers, body)
    }

    /// A raw HTTP/1.1 request on a fresh connection.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> HttpReply {
        use std::io::Read;
        let started = std::time::Instant::now();
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect to opsbot");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .expect("read timeout");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n",
            self.addr
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).expect("send head");
        stream.write_all(body).expect("send body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read the answer");
        let elapsed = started.elapsed();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw.as_str(), ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
            .collect();
        HttpReply {
            status,
            headers,
            body: body.to_string(),
            elapsed,
        }
    }

    /// SIGTERM, then waits (up to `timeout`) for the exit; the exit code, None if it had to be
    /// killed.
    pub fn terminate(&mut self, timeout: std::time::Duration) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if std::time::Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
