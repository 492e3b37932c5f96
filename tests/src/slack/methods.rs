//! Web API methods other than files and Socket Mode, with Slack's documented answers and
//! errors. Every channel exists (the bot is taken to be in all of them); users and user groups
//! exist once a test adds them.

use serde_json::{Value, json};

use super::server::{ApiRequest, Reply, fields};
use super::state::{
    APP_ID, BOT_ID, BOT_NAME, BOT_USER_ID, Message, Revision, State, TEAM_ID, TEAM_NAME, TEAM_URL,
    View, fixed_tz_offset,
};

/// Slack truncates past this and refuses far beyond; refusing at the limit keeps bots honest.
const MAX_TEXT: usize = 40_000;
/// Block Kit limits that Slack enforces with `invalid_blocks`.
const MAX_BLOCKS: usize = 50;
const MAX_SECTION_TEXT: usize = 3_000;
const MAX_HEADER_TEXT: usize = 150;

/// Answers a method, or None if the emulator does not know it (`unknown_method`).
pub(crate) fn dispatch(state: &mut State, method: &str, request: &ApiRequest) -> Option<Reply> {
    Some(match method {
        "auth.test" => Ok(fields(json!({
            "url": TEAM_URL, "team": TEAM_NAME, "user": BOT_NAME, "team_id": TEAM_ID,
            "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": false,
        }))),
        "chat.postMessage" => post_message(state, request),
        "chat.postEphemeral" => post_ephemeral(state, request),
        "chat.update" => update(state, request),
        "chat.delete" => delete(state, request),
        "conversations.info" => conversation_info(state, request),
        "users.info" => user_info(state, request),
        "usergroups.users.list" => usergroup_users(state, request),
        "views.open" => views_open(state, request),
        "views.update" => views_update(state, request),
        _ => return None,
    })
}

/// The content fields of a post or an update, checked as Slack checks them.
struct Content {
    text: Option<String>,
    blocks: Option<Value>,
    attachments: Option<Value>,
}

fn content(request: &ApiRequest) -> Result<Content, String> {
    // `markdown_text` is Slack's newer alternative to `text`; it may not come with it.
    let markdown = request.str("markdown_text");
    if markdown.is_some() && request.str("text").is_some() {
        return Err("markdown_text_conflict".into());
    }
    let text = request.str("text").or(markdown).map(str::to_string);
    let blocks = request.json("blocks");
    let attachments = request.json("attachments");
    if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
        return Err("msg_too_long".into());
    }
    if let Some(blocks) = &blocks {
        check_blocks(blocks)?;
    }
    if attachments.as_ref().is_some_and(|a| !a.is_array()) {
        return Err("invalid_attachments".into());
    }
    Ok(Content {
        text,
        blocks,
        attachments,
    })
}

fn check_blocks(blocks: &Value) -> Result<(), String> {
    let invalid = || Err("invalid_blocks".to_string());
    let Some(list) = blocks.as_array() else {
        return Err("invalid_blocks_format".into());
    };
    if list.len() > MAX_BLOCKS {
        return invalid();
    }
    for block in list {
        let Some(kind) = block.get("type").and_then(Value::as_str) else {
            return invalid();
        };
        let text_len = block
            .pointer("/text/text")
            .and_then(Value::as_str)
            .map(|t| t.chars().count());
        match (kind, text_len) {
            ("section", Some(n)) if n > MAX_SECTION_TEXT => return invalid(),
            ("header", Some(n)) if n > MAX_HEADER_TEXT => return invalid(),
            ("header", None) => return invalid(),
            _ => {}
        }
    }
    Ok(())
}

/// A message as Slack echoes it in answers.
fn message_json(m: &Message) -> Value {
    let mut v = json!({
        "type": "message", "user": m.user, "bot_id": BOT_ID, "app_id": APP_ID,
        "team": TEAM_ID, "ts": m.ts,
        "text": m.text.clone().unwrap_or_default(),
    });
    let extra = [
        ("blocks", m.blocks.clone()),
        ("attachments", m.attachments.clone()),
        ("thread_ts", m.thread_ts.clone().map(Value::String)),
    ];
    for (key, value) in extra {
        if let Some(value) = value {
            v[key] = value;
        }
    }
    if m.history.len() > 1 {
        v["edited"] = json!({"user": m.user, "ts": m.ts});
    }
    v
}

