//! `opsbot serve` asks each cluster's etcd whether it answers; one that stops is a
//! cluster failure and pages once.

use std::time::Duration;

use opsbot_tests::bot::Bot;
use opsbot_tests::etcd::EtcdServer;
use opsbot_tests::pagers::Receiver;

use super::bin;

fn triggers(receiver: &Receiver) -> Vec<serde_json::Value> {
    receiver
        .requests()
        .iter()
        .map(|r| r.json())
        .filter(|e| e["event_action"] == "trigger")
        .collect()
}

#[test]
fn an_etcd_that_stops_answering_pages_once() {
    let mut etcd = EtcdServer::start();
    let pagerduty = Receiver::start();
    let bot = Bot::builder(bin())
        .etcd("mgmt", etcd.endpoint())
        .paging(&format!("pagerduty_url = \"{}\"", pagerduty.url()))
        .extra("[server]\nlisten = \"127.0.0.1:0\"\n[watchers]\netcd_interval = \"200ms\"\n")
        .build();
    let mut served = bot.serve();
    // Healthy: asked several times, nobody paged.
    std::thread::sleep(Duration::from_secs(1));
    assert!(triggers(&pagerduty).is_empty(), "{}", served.output());

    etcd.stop();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while triggers(&pagerduty).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "no page: {}",
            served.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(1));
    let sent = triggers(&pagerduty);
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0]["payload"]["source"], "mgmt");
    assert_eq!(sent[0]["payload"]["severity"], "critical");
    let summary = sent[0]["payload"]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("etcd of mgmt does not answer"),
        "{summary}"
    );
    served.terminate(Duration::from_secs(10));
}
