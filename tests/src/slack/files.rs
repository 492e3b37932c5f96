//! Slack's two-step file upload: `files.getUploadURLExternal` hands out an upload URL (here,
//! `/upload/{file_id}` on this server), the client POSTs the bytes there, and
//! `files.completeUploadExternal` shares the uploaded files in a channel or thread.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Value, json};

use super::server::{ApiRequest, Reply, Shared, fields};
use super::state::{BOT_USER_ID, Message, Revision, State, UploadedFile};

pub(crate) fn get_upload_url(state: &mut State, request: &ApiRequest) -> Reply {
    let name = request.str("filename").ok_or("invalid_arguments")?;
    let length = request
        .str("length")
        .and_then(|l| l.parse::<u64>().ok())
        .or_else(|| request.params.get("length").and_then(Value::as_u64))
        .ok_or("invalid_arguments")?;
    let id = state.next_id("F");
    let upload_url = format!("{}/upload/{id}", state.base_url);
    state.files.push(UploadedFile {
        id: id.clone(),
        name: name.to_string(),
        declared_length: length,
        bytes: Vec::new(),
        uploaded_at: None,
        title: None,
        channel: None,
        thread_ts: None,
        initial_comment: None,
        completed_at: None,
    });
    Ok(fields(json!({"upload_url": upload_url, "file_id": id})))
}

/// The upload URL. Slack takes the raw bytes or a multipart form and answers `OK - <size>` as
/// plain text; no token is needed because the URL itself is the credential.
pub(crate) async fn upload(
    AxumState(shared): AxumState<Shared>,
    Path(file_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let bytes = match multipart_boundary(content_type) {
        Some(boundary) => match multipart_file(&body, &boundary) {
            Some(bytes) => bytes,
            None => return (StatusCode::BAD_REQUEST, "no file part".into()),
        },
        None => body.to_vec(),
    };
    let mut state = shared.lock();
    let Some(file) = state.files.iter_mut().find(|f| f.id == file_id) else {
        return (StatusCode::NOT_FOUND, "file not found".into());
    };
    let size = bytes.len();
    file.bytes = bytes;
    file.uploaded_at = Some(Instant::now());
    (StatusCode::OK, format!("OK - {size}"))
}

pub(crate) fn complete_upload(state: &mut State, request: &ApiRequest) -> Reply {
    let Some(Value::Array(wanted)) = request.json("files") else {
        return Err("invalid_arguments".into());
    };
    // `channels` is a comma-separated list in form bodies and may be an array in JSON ones.
    let channel = request.str("channel_id").map(str::to_string).or_else(|| {
        match request.json("channels")? {
            Value::Array(list) => list.first()?.as_str().map(str::to_string),
            Value::String(csv) => csv.split(',').next().map(str::to_string),
            _ => None,
        }
    });
    let thread_ts = request.str("thread_ts").map(str::to_string);
    let comment = request.str("initial_comment").map(str::to_string);
    let mut ids = Vec::new();
    for entry in &wanted {
        let id = entry.get("id").and_then(Value::as_str).unwrap_or("");
        let uploaded = state
            .files
            .iter()
            .any(|f| f.id == id && f.uploaded_at.is_some());
        if !uploaded {
            return Err("file_not_found".into());
        }
        ids.push((
            id.to_string(),
            entry
                .get("title")
                .and_then(Value::as_str)
                .map(str::to_string),
        ));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut answered = Vec::new();
    for (id, title) in &ids {
        let file = state
            .files
            .iter_mut()
            .find(|f| &f.id == id)
            .expect("checked above");
        file.title = title.clone().or_else(|| Some(file.name.clone()));
        file.channel = channel.clone();
        file.thread_ts = thread_ts.clone();
        file.initial_comment = comment.clone();
        file.completed_at = Some(request.at);
        answered.push(json!({
            "id": file.id, "name": file.name, "title": file.title, "size": file.bytes.len(),
            "created": now, "timestamp": now, "user": BOT_USER_ID,
        }));
    }
    // Sharing in a channel shows as a message there carrying the files (and the comment).
    if let Some(channel) = &channel {
        let ts = state.next_ts();
        let message = Message {
            channel: channel.clone(),
            ts,
            thread_ts,
            user: BOT_USER_ID.to_string(),
            visible_to: None,
            text: comment.clone(),
            blocks: None,
            attachments: None,
            files: ids.into_iter().map(|(id, _)| id).collect(),
            history: vec![Revision {
                at: request.at,
                text: comment,
                blocks: None,
                attachments: None,
            }],
        };
        state
            .messages
            .entry(channel.clone())
            .or_default()
            .push(message);
    }
    Ok(fields(json!({ "files": answered })))
}

fn multipart_boundary(content_type: &str) -> Option<String> {
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    content_type.split(';').find_map(|part| {
        let value = part.trim().strip_prefix("boundary=")?;
        Some(value.trim_matches('"').to_string())
    })
}

/// The content of the first part that carries a file (a `filename`), else of the first part.
fn multipart_file(body: &[u8], boundary: &str) -> Option<Vec<u8>> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(start) = find(rest, &delimiter) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let end = find(rest, &delimiter).unwrap_or(rest.len());
        let part = rest[..end].strip_prefix(b"\r\n").unwrap_or(&rest[..end]);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let split = find(part, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&part[..split]).to_lowercase();
        parts.push((head, part[split + 4..].to_vec()));
    }
    let index = parts
        .iter()
        .position(|(head, _)| head.contains("filename="))
        .unwrap_or(0);
    parts.into_iter().nth(index).map(|(_, content)| content)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
