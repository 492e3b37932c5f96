//! Socket Mode: `apps.connections.open` hands out a one-use `ws://` URL on this server; a
//! client that connects gets `hello`, then whatever envelopes the test pushes, and answers
//! each with an ack that is recorded. Several connections may be open at once (slack-morphism
//! opens two by default); as on Slack, each envelope goes to one of them.

use axum::extract::State as AxumState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc::unbounded_channel;

use super::server::{ApiRequest, Reply, Shared, fields};
use super::sign::form_decode;
use super::state::{APP_ID, Outgoing, SocketConn, State};

const HOST: &str = "applink-emulator";

pub(crate) fn connections_open(state: &mut State, _request: &ApiRequest) -> Reply {
    let ticket = state.next_id("ticket-");
    state.socket_tickets.push(ticket.clone());
    let ws_base = state.base_url.replacen("http://", "ws://", 1);
    Ok(fields(json!({
        "url": format!("{ws_base}/socket?ticket={ticket}&app_id={APP_ID}"),
    })))
}

/// The `disconnect` envelope Slack sends before it drops a connection; a client answers it by
/// opening a new one.
pub fn disconnect_envelope(reason: &str) -> Value {
    json!({"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}})
}

/// The websocket endpoint. A ticket works once, as Slack's do, so a client that reconnects
/// must call `apps.connections.open` again.
pub(crate) async fn upgrade(
    AxumState(shared): AxumState<Shared>,
    uri: Uri,
    ws: WebSocketUpgrade,
) -> Response {
    let ticket = form_decode(uri.query().unwrap_or(""))
        .into_iter()
        .find(|(k, _)| k == "ticket")
        .map(|(_, v)| v);
    let valid = {
        let mut state = shared.lock();
        let found = state
            .socket_tickets
            .iter()
            .position(|t| Some(t) == ticket.as_ref());
        found.map(|i| state.socket_tickets.remove(i)).is_some()
    };
    if !valid {
        return (StatusCode::UNAUTHORIZED, "invalid or used ticket").into_response();
    }
    ws.on_upgrade(move |socket| run(socket, shared))
}

async fn run(mut socket: WebSocket, shared: Shared) {
    let (tx, mut rx) = unbounded_channel();
    // Registered before hello is written: anything pushed meanwhile waits in the queue and so
    // still arrives after hello, as on Slack.
    let (id, hello) = {
        let mut state = shared.lock();
        state.counter += 1;
        let id = state.counter;
        state.socket_conns.push(SocketConn { id, tx });
        state.socket_connects += 1;
        let hello = json!({
            "type": "hello",
            "num_connections": state.socket_conns.len(),
            "debug_info": {"host": HOST, "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID},
        });
        (id, hello)
    };
    if socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_ok()
    {
        loop {
            tokio::select! {
                outgoing = rx.recv() => match outgoing {
                    Some(Outgoing::Text(text)) => {
                        if socket.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                    Some(Outgoing::Close) | None => {
                        let _ = socket.send(Message::Close(None)).await;
                        break;
                    }
                },
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => record_frame(&shared, text.as_str()),
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    // Pings are answered by the websocket layer itself.
                    Some(Ok(_)) => {}
                },
            }
        }
    }
    shared.lock().socket_conns.retain(|c| c.id != id);
}

/// Keeps what the client sent that names an envelope: its acks (with any response payload).
fn record_frame(shared: &Shared, text: &str) {
    if let Ok(frame) = serde_json::from_str::<Value>(text)
        && frame.get("envelope_id").is_some()
    {
        shared.lock().socket_acks.push(frame);
    }
}