fn new_message(state: &mut State, request: &ApiRequest, channel: &str) -> Result<Message, String> {
    let content = content(request)?;
    if content.text.is_none() && content.blocks.is_none() && content.attachments.is_none() {
        return Err("no_text".into());
    }
    let revision = Revision {
        at: request.at,
        text: content.text.clone(),
        blocks: content.blocks.clone(),
        attachments: content.attachments.clone(),
    };
    Ok(Message {
        channel: channel.to_string(),
        ts: state.next_ts(),
        thread_ts: request.str("thread_ts").map(str::to_string),
        user: BOT_USER_ID.to_string(),
        visible_to: None,
        text: content.text,
        blocks: content.blocks,
        attachments: content.attachments,
        files: Vec::new(),
        history: vec![revision],
    })
}

fn post_message(state: &mut State, request: &ApiRequest) -> Reply {
    let channel = request.str("channel").ok_or("channel_not_found")?;
    let message = new_message(state, request, channel)?;
    let reply = json!({"channel": channel, "ts": message.ts, "message": message_json(&message)});
    state
        .messages
        .entry(channel.to_string())
        .or_default()
        .push(message);
    Ok(fields(reply))
}

fn post_ephemeral(state: &mut State, request: &ApiRequest) -> Reply {
    let channel = request.str("channel").ok_or("channel_not_found")?;
    let user = request.str("user").ok_or("user_not_in_channel")?;
    let mut message = new_message(state, request, channel)?;
    message.visible_to = Some(user.to_string());
    let reply = json!({"message_ts": message.ts});
    state.ephemerals.push(message);
    Ok(fields(reply))
}

fn update(state: &mut State, request: &ApiRequest) -> Reply {
    let channel = request.str("channel").ok_or("channel_not_found")?;
    let ts = request.str("ts").ok_or("message_not_found")?;
    let content = content(request)?;
    let message = state.find_message(channel, ts).ok_or("message_not_found")?;
    // Slack keeps what an update leaves out: blocks stay unless replaced (`[]` removes them).
    if content.text.is_some() {
        message.text = content.text;
    }
    if content.blocks.is_some() {
        message.blocks = content.blocks;
    }
    if content.attachments.is_some() {
        message.attachments = content.attachments;
    }
    message.history.push(Revision {
        at: request.at,
        text: message.text.clone(),
        blocks: message.blocks.clone(),
        attachments: message.attachments.clone(),
    });
    Ok(fields(json!({
        "channel": channel, "ts": ts, "text": message.text.clone().unwrap_or_default(),
        "message": message_json(message),
    })))
}

fn delete(state: &mut State, request: &ApiRequest) -> Reply {
    let channel = request.str("channel").ok_or("channel_not_found")?;
    let ts = request.str("ts").ok_or("message_not_found")?;
    let messages = state.messages.get_mut(channel).ok_or("message_not_found")?;
    let index = messages
        .iter()
        .position(|m| m.ts == ts)
        .ok_or("message_not_found")?;
    messages.remove(index);
    Ok(fields(json!({"channel": channel, "ts": ts})))
}

fn conversation_info(state: &mut State, request: &ApiRequest) -> Reply {
    let id = request.str("channel").ok_or("channel_not_found")?;
    let name = state
        .channel_names
        .get(id)
        .cloned()
        .unwrap_or_else(|| id.to_lowercase());
    let private = id.starts_with('G');
    let im = id.starts_with('D');
    Ok(fields(json!({"channel": {
        "id": id, "name": name, "name_normalized": name, "created": 1_700_000_000,
        "creator": BOT_USER_ID, "is_channel": !private && !im, "is_group": private,
        "is_im": im, "is_private": private || im, "is_archived": false, "is_general": false,
        "is_shared": false, "is_org_shared": false, "is_member": true, "is_mpim": false,
    }})))
}

