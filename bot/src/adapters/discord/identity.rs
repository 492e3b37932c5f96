//! Who a Discord user is to the policy: subject `discord:USERID`, groups `discord-role:ROLEID`
//! for each role of the invoking member. Discord sends the roles with every interaction, so a
//! command needs no lookup. A user no rule names is denied by the engine.
//!
//! Approvals are decided later, often by someone else: [`MemberRoles`] asks Discord for a
//! member's current roles (`GET /guilds/{guild}/members/{user}` in each guild the bot is in),
//! trusts an answer for `discord.group_cache_ttl` (default 60 s), and never answers from an
//! older list when Discord cannot be asked.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
use tokio::sync::RwLock;

use super::inbound::Interaction;
use super::service::{ApiError, Auth, DiscordApi};
use crate::engine::{Caller, GroupLookup, GroupLookupError};

pub const SUBJECT_PREFIX: &str = "discord:";
pub const GROUP_PREFIX: &str = "discord-role:";

/// `discord.group_cache_ttl` when the configuration does not set it.
pub const DEFAULT_GROUP_TTL: Duration = Duration::from_secs(60);

/// None when the interaction names no user (it then cannot be acted on).
pub fn caller(interaction: &Interaction) -> Option<Caller> {
    let user = interaction.user_id()?;
    Some(Caller {
        subject: format!("{SUBJECT_PREFIX}{user}"),
        groups: interaction
            .roles()
            .iter()
            .map(|r| format!("{GROUP_PREFIX}{r}"))
            .collect(),
    })
}

/// A member's current roles, asked of Discord's REST API.
pub struct MemberRoles {
    api: Arc<DiscordApi>,
    /// `discord-role:…` subjects the policy names: nothing is asked when there are none.
    named: Vec<String>,
    ttl: Duration,
    /// user → (the named roles they hold, when that was learnt).
    cache: RwLock<HashMap<String, (Vec<String>, Instant)>>,
}

impl MemberRoles {
    pub fn new(api: Arc<DiscordApi>, named: Vec<String>, ttl: Duration) -> Self {
        MemberRoles {
            api,
            named,
            ttl,
            cache: RwLock::default(),
        }
    }

    async fn ask(&self, user: &str) -> Result<Vec<String>, ApiError> {
        let guilds = self
            .api
            .call(
                Method::GET,
                "/users/@me/guilds",
                Auth::Bot,
                &Value::Null,
                &[],
            )
            .await?;
        let mut roles = Vec::new();
        for guild in guilds.as_array().into_iter().flatten() {
            let Some(guild) = guild["id"].as_str() else {
                continue;
            };
            let path = format!("/guilds/{guild}/members/{user}");
            let member = match self
                .api
                .call(Method::GET, &path, Auth::Bot, &Value::Null, &[])
                .await
            {
                Ok(member) => member,
                // Not a member of this guild: no roles there.
                Err(ApiError::Status { status: 404, .. }) => continue,
                Err(e) => return Err(e),
            };
            for role in member["roles"].as_array().into_iter().flatten() {
                if let Some(role) = role.as_str() {
                    let group = format!("{GROUP_PREFIX}{role}");
                    if self.named.contains(&group) && !roles.contains(&group) {
                        roles.push(group);
                    }
                }
            }
        }
        Ok(roles)
    }
}

#[async_trait::async_trait]
impl GroupLookup for MemberRoles {
    async fn groups_of(&self, subject: &str) -> Result<Vec<String>, GroupLookupError> {
        let user = subject
            .strip_prefix(SUBJECT_PREFIX)
            .ok_or_else(|| GroupLookupError::ForeignSubject(subject.to_string()))?;
        if self.named.is_empty() {
            return Ok(Vec::new());
        }
        if let Some((roles, at)) = self.cache.read().await.get(user)
            && at.elapsed() < self.ttl
        {
            return Ok(roles.clone());
        }
        match self.ask(user).await {
            Ok(roles) => {
                let entry = (roles.clone(), Instant::now());
                self.cache.write().await.insert(user.to_string(), entry);
                Ok(roles)
            }
            Err(e) => {
                self.cache.write().await.remove(user);
                Err(GroupLookupError::Unavailable(e.to_string()))
            }
        }
    }
}
