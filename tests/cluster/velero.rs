//! velero.backup, velero.backups, velero.schedule, get, yaml and vault.status through the
//! real binary: the Kubernetes API test server plays the clusters (a thread plays Velero's
//! server), the Vault test server plays Vault.

mod backup;
mod resources;
mod vault;

use opsbot_tests::bot::{Bot, Run};

/// bob is an admin of everything in the test policy.
fn bob(bot: &Bot, command: &str) -> Run {
    bot.shell("bob", &format!("{command}\n"))
}

/// The value of a `Key: value` line of a report, padding removed.
fn field(stdout: &str, key: &str) -> Option<String> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().to_string())
}
