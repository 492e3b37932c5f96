//! A load client for `opsbot serve`'s Discord endpoint: Ed25519-signed `/ops-line contacts`
//! interactions at fixed rates over keep-alive connections on 127.0.0.1, against the Discord
//! API emulator. Prints the latency of the HTTP answer (the deferred ack; p50/p90/p99/max),
//! the non-200 count and opsbot's RSS, idle and under load. The same approach as
//! `slack_load`.
//!
//! Run with `bench/discord.sh`, or:
//! `discord_load --bin target/release/opsbot --rates 200,1000 --seconds 10`
//!
//! The schedule is open-loop: request i is due at start + i/rate whatever happened before, and
//! its latency counts from that moment, so a stalled server cannot hide its queue (no
//! coordinated omission). Every interaction has its own token (known to the emulator), so each
//! is a real run whose answer is written back. Signing happens before a request is due, so
//! the client's own work is not counted. Everything stays on loopback and stops by itself.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use opsbot_tests::bot::Bot;
use opsbot_tests::discord::DiscordServer;
use opsbot_tests::discord::sign::{self, APPLICATION_ID};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

const POLICY: &str = r#"
[roles.viewer]
operations = ["contacts"]
[[bindings]]
role = "viewer"
subjects = ["discord:1300000000000000777"]
"#;
const USER: &str = "1300000000000000777";

struct Options {
    bin: PathBuf,
    rates: Vec<u64>,
    seconds: u64,
    connections: usize,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        bin: PathBuf::from("target/release/opsbot"),
        rates: vec![200, 1000],
        seconds: 10,
        connections: 32,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<u64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--bin" => options.bin = PathBuf::from(value),
            "--rates" => {
                options.rates = value.split(',').map(number).collect::<Result<_, _>>()?;
            }
            "--seconds" => options.seconds = number(&value)?,
            "--connections" => options.connections = number(&value)? as usize,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

struct Job {
    due: Instant,
    body: String,
    timestamp: String,
    signature: String,
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    non_200: u64,
    errors: u64,
}

/// One keep-alive connection: sends the jobs it takes, reads each answer.
async fn worker(addr: String, jobs: Arc<Mutex<mpsc::Receiver<Job>>>) -> Tally {
    let mut tally = Tally::default();
    let mut conn: Option<BufReader<TcpStream>> = None;
    loop {
        let Some(job) = jobs.lock().await.recv().await else {
            return tally;
        };
        if conn.is_none() {
            match TcpStream::connect(&addr).await {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    conn = Some(BufReader::new(stream));
                }
                Err(_) => {
                    tally.errors += 1;
                    continue;
                }
            }
        }
        let Some(stream) = conn.as_mut() else {
            continue;
        };
        match exchange(stream, &addr, &job).await {
            Ok(status) => {
                tally.latencies.push(job.due.elapsed());
                if status != 200 {
                    tally.non_200 += 1;
                }
            }
            Err(_) => {
                tally.errors += 1;
                conn = None;
            }
        }
    }
}

async fn exchange(
    stream: &mut BufReader<TcpStream>,
    addr: &str,
    job: &Job,
) -> std::io::Result<u16> {
    let request = format!(
        "POST /discord/interactions HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         x-signature-timestamp: {}\r\nx-signature-ed25519: {}\r\ncontent-length: {}\r\n\r\n{}",
        job.timestamp,
        job.signature,
        job.body.len(),
        job.body
    );
    stream.get_mut().write_all(request.as_bytes()).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut rest = vec![0u8; length];
    stream.read_exact(&mut rest).await?;
    Ok(status)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

async fn run_rate(
    addr: &str,
    discord: &DiscordServer,
    rate: u64,
    seconds: u64,
    connections: usize,
    pid: u32,
) {
    static CHANNEL: AtomicU64 = AtomicU64::new(0);
    let total = rate * seconds;
    let (tx, rx) = mpsc::channel::<Job>(4096);
    let rx = Arc::new(Mutex::new(rx));
    let workers: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(worker(addr.to_string(), rx.clone())))
        .collect();
    let sampling = Arc::new(AtomicBool::new(true));
    let peak = {
        let sampling = sampling.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while sampling.load(Ordering::Relaxed) {
                peak = peak.max(rss_kib(pid));
                std::thread::sleep(Duration::from_millis(50));
            }
            peak
        })
    };
    let start = Instant::now() + Duration::from_millis(100);
    let channels = rate.max(1);
    for i in 0..total {
        let due = start + Duration::from_nanos(i * 1_000_000_000 / rate);
        tokio::time::sleep_until(due.into()).await;
        let n = CHANNEL.fetch_add(1, Ordering::Relaxed) % channels;
        let channel = format!("{}", 1_310_000_000_000_000_000u64 + n);
        let token = discord.command_token(&channel);
        let body = sign::command_body(&token, USER, &[], &channel, "contacts").to_string();
        let timestamp = sign::unix_now().to_string();
        let signature = sign::sign(&timestamp, body.as_bytes());
        let job = Job {
            due,
            body,
            timestamp,
            signature,
        };
        if tx.send(job).await.is_err() {
            break;
        }
    }
    drop(tx);
    let mut tally = Tally::default();
    for worker in workers {
        if let Ok(t) = worker.await {
            tally.latencies.extend(t.latencies);
            tally.non_200 += t.non_200;
            tally.errors += t.errors;
        }
    }
    let elapsed = start.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let peak = peak.join().unwrap_or(0);
    tally.latencies.sort();
    let l = &tally.latencies;
    println!(
        "{rate:>5} req/s x {seconds} s: {} answered in {:.1} s, non-200 {}, errors {} | ack ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2} | RSS peak {:.1} MiB",
        l.len(),
        elapsed.as_secs_f64(),
        tally.non_200,
        tally.errors,
        percentile(l, 0.50),
        percentile(l, 0.90),
        percentile(l, 0.99),
        percentile(l, 1.0),
        peak as f64 / 1024.0
    );
}

fn main() {
    let options = match options() {
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
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("discord_load: no runtime: {e}");
            std::process::exit(1);
        }
    };
    for rate in &options.rates {
        runtime.block_on(run_rate(
            &served.addr,
            &discord,
            *rate,
            options.seconds,
            options.connections,
            pid,
        ));
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
