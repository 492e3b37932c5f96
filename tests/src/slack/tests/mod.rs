//! The emulator driven over real HTTP and websockets, as the bot's client drives it. Web API
//! tests here; Socket Mode and request signing in `socket.rs`; the small clients in `client.rs`.

mod client;
mod socket;

use serde_json::{Value, json};

use super::*;
use client::{APP_TOKEN, BOT_TOKEN, auth, get, post_json, request, request_raw, url};

#[test]
fn posted_message_is_updated_in_place_and_keeps_its_edit_history() {
    let slack = SlackServer::start();
    let posted = post_json(
        &slack,
        "chat.postMessage",
        json!({"channel": "C1", "text": "v1"}),
    );
    assert_eq!(posted["ok"], true, "{posted}");
    assert_eq!(posted["channel"], "C1");
    assert_eq!(posted["message"]["text"], "v1");
    let ts = posted["ts"].as_str().unwrap().to_string();

    let blocks = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*v2*"}}]);
    let body = json!({"channel": "C1", "ts": ts, "text": "v2", "blocks": blocks});
    let updated = post_json(&slack, "chat.update", body);
    assert_eq!(updated["ok"], true, "{updated}");
    assert_eq!(updated["ts"], ts.as_str());
    let body = json!({"channel": "C1", "ts": ts, "text": "v3"});
    assert_eq!(post_json(&slack, "chat.update", body)["ok"], true);

    let messages = slack.messages("C1");
    assert_eq!(messages.len(), 1, "an update must not add a message");
    let message = &messages[0];
    assert_eq!(message.text.as_deref(), Some("v3"));
    assert_eq!(
        message.blocks,
        Some(blocks),
        "blocks left out of an update are kept"
    );
    let texts: Vec<_> = message.history.iter().map(|r| r.text.as_deref()).collect();
    assert_eq!(texts, [Some("v1"), Some("v2"), Some("v3")]);
    assert_eq!(message.edits().len(), 2);
    assert!(message.edits()[0].at >= message.posted_at());
    assert!(message.edits()[1].at >= message.edits()[0].at);
}

#[test]
fn updating_an_unknown_ts_is_message_not_found() {
    let slack = SlackServer::start();
    let ts = post_json(
        &slack,
        "chat.postMessage",
        json!({"channel": "C1", "text": "x"}),
    )["ts"]
        .clone();
    let wrong_ts = json!({"channel": "C1", "ts": "1.000001", "text": "y"});
    let wrong_channel = json!({"channel": "C2", "ts": ts, "text": "y"});
    for body in [wrong_ts, wrong_channel] {
        let reply = request("POST", &url(&slack, "chat.update"), &auth(BOT_TOKEN), &body);
        assert_eq!(reply.status, 200, "Slack answers ok:false with HTTP 200");
        assert_eq!(
            reply.json(),
            json!({"ok": false, "error": "message_not_found"})
        );
    }
    assert_eq!(slack.messages("C1")[0].text.as_deref(), Some("x"));
    assert_eq!(
        slack.calls_to("chat.update")[0].error.as_deref(),
        Some("message_not_found")
    );
}

#[test]
fn injected_429_carries_retry_after_and_the_next_call_is_served() {
    let slack = SlackServer::start();
    slack.fail_next("chat.postMessage", 429, Some(7), 1);
    let body = json!({"channel": "C1", "text": "hi"});
    let refused = request(
        "POST",
        &url(&slack, "chat.postMessage"),
        &auth(BOT_TOKEN),
        &body,
    );
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("7"));
    assert_eq!(refused.json()["error"], "ratelimited");
    assert!(
        slack.messages("C1").is_empty(),
        "a refused post changes nothing"
    );

    assert_eq!(post_json(&slack, "chat.postMessage", body)["ok"], true);
    assert_eq!(slack.messages("C1").len(), 1);
    let statuses: Vec<u16> = slack.calls().iter().map(|c| c.status).collect();
    assert_eq!(statuses, [429, 200]);
}

#[test]
fn injected_5xx_is_answered_the_given_times_then_calls_succeed() {
    let slack = SlackServer::start();
    slack.fail_next("auth.test", 503, None, 2);
    let statuses: Vec<u16> = (0..3)
        .map(|_| {
            request(
                "GET",
                &url(&slack, "auth.test"),
                &auth(BOT_TOKEN),
                &Value::Null,
            )
            .status
        })
        .collect();
    assert_eq!(statuses, [503, 503, 200]);
    let last = slack.calls().pop().unwrap();
    assert_eq!(last.token.as_deref(), Some(BOT_TOKEN));
}

#[test]
fn rate_limit_refuses_calls_beyond_the_per_channel_rate_with_retry_after() {
    let slack = SlackServer::start();
    slack.rate_limit("chat.postMessage", 2);
    let post = |channel: &str| {
        let body = json!({"channel": channel, "text": "x"});
        request(
            "POST",
            &url(&slack, "chat.postMessage"),
            &auth(BOT_TOKEN),
            &body,
        )
    };
    let statuses: Vec<u16> = (0..3).map(|_| post("C1").status).collect();
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(post("C1").header("retry-after"), Some("1"));
    assert_eq!(post("C2").status, 200, "the limit is per channel");
    assert_eq!(slack.messages("C1").len(), 2);
}

