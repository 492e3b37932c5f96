//! A load client for `opsbot serve`'s Discord endpoint: Ed25519-signed `/ops-line contacts`
//! interactions at fixed rates over keep-alive connections on 127.0.0.1, against the Discord
//! API emulator. Prints the latency of the HTTP answer (the deferred ack; p50/p90/p99/max),
//! the non-200 count and opsbot's RSS, idle and under load. The driver is
//! [`opsbot_tests::load`]; every interaction has its own token (known to the emulator), so
//! each is a real run whose answer is written back.
//!
//! Run with `bench/discord.sh`, or:
//! `discord_load --bin target/release/opsbot --rates 200,1000 --seconds 10`

use std::time::Duration;

use opsbot_tests::bot::Bot;
use opsbot_tests::discord::DiscordServer;
use opsbot_tests::discord::sign::{self, APPLICATION_ID};
use opsbot_tests::load::{self, post, rss_kib, run_rate};

const POLICY: &str = r#"
[roles.viewer]
operations = ["contacts"]
[[bindings]]
role = "viewer"
subjects = ["discord:1300000000000000777"]
"#;
const USER: &str = "1300000000000000777";

fn main() {
    let options = match load::options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("discord_load: {e}");
            std::process::exit(2);
        }
    };
    let discord = DiscordServer::start();
    let bot = Bot::builder(&options.bin)
        .policy(POLICY)
        .extra(&format!(
            "[discord]\npublic_key = \"{}\"\nbot_token = \"bench-bot-token\"\napplication_id = \"{APPLICATION_ID}\"\napi_url = \"{}\"\n",
            sign::public_key_hex(),
            discord.api_url()
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
    let runtime = load::runtime("discord_load");
    for &rate in &options.rates {
        let addr = served.addr.clone();
        let channels = rate.max(1);
        runtime.block_on(run_rate(&served.addr, &options, rate, pid, |i| {
            let channel = format!("{}", 1_310_000_000_000_000_000u64 + i % channels);
            let token = discord.command_token(&channel);
            let body = sign::command_body(&token, USER, &[], &channel, "contacts").to_string();
            let timestamp = sign::unix_now().to_string();
            let signature = sign::sign(&timestamp, body.as_bytes());
            post(
                &addr,
                "/discord/interactions",
                &[
                    ("content-type", "application/json"),
                    ("x-signature-timestamp", &timestamp),
                    ("x-signature-ed25519", &signature),
                ],
                &body,
            )
        }));
        // Let the background work (runs, messages) settle before the next rate.
        let written = |d: &DiscordServer| d.calls().iter().filter(|c| c.method == "PATCH").count();
        let before = written(&discord);
        std::thread::sleep(Duration::from_secs(5));
        let after = written(&discord);
        println!(
            "        after 5 s: {after} edits written so far ({} during the pause), RSS {:.1} MiB",
            after - before,
            rss_kib(pid) as f64 / 1024.0
        );
    }
    let metrics = served.get("/metrics").body;
    for line in metrics
        .lines()
        .filter(|l| l.starts_with("opsbot_commands_total") || l.starts_with("opsbot_discord_"))
    {
        println!("        {line}");
    }
}
