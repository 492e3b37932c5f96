//! Who a Slack user is to the policy: subject `slack:USERID`, and the user groups
//! (`slack-group:ID`) the policy names that they belong to.
//!
//! Only the groups the policy names are looked up (`Policy::named_groups`), through
//! `usergroups.users.list`, and each list is cached for `slack.group_cache_ttl` (default 60 s):
//! group changes take effect within that time. A lookup that fails is never answered from an
//! older list: a removed admin must not keep rights through a Slack outage. For a command the
//! user then counts as in none of the groups (so an outage can only narrow what someone may
//! do); at an approval's decision points the engine asks again through [`GroupLookup`] and
//! refuses, saying Slack could not be asked.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, RwLock};

use super::service::SlackApi;
use crate::engine::{Caller, GroupLookup, GroupLookupError};

pub const GROUP_PREFIX: &str = "slack-group:";
pub const SUBJECT_PREFIX: &str = "slack:";

/// `slack.group_cache_ttl` when the configuration does not set it.
pub const DEFAULT_GROUP_TTL: Duration = Duration::from_secs(60);

pub struct Identity {
    api: Arc<SlackApi>,
    /// Group ids (without the prefix) the policy names.
    groups: Vec<String>,
    ttl: Duration,
    cache: RwLock<HashMap<String, Members>>,
    /// One refresh at a time, so a burst of commands costs one lookup per group.
    refreshing: Mutex<()>,
}

struct Members {
    users: HashSet<String>,
    fetched: Instant,
}

impl Identity {
    /// `named` are the policy's group subjects, `slack-group:S…`.
    pub fn new(api: Arc<SlackApi>, named: Vec<String>, ttl: Duration) -> Self {
        let groups = named
            .iter()
            .filter_map(|g| g.strip_prefix(GROUP_PREFIX))
            .map(str::to_string)
            .collect();
        Identity {
            api,
            groups,
            ttl,
            cache: RwLock::default(),
            refreshing: Mutex::default(),
        }
    }

    /// The caller of a command. A failed lookup leaves the user in no group (logged).
    pub async fn caller(&self, user: &str) -> Caller {
        let groups = match self.groups_of_user(user).await {
            Ok(groups) => groups,
            Err(e) => {
                tracing::warn!(user, error = %e, "user group lookup failed; counting no groups");
                Vec::new()
            }
        };
        Caller {
            subject: format!("{SUBJECT_PREFIX}{user}"),
            groups,
        }
    }

    /// The policy-named groups `user` is in now (within the cache's time to live).
    pub async fn groups_of_user(&self, user: &str) -> Result<Vec<String>, GroupLookupError> {
        let mut groups = Vec::new();
        for group in &self.groups {
            if self.is_member(group, user).await? {
                groups.push(format!("{GROUP_PREFIX}{group}"));
            }
        }
        Ok(groups)
    }

    async fn is_member(&self, group: &str, user: &str) -> Result<bool, GroupLookupError> {
        if let Some(answer) = self.cached(group, user).await {
            return Ok(answer);
        }
        let _one = self.refreshing.lock().await;
        // Someone else may have refreshed while this waited.
        if let Some(answer) = self.cached(group, user).await {
            return Ok(answer);
        }
        match self.api.usergroup_members(group).await {
            Ok(users) => {
                let users: HashSet<String> = users.into_iter().collect();
                let member = users.contains(user);
                let fresh = Members {
                    users,
                    fetched: Instant::now(),
                };
                self.cache.write().await.insert(group.to_string(), fresh);
                Ok(member)
            }
            Err(e) => {
                // The old list is dropped too: past its time it says nothing about today.
                self.cache.write().await.remove(group);
                Err(GroupLookupError::Unavailable(format!(
                    "usergroups.users.list {group}: {e}"
                )))
            }
        }
    }

    /// The cached answer, if there is one young enough.
    async fn cached(&self, group: &str, user: &str) -> Option<bool> {
        let cache = self.cache.read().await;
        let members = cache.get(group)?;
        (members.fetched.elapsed() < self.ttl).then(|| members.users.contains(user))
    }
}

#[async_trait::async_trait]
impl GroupLookup for Identity {
    async fn groups_of(&self, subject: &str) -> Result<Vec<String>, GroupLookupError> {
        let user = subject
            .strip_prefix(SUBJECT_PREFIX)
            .ok_or_else(|| GroupLookupError::ForeignSubject(subject.to_string()))?;
        self.groups_of_user(user).await
    }
}
