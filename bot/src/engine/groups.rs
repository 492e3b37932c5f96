//! Current group memberships, asked of the chat at every decision point of an approval.
//!
//! A request waits minutes or hours for its approvals; the groups its requester and approvers
//! belonged to when they typed or clicked say nothing about who they are when it runs. So the
//! engine asks the chat again, through a [`GroupLookup`] each chat adapter registers for its
//! platform (`slack`, `discord`). Shell subjects have no groups. A lookup that fails is a
//! refusal: never an older list, so a removed admin cannot keep rights through an outage.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use commands::{Message, msg};
use thiserror::Error;

/// Why a chat could not say which groups someone is in.
#[derive(Debug, Error)]
pub enum GroupLookupError {
    /// The chat's API failed or answered with an error.
    #[error("the chat's API did not answer: {0}")]
    Unavailable(String),
    /// The subject is not one of this chat's (no `PLATFORM:` prefix this lookup knows).
    #[error("{0} is not a subject of this chat")]
    ForeignSubject(String),
}

/// The groups (`slack-group:S…`, `discord-role:…`) a subject of one chat belongs to now, as
/// far as the policy cares: only groups the policy names need be listed.
#[async_trait::async_trait]
pub trait GroupLookup: Send + Sync {
    /// `subject` is the full subject, `slack:U012ABC`.
    async fn groups_of(&self, subject: &str) -> Result<Vec<String>, GroupLookupError>;
}

/// The registered lookups, by platform (the part of a subject before `:`).
#[derive(Default)]
pub(super) struct GroupLookups(RwLock<HashMap<String, Arc<dyn GroupLookup>>>);

impl GroupLookups {
    pub(super) fn register(&self, platform: &str, lookup: Arc<dyn GroupLookup>) {
        let mut lookups = self.0.write().unwrap_or_else(|e| e.into_inner());
        lookups.insert(platform.to_string(), lookup);
    }

    fn get(&self, platform: &str) -> Option<Arc<dyn GroupLookup>> {
        let lookups = self.0.read().unwrap_or_else(|e| e.into_inner());
        lookups.get(platform).cloned()
    }

    /// `subject`'s groups as its chat knows them now, or the sentence that refuses the
    /// decision: the chat could not be asked, or no lookup exists for its platform (this
    /// process cannot know the groups, so it must not guess them).
    pub(super) async fn current(&self, subject: &str) -> Result<Vec<String>, Message> {
        let platform = subject.split_once(':').map_or("", |(p, _)| p);
        if platform == "shell" {
            return Ok(Vec::new());
        }
        let unavailable = || {
            msg!(
                "approval-groups-unavailable",
                subject = subject,
                chat = platform
            )
        };
        let Some(lookup) = self.get(platform) else {
            tracing::warn!(subject, "no group lookup for this chat; refusing");
            return Err(unavailable());
        };
        lookup.groups_of(subject).await.map_err(|e| {
            tracing::warn!(subject, error = %e, "group lookup failed; refusing");
            unavailable()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Result<Vec<String>, ()>);

    #[async_trait::async_trait]
    impl GroupLookup for Fixed {
        async fn groups_of(&self, _: &str) -> Result<Vec<String>, GroupLookupError> {
            self.0
                .clone()
                .map_err(|()| GroupLookupError::Unavailable("down".into()))
        }
    }

    #[tokio::test]
    async fn shell_has_no_groups_and_other_chats_are_asked() {
        let lookups = GroupLookups::default();
        assert_eq!(lookups.current("shell:bob").await.ok(), Some(Vec::new()));
        let groups = vec!["slack-group:S0OPS".to_string()];
        lookups.register("slack", Arc::new(Fixed(Ok(groups.clone()))));
        assert_eq!(lookups.current("slack:U1").await.ok(), Some(groups));
    }

    /// Point 5: a failed lookup, or a chat nobody can ask, refuses rather than guessing.
    #[tokio::test]
    async fn a_failed_or_missing_lookup_refuses() {
        let lookups = GroupLookups::default();
        assert!(lookups.current("discord:1").await.is_err());
        lookups.register("discord", Arc::new(Fixed(Err(()))));
        let refused = lookups.current("discord:1").await.err().map(|m| m.id);
        assert_eq!(refused.as_deref(), Some("approval-groups-unavailable"));
    }
}
