//! Runners: how the runbook's work outside the Kubernetes API is done.
//!
//! OPERATIONS.md: "a privileged Job pinned to the node for node work, or a local process on
//! the host where the bot runs. A runner takes an argument vector, streams each line of output
//! back as progress, has a timeout, and reports the exit status."
//!
//! * [`local`] runs a program configured under `runners.programs` (helm, cilium, multipass,
//!   terraform, scripts) on the bot's host: an argument vector, never a shell.
//! * [`node`] runs an argument vector on a node, through a one-shot privileged Job pinned to
//!   it that `chroot`s into the host's root, so the node's own `crictl`, `journalctl` and
//!   `kubeadm` do the work. The Job is always deleted afterwards.
//! * [`RunProgram`] and [`RunOnNode`] wrap both as [`Step`](crate::Step)s, so operations (and
//!   later the configuration) compose them; each leaves a [`ProgramOutput`] fact.
//!
//! Output is only ever shown: nothing a program prints is parsed as a command.

mod lines;
pub mod local;
pub mod node;
mod steps;

#[cfg(test)]
mod tests;

pub use lines::{Line, MAX_LINE, TAIL_LINES, Tail};
pub use local::ProgramCall;
pub use node::NodeCommand;
pub use steps::{ProgramOutput, RunOnNode, RunProgram};

/// How a run ended: its exit code and the last lines it printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exit {
    /// The exit status; a local program killed by a signal gets 128 + the signal's number,
    /// as shells report it.
    pub code: i32,
    pub tail: Tail,
}

impl Exit {
    pub fn success(&self) -> bool {
        self.code == 0
    }
}

/// An argument vector as someone would type it (`helm upgrade web 'my chart'`), for plans and
/// messages only: nothing ever runs it through a shell. Words a shell would read as they are
/// stay bare (`--vacuum-time=3d`); the rest are single-quoted.
pub fn command_line<S: AsRef<str>>(argv: impl IntoIterator<Item = S>) -> String {
    let words: Vec<String> = argv.into_iter().map(|w| quote(w.as_ref())).collect();
    words.join(" ")
}

fn quote(word: &str) -> String {
    let bare = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+^".contains(c));
    if bare {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
