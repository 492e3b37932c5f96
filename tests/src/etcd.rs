//! A real, throwaway etcd for tests: `/usr/bin/etcd` on free loopback ports with its data in a
//! temporary directory, killed when dropped.
//!
//! It answers whatever etcd answers; nothing is canned. `etcdctl` (the reference tool) is run
//! with an argument vector, never through a shell.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const ETCD: &str = "/usr/bin/etcd";
const ETCDCTL: &str = "/usr/bin/etcdctl";
/// How long etcd may take to answer its first health check (a cold start on a busy CI machine).
const START_DEADLINE: Duration = Duration::from_secs(30);

/// One single-member etcd cluster on 127.0.0.1.
pub struct EtcdServer {
    child: Option<Child>,
    client_port: u16,
    tls: Option<TlsFiles>,
    dir: TempDir,
}

/// PEM files of a throwaway PKI (made with the openssl program): the CA that signed etcd's
/// server certificate (for 127.0.0.1), and a client certificate etcd requires, as kubeadm's
/// etcd does.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

impl EtcdServer {
    /// Starts etcd and waits until it reports healthy. Panics with etcd's own log if it does
    /// not come up in time.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Like [`start`](Self::start), with extra etcd flags (`--quota-backend-bytes=…`).
    pub fn start_with(extra_args: &[&str]) -> Self {
        Self::start_inner(extra_args, false)
    }

    /// etcd speaking only TLS and requiring a client certificate; see [`tls`](Self::tls).
    pub fn start_tls() -> Self {
        Self::start_inner(&[], true)
    }

    fn start_inner(extra_args: &[&str], tls: bool) -> Self {
        // A free port can be taken by another test between `free_port` and etcd's bind; etcd
        // then exits at once, and a second pair of ports is tried.
        const ATTEMPTS: usize = 3;
        for attempt in 1..=ATTEMPTS {
            let mut server = Self::spawn(extra_args, tls);
            match server.wait_healthy() {
                Ok(()) => return server,
                Err(why) if attempt < ATTEMPTS && why.exited => drop(server),
                Err(why) => panic!(
                    "etcd on {} did not become healthy ({}); its log:\n{}",
                    server.endpoint(),
                    why.reason,
                    server.log()
                ),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    fn spawn(extra_args: &[&str], tls: bool) -> Self {
        let dir = tempfile::tempdir().expect("temp dir for etcd");
        let tls = tls.then(|| make_pki(dir.path()));
        let mut tls_args = Vec::new();
        if tls.is_some() {
            let pki = dir.path();
            tls_args = vec![
                format!("--cert-file={}", pki.join("server.crt").display()),
                format!("--key-file={}", pki.join("server.key").display()),
                format!("--trusted-ca-file={}", pki.join("ca.crt").display()),
                "--client-cert-auth".to_string(),
            ];
        }
        let scheme = if tls.is_some() { "https" } else { "http" };
        let client_port = free_port();
        let mut peer_port = free_port();
        while peer_port == client_port {
            peer_port = free_port();
        }
        let client_url = format!("{scheme}://127.0.0.1:{client_port}");
        let peer_url = format!("http://127.0.0.1:{peer_port}");
        let log = File::create(dir.path().join("etcd.log")).expect("etcd log file");
        let child = Command::new(ETCD)
            .arg("--name=test")
            .arg(format!("--data-dir={}", dir.path().join("data").display()))
            .arg(format!("--listen-client-urls={client_url}"))
            .arg(format!("--advertise-client-urls={client_url}"))
            .arg(format!("--listen-peer-urls={peer_url}"))
            .arg(format!("--initial-advertise-peer-urls={peer_url}"))
            .arg(format!("--initial-cluster=test={peer_url}"))
            .args(&tls_args)
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {ETCD}: {e}"));
        EtcdServer {
            child: Some(child),
            client_port,
            tls,
            dir,
        }
    }

    /// The client URL, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.client_port)
    }

    /// The CA and client certificate to reach a server started with
    /// [`start_tls`](Self::start_tls).
    pub fn tls(&self) -> Option<&TlsFiles> {
        self.tls.as_ref()
    }

    /// What etcd wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("etcd.log")).unwrap_or_default()
    }

    /// Writes keys `key-00000000` … with values of `value_size` bytes, in transactions of up to
    /// 100 puts and 1 MiB (one etcdctl process per transaction, so thousands of keys stay
    /// quick). Each transaction is one revision.
    pub fn put_keys(&self, n: usize, value_size: usize) {
        self.put_keys_from(0, n, value_size);
    }

    /// Like [`put_keys`](Self::put_keys), numbering keys from `first`.
    pub fn put_keys_from(&self, first: usize, n: usize, value_size: usize) {
        // etcd's defaults: --max-txn-ops 128, --max-request-bytes 1.5 MiB.
        let batch = (1024 * 1024 / (value_size.max(1) + 32)).clamp(1, 100);
        let value = "v".repeat(value_size.max(1));
        let mut start = first;
        while start < first + n {
            let end = (start + batch).min(first + n);
            // etcdctl txn reads compares, success ops and failure ops, each list ended by an
            // empty line.
            let mut script = String::from("\n");
            for i in start..end {
                script.push_str(&format!("put key-{i:08} {value}\n"));
            }
            script.push_str("\n\n");
            let out = self.etcdctl_with_stdin(&["txn"], script.as_bytes());
            assert!(
                out.status.success(),
                "etcdctl txn failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            start = end;
        }
    }

    /// Runs etcdctl against this server.
    pub fn etcdctl(&self, args: &[&str]) -> Output {
        self.etcdctl_with_stdin(args, &[])
    }

    fn etcdctl_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut flags = vec![format!("--endpoints={}", self.endpoint())];
        if let Some(tls) = &self.tls {
            flags.push(format!("--cacert={}", tls.ca.display()));
            flags.push(format!("--cert={}", tls.client_cert.display()));
            flags.push(format!("--key={}", tls.client_key.display()));
        }
        let mut all: Vec<&str> = flags.iter().map(String::as_str).collect();
        all.extend_from_slice(args);
        etcdctl_with_stdin(&all, stdin)
    }

    /// Stops etcd (for "etcd is down" tests). The endpoint then refuses connections.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The temporary directory holding etcd's data and log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn wait_healthy(&mut self) -> Result<(), NotHealthy> {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            let healthy = if self.tls.is_some() {
                self.etcdctl(&["endpoint", "health"]).status.success()
            } else {
                health(self.client_port)
            };
            if healthy {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                return Err(NotHealthy {
                    exited: true,
                    reason: status.to_string(),
                });
            }
            if Instant::now() > deadline {
                self.stop();
                return Err(NotHealthy {
                    exited: false,
                    reason: format!("still starting after {START_DEADLINE:?}"),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

struct NotHealthy {
    exited: bool,
    reason: String,
}

impl Drop for EtcdServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback port nothing listens on at the moment of the call (bind `:0`, then release).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Runs etcdctl (API v3) with an argument vector.
pub fn etcdctl(args: &[&str]) -> Output {
    etcdctl_with_stdin(args, &[])
}

fn etcdctl_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(ETCDCTL)
        .args(args)
        .env("ETCDCTL_API", "3")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {ETCDCTL}: {e}"));
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin).expect("etcdctl stdin");
    }
    child.wait_with_output().expect("etcdctl output")
}

/// What `etcdctl snapshot status --write-out=json FILE` says of a snapshot file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotStatus {
    pub hash: u32,
    pub revision: i64,
    pub total_key: u64,
    pub total_size: u64,
}

