//! Discord's REST API as the adapter uses it: interaction webhooks (edit the original
//! response, follow-ups), channel messages with the bot token, command registration. Every
//! call honours 429s (`Retry-After`, `X-RateLimit-Reset-After` or the body's `retry_after`)
//! and retries 5xx a few times; attachments go as multipart with `payload_json`.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use thiserror::Error;

use super::config::{DiscordConfig, SetupError};

/// How many times one call is tried when Discord says wait or fails on its side.
const ATTEMPTS: usize = 5;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("Discord answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("Discord could not be reached: {0}")]
    Transport(String),
    #[error("Discord asked to wait {0:?} before trying again")]
    RateLimited(Duration),
}

/// A file sent with a message.
#[derive(Clone, Debug, PartialEq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// How a call authenticates: interaction webhooks carry their token in the path.
#[derive(Clone, Copy)]
pub enum Auth {
    Webhook,
    Bot,
}

pub struct DiscordApi {
    client: reqwest::Client,
    base: String,
    bot_token: commands::Secret,
    pub application_id: String,
    /// A 429 asking for longer than this (`discord.retry_after_max`) is given up on: the
    /// message would be stale anyway, and a sender must not park a worker for days.
    longest_wait: Duration,
}

impl DiscordApi {
    pub fn new(config: &DiscordConfig) -> Result<Self, SetupError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .user_agent("DiscordBot (opsbot, 0.1)")
            .build()
            .map_err(|e| SetupError::Client(e.without_url().to_string()))?;
        Ok(DiscordApi {
            client,
            base: format!("{}/api/v10", config.api_url),
            bot_token: config.bot_token.clone(),
            application_id: config.application_id.clone(),
            longest_wait: config.retry_after_max,
        })
    }

    /// One call, retried as Discord asks; the answer's JSON (Null for 204).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Auth,
        body: &Value,
        files: &[Attachment],
    ) -> Result<Value, ApiError> {
        self.call_tries(method, path, auth, body, files, ATTEMPTS)
            .await
    }

    /// One call tried once: a 429 comes back as [`ApiError::RateLimited`] with Discord's
    /// wait, for a caller that retries on its own schedule (the paging outbox).
    pub async fn call_once(
        &self,
        method: Method,
        path: &str,
        auth: Auth,
        body: &Value,
    ) -> Result<Value, ApiError> {
        self.call_tries(method, path, auth, body, &[], 1).await
    }

    async fn call_tries(
        &self,
        method: Method,
        path: &str,
        auth: Auth,
        body: &Value,
        files: &[Attachment],
        attempts: usize,
    ) -> Result<Value, ApiError> {
        let url = format!("{}{path}", self.base);
        let mut last = ApiError::Transport("no attempt".to_string());
        for attempt in 0..attempts {
            let last_attempt = attempt + 1 == attempts;
            let mut request = self.client.request(method.clone(), &url);
            if let Auth::Bot = auth {
                request =
                    request.header("Authorization", format!("Bot {}", self.bot_token.expose()));
            }
            request = if files.is_empty() {
                request.json(body)
            } else {
                request.multipart(multipart(body, files)?)
            };
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => {
                    // Without the URL: an interaction webhook's path holds its token.
                    last = ApiError::Transport(e.without_url().to_string());
                    if !last_attempt {
                        tokio::time::sleep(backoff(attempt)).await;
                    }
                    continue;
                }
            };
            let status = response.status();
            if status == StatusCode::TOO_MANY_REQUESTS {
                let header_wait = wait_from_headers(response.headers());
                let text = response.text().await.unwrap_or_default();
                let wait = header_wait
                    .or_else(|| wait_from_body(&text))
                    .unwrap_or(Duration::from_secs(1));
                metrics::counter!("opsbot_discord_rate_limited_total").increment(1);
                if wait > self.longest_wait || last_attempt {
                    return Err(ApiError::RateLimited(wait.min(self.longest_wait)));
                }
                tracing::info!(?wait, path = %redact(path), "Discord rate limit; waiting");
                tokio::time::sleep(wait).await;
                last = ApiError::RateLimited(wait);
                continue;
            }
            let text = response.text().await.unwrap_or_default();
            if status.is_server_error() {
                last = ApiError::Status {
                    status: status.as_u16(),
                    message: text,
                };
                if !last_attempt {
                    tokio::time::sleep(backoff(attempt)).await;
                }
                continue;
            }
            if !status.is_success() {
                return Err(ApiError::Status {
                    status: status.as_u16(),
                    message: text,
                });
            }
            return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
        }
        Err(last)
    }
}

