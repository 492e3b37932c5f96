//! Who a Slack user is to the policy: subject `slack:USERID`, and the user groups
//! (`slack-group:ID`) the policy names that they belong to.
//!
//! Only the groups the policy names are looked up (`Policy::named_groups`), through
//! `usergroups.users.list`, and each list is cached for a while: group changes take effect
//! within the TTL. A lookup that fails keeps the last known list (logged); with none, the user
//! is taken not to be a member, so a Slack outage can only narrow what someone may do.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, RwLock};

use super::service::SlackApi;
use crate::engine::Caller;

pub const GROUP_PREFIX: &str = "slack-group:";

/// How soon a group whose members could not be learnt at all is asked about again.
const RETRY_UNKNOWN: Duration = Duration::from_secs(30);

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

    pub async fn caller(&self, user: &str) -> Caller {
        let mut groups = Vec::new();
        for group in &self.groups {
            if self.is_member(group, user).await {
                groups.push(format!("{GROUP_PREFIX}{group}"));
            }
        }
        Caller {
            subject: format!("slack:{user}"),
            groups,
        }
    }

    async fn is_member(&self, group: &str, user: &str) -> bool {
        if let Some(answer) = self.cached(group, user, false).await {
            return answer;
        }
        let _one = self.refreshing.lock().await;
        // Someone else may have refreshed while this waited.
        if let Some(answer) = self.cached(group, user, false).await {
            return answer;
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
                member
            }
            Err(e) => {
                tracing::warn!(group, error = %e, "user group lookup failed; using the last known members");
                if let Some(answer) = self.cached(group, user, true).await {
                    return answer;
                }
                // Nothing known: no members, for a short while, so that a group Slack does not
                // know (or an outage) does not cost a lookup per command.
                let none = Members {
                    users: HashSet::new(),
                    fetched: Instant::now() - self.ttl.saturating_sub(RETRY_UNKNOWN),
                };
                self.cache.write().await.insert(group.to_string(), none);
                false
            }
        }
    }

    /// The cached answer, if there is one young enough (or any, when `stale_ok`).
    async fn cached(&self, group: &str, user: &str, stale_ok: bool) -> Option<bool> {
        let cache = self.cache.read().await;
        let members = cache.get(group)?;
        (stale_ok || members.fetched.elapsed() < self.ttl).then(|| members.users.contains(user))
    }
}
