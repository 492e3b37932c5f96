//! Issue 2, the spine: the real `opsbot` binary, driven through `opsbot shell` and its other
//! subcommands, against a real etcd started on a free loopback port.

mod approvals;
mod audit;
mod break_glass;
mod config;
mod etcd;
mod host;
mod identity;
mod language;
mod listeners;
mod people;
mod scopes;
mod vault;

use opsbot_tests::bot::Bot;
use opsbot_tests::etcd::EtcdServer;

fn bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_opsbot"))
}

/// A bot with one cluster, `mgmt`, on a fresh etcd.
fn bot_with_etcd(locale: &str) -> (Bot, EtcdServer) {
    let etcd = EtcdServer::start();
    let bot = Bot::new(bin(), &[("mgmt", etcd.endpoint())], locale);
    (bot, etcd)
}
