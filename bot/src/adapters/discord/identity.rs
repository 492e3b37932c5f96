//! Who a Discord user is to the policy: subject `discord:USERID`, groups `discord-role:ROLEID`
//! for each role of the invoking member. Discord sends the roles with every interaction, so
//! nothing is looked up or cached. A user no rule names is denied by the engine.

use super::inbound::Interaction;
use crate::engine::Caller;

pub const SUBJECT_PREFIX: &str = "discord:";
pub const GROUP_PREFIX: &str = "discord-role:";

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
