//! A minimal SMTP sink on 127.0.0.1 for the email pager's tests: it speaks enough of RFC 5321
//! for a client (greeting, EHLO/HELO, AUTH PLAIN, MAIL FROM, RCPT TO, DATA with
//! dot-unstuffing, RSET, NOOP, QUIT) and keeps every message it accepts.
//!
//! No TLS: tests use a plain `smtp://` URL. AUTH PLAIN accepts any login and records it with
//! the message, so a test can check that the URL's credentials were used. To test refusals,
//! it can answer a chosen code to AUTH, to every RCPT TO or to the end of DATA
//! (`reject_rcpt(Some((550, "no such user")))`).
//!
//! ```no_run
//! use opsbot_tests::smtp::SmtpSink;
//!
//! let sink = SmtpSink::start();
//! let config = format!("[paging]\nsmtp_url = \"{}\"\n", sink.url());
//! # let _ = config;
//! ```

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Notify, oneshot};

/// One accepted message.
#[derive(Clone, Debug)]
pub struct Mail {
    /// The envelope sender, without the angle brackets.
    pub from: String,
    /// The envelope recipients, without the angle brackets.
    pub to: Vec<String>,
    /// Headers and body as sent, dot-unstuffed, lines ending in CRLF.
    pub data: String,
    /// The user name and password of the session's AUTH PLAIN, if it logged in.
    pub login: Option<(String, String)>,
}

impl Mail {
    /// A header's value, unfolded (continuation lines joined); the first of that name.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    /// Everything after the blank line that ends the headers.
    pub fn body(&self) -> &str {
        self.data
            .split_once("\r\n\r\n")
            .map_or("", |(_, body)| body)
    }
}

#[derive(Default)]
struct Behaviour {
    auth: Option<(u16, String)>,
    rcpt: Option<(u16, String)>,
    data: Option<(u16, String)>,
}

