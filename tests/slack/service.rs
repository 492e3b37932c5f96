//! The service endpoints and the process: health, readiness, metrics, start and stop.

use std::time::Duration;

use super::*;

#[test]
fn healthz_readyz_and_metrics_describe_the_running_bot() {
    let rig = rig("en");
    let health = rig.served.get("/healthz");
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    let ready = rig.served.get("/readyz");
    assert_eq!(ready.status, 200, "{}", ready.body);
    let ready = ready.json();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["checks"]["store"]["ok"], true);
    assert_eq!(ready["checks"]["policy"]["ok"], true);

    rig.command("U0VIEWER", "C0OPS", "contacts");
    rig.command("U0STRANGER", "C0OPS", "contacts");
    rig.wait_final("C0OPS", 1, Duration::from_secs(20));
    rig.wait_ephemeral("C0OPS", Duration::from_secs(10));
    let scraped = rig.slack.wait_until(Duration::from_secs(10), |_| {
        let text = rig.served.get("/metrics").body;
        metric(&text, "opsbot_commands_total", &[("outcome", "denied")]).is_some()
    });
    assert!(scraped);
    let metrics = rig.served.get("/metrics");
    assert!(
        metrics
            .headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("text/plain"))
    );
    let text = metrics.body;
    let ok = [
        ("chat", "slack"),
        ("operation", "contacts"),
        ("outcome", "succeeded"),
    ];
    assert_eq!(
        metric(&text, "opsbot_commands_total", &ok),
        Some(1.0),
        "{text}"
    );
    let denied = [("operation", "contacts"), ("outcome", "denied")];
    assert_eq!(
        metric(&text, "opsbot_commands_total", &denied),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "opsbot_slack_ack_seconds_count",
            &[("route", "commands")]
        ),
        Some(2.0),
        "{text}"
    );
    assert!(
        text.contains("opsbot_slack_ack_seconds_bucket{route=\"commands\",le=\"0.01\"}"),
        "{text}"
    );
    assert_eq!(
        metric(&text, "opsbot_runs_in_flight", &[]),
        Some(0.0),
        "{text}"
    );
    assert!(text.contains("# HELP opsbot_commands_total"), "{text}");
}

#[test]
fn sigterm_stops_serve_cleanly() {
    let mut rig = rig("en");
    assert_eq!(rig.served.get("/healthz").status, 200);
    let code = rig.served.terminate(Duration::from_secs(20));
    assert_eq!(code, Some(0), "{}", rig.served.output());
}

#[test]
fn serve_without_a_slack_section_has_no_slack_routes() {
    let bot = Bot::builder(bin()).policy(POLICY).build();
    let served = bot.serve();
    assert_eq!(served.get("/healthz").status, 200);
    assert_eq!(served.post("/slack/commands", &[], b"x").status, 404);
}

#[test]
fn serve_on_a_taken_address_says_so_and_exits_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let bot = Bot::builder(bin()).policy(POLICY).build();
    let run = bot.run_with_env(&["serve"], &[("OPSBOT__SERVER__LISTEN", addr.as_str())]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains(&format!("Cannot listen on {addr}")),
        "{}",
        run.all()
    );
}
