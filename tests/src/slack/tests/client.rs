//! Test client cruft: a raw HTTP/1.1 client (JSON, form and raw bodies, as the bot's client
//! sends them) and a blocking websocket client for Socket Mode.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{self, stream::MaybeTlsStream};

use super::super::SlackServer;

pub const BOT_TOKEN: &str = "xoxb-test-token";
pub const APP_TOKEN: &str = "xapp-1-test-token";

pub type Socket = tungstenite::WebSocket<MaybeTlsStream<TcpStream>>;

pub fn connect_socket(slack: &SlackServer) -> Socket {
    let opened = request(
        "POST",
        &url(slack, "apps.connections.open"),
        &auth(APP_TOKEN),
        &json!({}),
    );
    let ws_url = opened.json()["url"].as_str().expect("a url").to_string();
    assert!(ws_url.starts_with("ws://127.0.0.1:"), "{ws_url}");
    let (socket, _) = tungstenite::connect(ws_url.as_str()).expect("websocket connect");
    if let MaybeTlsStream::Plain(tcp) = socket.get_ref() {
        tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    // The URL is single-use, as Slack's are.
    assert!(tungstenite::connect(ws_url.as_str()).is_err());
    socket
}

pub fn read_json(socket: &mut Socket) -> Value {
    loop {
        match socket.read().expect("a websocket frame within 5 s") {
            tungstenite::Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            tungstenite::Message::Ping(_) | tungstenite::Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut found = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name));
        found.next().map(|(_, v)| v.as_str())
    }
}

pub fn url(slack: &SlackServer, method: &str) -> String {
    format!("{}/{method}", slack.api_url())
}

pub fn auth(token: &str) -> [(&'static str, String); 1] {
    [("authorization", format!("Bearer {token}"))]
}

pub fn post_json(slack: &SlackServer, method: &str, body: Value) -> Value {
    request("POST", &url(slack, method), &auth(BOT_TOKEN), &body).json()
}

/// A GET with query parameters, as slack-morphism sends its read methods.
pub fn get(slack: &SlackServer, method: &str, query: &str) -> Value {
    let target = format!("{}?{query}", url(slack, method));
    request("GET", &target, &auth(BOT_TOKEN), &Value::Null).json()
}

/// A JSON request (no body for `Value::Null`), as slack-morphism sends it.
pub fn request(method: &str, url: &str, headers: &[(&str, String)], body: &Value) -> Reply {
    let mut all: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let text = if body.is_null() {
        String::new()
    } else {
        all.push(("content-type", "application/json; charset=utf-8"));
        body.to_string()
    };
    request_raw(method, url, &all, text.as_bytes())
}

pub fn request_raw(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let rest = url.strip_prefix("http://").expect("a plain http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(host).expect("connect to the emulator");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP answer");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}