#[test]
fn usergroup_members_are_listed_and_an_unknown_group_is_no_such_subteam() {
    let slack = SlackServer::start();
    slack.add_usergroup("S0ONCALL", &["U1", "U2"]);
    let listed = get(&slack, "usergroups.users.list", "usergroup=S0ONCALL");
    assert_eq!(listed, json!({"ok": true, "users": ["U1", "U2"]}));
    let unknown = get(&slack, "usergroups.users.list", "usergroup=S0NOPE");
    assert_eq!(unknown, json!({"ok": false, "error": "no_such_subteam"}));
}

#[test]
fn users_and_channels_are_described_as_slack_does() {
    let slack = SlackServer::start();
    slack.add_user("U1", "alice", "Asia/Seoul");
    let user = get(&slack, "users.info", "user=U1");
    assert_eq!(user["user"]["name"], "alice");
    assert_eq!(user["user"]["tz"], "Asia/Seoul");
    assert_eq!(user["user"]["tz_offset"], 32400);
    assert_eq!(
        get(&slack, "users.info", "user=U9")["error"],
        "user_not_found"
    );
    slack.add_channel("C1", "incidents");
    assert_eq!(
        get(&slack, "conversations.info", "channel=C1")["channel"]["name"],
        "incidents"
    );
    assert_eq!(get(&slack, "auth.test", "")["user_id"], BOT_USER_ID);
}

#[test]
fn two_step_upload_stores_the_bytes_and_shares_them_in_the_thread() {
    let slack = SlackServer::start();
    let step1 = get(
        &slack,
        "files.getUploadURLExternal",
        "filename=out.log&length=5",
    );
    assert_eq!(step1["ok"], true, "{step1}");
    let (upload_url, file_id) = (step1["upload_url"].as_str().unwrap(), &step1["file_id"]);
    assert!(upload_url.starts_with("http://127.0.0.1:"), "{upload_url}");
    let headers = [("content-type", "application/octet-stream")];
    let uploaded = request_raw("POST", upload_url, &headers, b"hello");
    assert_eq!((uploaded.status, uploaded.body.as_str()), (200, "OK - 5"));

    let files = json!([{"id": file_id, "title": "Output"}]);
    let body = json!({"files": files, "channel_id": "C1", "thread_ts": "1.000001",
                      "initial_comment": "here"});
    let done = post_json(&slack, "files.completeUploadExternal", body);
    assert_eq!(done["ok"], true, "{done}");
    assert_eq!(done["files"][0]["id"], *file_id);

    let stored = slack.uploaded_files();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].name, "out.log");
    assert_eq!(stored[0].bytes, b"hello");
    assert_eq!(stored[0].title.as_deref(), Some("Output"));
    assert_eq!(stored[0].channel.as_deref(), Some("C1"));
    assert_eq!(stored[0].thread_ts.as_deref(), Some("1.000001"));
    let shared = &slack.messages("C1")[0];
    assert_eq!(shared.files, [file_id.as_str().unwrap()]);
    assert_eq!(shared.text.as_deref(), Some("here"));
}

#[test]
fn multipart_uploads_keep_the_file_part_and_unuploaded_files_cannot_be_completed() {
    let slack = SlackServer::start();
    let step1 = get(
        &slack,
        "files.getUploadURLExternal",
        "filename=a.txt&length=3",
    );
    let never_uploaded = get(
        &slack,
        "files.getUploadURLExternal",
        "filename=b.txt&length=3",
    );
    let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
                 Content-Type: text/plain\r\n\r\nabc\r\n--XyZ--\r\n";
    let headers = [("content-type", "multipart/form-data; boundary=XyZ")];
    let upload_url = step1["upload_url"].as_str().unwrap();
    assert_eq!(request_raw("POST", upload_url, &headers, body).status, 200);
    assert_eq!(slack.uploaded_files()[0].bytes, b"abc");

    let files = json!([{"id": never_uploaded["file_id"]}]);
    let done = post_json(
        &slack,
        "files.completeUploadExternal",
        json!({"files": files}),
    );
    assert_eq!(done["error"], "file_not_found");
}

#[test]
fn calls_need_a_token_of_the_right_kind() {
    let slack = SlackServer::start();
    let body = json!({"channel": "C1", "text": "x"});
    let no_token = request("POST", &url(&slack, "chat.postMessage"), &[], &body).json();
    assert_eq!(no_token["error"], "not_authed");
    let app_token = request(
        "POST",
        &url(&slack, "chat.postMessage"),
        &auth(APP_TOKEN),
        &body,
    );
    assert_eq!(app_token.json()["error"], "not_allowed_token_type");
    let bot_socket = request(
        "POST",
        &url(&slack, "apps.connections.open"),
        &auth(BOT_TOKEN),
        &body,
    );
    assert_eq!(bot_socket.json()["error"], "not_allowed_token_type");
    assert!(slack.messages("C1").is_empty());
    assert_eq!(get(&slack, "no.such.method", "")["error"], "unknown_method");
}

