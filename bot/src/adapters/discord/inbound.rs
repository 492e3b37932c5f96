//! The parts of an interaction the bot reads. Parsed leniently (unknown fields ignored), after
//! the signature check, so a Discord that adds fields does not break the endpoint.

use commands::Secret;
use serde::Deserialize;
use serde_json::Value;

use super::slash;

/// Interaction types (Discord's numbers).
pub const PING: u8 = 1;
pub const APPLICATION_COMMAND: u8 = 2;
pub const MESSAGE_COMPONENT: u8 = 3;
pub const AUTOCOMPLETE: u8 = 4;
pub const MODAL_SUBMIT: u8 = 5;

#[derive(Clone, Debug, Deserialize)]
pub struct Interaction {
    #[serde(rename = "type")]
    pub kind: u8,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub application_id: String,
    #[serde(default)]
    pub token: String,
    pub channel_id: Option<String>,
    /// The guild it came from; None in a DM.
    pub guild_id: Option<String>,
    /// In a guild: the member (with roles); in a DM only `user`.
    pub member: Option<Member>,
    pub user: Option<User>,
    pub data: Option<Data>,
    /// For a component: the message it is on.
    pub message: Option<MessageRef>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Member {
    pub user: Option<User>,
    #[serde(default)]
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct User {
    pub id: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Data {
    pub name: Option<String>,
    #[serde(default)]
    pub options: Vec<CommandOption>,
    pub custom_id: Option<String>,
    /// A submitted modal's action rows, with what was typed.
    #[serde(default)]
    pub components: Vec<Row>,
}

/// An action row of a submitted modal.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Row {
    #[serde(default)]
    pub components: Vec<Input>,
}

/// A text input of a submitted modal. Its value may be a secret (a prompt's answer), so it
/// is kept in a [`Secret`] and never reaches a log through `{:?}`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Input {
    pub custom_id: Option<String>,
    pub value: Option<Secret>,
}

impl Data {
    /// What was typed into the modal's input `custom_id`.
    pub fn input(&self, custom_id: &str) -> Option<&Secret> {
        self.components
            .iter()
            .flat_map(|row| &row.components)
            .find(|input| input.custom_id.as_deref() == Some(custom_id))
            .and_then(|input| input.value.as_ref())
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct CommandOption {
    pub name: String,
    /// 1 subcommand, 2 group, 3 string, 4 integer, 5 boolean…
    #[serde(rename = "type", default)]
    pub kind: u8,
    pub value: Option<Value>,
    #[serde(default)]
    pub focused: bool,
    #[serde(default)]
    pub options: Vec<CommandOption>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct MessageRef {
    pub id: String,
    pub channel_id: Option<String>,
}

impl Interaction {
    pub fn from_body(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// The invoking user's id: the member's in a guild, the user's in a DM.
    pub fn user_id(&self) -> Option<&str> {
        self.member
            .as_ref()
            .and_then(|m| m.user.as_ref())
            .or(self.user.as_ref())
            .map(|u| u.id.as_str())
    }

    pub fn roles(&self) -> &[String] {
        self.member.as_ref().map_or(&[], |m| m.roles.as_slice())
    }

    /// The command line: the free text of `/ops-line` (or of the single-option `/ops`
    /// registered by earlier versions), or the words typed options stand for.
    pub fn line(&self) -> Option<String> {
        let data = self.data.as_ref()?;
        // Only at the top: a generated subcommand may have an argument of the same name.
        if let Some(text) = data
            .options
            .iter()
            .find(|o| o.name == slash::LINE_OPTION)
            .and_then(|o| o.value.as_ref())
            .and_then(Value::as_str)
        {
            return Some(text.to_string());
        }
        let name = data.name.as_deref()?;
        let (entry, options) = slash::chosen(name, &data.options)?;
        Some(slash::line(entry, options))
    }

    /// The focused option of an autocomplete request and what is typed in it.
    pub fn focused(&self) -> Option<(&CommandOption, String)> {
        let data = self.data.as_ref()?;
        let option = find_focused(&data.options)?;
        let text = match option.value.as_ref()? {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Some((option, text))
    }
}

fn find_focused(options: &[CommandOption]) -> Option<&CommandOption> {
    options.iter().find_map(|o| {
        if o.focused {
            Some(o)
        } else {
            find_focused(&o.options)
        }
    })
}
