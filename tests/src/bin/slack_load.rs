//! A load client for `opsbot serve`: signed `/ops contacts` slash commands at fixed rates over
//! keep-alive connections on 127.0.0.1, against the Slack emulator. Prints the ack latency
//! (p50/p90/p99/max), the non-200 count and opsbot's RSS, idle and under load. The driver is
//! [`opsbot_tests::load`]; every request is distinct (its own trigger_id), so none is
//! de-duplicated.
//!
//! Run with `bench/slack.sh`, or:
//! `slack_load --bin target/release/opsbot --rates 200,1000 --seconds 10`

use std::time::Duration;

use opsbot_tests::bot::Bot;
use opsbot_tests::load::{self, post, rss_kib, run_rate};
use opsbot_tests::slack::{SlackServer, sign_now, slash_command_body};

const SECRET: &str = "bench-signing-secret";
const POLICY: &str = r#"
[roles.viewer]
operations = ["contacts"]
[[bindings]]
role = "viewer"
subjects = ["slack:U0BENCH"]
"#;

fn main() {
    let options = match load::options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("slack_load: {e}");
            std::process::exit(2);
        }
    };
    let slack = SlackServer::start();
    let bot = Bot::builder(&options.bin)
        .policy(POLICY)
        .extra(&format!(
            "[slack]\nsigning_secret = \"{SECRET}\"\nbot_token = \"xoxb-bench\"\napi_url = \"{}\"\n",
            slack.api_url()
        ))
        .build();
    let served = bot.serve_with_env(&[("RUST_LOG", "error")]);
    std::thread::sleep(Duration::from_secs(2));
    let pid = served.pid();
    println!(
        "opsbot {} on {}: idle RSS {:.1} MiB",
        options.bin.display(),
        served.addr,
        rss_kib(pid) as f64 / 1024.0
    );
    let runtime = load::runtime("slack_load");
    let response_url = slack.response_url();
    let mut trigger = 0u64;
    for &rate in &options.rates {
        let addr = served.addr.clone();
        // One channel per command a second: Slack's pace for new messages is one a second per
        // channel, so the bot's messages keep up with the load.
        let channels = rate.max(1);
        runtime.block_on(run_rate(&served.addr, &options, rate, pid, |i| {
            trigger += 1;
            let channel = format!("C{:07}", i % channels);
            let body = slash_command_body(
                "/ops",
                "contacts",
                "U0BENCH",
                &channel,
                &response_url,
                &format!("{trigger}.bench"),
            );
            let (ts, signature) = sign_now(SECRET, &body);
            post(
                &addr,
                "/slack/commands",
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("x-slack-request-timestamp", &ts),
                    ("x-slack-signature", &signature),
                ],
                &body,
            )
        }));
        // Let the background work (runs, messages) settle before the next rate.
        let posted_before = slack.calls_to("chat.postMessage").len();
        std::thread::sleep(Duration::from_secs(5));
        println!(
            "        after 5 s: {} messages posted so far ({} during the pause), RSS {:.1} MiB",
            slack.calls_to("chat.postMessage").len(),
            slack.calls_to("chat.postMessage").len() - posted_before,
            rss_kib(pid) as f64 / 1024.0
        );
    }
    let metrics = served.get("/metrics").body;
    for line in metrics.lines().filter(|l| {
        l.starts_with("opsbot_commands_total") || l.starts_with("opsbot_slack_api_errors_total")
    }) {
        println!("        {line}");
    }
}
