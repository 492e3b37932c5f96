//! `opsbot discord register [--guild ID]`: puts `/ops` in place through the API, as one slash
//! command whose single required `command` option is the whole line, in the same language as
//! the shell (with cluster autocomplete). Bulk overwrite (PUT), so running it again is safe.

use reqwest::Method;
use serde_json::Value;
use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

use super::service::{ApiError, Auth, DiscordApi};

/// The command as registered.
pub fn ops_command() -> CreateCommand {
    CreateCommand::new("ops")
        .description("Run an opsbot command (the same language as opsbot shell)")
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::String,
                "command",
                "The command line, as in opsbot shell (try: help)",
            )
            .required(true)
            .set_autocomplete(true),
        )
}

/// Registers `/ops` globally, or in one guild (available at once there). The registered
/// commands as Discord returns them.
pub async fn register(api: &DiscordApi, guild: Option<&str>) -> Result<Value, ApiError> {
    let app = &api.application_id;
    let path = match guild {
        Some(guild) => format!("/applications/{app}/guilds/{guild}/commands"),
        None => format!("/applications/{app}/commands"),
    };
    let body = serde_json::to_value(vec![ops_command()]).unwrap_or(Value::Null);
    api.call(Method::PUT, &path, Auth::Bot, &body, &[]).await
}
