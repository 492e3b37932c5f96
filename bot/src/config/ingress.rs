//! Checks of the ways in: the admin listener, the pinned Slack workspace and Discord guilds,
//! the Retry-After caps. An unpinned chat is allowed (a single-workspace app needs nothing
//! more) but is a warning: a `*` subject would then match people of any workspace or guild
//! the app is installed in.

use std::net::SocketAddr;

use commands::{msg, validate};

use super::check::Checker;
use super::{Problem, RawConfig};

/// What the checks of this file add to a [`super::Config`].
pub(super) struct Ingress {
    pub admin_listen: Option<SocketAddr>,
    pub warnings: Vec<Problem>,
}

pub(super) fn check(c: &mut Checker<'_>, raw: &RawConfig, listen: SocketAddr) -> Ingress {
    let mut warnings = Vec::new();
    // Whoever starts a shell sets its environment: impersonation from there would let any
    // user of the bot host turn it on for themselves. Only the file can.
    if raw.shell.impersonation && impersonation_from_environment() {
        c.add("shell.impersonation", msg!("config-impersonation-from-env"));
    }
    let admin_listen = raw.server.admin_listen.as_deref().and_then(|text| {
        let Ok(address) = text.trim().parse::<SocketAddr>() else {
            c.add(
                "server.admin_listen",
                msg!("config-bad-address", value = text),
            );
            return None;
        };
        // Port 0 picks a free port each time, so two port-0 listeners never collide.
        if address == listen && address.port() != 0 {
            c.add(
                "server.admin_listen",
                msg!("config-admin-listen-same", value = text),
            );
        }
        Some(address)
    });
    if let Some(slack) = &raw.slack {
        match slack.team_id.as_deref().map(str::trim) {
            None | Some("") => {
                warnings.push(c.warning("slack.team_id", msg!("config-slack-unpinned")))
            }
            Some(team) if !is_slack_id(team) => {
                c.add("slack.team_id", msg!("config-bad-team-id", value = team));
            }
            Some(_) => {}
        }
    }
    if let Some(discord) = &raw.discord {
        if discord.guild_ids.iter().all(|g| g.trim().is_empty()) {
            warnings.push(c.warning("discord.guild_ids", msg!("config-discord-unpinned")));
        }
        for (i, guild) in discord.guild_ids.iter().enumerate() {
            if !is_snowflake(guild.trim()) {
                c.add(
                    format!("discord.guild_ids[{i}]"),
                    msg!("config-bad-guild-id", value = guild.as_str()),
                );
            }
        }
    }
    let caps = [
        (
            "discord.retry_after_max",
            raw.discord
                .as_ref()
                .and_then(|d| d.retry_after_max.as_ref()),
        ),
        (
            "paging.retry_after_max",
            raw.paging.as_ref().and_then(|p| p.retry_after_max.as_ref()),
        ),
    ];
    for (key, value) in caps {
        if let Some(value) = value
            && validate::duration(value).is_err()
        {
            c.add(key, msg!("config-bad-duration", value = value.as_str()));
        }
    }
    Ingress {
        admin_listen,
        warnings,
    }
}

/// Whether the environment sets `shell.impersonation` (in any case, as the `config` crate
/// reads it).
fn impersonation_from_environment() -> bool {
    std::env::vars_os().any(|(name, _)| {
        name.to_str()
            .is_some_and(|n| n.eq_ignore_ascii_case("OPSBOT__SHELL__IMPERSONATION"))
    })
}

/// Slack team ids: `T` (or `E` for an Enterprise Grid org) and upper-case letters and digits.
fn is_slack_id(text: &str) -> bool {
    text.len() >= 2
        && text.starts_with(['T', 'E'])
        && text
            .chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
}

/// Discord ids are decimal snowflakes.
fn is_snowflake(text: &str) -> bool {
    !text.is_empty() && text.len() <= 20 && text.chars().all(|ch| ch.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `extra` after a minimal valid configuration; the keys of the problems, or the
    /// keys of the warnings when it loads.
    fn load(extra: &str) -> Result<Vec<String>, Vec<String>> {
        let dir = tempfile::tempdir().expect("dir");
        let text =
            format!("[state]\npath = \"state.db\"\n[policy]\nfile = \"policy.toml\"\n{extra}");
        std::fs::write(dir.path().join("opsbot.toml"), text).expect("config");
        std::fs::write(
            dir.path().join("policy.toml"),
            "[roles.r]\noperations = [\"contacts\"]\n",
        )
        .expect("policy");
        let keys = |problems: Vec<Problem>| problems.into_iter().map(|p| p.key).collect();
        super::super::load(&dir.path().join("opsbot.toml"))
            .map(|config| keys(config.warnings))
            .map_err(keys)
    }

    const SLACK: &str = "[slack]\nsigning_secret = \"s\"\nbot_token = \"xoxb-1\"\n";
    const DISCORD: &str =
        "[discord]\npublic_key = \"00\"\nbot_token = \"t\"\napplication_id = \"1\"\n";

    #[test]
    fn unpinned_chats_load_with_a_warning_and_pinned_ones_without() {
        assert_eq!(load(SLACK), Ok(vec!["slack.team_id".to_string()]));
        assert_eq!(
            load(&format!("{SLACK}team_id = \"T0HOME\"\n")),
            Ok(Vec::new())
        );
        assert_eq!(load(DISCORD), Ok(vec!["discord.guild_ids".to_string()]));
        assert_eq!(
            load(&format!("{DISCORD}guild_ids = [\"1300000000000000002\"]\n")),
            Ok(Vec::new())
        );
    }

    #[test]
    fn bad_ids_durations_and_addresses_are_problems() {
        let problems = load(&format!(
            "{SLACK}team_id = \"home\"\n{DISCORD}guild_ids = [\"general\"]\n\
             retry_after_max = \"soon\"\n[paging]\nretry_after_max = \"-1h\"\n\
             [server]\nlisten = \"127.0.0.1:8080\"\nadmin_listen = \"127.0.0.1:8080\"\n"
        ))
        .expect_err("problems");
        for key in [
            "slack.team_id",
            "discord.guild_ids[0]",
            "discord.retry_after_max",
            "paging.retry_after_max",
            "server.admin_listen",
        ] {
            assert!(problems.iter().any(|k| k == key), "{key}: {problems:?}");
        }
    }

    #[test]
    fn ids_have_their_platform_shape() {
        assert!(is_slack_id("T0123ABC"));
        assert!(is_slack_id("E0ENTERPRISE1"));
        assert!(!is_slack_id("t0123"));
        assert!(!is_slack_id("T01 23"));
        assert!(is_snowflake("1300000000000000002"));
        assert!(!is_snowflake("guild"));
        assert!(!is_snowflake(""));
    }
}
