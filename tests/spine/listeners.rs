//! Issue 11, point 11: `server.admin_listen` serves `/metrics` and the detailed `/readyz`;
//! the public listener then has no `/metrics` and its `/readyz` says ready or not only.

use std::time::{Duration, Instant};

use super::bin;
use opsbot_tests::bot::Bot;

/// The admin address `opsbot serve` printed after the public one.
fn admin_address(output: impl Fn() -> String) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let said = output();
        if let Some(address) = said
            .lines()
            .filter(|l| l.contains("admin endpoints"))
            .find_map(|l| l.split("http://").nth(1))
        {
            return address.trim().to_string();
        }
        assert!(Instant::now() < deadline, "no admin address in:\n{said}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn get(address: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read");
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_string())
}

#[test]
fn metrics_and_detailed_readiness_move_to_the_admin_listener() {
    let etcd = opsbot_tests::etcd::EtcdServer::start();
    let bot = Bot::builder(bin()).etcd("mgmt", etcd.endpoint()).build();
    let served = bot.serve_with_env(&[("OPSBOT__SERVER__ADMIN_LISTEN", "127.0.0.1:0")]);
    let admin = admin_address(|| served.output());
    assert_ne!(admin, served.addr);

    assert_eq!(served.get("/metrics").status, 404);
    let public = served.get("/readyz");
    assert_eq!(public.status, 200, "{}", public.body);
    assert!(!public.body.contains("policy.toml"), "{}", public.body);

    let (status, metrics) = get(&admin, "/metrics");
    assert_eq!(status, 200);
    assert!(metrics.contains("opsbot_runs_in_flight"), "{metrics}");
    let (status, ready) = get(&admin, "/readyz");
    assert_eq!(status, 200);
    assert!(ready.contains("policy.toml"), "{ready}");
}
