//! `opsbot discord register [--guild ID]`: puts the slash commands in place through the API:
//! `/ops` with a subcommand per form of the command language ([`super::slash`]) and
//! `/ops-line` for the whole line as text. Bulk overwrite (PUT), so running it again is safe
//! and removes commands no longer generated.

use reqwest::Method;
use serde_json::Value;

use super::service::{ApiError, Auth, DiscordApi};
use super::slash;

/// Registers the commands globally, or in one guild (available at once there), with the
/// configured `clusters` as the cluster option's choices. The registered commands as Discord
/// returns them.
pub async fn register(
    api: &DiscordApi,
    guild: Option<&str>,
    clusters: &[String],
) -> Result<Value, ApiError> {
    let app = &api.application_id;
    let path = match guild {
        Some(guild) => format!("/applications/{app}/guilds/{guild}/commands"),
        None => format!("/applications/{app}/commands"),
    };
    let body = Value::Array(slash::definitions(clusters));
    api.call(Method::PUT, &path, Auth::Bot, &body, &[]).await
}
