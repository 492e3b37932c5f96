//! The local runner against real `/bin/sh` scripts in a temporary directory.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Recorded;
use crate::runner::local::{self, ProgramCall};
use crate::runner::{Exit, TAIL_LINES};
use crate::{Message, MessageArg, OpError, RunnerSettings};

/// Writes an executable `#!/bin/sh` script.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn settings(programs: &[(&str, &Path)]) -> RunnerSettings {
    RunnerSettings {
        programs: programs
            .iter()
            .map(|(name, path)| (name.to_string(), path.to_path_buf()))
            .collect(),
        ..RunnerSettings::default()
    }
}

fn call(program: &str, args: &[&str]) -> ProgramCall {
    ProgramCall {
        timeout: Some(Duration::from_secs(20)),
        ..ProgramCall::new(program, args.iter().copied())
    }
}

fn failure(result: Result<Exit, OpError>) -> Message {
    match result {
        Err(OpError::Failed(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn text(message: &Message, name: &str) -> String {
    message
        .get(name)
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Whether `pid` has exited (a zombie waiting for its reaper counts as exited).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

fn wait_gone(pid: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if gone(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// The pids a script wrote to files, once it has written them.
fn read_pid(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(pid) = std::fs::read_to_string(path)
            && !pid.trim().is_empty()
        {
            return pid.trim().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "{} never written",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn lines_arrive_as_progress_in_order_before_the_program_ends() {
    let dir = tempfile::tempdir().expect("dir");
    // After each line the script waits until the test has seen that line as progress: were
    // lines reported at the end only, it would wait for ever (and the run time out). Waiting
    // also orders the two streams, which are otherwise read in whatever order they are ready.
    let path = script(
        dir.path(),
        "stream",
        r#"wait_for() { while [ ! -e "$1" ]; do sleep 0.02; done; }
echo one
wait_for "$1/one"
echo two >&2
wait_for "$1/two"
echo three"#,
    );
    let progress = {
        let dir = dir.path().to_path_buf();
        Recorded::calling(move |m| {
            if let Some(line) = m.get("line") {
                std::fs::write(dir.join(line.to_string()), "").expect("signal");
            }
        })
    };
    let go = dir.path().to_string_lossy();
    let exit = local::run(
        &settings(&[("stream", &path)]),
        &call("stream", &[&go]),
        &progress,
    )
    .await
    .expect("runs");
    assert_eq!(exit.code, 0);
    assert_eq!(progress.lines(), ["one", "two", "three"]);
    assert_eq!(
        progress.seen()[1],
        "runner-line-stderr(line=two)",
        "stderr lines are marked"
    );
    let tail: Vec<(&str, bool)> = exit
        .tail
        .lines()
        .map(|l| (l.text.as_str(), l.stderr))
        .collect();
    assert_eq!(tail, [("one", false), ("two", true), ("three", false)]);
}

#[tokio::test]
async fn a_non_zero_exit_names_the_program_its_code_and_last_line() {
    let dir = tempfile::tempdir().expect("dir");
    let path = script(
        dir.path(),
        "deploy",
        // One stream: the order of lines across stdout and stderr is only as they are read.
        "echo working >&2\necho 'Error: release failed' >&2\nexit 3",
    );
    let settings = settings(&[("deploy", &path)]);
    let message = failure(local::run(&settings, &call("deploy", &[]), &Recorded::default()).await);
    assert_eq!(message.id, "runner-exit");
    assert_eq!(text(&message, "program"), "deploy");
    assert_eq!(message.get("code"), Some(&MessageArg::Number(3.0)));
    assert_eq!(text(&message, "last"), "Error: release failed");
    // The same run read as an answer rather than a failure.
    let exit = local::run_any(&settings, &call("deploy", &[]), &Recorded::default())
        .await
        .expect("an exit");
    assert_eq!(exit.code, 3);
}

#[tokio::test]
async fn a_program_killed_by_a_signal_exits_with_128_plus_the_signal() {
    let dir = tempfile::tempdir().expect("dir");
    let path = script(dir.path(), "doomed", "kill -TERM $$");
    let exit = local::run_any(
        &settings(&[("doomed", &path)]),
        &call("doomed", &[]),
        &Recorded::default(),
    )
    .await
    .expect("an exit");
    assert_eq!(exit.code, 128 + 15);
    let message = failure(
        local::run(
            &settings(&[("doomed", &path)]),
            &call("doomed", &[]),
            &Recorded::default(),
        )
        .await,
    );
    assert_eq!(message.id, "runner-exit-silent");
}

#[tokio::test]
async fn a_timeout_kills_the_program_and_the_child_it_started() {
    let dir = tempfile::tempdir().expect("dir");
    let path = script(
        dir.path(),
        "slow",
        "sleep 300 &\necho $! > \"$1\"\necho $$ > \"$2\"\necho started\nwait",
    );
    let (child_pid, own_pid) = (dir.path().join("child"), dir.path().join("own"));
    let call = ProgramCall {
        timeout: Some(Duration::from_secs(1)),
        ..ProgramCall::new(
            "slow",
            [&child_pid, &own_pid].map(|p| p.to_string_lossy().into_owned()),
        )
    };
    let started = Instant::now();
    let result = local::run(&settings(&[("slow", &path)]), &call, &Recorded::default()).await;
    assert!(
        matches!(&result, Err(OpError::Timeout { what, after })
            if what == "slow" && *after == Duration::from_secs(1)),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let (grandchild, program) = (read_pid(&child_pid), read_pid(&own_pid));
    assert!(
        wait_gone(&program),
        "the program {program} survived its timeout"
    );
    assert!(
        wait_gone(&grandchild),
        "its child {grandchild} survived the timeout"
    );
}

#[tokio::test]
async fn dropping_a_run_kills_the_program_and_the_child_it_started() {
    let dir = tempfile::tempdir().expect("dir");
    let path = script(
        dir.path(),
        "endless",
        "sleep 300 &\necho $! > \"$1\"\necho $$ > \"$2\"\nwait",
    );
    let (child_pid, own_pid) = (dir.path().join("child"), dir.path().join("own"));
    let args = [&child_pid, &own_pid].map(|p| p.to_string_lossy().into_owned());
    let settings = settings(&[("endless", &path)]);
    let call = ProgramCall::new("endless", args);
    let progress = Recorded::default();
    tokio::select! {
        result = local::run(&settings, &call, &progress) => panic!("it ended: {result:?}"),
        () = async {
            while !own_pid.exists() || !child_pid.exists() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        } => {}
    }
    let (grandchild, program) = (read_pid(&child_pid), read_pid(&own_pid));
    assert!(
        wait_gone(&program),
        "the program {program} outlived its run"
    );
    assert!(
        wait_gone(&grandchild),
        "its child {grandchild} outlived the run"
    );
}

#[tokio::test]
async fn a_child_left_in_the_background_does_not_hold_the_run() {
    let dir = tempfile::tempdir().expect("dir");
    // The background sleep keeps stdout open after the script has exited.
    let path = script(
        dir.path(),
        "daemon",
        "sleep 30 &\necho $! > \"$1\"\necho done",
    );
    let pid_file = dir.path().join("pid");
    let started = Instant::now();
    let exit = local::run(
        &settings(&[("daemon", &path)]),
        &call("daemon", &[&pid_file.to_string_lossy()]),
        &Recorded::default(),
    )
    .await
    .expect("runs");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(exit.tail.last().map(|l| l.text.as_str()), Some("done"));
    let pid = read_pid(&pid_file);
    if let Some(pid) = pid.parse().ok().and_then(rustix::process::Pid::from_raw) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
}

#[tokio::test]
async fn a_program_not_configured_is_one_sentence() {
    let message = failure(
        local::run(
            &RunnerSettings::default(),
            &call("helm", &["list"]),
            &Recorded::default(),
        )
        .await,
    );
    assert_eq!(message.id, "runner-not-configured");
    assert_eq!(text(&message, "program"), "helm");
}

#[tokio::test]
async fn a_configured_path_that_is_missing_or_not_executable_is_named() {
    let dir = tempfile::tempdir().expect("dir");
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "#!/bin/sh\necho hi\n").expect("write");
    let missing = dir.path().join("missing");
    let settings = settings(&[
        ("plain", &plain),
        ("missing", &missing),
        ("dir", dir.path()),
    ]);
    for (program, id, path) in [
        ("plain", "runner-program-not-executable", &plain),
        ("missing", "runner-program-missing", &missing),
        (
            "dir",
            "runner-program-not-executable",
            &dir.path().to_path_buf(),
        ),
    ] {
        let message =
            failure(local::run(&settings, &call(program, &[]), &Recorded::default()).await);
        assert_eq!(message.id, id, "{program}");
        assert_eq!(text(&message, "program"), program);
        assert_eq!(text(&message, "path"), path.display().to_string());
    }
}

#[tokio::test]
async fn arguments_reach_the_program_as_single_elements_unchanged() {
    let dir = tempfile::tempdir().expect("dir");
    let path = script(
        dir.path(),
        "echo-args",
        r#"for a in "$@"; do printf '<%s>\n' "$a"; done"#,
    );
    let marker = dir.path().join("injected");
    let injection = format!("x; touch {}", marker.display());
    let args = [
        "two words",
        r#"it's "quoted""#,
        &injection,
        "$(id)",
        "`id`",
        "*",
        "",
        "--set=a b,c",
    ];
    let exit = local::run(
        &settings(&[("echo-args", &path)]),
        &call("echo-args", &args),
        &Recorded::default(),
    )
    .await
    .expect("runs");
    let seen: Vec<&str> = exit.tail.lines().map(|l| l.text.as_str()).collect();
    let expected: Vec<String> = args.iter().map(|a| format!("<{a}>")).collect();
    assert_eq!(seen, expected);
    assert!(!marker.exists(), "an argument was run as a command");
}

#[tokio::test]
async fn stdin_is_closed() {
    let dir = tempfile::tempdir().expect("dir");
    let path = script(
        dir.path(),
        "reader",
        r#"if read -r line; then echo "read: $line"; else echo "stdin closed"; fi"#,
    );
    let exit = local::run(
        &settings(&[("reader", &path)]),
        &call("reader", &[]),
        &Recorded::default(),
    )
    .await
    .expect("runs");
    assert_eq!(
        exit.tail.last().map(|l| l.text.as_str()),
        Some("stdin closed")
    );
}

#[tokio::test]
async fn the_calls_environment_and_directory_are_used() {
    let dir = tempfile::tempdir().expect("dir");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("mkdir");
    let path = script(dir.path(), "where", r#"echo "$GREETING"; pwd -P"#);
    let call = ProgramCall {
        env: vec![("GREETING".into(), "hello there".into())],
        cwd: Some(work.clone()),
        ..call("where", &[])
    };
    let exit = local::run(&settings(&[("where", &path)]), &call, &Recorded::default())
        .await
        .expect("runs");
    let seen: Vec<&str> = exit.tail.lines().map(|l| l.text.as_str()).collect();
    let work = work.canonicalize().expect("canonical");
    assert_eq!(seen, ["hello there", &*work.to_string_lossy()]);
}

#[tokio::test]
async fn a_long_output_keeps_only_its_tail_but_streams_every_line() {
    let dir = tempfile::tempdir().expect("dir");
    let path = script(
        dir.path(),
        "chatty",
        r#"i=1; while [ $i -le 120 ]; do echo "line $i"; i=$((i+1)); done"#,
    );
    let progress = Recorded::default();
    let exit = local::run(
        &settings(&[("chatty", &path)]),
        &call("chatty", &[]),
        &progress,
    )
    .await
    .expect("runs");
    assert_eq!(progress.lines().len(), 120);
    assert_eq!(exit.tail.lines().len(), TAIL_LINES);
    assert_eq!(exit.tail.dropped(), (120 - TAIL_LINES) as u64);
    assert_eq!(exit.tail.last().map(|l| l.text.as_str()), Some("line 120"));
}