fn backoff(attempt: usize) -> Duration {
    Duration::from_millis(250 << attempt.min(4))
}

/// Interaction tokens are credentials for 15 minutes: never logged.
pub fn redact(path: &str) -> String {
    match path.strip_prefix("/webhooks/") {
        Some(rest) => {
            let app = rest.split('/').next().unwrap_or_default();
            format!("/webhooks/{app}/***")
        }
        None => path.to_string(),
    }
}

/// Seconds as Discord writes them (`0.25`, `3`). Negative, NaN or infinite is no advice; a
/// number too large for a [`Duration`] (`1e300`) is the longest one, which the caller's cap
/// then refuses to wait for. (`Duration::from_secs_f64` would panic on all of these.)
fn seconds_f64(s: f64) -> Option<Duration> {
    if !s.is_finite() || s < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX))
}

fn seconds(value: &str) -> Option<Duration> {
    value.trim().parse::<f64>().ok().and_then(seconds_f64)
}

fn wait_from_headers(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    ["retry-after", "x-ratelimit-reset-after"]
        .iter()
        .find_map(|h| headers.get(*h)?.to_str().ok().and_then(seconds))
}

fn wait_from_body(text: &str) -> Option<Duration> {
    let value: Value = serde_json::from_str(text).ok()?;
    seconds_f64(value.get("retry_after")?.as_f64()?)
}

/// `payload_json` plus `files[N]`, with the matching `attachments` entries.
fn multipart(body: &Value, files: &[Attachment]) -> Result<reqwest::multipart::Form, ApiError> {
    let mut payload = body.clone();
    let attachments: Vec<Value> = files
        .iter()
        .enumerate()
        .map(|(i, f)| serde_json::json!({"id": i, "filename": f.name}))
        .collect();
    if let Some(map) = payload.as_object_mut() {
        map.insert("attachments".to_string(), Value::Array(attachments));
    }
    let mut form = reqwest::multipart::Form::new().part(
        "payload_json",
        reqwest::multipart::Part::text(payload.to_string())
            .mime_str("application/json")
            .map_err(|e| ApiError::Transport(e.to_string()))?,
    );
    for (i, file) in files.iter().enumerate() {
        let part = reqwest::multipart::Part::bytes(file.bytes.clone())
            .file_name(file.name.clone())
            .mime_str("text/plain; charset=utf-8")
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        form = form.part(format!("files[{i}]"), part);
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    /// Issue 11 (absurd Retry-After): `Duration::from_secs_f64` panicked on `1e300` from a
    /// header or a body; now nonsense is no advice and a huge wait is the longest one.
    #[test]
    fn absurd_waits_never_panic() {
        for nonsense in ["-1", "NaN", "inf", "-inf", "soon", ""] {
            assert_eq!(seconds(nonsense), None, "{nonsense}");
        }
        assert_eq!(seconds("1e300"), Some(Duration::MAX));
        assert_eq!(seconds("0.25"), Some(Duration::from_millis(250)));
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("1e300"));
        assert_eq!(wait_from_headers(&headers), Some(Duration::MAX));
        assert_eq!(
            wait_from_body(r#"{"retry_after": 1e300}"#),
            Some(Duration::MAX)
        );
        assert_eq!(wait_from_body(r#"{"retry_after": -3}"#), None);
        assert_eq!(
            wait_from_body(r#"{"retry_after": 1.5}"#),
            Some(Duration::from_millis(1500))
        );
    }
}
