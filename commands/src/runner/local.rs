//! The local runner: a program configured under `runners.programs`, run on the bot's host.
//!
//! Only configured programs run, by their logical name (`helm`), with an argument vector: no
//! shell ever sees the arguments, so `;`, quotes and `$(…)` in them are plain text. The
//! program gets no stdin, its stdout and stderr are reported line by line as they come, and
//! it runs in a process group of its own so that a timeout (or a run dropped half way) kills
//! everything it started, not just the program itself. Lines of the two streams are reported
//! in the order they are read, which between stdout and stderr is close to, but not always,
//! the order they were written.
//!
//! The program inherits the bot's environment except the bot's own configuration
//! (`OPSBOT__*`, where chat tokens and signing secrets may sit), plus the call's `env`.

use std::ffi::OsString;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process_group};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tokio::time::Instant;

use super::Exit;
use super::lines::{LineSink, Splitter};
use crate::{OpError, Progress, RunnerSettings, msg};

/// After the program exits, how long its pipes may stay open before the runner stops reading:
/// a child it left in the background can hold them for ever.
const AFTER_EXIT: Duration = Duration::from_secs(1);
/// How long a killed program may take to be reaped.
const REAP: Duration = Duration::from_secs(5);
const READ_BUFFER: usize = 8 * 1024;

/// One run of a configured program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramCall {
    /// The logical name under `runners.programs` (`helm`), never a path.
    pub program: String,
    pub args: Vec<String>,
    /// Set on top of the inherited environment.
    pub env: Vec<(String, String)>,
    pub cwd: Option<PathBuf>,
    /// `runners.timeout` (default 10 minutes) when `None`.
    pub timeout: Option<Duration>,
}

impl ProgramCall {
    pub fn new<S: Into<String>>(
        program: impl Into<String>,
        args: impl IntoIterator<Item = S>,
    ) -> Self {
        ProgramCall {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            ..ProgramCall::default()
        }
    }
}

/// Runs `call` to its end. A non-zero exit is an error naming the program, its code and its
/// last line.
///
/// # Errors
/// The program is not configured, missing or not executable (one sentence each); it could not
/// be started ([`OpError::Io`]); it ran longer than its timeout ([`OpError::Timeout`] naming
/// it, after its whole process group was killed); it exited non-zero ([`OpError::Failed`]).
pub async fn run(
    settings: &RunnerSettings,
    call: &ProgramCall,
    progress: &dyn Progress,
) -> Result<Exit, OpError> {
    let exit = run_any(settings, call, progress).await?;
    if exit.success() {
        Ok(exit)
    } else {
        Err(failed(&call.program, &exit))
    }
}

/// Like [`run`], but any exit code is an answer (`systemctl is-active` says "inactive" with 3).
pub async fn run_any(
    settings: &RunnerSettings,
    call: &ProgramCall,
    progress: &dyn Progress,
) -> Result<Exit, OpError> {
    let path = program_path(settings, &call.program)?;
    if let Some(cwd) = &call.cwd {
        let meta = tokio::fs::metadata(cwd)
            .await
            .map_err(|e| OpError::io(cwd, e))?;
        if !meta.is_dir() {
            let e = io::Error::new(io::ErrorKind::NotADirectory, "not a directory");
            return Err(OpError::io(cwd, e));
        }
    }
    let mut child = spawn(command(path, call))
        .await
        .map_err(|e| match e.kind() {
            io::ErrorKind::PermissionDenied => not_executable(&call.program, path),
            _ => OpError::io(path, e),
        })?;
    let mut group = Group::of(&child);
    let timeout = call.timeout.unwrap_or_else(|| settings.timeout());
    let mut sink = LineSink::new(progress);
    let mut status = None;
    let collected =
        tokio::time::timeout(timeout, collect(&mut child, &mut sink, &mut status)).await;
    if let Some(status) = status {
        // Exited; a timeout here only cut short the reading of what it left behind.
        group.forget();
        return Ok(Exit {
            code: code_of(status),
            tail: sink.tail,
        });
    }
    match collected {
        Ok(Err(e)) => Err(OpError::io(path, e)),
        Ok(Ok(())) => Err(OpError::io(path, io::Error::other("exit status lost"))),
        Err(_) => {
            group.kill();
            let _ = tokio::time::timeout(REAP, child.wait()).await;
            Err(OpError::Timeout {
                what: call.program.clone(),
                after: timeout,
            })
        }
    }
}

/// The error for a non-zero exit.
pub(super) fn failed(program: &str, exit: &Exit) -> OpError {
    OpError::Failed(match exit.tail.last() {
        Some(line) => msg!(
            "runner-exit",
            program = program,
            code = exit.code,
            last = line.text.as_str()
        ),
        None => msg!("runner-exit-silent", program = program, code = exit.code),
    })
}

/// The configured path of `program`, checked now so the user reads which program is wrong
/// rather than "No such file or directory".
fn program_path<'s>(settings: &'s RunnerSettings, program: &str) -> Result<&'s Path, OpError> {
    let path = settings
        .programs
        .get(program)
        .ok_or_else(|| OpError::Failed(msg!("runner-not-configured", program = program)))?;
    match std::fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(OpError::Failed(msg!(
            "runner-program-missing",
            program = program,
            path = path.display().to_string()
        ))),
        Err(e) => Err(OpError::io(path, e)),
        Ok(meta) if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 => {
            Err(not_executable(program, path))
        }
        Ok(_) => Ok(path),
    }
}

