//! A restart with a run in flight: the approved run's process is killed mid-run; the next
//! opsbot reports it as interrupted and never runs it again.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use opsbot_tests::kube::KubeServer;

use super::{Fakes, approval_id, builder, call};

#[test]
fn a_run_in_flight_when_its_process_dies_is_reported_interrupted_and_never_rerun() {
    let server = KubeServer::start();
    // `multipass restart` hangs, as a VM that does not come back would; it records its pid.
    let fakes = Fakes::new().program(
        "multipass",
        "case \"$1\" in restart) echo $$ > \"$(dirname \"$0\")/restart.pid\"; sleep 60 ;; esac",
    );
    let bot = builder(&server, &fakes).build();
    let id = approval_id(&bot.shell("bob", "vm restart app1-w1 --reason \"hung kubelet\"\n"));

    // Alice approves in a shell that is killed while the restart runs.
    let mut alice = Command::new(super::bin())
        .args(["shell", "--config"])
        .arg(bot.config())
        .args(["--as", "alice"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start alice's shell");
    alice
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("approve {id}\n").as_bytes())
        .expect("approve");
    let pid_file = fakes.dir.path().join("restart.pid");
    let started = Instant::now();
    while !pid_file.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the restart never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    alice.kill().expect("kill alice's shell");
    let _ = alice.wait();
    if let Ok(pid) = std::fs::read_to_string(&pid_file) {
        let _ = Command::new("kill").arg(pid.trim()).status();
    }

    // The next opsbot says so at once, and the request cannot be approved again.
    let next = bot.shell("carol", &format!("approve {id}\n"));
    assert!(
        next.stdout.contains("vm.restart") && next.stdout.contains("was interrupted"),
        "{}",
        next.all()
    );
    assert!(next.stdout.contains("it is interrupted"), "{}", next.stdout);
    assert_eq!(
        fakes.calls(),
        [call("multipass", &["restart", "app1-w1"])],
        "the restart ran once and was not re-run"
    );
    assert_eq!(bot.run(&["audit", "verify"]).code, 0);
}
