//! The open-loop load driver behind `slack_load` and `discord_load`: requests at a fixed rate
//! over keep-alive connections on 127.0.0.1, latency counted from each request's due time
//! (request i is due at start + i/rate whatever happened before, so a stalled server cannot
//! hide its queue), and the server's RSS sampled meanwhile. The binaries say only what a
//! request looks like.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

/// `--bin`, `--rates`, `--seconds`, `--connections`.
pub struct Options {
    pub bin: PathBuf,
    pub rates: Vec<u64>,
    pub seconds: u64,
    pub connections: usize,
}

/// The command line, or why it is wrong.
pub fn options() -> Result<Options, String> {
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

/// A process's resident memory, in KiB (0 when it cannot be read).
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A whole HTTP/1.1 POST, ready to write.
pub fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut request = format!("POST {path} HTTP/1.1\r\nhost: {addr}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    request
}

struct Job {
    due: Instant,
    request: String,
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
        match exchange(stream, &job.request).await {
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

/// Writes one request and reads its answer; the status code.
async fn exchange(stream: &mut BufReader<TcpStream>, request: &str) -> std::io::Result<u16> {
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

/// Sends `rate` requests a second for `seconds` to `addr`, each made by `request(i)` just
/// before it is due (so signatures are fresh), and prints the latencies and the peak RSS of `pid`.
pub async fn run_rate(
    addr: &str,
    options: &Options,
    rate: u64,
    pid: u32,
    mut request: impl FnMut(u64) -> String,
) {
    let seconds = options.seconds;
    let total = rate * seconds;
    let (tx, rx) = mpsc::channel::<Job>(4096);
    let rx = Arc::new(Mutex::new(rx));
    let workers: Vec<_> = (0..options.connections)
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
    for i in 0..total {
        let due = start + Duration::from_nanos(i * 1_000_000_000 / rate);
        // Made (and signed) before it is due, so the client's own work is not counted.
        let job = Job {
            due,
            request: request(i),
        };
        tokio::time::sleep_until(due.into()).await;
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

/// A current-thread runtime for a load client, or exit with why.
pub fn runtime(client: &str) -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{client}: no runtime: {e}");
            std::process::exit(1);
        }
    }
}