fn not_executable(program: &str, path: &Path) -> OpError {
    OpError::Failed(msg!(
        "runner-program-not-executable",
        program = program,
        path = path.display().to_string()
    ))
}

fn command(path: &Path, call: &ProgramCall) -> Command {
    let mut command = Command::new(path);
    command
        .args(&call.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        // Its own group, so that killing the group reaches what it started too.
        .process_group(0);
    for name in bot_variables(std::env::vars_os().map(|(name, _)| name)) {
        command.env_remove(name);
    }
    command.envs(call.env.iter().map(|(k, v)| (k, v)));
    if let Some(cwd) = &call.cwd {
        command.current_dir(cwd);
    }
    command
}

/// Starts the program. "Text file busy" means a script is being written at this moment (by
/// config management, or by another thread's fork holding it open for a few microseconds):
/// try again briefly rather than fail the run.
async fn spawn(mut command: Command) -> io::Result<Child> {
    let mut tries = 0;
    loop {
        match command.spawn() {
            Err(e) if e.raw_os_error() == Some(TEXT_FILE_BUSY) && tries < 5 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            spawned => return spawned,
        }
    }
}

const TEXT_FILE_BUSY: i32 = rustix::io::Errno::TXTBSY.raw_os_error();

/// The bot's own configuration variables (`OPSBOT__SLACK__BOT_TOKEN`), which no program needs.
fn bot_variables(names: impl Iterator<Item = OsString>) -> Vec<OsString> {
    names
        .filter(|name| {
            name.to_str()
                .and_then(|n| n.get(..8))
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("opsbot__"))
        })
        .collect()
}

/// Reads stdout and stderr as they come and reaps the program; `status` is set as soon as it
/// exits, so a timeout during the last reads still knows the program finished.
async fn collect(
    child: &mut Child,
    sink: &mut LineSink<'_>,
    status: &mut Option<ExitStatus>,
) -> io::Result<()> {
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (mut out_lines, mut err_lines) = (Splitter::default(), Splitter::default());
    let (mut out_buf, mut err_buf) = (vec![0u8; READ_BUFFER], vec![0u8; READ_BUFFER]);
    let mut stop_reading = None;
    while stdout.is_some() || stderr.is_some() || status.is_none() {
        tokio::select! {
            // Output first: what the program printed before it exited is reported before its end.
            biased;
            read = read_some(&mut stdout, &mut out_buf) => {
                take_lines(read, &mut stdout, &out_buf, &mut out_lines, sink, false);
            }
            read = read_some(&mut stderr, &mut err_buf) => {
                take_lines(read, &mut stderr, &err_buf, &mut err_lines, sink, true);
            }
            waited = child.wait(), if status.is_none() => {
                *status = Some(waited?);
                stop_reading = Some(Instant::now() + AFTER_EXIT);
            }
            () = sleep_until(stop_reading) => break,
        }
    }
    // A last line without a newline, or one cut short by a stream closed early.
    if let Some(line) = out_lines.finish() {
        sink.line(line, false);
    }
    if let Some(line) = err_lines.finish() {
        sink.line(line, true);
    }
    Ok(())
}

/// Reads from a pipe still open; never completes for one already closed.
async fn read_some<R: AsyncRead + Unpin>(
    pipe: &mut Option<R>,
    buf: &mut [u8],
) -> io::Result<usize> {
    match pipe {
        Some(pipe) => pipe.read(buf).await,
        None => std::future::pending().await,
    }
}

fn take_lines<R>(
    read: io::Result<usize>,
    pipe: &mut Option<R>,
    buf: &[u8],
    splitter: &mut Splitter,
    sink: &mut LineSink<'_>,
    stderr: bool,
) {
    match read {
        // End of the stream, or a broken pipe: either way nothing more comes from it.
        Ok(0) | Err(_) => *pipe = None,
        Ok(n) => {
            for line in splitter.push(&buf[..n]) {
                sink.line(line, stderr);
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn code_of(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

/// The program's process group, killed when the run ends without the program having exited
/// (a timeout, or the run's future dropped), so nothing it started outlives the run. Once the
/// program has been reaped its pid may be reused, so the group is then left alone.
struct Group(Option<Pid>);

impl Group {
    fn of(child: &Child) -> Self {
        Group(
            child
                .id()
                .and_then(|id| i32::try_from(id).ok())
                .and_then(Pid::from_raw),
        )
    }

    fn kill(&mut self) {
        if let Some(pid) = self.0.take()
            && let Err(e) = kill_process_group(pid, Signal::KILL)
            // Gone already: everything in it has exited.
            && e != rustix::io::Errno::SRCH
        {
            tracing::warn!(pid = pid.as_raw_nonzero().get(), error = %e, "could not kill a runner's process group");
        }
    }

    fn forget(&mut self) {
        self.0 = None;
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bots_own_variables_are_withheld() {
        let names = [
            "OPSBOTé_x",
            "PATH",
            "OPSBOT__SLACK__BOT_TOKEN",
            "opsbot__x",
            "OPSBOTX",
            "HELM_DRIVER",
        ];
        let withheld = bot_variables(names.into_iter().map(OsString::from));
        assert_eq!(withheld, ["OPSBOT__SLACK__BOT_TOKEN", "opsbot__x"]);
    }
}
