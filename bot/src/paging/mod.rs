//! Paging: the emergency contacts table (RUNBOOK §6.4) made to call people.
//!
//! An incident is opened once per key and stored; every message it causes (a PagerDuty
//! trigger, an email, the incident channel's post and its updates) is a row of a durable
//! outbox, written before it is sent and retried with backoff until delivered. Pagers and
//! chats sit behind [`Pager`] and [`IncidentChannel`].

mod channel;
mod desk;
mod head_post;
pub mod outbox;
mod pager;
pub mod pagers;
pub mod text;

pub use channel::{IncidentChannel, IncidentState, IncidentView};
pub use desk::{Desk, Moved, WATCHER};
pub use head_post::{post_head, start_head_posts};
pub use pager::{Page, PageAction, Pager, SendError};

use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::i18n::Localizer;
use crate::store::{DeliveryState, Store};

/// The outbox's names of the chats (what their [`IncidentChannel::target`] says).
pub const SLACK: &str = "slack";
pub const DISCORD: &str = "discord";

/// The desk for this configuration, or `None` when there is no contacts table.
///
/// # Errors
/// A pager the table uses cannot be built (a `[paging]` key is missing or malformed).
pub fn setup(
    config: &Config,
    store: Arc<dyn Store>,
) -> Result<Option<Arc<Desk>>, pagers::PagerSetupError> {
    let contacts = &config.settings.contacts;
    if contacts.is_empty() {
        return Ok(None);
    }
    let mut redactor = text::Redactor::for_paging(config.paging.as_ref(), contacts);
    // The chats' own credentials must not reach a pager or the incident channel either.
    for chat_secret in [
        config.slack.as_ref().and_then(|s| s.bot_token.as_ref()),
        config
            .slack
            .as_ref()
            .and_then(|s| s.signing_secret.as_ref()),
        config.slack.as_ref().and_then(|s| s.app_token.as_ref()),
        config.discord.as_ref().and_then(|d| d.bot_token.as_ref()),
    ]
    .into_iter()
    .flatten()
    {
        redactor.add(chat_secret.expose());
    }
    let pagers = pagers::from_config_with(config.paging.as_ref(), contacts, &redactor)?;
    let desk = Desk::new(
        store,
        contacts.clone(),
        pagers,
        Localizer::new(config.locale),
        redactor,
        config.watchers.clone(),
    );
    let named = |channel: Option<&String>| channel.is_some_and(|c| !c.trim().is_empty());
    if config
        .slack
        .as_ref()
        .is_some_and(|s| named(s.incident_channel.as_ref()))
    {
        desk.expect_chat(SLACK);
    }
    if config
        .discord
        .as_ref()
        .is_some_and(|d| named(d.incident_channel.as_ref()))
    {
        desk.expect_chat(DISCORD);
    }
    Ok(Some(Arc::new(desk)))
}

/// Starts sending the outbox as `owner` until the process ends.
pub fn start_outbox(desk: Arc<Desk>, owner: String, config: &Config) {
    let backoff = config
        .paging
        .as_ref()
        .map(crate::config::PagingSection::backoff)
        .unwrap_or_default();
    tokio::spawn(outbox::run(desk, owner, backoff));
}

impl Desk {
    /// The pagers and chats this process can send to.
    pub(super) fn deliverable(&self) -> Vec<&'static str> {
        let mut targets: Vec<&'static str> = self.pagers.iter().map(|p| p.target()).collect();
        targets.extend(self.channels().iter().map(|c| c.target()));
        targets
    }

    /// Whether this process has the pager or chat that `target` names.
    fn delivers(&self, target: &str) -> bool {
        self.deliverable().contains(&target)
    }

    /// Waits, up to `limit`, until nothing in the outbox is waiting to be sent: a short-lived
    /// `opsbot shell` lets its pages go out before it exits. What is left is sent by the next
    /// opsbot that runs on this state.
    pub async fn drain(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let pending = match self.store.deliveries(None, 200).await {
                Ok(rows) => rows
                    .iter()
                    .any(|d| d.state == DeliveryState::Pending && self.delivers(&d.target)),
                Err(_) => false,
            };
            if !pending {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[cfg(test)]
mod tests;
