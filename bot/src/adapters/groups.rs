//! The chats' group lookups for a process that does not serve them (`opsbot shell`): an
//! approval typed in the terminal still judges Slack and Discord people with the groups their
//! chat gives now, so the shell asks those chats too when the configuration names them.

use std::sync::Arc;

use super::{discord, slack};
use crate::engine::Engine;

/// Registers a lookup for each configured chat. A chat whose section cannot be used is left
/// out (logged): its people's approvals are then refused, never judged with guessed groups.
pub fn register_configured(engine: &Engine) {
    let config = engine.config();
    if let Some(section) = &config.slack {
        let lookup = slack::SlackConfig::from_section(section).and_then(|c| {
            let api = Arc::new(slack::service::SlackApi::new(&c)?);
            let named = config.policy.named_groups("slack-group");
            Ok(slack::identity::Identity::new(api, named, c.group_ttl))
        });
        match lookup {
            Ok(lookup) => engine.register_groups("slack", Arc::new(lookup)),
            Err(e) => tracing::warn!(error = %e, "Slack groups cannot be looked up"),
        }
    }
    if let Some(section) = &config.discord {
        let lookup = discord::DiscordConfig::from_section(section).and_then(|c| {
            let api = Arc::new(discord::service::DiscordApi::new(&c)?);
            let named = config.policy.named_groups("discord-role");
            Ok(discord::identity::MemberRoles::new(api, named, c.group_ttl))
        });
        match lookup {
            Ok(lookup) => engine.register_groups("discord", Arc::new(lookup)),
            Err(e) => tracing::warn!(error = %e, "Discord roles cannot be looked up"),
        }
    }
}
