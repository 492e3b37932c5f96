//! The platform add-ons' operations against the three test clusters, one file per add-on:
//! cert-manager (certs.list, cert.describe, cert.renew), External Secrets (secrets.sync),
//! Cilium (net.endpoints, cilium.status) and Helm (helm.list).

mod certs;
mod cilium;
mod helm;
mod secrets;

use opsbot_tests::bot::{Bot, Run};

/// bob is an admin of everything in the test policy.
fn bob(bot: &Bot, command: &str) -> Run {
    bot.shell("bob", &format!("{command}\n"))
}

/// The report lines between `== CLUSTER ==` and the next heading or the run's last line.
fn section<'a>(stdout: &'a str, cluster: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .skip_while(|l| *l != format!("== {cluster} =="))
        .skip(1)
        .take_while(|l| !l.starts_with("== ") && !l.starts_with("✓ ") && !l.starts_with("✗ "))
        .collect()
}

/// The first cell of each table row that names one of `names`, in output order.
fn order<'a>(lines: &[&'a str], names: &[&str]) -> Vec<&'a str> {
    lines
        .iter()
        .filter_map(|l| l.split_whitespace().find(|w| names.contains(w)))
        .collect()
}