/// Runs `etcdctl snapshot status` on a file; panics with etcdctl's words if it refuses it.
pub fn snapshot_status(file: &Path) -> SnapshotStatus {
    let path = file.to_string_lossy();
    let out = etcdctl(&["--write-out=json", "snapshot", "status", &path]);
    assert!(
        out.status.success(),
        "etcdctl snapshot status {path} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // A flat object of numbers: {"hash":…,"revision":…,"totalKey":…,"totalSize":…}.
    let field = |name: &str| -> u64 {
        let key = format!("\"{name}\":");
        let start = text
            .find(&key)
            .map(|i| i + key.len())
            .unwrap_or_else(|| panic!("no {name} in {text}"));
        text[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or_else(|e| panic!("{name} in {text}: {e}"))
    };
    SnapshotStatus {
        hash: field("hash") as u32,
        revision: field("revision") as i64,
        total_key: field("totalKey"),
        total_size: field("totalSize"),
    }
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`.
fn make_pki(dir: &Path) -> TlsFiles {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run openssl: {e}"));
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=opsbot test CA",
        ],
    ]
    .concat());
    for (name, usage) in [("server", "serverAuth"), ("client", "clientAuth")] {
        let ext = format!("{name}.ext");
        std::fs::write(
            dir.join(&ext),
            format!("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage={usage}\n"),
        )
        .expect("extension file");
        let (key, csr, crt) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
        );
        run(&[
            &["req"][..],
            &ec,
            &[
                "-keyout",
                &key,
                "-out",
                &csr,
                "-subj",
                &format!("/CN={name}"),
            ],
        ]
        .concat());
        run(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &crt,
            "-days",
            "2",
            "-extfile",
            &ext,
        ]);
    }
    TlsFiles {
        ca: dir.join("ca.crt"),
        client_cert: dir.join("client.crt"),
        client_key: dir.join("client.key"),
    }
}

/// etcd's `/health` over plain HTTP/1.0 on the client port.
fn health(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.contains("\"health\":\"true\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etcd_starts_takes_keys_and_stops() {
        let mut etcd = EtcdServer::start();
        etcd.put_keys(250, 16);
        let out = etcd.etcdctl(&["get", "--prefix", "key-", "--keys-only"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.lines().filter(|l| l.starts_with("key-")).count(),
            250,
            "{text}"
        );
        etcd.stop();
        assert!(!health(etcd.client_port));
    }

    #[test]
    fn tls_etcd_requires_the_client_certificate() {
        let etcd = EtcdServer::start_tls();
        assert!(etcd.endpoint().starts_with("https://"));
        assert!(etcd.etcdctl(&["put", "a", "b"]).status.success());
        let ca = format!("--cacert={}", etcd.tls().expect("tls").ca.display());
        let without_cert = etcdctl(&[
            &format!("--endpoints={}", etcd.endpoint()),
            &ca,
            "--command-timeout=2s",
            "get",
            "a",
        ]);
        assert!(!without_cert.status.success());
    }
}