fn user_info(state: &mut State, request: &ApiRequest) -> Reply {
    let id = request.str("user").ok_or("user_not_found")?;
    let (name, tz) = state.users.get(id).ok_or("user_not_found")?;
    let mut user = json!({
        "id": id, "team_id": TEAM_ID, "name": name, "real_name": name, "deleted": false,
        "tz": tz, "tz_label": tz, "is_bot": false, "is_admin": false, "is_owner": false,
        "is_app_user": false,
        "profile": {"display_name": name, "real_name": name, "team": TEAM_ID},
    });
    if let Some(offset) = fixed_tz_offset(tz) {
        user["tz_offset"] = json!(offset);
    }
    Ok(fields(json!({ "user": user })))
}

fn usergroup_users(state: &mut State, request: &ApiRequest) -> Reply {
    let id = request.str("usergroup").ok_or("no_such_subteam")?;
    let users = state.usergroups.get(id).ok_or("no_such_subteam")?;
    Ok(fields(json!({ "users": users })))
}

/// The view as Slack returns it: what the app sent plus the state Slack keeps.
pub(crate) fn view_json(view: &View) -> Value {
    let mut v = view.view.clone();
    let extra = json!({
        "id": view.id, "team_id": TEAM_ID, "app_id": APP_ID, "bot_id": BOT_ID,
        "hash": view.hash, "state": {"values": {}}, "root_view_id": view.id,
        "previous_view_id": null, "external_id": view.external_id.clone().unwrap_or_default(),
        "private_metadata": v.get("private_metadata").cloned().unwrap_or(json!("")),
        "callback_id": v.get("callback_id").cloned().unwrap_or(json!("")),
    });
    if let (Some(v), Value::Object(extra)) = (v.as_object_mut(), extra) {
        v.extend(extra);
    }
    v
}

fn view_param(request: &ApiRequest) -> Result<Value, String> {
    let view = request.json("view").ok_or("invalid_arguments")?;
    if !view.is_object() || view.get("type").and_then(Value::as_str).is_none() {
        return Err("invalid_arguments".into());
    }
    if let Some(blocks) = view.get("blocks") {
        check_blocks(blocks)?;
    }
    Ok(view)
}

fn views_open(state: &mut State, request: &ApiRequest) -> Reply {
    let trigger_id = request.str("trigger_id").ok_or("invalid_arguments")?;
    // A trigger_id opens one view; Slack refuses it the second time.
    if state
        .views
        .iter()
        .any(|v| v.trigger_id.as_deref() == Some(trigger_id))
    {
        return Err("exchanged_trigger_id".into());
    }
    let view = view_param(request)?;
    let id = state.next_id("V");
    let hash = state.next_ts();
    let opened = View {
        id,
        trigger_id: Some(trigger_id.to_string()),
        external_id: view
            .get("external_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        hash,
        history: vec![(request.at, view.clone())],
        view,
    };
    let reply = json!({"view": view_json(&opened)});
    state.views.push(opened);
    Ok(fields(reply))
}

fn views_update(state: &mut State, request: &ApiRequest) -> Reply {
    let view = view_param(request)?;
    let by_id = request.str("view_id");
    let by_external = request.str("external_id");
    if by_id.is_none() && by_external.is_none() {
        return Err("invalid_arguments".into());
    }
    let hash = state.next_ts();
    let stored = state
        .views
        .iter_mut()
        .find(|v| {
            by_id.is_some_and(|id| v.id == id)
                || by_external.is_some_and(|x| v.external_id.as_deref() == Some(x))
        })
        .ok_or("not_found")?;
    // Slack's optimistic lock: an update made against an old hash is refused.
    if request.str("hash").is_some_and(|h| h != stored.hash) {
        return Err("hash_conflict".into());
    }
    stored.view = view.clone();
    stored.hash = hash;
    stored.history.push((request.at, view));
    Ok(fields(json!({"view": view_json(stored)})))
}