struct Shared {
    mails: Mutex<Vec<Mail>>,
    behaviour: Mutex<Behaviour>,
    /// Every command line received, for tests of the dialogue itself.
    commands: Mutex<Vec<String>>,
    arrived: Notify,
    port: u16,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running sink. Dropping it stops the server.
pub struct SmtpSink {
    shared: Arc<Shared>,
    running: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
}

impl SmtpSink {
    /// Binds `127.0.0.1:0` and serves on a background thread; it is listening on return.
    pub fn start() -> SmtpSink {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let shared = Arc::new(Shared {
            mails: Mutex::new(Vec::new()),
            behaviour: Mutex::new(Behaviour::default()),
            commands: Mutex::new(Vec::new()),
            arrived: Notify::new(),
            port,
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("smtp-sink-{port}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("tokio runtime for the SMTP sink");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let accept = async {
                        loop {
                            match listener.accept().await {
                                Ok((stream, _)) => {
                                    let state = state.clone();
                                    tokio::spawn(async move {
                                        if let Err(error) = session(stream, &state).await {
                                            eprintln!("smtp sink session: {error}");
                                        }
                                    });
                                }
                                Err(error) => eprintln!("smtp sink accept: {error}"),
                            }
                        }
                    };
                    tokio::select! {
                        () = accept => {}
                        _ = stopped => {}
                    }
                });
            })
            .expect("spawn the SMTP sink thread");
        SmtpSink {
            shared,
            running: Some((stop, thread)),
        }
    }

    /// `smtp://127.0.0.1:PORT`, for `paging.smtp_url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.shared.port)
    }

    pub fn port(&self) -> u16 {
        self.shared.port
    }

    /// Answers every AUTH with this code and text (`None`: 235, logged in).
    pub fn reject_auth(&self, reply: Option<(u16, &str)>) {
        lock(&self.shared.behaviour).auth = reply.map(|(c, t)| (c, t.to_string()));
    }

    /// Answers every RCPT TO with this code and text (`None`: 250).
    pub fn reject_rcpt(&self, reply: Option<(u16, &str)>) {
        lock(&self.shared.behaviour).rcpt = reply.map(|(c, t)| (c, t.to_string()));
    }

    /// Answers the end of every DATA with this code and text (`None`: 250, kept).
    pub fn reject_data(&self, reply: Option<(u16, &str)>) {
        lock(&self.shared.behaviour).data = reply.map(|(c, t)| (c, t.to_string()));
    }

    /// Every accepted message, in order.
    pub fn messages(&self) -> Vec<Mail> {
        lock(&self.shared.mails).clone()
    }

    /// Every command line so far (`EHLO localhost`, `MAIL FROM:<…>`, …), all sessions.
    pub fn commands(&self) -> Vec<String> {
        lock(&self.shared.commands).clone()
    }

    /// Waits until at least `count` messages were accepted, or `timeout` passed.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            let mails = self.messages();
            if mails.len() >= count {
                return mails;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.messages();
            }
        }
    }

    /// Goes away: the port refuses connections from now on.
    pub fn stop(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            let _ = stop.send(());
            let _ = thread.join();
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The address inside `<…>` after `MAIL FROM:` or `RCPT TO:`, parameters dropped.
fn path_of(argument: &str) -> String {
    let argument = argument.trim();
    match (argument.find('<'), argument.find('>')) {
        (Some(open), Some(close)) if open < close => argument[open + 1..close].to_string(),
        _ => argument
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// One client connection, from greeting to QUIT or hang-up.
async fn session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 127.0.0.1 opsbot-tests SMTP sink ready\r\n")
        .await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut login: Option<(String, String)> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end_matches(['\r', '\n']).to_string();
        lock(&shared.commands).push(command.clone());
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let argument = command
            .split_once(':')
            .map_or("", |(_, rest)| rest)
            .to_string();
        let reply = match verb.as_str() {
            "EHLO" => "250-127.0.0.1 hello\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 SMTPUTF8\r\n"
                .to_string(),
            "AUTH" => {
                let refusal = lock(&shared.behaviour).auth.clone();
                match (refusal, plain_login(&command)) {
                    (Some((code, text)), _) => format!("{code} {text}\r\n"),
                    (None, Some(credentials)) => {
                        login = Some(credentials);
                        "235 2.7.0 authenticated\r\n".to_string()
                    }
                    (None, None) => {
                        "504 5.5.4 only AUTH PLAIN with an initial response\r\n".to_string()
                    }
                }
            }
            "HELO" => "250 127.0.0.1 hello\r\n".to_string(),
            "MAIL" => {
                from = Some(path_of(&argument));
                to.clear();
                "250 sender ok\r\n".to_string()
            }
            "RCPT" if from.is_none() => "503 MAIL first\r\n".to_string(),
            "RCPT" => {
                let refusal = lock(&shared.behaviour).rcpt.clone();
                match refusal {
                    Some((code, text)) => format!("{code} {text}\r\n"),
                    None => {
                        to.push(path_of(&argument));
                        "250 recipient ok\r\n".to_string()
                    }
                }
            }
            "DATA" if to.is_empty() => "503 RCPT first\r\n".to_string(),
            "DATA" => {
                write
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut lines).await?;
                let refusal = lock(&shared.behaviour).data.clone();
                let reply = match refusal {
                    Some((code, text)) => format!("{code} {text}\r\n"),
                    None => {
                        lock(&shared.mails).push(Mail {
                            from: from.clone().unwrap_or_default(),
                            to: std::mem::take(&mut to),
                            data,
                            login: login.clone(),
                        });
                        shared.arrived.notify_waiters();
                        "250 queued\r\n".to_string()
                    }
                };
                from = None;
                to.clear();
                reply
            }
            "RSET" => {
                from = None;
                to.clear();
                "250 reset\r\n".to_string()
            }
            "NOOP" => "250 ok\r\n".to_string(),
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => "502 command not implemented\r\n".to_string(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// `AUTH PLAIN <base64 of authzid NUL user NUL password>`: the user and password.
fn plain_login(command: &str) -> Option<(String, String)> {
    let mut words = command.split_whitespace().skip(1);
    if !words.next()?.eq_ignore_ascii_case("PLAIN") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(words.next()?)?).ok()?;
    let mut parts = decoded.split('\0').skip(1);
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
}

/// Standard base64 with padding; `None` on anything else. Small enough not to need a crate.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|&a| a == byte)? as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The message after DATA, up to the line holding one dot; a leading dot doubled by the
/// client is undoubled (RFC 5321 §4.5.2).
async fn read_data<R: AsyncBufReadExt + Unpin>(lines: &mut R) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed inside DATA",
            ));
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "." {
            return Ok(data);
        }
        let content = content.strip_prefix('.').unwrap_or(content);
        data.push_str(content);
        data.push_str("\r\n");
    }
}