#[test]
fn form_bodies_with_a_token_field_are_accepted_like_json() {
    let slack = SlackServer::start();
    let blocks = json!([{"type": "divider"}]).to_string();
    let body = form_encode(&[("token", BOT_TOKEN), ("channel", "C1"), ("blocks", &blocks)]);
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let reply = request_raw(
        "POST",
        &url(&slack, "chat.postMessage"),
        &headers,
        body.as_bytes(),
    );
    assert_eq!(reply.json()["ok"], true, "{}", reply.body);
    assert_eq!(
        slack.messages("C1")[0].blocks,
        Some(json!([{"type": "divider"}]))
    );
    let call = &slack.calls()[0];
    assert_eq!(call.token.as_deref(), Some(BOT_TOKEN));
    assert_eq!(call.body, body);
}

#[test]
fn message_timestamps_are_unique_and_increasing_and_too_long_text_is_refused() {
    let slack = SlackServer::start();
    let ts: Vec<String> = (0..20)
        .map(|i| {
            let body = json!({"channel": "C1", "text": i.to_string()});
            post_json(&slack, "chat.postMessage", body)["ts"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let parsed: Vec<f64> = ts.iter().map(|t| t.parse().unwrap()).collect();
    assert!(parsed.windows(2).all(|w| w[0] < w[1]), "{ts:?}");
    assert!(
        ts.iter().all(|t| t.len() == "1732590000.000100".len()),
        "{ts:?}"
    );
    let long = json!({"channel": "C1", "text": "x".repeat(40_001)});
    assert_eq!(
        post_json(&slack, "chat.postMessage", long)["error"],
        "msg_too_long"
    );
    assert_eq!(
        post_json(&slack, "chat.postMessage", json!({"channel": "C1"}))["error"],
        "no_text"
    );
}

#[test]
fn views_are_opened_updated_and_guarded_by_their_hash() {
    let slack = SlackServer::start();
    let modal = json!({"type": "modal", "title": {"type": "plain_text", "text": "Why"},
                       "blocks": []});
    let opened = post_json(
        &slack,
        "views.open",
        json!({"trigger_id": "1.2.3", "view": modal}),
    );
    let (id, hash) = (&opened["view"]["id"], &opened["view"]["hash"]);
    assert_eq!(opened["view"]["title"]["text"], "Why", "{opened}");
    let mut changed = modal.clone();
    changed["title"]["text"] = json!("Reason");
    let body = json!({"view_id": id, "hash": hash, "view": changed});
    assert_eq!(post_json(&slack, "views.update", body.clone())["ok"], true);
    assert_eq!(
        post_json(&slack, "views.update", body)["error"],
        "hash_conflict"
    );
    let views = slack.views();
    assert_eq!(views[0].view["title"]["text"], "Reason");
    assert_eq!(views[0].history.len(), 2);
}

#[test]
fn a_trigger_id_opens_one_view_and_submissions_carry_the_typed_state() {
    let slack = SlackServer::start();
    let modal = json!({"type": "modal", "title": {"type": "plain_text", "text": "Key"},
        "callback_id": "cb", "private_metadata": "m1", "notify_on_close": true,
        "blocks": [{"type": "input", "block_id": "b1", "label": {"type": "plain_text", "text": "Share"},
                    "element": {"type": "plain_text_input", "action_id": "a1"}}]});
    let body = json!({"trigger_id": "9.9.9", "view": modal});
    assert_eq!(post_json(&slack, "views.open", body.clone())["ok"], true);
    assert_eq!(
        post_json(&slack, "views.open", body)["error"],
        "exchanged_trigger_id"
    );
    let view = slack.views().pop().expect("view");

    let submitted = view_submission_payload(&view, "U1", &[("b1", "a1", "typed")]);
    assert_eq!(submitted["type"], "view_submission");
    assert_eq!(submitted["user"]["id"], "U1");
    assert_eq!(submitted["view"]["id"], view.id.as_str());
    assert_eq!(submitted["view"]["callback_id"], "cb");
    assert_eq!(submitted["view"]["private_metadata"], "m1");
    let typed = &submitted["view"]["state"]["values"]["b1"]["a1"];
    assert_eq!(
        typed,
        &json!({"type": "plain_text_input", "value": "typed"})
    );
    assert!(
        submitted["trigger_id"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );

    let closed = view_closed_payload(&view, "U1");
    assert_eq!(closed["type"], "view_closed");
    assert_eq!(closed["view"]["state"]["values"], json!({}));
    assert_eq!(closed["is_cleared"], false);
}

#[test]
fn response_url_posts_are_recorded() {
    let slack = SlackServer::start();
    let response_url = slack.response_url();
    let body = json!({"text": "done", "response_type": "in_channel"});
    let reply = request("POST", &response_url, &[], &body);
    assert_eq!(reply.json(), json!({"ok": true}));
    let posts = slack.response_posts();
    assert_eq!(posts.len(), 1);
    assert!(response_url.ends_with(&posts[0].id));
    assert_eq!(posts[0].body, body);
}
