//! The Slack adapter's settings: the `[slack]` section of the configuration plus the limits
//! Slack itself sets, which are constants here rather than keys nobody should change.

use std::time::Duration;

use commands::Secret;
use thiserror::Error;

use super::encoder::Limits;
use super::service::RetryPolicy;
use crate::config::SlackSection;

/// Slack's Web API, unless `slack.api_url` says otherwise.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";

#[derive(Debug, Error)]
pub enum SetupError {
    #[error("slack.{0} is missing or empty")]
    Missing(&'static str),
    #[error("slack.api_url \"{url}\" is not an http(s) URL")]
    BadUrl { url: String },
    #[error("slack.group_cache_ttl \"{0}\" is not a duration such as 60s or 5m")]
    BadGroupTtl(String),
    #[error("Socket Mode could not start: {0}")]
    SocketMode(String),
}

/// Everything the adapter is built from. Secrets stay in [`Secret`], which never prints.
#[derive(Clone, Debug)]
pub struct SlackConfig {
    /// Checks that requests come from Slack.
    pub signing_secret: Secret,
    /// `xoxb-…`: the bot's Web API calls.
    pub bot_token: Secret,
    /// `xapp-…`: turns on Socket Mode.
    pub app_token: Option<Secret>,
    /// Without a trailing slash; the client appends `/chat.postMessage` and so on.
    pub api_url: String,
    pub limits: Limits,
    /// `slack.group_cache_ttl`: how long a user group's member list is trusted.
    pub group_ttl: Duration,
    /// Slack allows about one message a second per channel; edits of one message are held
    /// to the same pace. A little over a second, so that network jitter between two calls
    /// can never make them arrive closer than a second apart.
    pub post_interval: Duration,
    pub edit_interval: Duration,
    pub retry: RetryPolicy,
    /// Runs executing at once; more wait their turn.
    pub max_running: usize,
    /// Runs waiting for a turn; beyond this a command is refused with a busy message rather
    /// than queued without bound.
    pub max_waiting: usize,
    /// How long a private prompt (a secret typed into a modal) waits for its answer.
    pub prompt_timeout: Duration,
    /// `slack.incident_channel`: where incidents are posted; None turns that off.
    pub incident_channel: Option<String>,
    /// `slack.team_id`: the only workspace acted on; None, any.
    pub team_id: Option<String>,
}

impl SlackConfig {
    pub fn from_section(section: &SlackSection) -> Result<Self, SetupError> {
        let secret = |value: &Option<Secret>, key: &'static str| {
            value
                .clone()
                .filter(|s| !s.is_empty())
                .ok_or(SetupError::Missing(key))
        };
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
        let group_ttl = match section.group_cache_ttl.as_deref().map(str::trim) {
            None | Some("") => super::identity::DEFAULT_GROUP_TTL,
            Some(text) => commands::validate::duration(text)
                .map_err(|_| SetupError::BadGroupTtl(text.to_string()))?,
        };
        Ok(SlackConfig {
            signing_secret: secret(&section.signing_secret, "signing_secret")?,
            bot_token: secret(&section.bot_token, "bot_token")?,
            app_token: section.app_token.clone().filter(|s| !s.is_empty()),
            api_url,
            limits: Limits::default(),
            group_ttl,
            post_interval: Duration::from_millis(1050),
            edit_interval: Duration::from_millis(1050),
            retry: RetryPolicy::default(),
            max_running: 16,
            max_waiting: 5000,
            prompt_timeout: Duration::from_secs(300),
            incident_channel: section
                .incident_channel
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            team_id: section
                .team_id
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
        })
    }
}
