//! Discord's rules for application commands, checked on registration as Discord checks them,
//! so that a definition the real API would refuse is refused here too (400, with the first
//! broken rule and where).
//!
//! From the API reference: names match `^[-_\p{L}\p{N}]{1,32}$` and are lowercase (chat input
//! commands), descriptions are 1–100 characters, a command or group holds at most 25
//! options, subcommands sit at most two levels deep, required options come before optional
//! ones, choices are at most 25 and exclude autocomplete, and names are unique per level.

use serde_json::Value;

const SUB_COMMAND: u64 = 1;
const SUB_COMMAND_GROUP: u64 = 2;

/// The first rule `commands` (a PUT body) breaks, with its place.
pub fn commands(commands: &Value) -> Result<(), String> {
    let list = commands.as_array().ok_or("the body is not an array")?;
    if list.len() > 100 {
        return Err(format!("{} commands (at most 100)", list.len()));
    }
    unique(list, "commands")?;
    for command in list {
        let name = command["name"].as_str().unwrap_or_default();
        described(command, name)?;
        options(command, name, 0)?;
    }
    Ok(())
}

fn valid_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=32).contains(&count)
        && name
            .chars()
            .all(|c| c == '-' || c == '_' || c.is_alphanumeric())
        && name.to_lowercase() == name
}

fn described(item: &Value, at: &str) -> Result<(), String> {
    let name = item["name"].as_str().unwrap_or_default();
    if !valid_name(name) {
        return Err(format!("{at}: name {name:?} is not a valid command name"));
    }
    let check = |text: &str, what: &str| {
        let count = text.chars().count();
        if (1..=100).contains(&count) {
            Ok(())
        } else {
            Err(format!("{at}: {what} has {count} characters (1-100)"))
        }
    };
    check(
        item["description"].as_str().unwrap_or_default(),
        "description",
    )?;
    if let Some(localized) = item["description_localizations"].as_object() {
        for (locale, text) in localized {
            check(
                text.as_str().unwrap_or_default(),
                &format!("description ({locale})"),
            )?;
        }
    }
    Ok(())
}

fn unique(items: &[Value], at: &str) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for item in items {
        let name = item["name"].as_str().unwrap_or_default();
        if !seen.insert(name) {
            return Err(format!("{at}: the name {name:?} is used twice"));
        }
    }
    Ok(())
}

/// The options of a command (depth 0), a group (1) or a subcommand (2).
fn options(parent: &Value, at: &str, depth: usize) -> Result<(), String> {
    let Some(list) = parent["options"].as_array() else {
        return Ok(());
    };
    if list.len() > 25 {
        return Err(format!("{at}: {} options (at most 25)", list.len()));
    }
    unique(list, at)?;
    let mut optional_seen = false;
    for option in list {
        let name = option["name"].as_str().unwrap_or_default();
        let here = format!("{at}.{name}");
        described(option, &here)?;
        let kind = option["type"].as_u64().unwrap_or(0);
        match kind {
            SUB_COMMAND_GROUP if depth == 0 => options(option, &here, 1)?,
            SUB_COMMAND if depth <= 1 => options(option, &here, 2)?,
            SUB_COMMAND | SUB_COMMAND_GROUP => {
                return Err(format!("{here}: subcommands nest at most two levels"));
            }
            3..=11 => {
                let required = option["required"].as_bool().unwrap_or(false);
                if required && optional_seen {
                    return Err(format!("{here}: a required option after an optional one"));
                }
                optional_seen |= !required;
                let choices = option["choices"].as_array().map_or(0, Vec::len);
                if choices > 25 {
                    return Err(format!("{here}: {choices} choices (at most 25)"));
                }
                if choices > 0 && option["autocomplete"].as_bool() == Some(true) {
                    return Err(format!("{here}: choices and autocomplete together"));
                }
            }
            other => return Err(format!("{here}: unknown option type {other}")),
        }
    }
    let kinds: Vec<u64> = list
        .iter()
        .map(|o| o["type"].as_u64().unwrap_or(0))
        .collect();
    let subs = kinds.iter().filter(|k| **k <= 2).count();
    if subs != 0 && subs != kinds.len() {
        return Err(format!("{at}: subcommands mixed with other options"));
    }
    Ok(())
}
