//! The Discord adapter's settings: the `[discord]` section plus the limits Discord itself sets,
//! which are constants here rather than keys nobody should change.

use std::time::Duration;

use commands::Secret;
use thiserror::Error;

use crate::config::DiscordSection;

/// Discord's API, unless `discord.api_url` says otherwise.
pub const DEFAULT_API_URL: &str = "https://discord.com";

#[derive(Debug, Error)]
pub enum SetupError {
    #[error("discord.{0} is missing or empty")]
    Missing(&'static str),
    #[error("discord.public_key is not a valid Ed25519 public key (64 hex digits)")]
    BadPublicKey,
    #[error("discord.api_url \"{url}\" is not an http(s) URL")]
    BadUrl { url: String },
    #[error("discord.group_cache_ttl \"{0}\" is not a duration such as 60s or 5m")]
    BadGroupTtl(String),
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
    #[error("discord.retry_after_max \"{value}\" is not a duration such as 60s")]
    BadDuration { value: String },
}

/// The longest 429 wait sat through, unless `discord.retry_after_max` says otherwise.
pub const DEFAULT_RETRY_AFTER_MAX: Duration = Duration::from_secs(60);

/// Everything the adapter is built from. Secrets stay in [`Secret`], which never prints.
#[derive(Clone, Debug)]
pub struct DiscordConfig {
    /// Hex Ed25519 key that signs every interaction Discord sends.
    pub public_key: String,
    /// The bot's token, for channel messages and command registration.
    pub bot_token: Secret,
    pub application_id: String,
    /// Without a trailing slash; `/api/v10/…` is appended.
    pub api_url: String,
    /// One edit per message at most this often (Discord's per-route limits are about 5 per
    /// 5 s; one a second leaves room for everything else).
    pub edit_interval: Duration,
    /// An interaction token is valid for 15 minutes; past this the bot writes in the channel
    /// with its own token instead.
    pub token_lifetime: Duration,
    /// Requests older than this are refused, as replays.
    pub max_age: Duration,
    /// Runs executing at once; more wait their turn.
    pub max_running: usize,
    /// Runs waiting for a turn; beyond this a command is answered "busy, nothing was run"
    /// rather than queued without bound.
    pub max_waiting: usize,
    /// How long a private prompt (a secret typed into a modal) waits for its answer.
    pub prompt_timeout: Duration,
    /// `discord.incident_channel`: where incidents are posted (none: no incident channel).
    pub incident_channel: Option<String>,
    /// `discord.guild_ids`: the only guilds acted on; empty, any.
    pub guild_ids: Vec<String>,
    /// `discord.retry_after_max`: a rate-limit wait longer than this gives the call up.
    pub retry_after_max: Duration,
    /// `discord.group_cache_ttl`: how long a member's roles, looked up for an approval, are
    /// trusted.
    pub group_ttl: Duration,
}

impl DiscordConfig {
    pub fn from_section(section: &DiscordSection) -> Result<Self, SetupError> {
        let public_key = section
            .public_key
            .as_ref()
            .map(|k| k.expose().trim().to_string())
            .filter(|k| !k.is_empty())
            .ok_or(SetupError::Missing("public_key"))?;
        let bot_token = section
            .bot_token
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or(SetupError::Missing("bot_token"))?;
        let application_id = section
            .application_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or(SetupError::Missing("application_id"))?
            .to_string();
        let api_url = section
            .api_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .unwrap_or(DEFAULT_API_URL)
            .trim_end_matches('/')
            .to_string();
        if !(api_url.starts_with("https://") || api_url.starts_with("http://"))
            || url::Url::parse(&api_url).is_err()
        {
            return Err(SetupError::BadUrl { url: api_url });
        }
        let retry_after_max = match section.retry_after_max.as_deref() {
            None => DEFAULT_RETRY_AFTER_MAX,
            Some(text) => {
                commands::validate::duration(text).map_err(|_| SetupError::BadDuration {
                    value: text.to_string(),
                })?
            }
        };
        let group_ttl = match section.group_cache_ttl.as_deref().map(str::trim) {
            None | Some("") => super::identity::DEFAULT_GROUP_TTL,
            Some(text) => commands::validate::duration(text)
                .map_err(|_| SetupError::BadGroupTtl(text.to_string()))?,
        };
        Ok(DiscordConfig {
            group_ttl,
            public_key,
            bot_token,
            application_id,
            api_url,
            edit_interval: Duration::from_millis(1000),
            // A little under 15 minutes, so that a write started just before the end still
            // reaches Discord while the token is good.
            token_lifetime: Duration::from_secs(14 * 60 + 30),
            max_age: Duration::from_secs(300),
            max_running: 16,
            max_waiting: 5000,
            prompt_timeout: Duration::from_secs(300),
            incident_channel: section
                .incident_channel
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            guild_ids: section
                .guild_ids
                .iter()
                .map(|g| g.trim().to_string())
                .filter(|g| !g.is_empty())
                .collect(),
            retry_after_max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(retry_after_max: Option<&str>) -> DiscordSection {
        DiscordSection {
            public_key: Some(Secret::new("00")),
            bot_token: Some(Secret::new("t")),
            application_id: Some("1".into()),
            retry_after_max: retry_after_max.map(str::to_string),
            guild_ids: vec![" 1300000000000000002 ".into(), String::new()],
            ..DiscordSection::default()
        }
    }

    #[test]
    fn the_rate_limit_cap_defaults_to_a_minute_and_guilds_are_trimmed() {
        let config = DiscordConfig::from_section(&section(None)).expect("config");
        assert_eq!(config.retry_after_max, DEFAULT_RETRY_AFTER_MAX);
        assert_eq!(config.guild_ids, ["1300000000000000002"]);
        let config = DiscordConfig::from_section(&section(Some("5s"))).expect("config");
        assert_eq!(config.retry_after_max, Duration::from_secs(5));
        assert!(matches!(
            DiscordConfig::from_section(&section(Some("soon"))),
            Err(SetupError::BadDuration { .. })
        ));
    }
}
