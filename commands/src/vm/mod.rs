//! Runbook §6.1: the multipass VMs on the host that runs them, through the configured
//! `multipass` program (`runners.programs.multipass`), its JSON output read back.

pub mod list;
pub mod restart;

use std::sync::Mutex;

use serde::Deserialize;

use crate::{Message, OpError, Progress, msg};

/// The logical program name under `runners.programs`.
pub(crate) const MULTIPASS: &str = "multipass";

/// The most output kept for parsing: a `multipass list` of hundreds of VMs is far less.
const MAX_CAPTURE: usize = 4 * 1024 * 1024;

/// Keeps a program's stdout lines for parsing instead of showing them; stderr lines (the
/// program's own complaints) still go to the user as progress.
pub(crate) struct Capture<'a> {
    inner: &'a dyn Progress,
    out: Mutex<(String, bool)>,
}

impl<'a> Capture<'a> {
    pub(crate) fn new(inner: &'a dyn Progress) -> Self {
        Capture {
            inner,
            out: Mutex::new((String::new(), false)),
        }
    }

    /// Everything printed on stdout, or `None` when it was too long to keep.
    pub(crate) fn stdout(&self) -> Option<String> {
        let out = self.out.lock().ok()?;
        (!out.1).then(|| out.0.clone())
    }
}

impl Progress for Capture<'_> {
    fn report(&self, message: Message) {
        if message.id == "runner-line"
            && let Some(line) = message.get("line")
        {
            if let Ok(mut out) = self.out.lock() {
                let line = line.to_string();
                if out.0.len() + line.len() + 1 > MAX_CAPTURE {
                    out.1 = true;
                } else {
                    out.0.push_str(&line);
                    out.0.push('\n');
                }
            }
        } else {
            self.inner.report(message);
        }
    }
}

/// One VM as `multipass list --format json` and `multipass info --format json` describe it.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub(crate) struct Vm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub ipv4: Vec<String>,
    #[serde(default)]
    pub release: String,
}

#[derive(Deserialize)]
struct ListOutput {
    list: Vec<Vm>,
}

#[derive(Deserialize)]
struct InfoOutput {
    info: std::collections::BTreeMap<String, Vm>,
}

/// The VMs of `multipass list --format json`.
pub(crate) fn parse_list(json: &str) -> Result<Vec<Vm>, OpError> {
    serde_json::from_str::<ListOutput>(json)
        .map(|l| l.list)
        .map_err(|e| unreadable("list", &e))
}

/// The VM named `name` in `multipass info NAME --format json`.
pub(crate) fn parse_info(json: &str, name: &str) -> Result<Vm, OpError> {
    let info = serde_json::from_str::<InfoOutput>(json).map_err(|e| unreadable("info", &e))?;
    let mut vm = info
        .info
        .get(name)
        .cloned()
        .ok_or_else(|| OpError::Failed(msg!("vm-info-missing", vm = name)))?;
    vm.name = name.to_string();
    Ok(vm)
}

fn unreadable(command: &str, error: &serde_json::Error) -> OpError {
    OpError::Failed(msg!(
        "vm-output-unreadable",
        command = command,
        reason = error.to_string()
    ))
}

/// Output too long to keep is refused rather than parsed half.
pub(crate) fn captured(capture: &Capture<'_>) -> Result<String, OpError> {
    capture
        .stdout()
        .ok_or_else(|| OpError::Failed(msg!("vm-output-too-long")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_output_is_read_as_multipass_prints_it() {
        let json = r#"{"list": [
            {"ipv4": ["10.10.0.11", "10.0.0.5"], "name": "mgmt-cp", "release": "22.04 LTS", "state": "Running"},
            {"ipv4": [], "name": "app1-w1", "release": "22.04 LTS", "state": "Stopped"}
        ]}"#;
        let vms = parse_list(json).expect("parses");
        assert_eq!(vms.len(), 2);
        assert_eq!(vms[0].ipv4, ["10.10.0.11", "10.0.0.5"]);
        assert_eq!(vms[1].state, "Stopped");
    }

    #[test]
    fn info_output_is_read_for_the_named_vm() {
        let json = r#"{"errors": [], "info": {"mgmt-cp": {"state": "Running",
            "ipv4": ["10.10.0.11"], "release": "Ubuntu 22.04.4 LTS", "cpu_count": "2"}}}"#;
        let vm = parse_info(json, "mgmt-cp").expect("parses");
        assert_eq!(vm.state, "Running");
        assert_eq!(vm.name, "mgmt-cp");
        assert_eq!(
            parse_info(json, "other").expect_err("absent").message().id,
            "vm-info-missing"
        );
        assert_eq!(
            parse_list("not json").expect_err("bad").message().id,
            "vm-output-unreadable"
        );
    }
}
