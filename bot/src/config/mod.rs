//! The configuration file, as CONTRACT.md describes it: TOML read with the `config` crate,
//! every key overridable from the environment as `OPSBOT__SECTION__KEY`.
//!
//! [`load`] reads and checks everything at once: a running bot and `check-config` see the
//! same problems, each with its source, key and reason.

mod audit;
mod check;
mod helm;
mod ingress;
mod paging;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use commands::watch::WatchSettings;
use commands::{
    BackupSettings, ClusterSettings, Contact, HelmSettings, Message, RunnerSettings, Secret,
    Settings, VaultSettings, msg,
};
use policies::Policy;
use serde::Deserialize;

use crate::i18n::Locale;
pub use audit::AuditSettings;

/// A configuration that passed every check.
#[derive(Debug)]
pub struct Config {
    pub path: PathBuf,
    pub locale: Locale,
    pub listen: SocketAddr,
    /// `server.admin_listen`: a second listener for `/metrics` and the detailed `/readyz`.
    pub admin_listen: Option<SocketAddr>,
    pub state_path: PathBuf,
    pub policy_path: PathBuf,
    pub policy: Policy,
    pub settings: Settings,
    pub slack: Option<SlackSection>,
    pub discord: Option<DiscordSection>,
    pub paging: Option<PagingSection>,
    pub watchers: WatchSettings,
    pub shell: ShellSection,
    /// Things that are allowed but probably not meant (an unpinned Slack workspace, say):
    /// `check-config` prints them, `serve` logs them, neither refuses.
    pub warnings: Vec<Problem>,
    /// `[audit]`: the audit chain's key and anchor.
    pub audit: AuditSettings,
}

/// One thing wrong with the configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The file the key was read from, or `the environment`.
    pub source: String,
    /// Dotted path, e.g. `clusters.app2.etcd.cert`.
    pub key: String,
    pub reason: Message,
}

/// The file as written; checked into a [`Config`].
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawConfig {
    pub locale: Option<String>,
    #[serde(default)]
    pub server: ServerSection,
    pub state: Option<StateSection>,
    pub policy: Option<PolicySection>,
    pub slack: Option<SlackSection>,
    pub discord: Option<DiscordSection>,
    #[serde(default)]
    pub clusters: BTreeMap<String, ClusterSettings>,
    pub backup: Option<BackupSettings>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    pub paging: Option<PagingSection>,
    pub vault: Option<VaultSettings>,
    #[serde(default)]
    pub runners: RunnerSettings,
    #[serde(default)]
    pub watchers: WatchSettings,
    #[serde(default)]
    pub shell: ShellSection,
    pub helm: HelmSettings,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ServerSection {
    pub listen: Option<String>,
    /// Optional second listener (loopback, say) for `/metrics` and the detailed `/readyz`;
    /// the public one then answers `/readyz` with ready or not only, and has no `/metrics`.
    pub admin_listen: Option<String>,
}

/// `shell.*`: who `opsbot shell` may claim to be.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ShellSection {
    /// `true` lets `opsbot shell --as NAME` act as `shell:NAME` (demos, tests). Off, the shell
    /// is `shell:<login name of the OS user running it>` and `--as` is refused.
    #[serde(default)]
    pub impersonation: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct StateSection {
    pub path: PathBuf,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PolicySection {
    pub file: PathBuf,
}

/// `slack.*`: credentials and where to talk.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SlackSection {
    pub signing_secret: Option<Secret>,
    pub bot_token: Option<Secret>,
    /// Turns on Socket Mode.
    pub app_token: Option<Secret>,
    pub api_url: Option<String>,
    pub incident_channel: Option<String>,
    /// The only workspace (`T…`) whose requests are acted on; others are refused and
    /// audited. Unset, a `*` subject matches users of any workspace the app is installed in.
    pub team_id: Option<String>,
    /// How long a user group's member list is trusted, e.g. `60s` (the default). A failed
    /// lookup is never answered from an older list.
    pub group_cache_ttl: Option<String>,
}

/// `discord.*`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DiscordSection {
    pub public_key: Option<Secret>,
    pub bot_token: Option<Secret>,
    pub application_id: Option<String>,
    pub api_url: Option<String>,
    pub incident_channel: Option<String>,
    /// The only guilds whose interactions are acted on; others, and DMs, are refused and
    /// audited. Empty, a `*` subject matches members of any guild the app is in.
    #[serde(default)]
    pub guild_ids: Vec<String>,
    /// The longest rate-limit wait (`Retry-After`) the client sits through, e.g. `60s`
    /// (the default); a longer one gives the call up.
    pub retry_after_max: Option<String>,
    /// How long a member's roles, looked up for an approval, are trusted, e.g. `60s` (the
    /// default). A failed lookup is never answered from an older answer.
    pub group_cache_ttl: Option<String>,
}

/// `paging.*`: where pagers are reached.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PagingSection {
    pub pagerduty_url: Option<String>,
    pub opsgenie_url: Option<String>,
    pub opsgenie_api_key: Option<Secret>,
    pub smtp_url: Option<String>,
    pub email_from: Option<String>,
    /// The outbox's first retry comes after about this long, e.g. `2s`; each next one waits
    /// twice as long, up to `retry_max` (default `5m`).
    pub retry_initial: Option<String>,
    pub retry_max: Option<String>,
    /// The longest wait a provider's `Retry-After` can impose on the outbox, e.g. `5m` (the
    /// default): a provider asking for days, or an absurd value, is retried after this.
    pub retry_after_max: Option<String>,
}

impl PagingSection {
    /// The outbox's backoff, from `retry_initial` and `retry_max`.
    pub fn backoff(&self) -> crate::paging::outbox::Backoff {
        let default = crate::paging::outbox::Backoff::default();
        let parse = |text: &Option<String>, fallback| {
            text.as_deref()
                .and_then(|t| commands::validate::duration(t).ok())
                .unwrap_or(fallback)
        };
        crate::paging::outbox::Backoff {
            initial: parse(&self.retry_initial, default.initial),
            max: parse(&self.retry_max, default.max),
            retry_after_max: parse(&self.retry_after_max, default.retry_after_max),
        }
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Reads the file and the environment, then checks everything.
pub fn load(path: &Path) -> Result<Config, Vec<Problem>> {
    let file_source = path.display().to_string();
    let problem = |key: &str, reason: Message| Problem {
        source: file_source.clone(),
        key: key.to_string(),
        reason,
    };
    if let Err(e) = std::fs::metadata(path) {
        return Err(vec![problem(
            "",
            msg!(
                "config-unreadable",
                path = file_source.as_str(),
                reason = e.to_string()
            ),
        )]);
    }
    let built = config::Config::builder()
        .add_source(config::File::from(path).format(config::FileFormat::Toml))
        .add_source(
            config::Environment::with_prefix("OPSBOT")
                .prefix_separator("__")
                .separator("__"),
        )
        .build();
    let tree = match built {
        Ok(tree) => tree,
        Err(e) => {
            return Err(vec![problem(
                "",
                msg!("config-syntax", reason = e.to_string()),
            )]);
        }
    };
    check::check(path, tree)
}

/// Sorts problems the way they read best: by source, then key.
pub fn sorted(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by(|a, b| (&a.source, &a.key).cmp(&(&b.source, &b.key)));
    problems
}
