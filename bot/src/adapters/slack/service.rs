//! The Slack Web API as opsbot uses it: each call retried with backoff, a 429 honoured through
//! its Retry-After, every failure logged and counted, and writes paced with governor (one new
//! message a second per channel, one edit a second per message; see [`SlackApi::post_slot`]).

use std::collections::HashMap;
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::{
    SlackApiChatPostEphemeralRequest, SlackApiChatPostMessageRequest, SlackApiChatUpdateRequest,
    SlackApiFilesComplete, SlackApiFilesCompleteUploadExternalRequest,
    SlackApiFilesGetUploadUrlExternalRequest, SlackApiFilesUploadViaUrlRequest,
    SlackApiPostWebhookMessageRequest, SlackApiUserGroupsUsersListRequest, SlackChannelId,
    SlackClientHyperConnector, SlackHyperClient, SlackMessageContent, SlackResponseUrl, SlackTs,
    SlackUserGroupId, SlackUserId,
};
use slack_morphism::{SlackApiToken, SlackApiTokenValue, SlackClient};
use thiserror::Error;

use super::config::{SetupError, SlackConfig};
use super::encoder::{FileOut, Rendered};

/// How a failing call is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The first backoff; doubled after each failure up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// A Retry-After longer than this is cut to it (a confused server must not park a run
    /// for an hour).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 8,
            backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

/// A call that did not succeed, after any retries.
#[derive(Debug, Error)]
pub enum ApiError {
    /// Slack answered `ok: false` with an error that retrying will not change.
    #[error("Slack refused {method}: {code}")]
    Refused { method: &'static str, code: String },
    /// Every attempt failed with something that might have passed (5xx, 429, network).
    #[error("{method} kept failing, gave up after {attempts} attempts: {last}")]
    GaveUp {
        method: &'static str,
        attempts: u32,
        last: String,
        /// Slack's Retry-After when the last attempt was rate limited.
        retry_after: Option<Duration>,
    },
}

impl ApiError {
    /// Slack's error code, for a refusal.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Refused { code, .. } => Some(code),
            ApiError::GaveUp { .. } => None,
        }
    }
}

/// What to do about one failed attempt.
enum Failure {
    RateLimited(Option<Duration>),
    Transient(String),
    Permanent(String),
}

/// Slack's answers that mean "try again later" rather than "this request is wrong".
const TRANSIENT_CODES: [&str; 4] = [
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
];

fn classify(error: &SlackClientError) -> Failure {
    match error {
        SlackClientError::RateLimitError(e) => Failure::RateLimited(e.retry_after),
        SlackClientError::ApiError(e) if e.code == "ratelimited" => Failure::RateLimited(None),
        SlackClientError::ApiError(e) if TRANSIENT_CODES.contains(&e.code.as_str()) => {
            Failure::Transient(e.code.clone())
        }
        SlackClientError::ApiError(e) => Failure::Permanent(e.code.clone()),
        SlackClientError::HttpError(e) if e.status_code.is_server_error() => {
            Failure::Transient(format!("HTTP {}", e.status_code))
        }
        SlackClientError::HttpError(e) => Failure::Permanent(format!("HTTP {}", e.status_code)),
        SlackClientError::ProtocolError(e) => Failure::Permanent(e.to_string()),
        other => Failure::Transient(other.to_string()),
    }
}

/// The Slack client with the bot token, the pacing state and the retry policy.
pub struct SlackApi {
    client: Arc<SlackHyperClient>,
    token: SlackApiToken,
    retry: RetryPolicy,
    /// Method → no call before this instant (the last Retry-After Slack gave for it).
    cooldowns: Mutex<HashMap<&'static str, Instant>>,
    /// One new message per channel per period.
    posts: DefaultKeyedRateLimiter<String>,
    /// Posts into one channel queue here in arrival order, so messages appear in the order
    /// the commands came (governor alone wakes waiters in no particular order).
    channel_queues: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    edit_quota: Quota,
    /// Approval cards are edited from different runs and clicks; one pacer per card.
    card_edits: DefaultKeyedRateLimiter<String>,
}

/// A turn to post a new message in a channel; held until the post is done.
pub struct PostSlot {
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

/// Paces the edits of one message.
pub type EditPacer = DefaultDirectRateLimiter;

fn quota(period: Duration) -> Quota {
    // A zero period would mean "no limit"; one per millisecond is the closest governor has.
    Quota::with_period(period.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
}

/// The HTTPS client; also plain HTTP/1, so `slack.api_url` may name a local server (CRATE-NOTES).
pub fn client(api_url: &str) -> Result<Arc<SlackHyperClient>, SetupError> {
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    let builder = match builder.with_native_roots() {
        Ok(builder) => builder,
        Err(e) => {
            // A minimal image may have no CA bundle; the built-in Mozilla roots still reach Slack.
            tracing::warn!(error = %e, "no system CA certificates; using the built-in roots");
            hyper_rustls::HttpsConnectorBuilder::new().with_webpki_roots()
        }
    };
    let https = builder
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    let connector = SlackClientHyperConnector::with_connector(https).with_slack_api_url(api_url);
    Ok(Arc::new(SlackClient::new(connector)))
}

impl SlackApi {
    pub fn new(config: &SlackConfig) -> Result<Self, SetupError> {
        Ok(SlackApi {
            client: client(&config.api_url)?,
            token: SlackApiToken::new(SlackApiTokenValue::new(
                config.bot_token.expose().to_string(),
            )),
            retry: config.retry,
            cooldowns: Mutex::default(),
            posts: RateLimiter::keyed(quota(config.post_interval)),
            channel_queues: Mutex::default(),
            edit_quota: quota(config.edit_interval),
            card_edits: RateLimiter::keyed(quota(config.edit_interval)),
        })
    }

    pub fn client(&self) -> Arc<SlackHyperClient> {
        self.client.clone()
    }

    /// Waits for this channel's turn to get a new message. The slot is held through the post,
    /// retries included, so the next message waits for it.
    pub async fn post_slot(&self, channel: &str) -> PostSlot {
        let queue = {
            let mut queues = self
                .channel_queues
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            // Forget the queues nobody holds, so the map stays as small as the busy channels.
            if queues.len() > 256 {
                queues.retain(|_, q| Arc::strong_count(q) > 1);
                self.posts.retain_recent();
            }
            queues.entry(channel.to_string()).or_default().clone()
        };
        let turn = queue.lock_owned().await;
        self.posts.until_key_ready(&channel.to_string()).await;
        PostSlot { _turn: turn }
    }

    /// Waits until the message `channel/ts` may be edited again (approval cards).
    pub async fn edit_slot(&self, channel: &str, ts: &str) {
        self.card_edits
            .until_key_ready(&format!("{channel}/{ts}"))
            .await;
    }

    /// A pacer for one message's edits; its first permit is taken, because the post that
    /// created the message counts as its first write.
    pub fn edit_pacer(&self) -> EditPacer {
        let pacer = RateLimiter::direct(self.edit_quota);
        let _ = pacer.check();
        pacer
    }

    pub(super) async fn call<T, F, Fut>(
        &self,
        method: &'static str,
        attempt: F,
    ) -> Result<T, ApiError>
    where
        F: FnMut(Arc<SlackHyperClient>, SlackApiToken) -> Fut,
        Fut: Future<Output = Result<T, SlackClientError>>,
    {
        self.call_with(self.retry, method, attempt).await
    }

    /// Runs `attempt` until it succeeds, the error is permanent, or `policy` gives up.
    pub(super) async fn call_with<T, F, Fut>(
        &self,
        policy: RetryPolicy,
        method: &'static str,
        mut attempt: F,
    ) -> Result<T, ApiError>
    where
        F: FnMut(Arc<SlackHyperClient>, SlackApiToken) -> Fut,
        Fut: Future<Output = Result<T, SlackClientError>>,
    {
        let mut backoff = policy.backoff;
        let mut tries = 0;
        loop {
            self.wait_cooldown(method).await;
            tries += 1;
            let error = match attempt(self.client.clone(), self.token.clone()).await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let mut retry_after = None;
            let (kind, wait, detail) = match classify(&error) {
                Failure::Permanent(code) => {
                    metrics::counter!("opsbot_slack_api_errors_total", "method" => method, "kind" => "refused")
                        .increment(1);
                    tracing::warn!(method, error = %code, "Slack refused the call");
                    return Err(ApiError::Refused { method, code });
                }
                Failure::RateLimited(after) => {
                    metrics::counter!("opsbot_slack_api_ratelimited_total", "method" => method)
                        .increment(1);
                    let wait = after.unwrap_or(backoff).min(policy.max_retry_after);
                    self.set_cooldown(method, wait);
                    retry_after = Some(wait);
                    ("ratelimited", wait, format!("429, retry after {wait:?}"))
                }
                Failure::Transient(detail) => ("transient", backoff, detail),
            };
            metrics::counter!("opsbot_slack_api_errors_total", "method" => method, "kind" => kind)
                .increment(1);
            if tries >= policy.attempts {
                metrics::counter!("opsbot_slack_api_errors_total", "method" => method, "kind" => "gave_up")
                    .increment(1);
                tracing::error!(method, attempts = tries, error = %detail, "Slack call abandoned");
                return Err(ApiError::GaveUp {
                    method,
                    attempts: tries,
                    last: detail,
                    retry_after,
                });
            }
            tracing::warn!(method, attempt = tries, error = %detail, retry_in = ?wait, "Slack call failed; retrying");
            tokio::time::sleep(wait).await;
            backoff = (backoff * 2).min(policy.max_backoff);
        }
    }

    async fn wait_cooldown(&self, method: &'static str) {
        let until = {
            let cooldowns = self.cooldowns.lock().unwrap_or_else(|e| e.into_inner());
            cooldowns.get(method).copied()
        };
        if let Some(until) = until {
            tokio::time::sleep_until(until.into()).await;
        }
    }

    fn set_cooldown(&self, method: &'static str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut cooldowns = self.cooldowns.lock().unwrap_or_else(|e| e.into_inner());
        let entry = cooldowns.entry(method).or_insert(until);
        *entry = (*entry).max(until);
    }

    /// Posts a message; `render` is asked again before each attempt, so a retry after a wait
    /// sends the newest state. Returns the message's ts.
    pub async fn post_message(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        render: impl FnMut() -> Rendered,
    ) -> Result<String, ApiError> {
        self.post_message_with(self.retry, channel, thread_ts, render)
            .await
    }

    /// [`post_message`](Self::post_message) retried as `policy` says.
    pub async fn post_message_with(
        &self,
        policy: RetryPolicy,
        channel: &str,
        thread_ts: Option<&str>,
        mut render: impl FnMut() -> Rendered,
    ) -> Result<String, ApiError> {
        let channel = SlackChannelId::new(channel.to_string());
        let thread = thread_ts.map(|ts| SlackTs::new(ts.to_string()));
        self.call_with(policy, "chat.postMessage", |client, token| {
            let request = SlackApiChatPostMessageRequest::new(channel.clone(), content(render()))
                .opt_thread_ts(thread.clone());
            async move {
                let session = client.open_session(&token);
                let posted = session.chat_post_message(&request).await?;
                Ok(posted.ts.to_string())
            }
        })
        .await
    }

    /// Replaces a message's content; `render` as for [`post_message`](Self::post_message).
    pub async fn update(
        &self,
        channel: &str,
        ts: &str,
        render: impl FnMut() -> Rendered,
    ) -> Result<(), ApiError> {
        self.update_with(self.retry, channel, ts, render).await
    }

    /// [`update`](Self::update) retried as `policy` says.
    pub async fn update_with(
        &self,
        policy: RetryPolicy,
        channel: &str,
        ts: &str,
        mut render: impl FnMut() -> Rendered,
    ) -> Result<(), ApiError> {
        let channel = SlackChannelId::new(channel.to_string());
        let ts = SlackTs::new(ts.to_string());
        self.call_with(policy, "chat.update", |client, token| {
            // `blocks: []` clears blocks an earlier version had; Slack keeps them otherwise.
            let request =
                SlackApiChatUpdateRequest::new(channel.clone(), content(render()), ts.clone());
            async move {
                let session = client.open_session(&token);
                session.chat_update(&request).await.map(|_| ())
            }
        })
        .await
    }

    /// A message only `user` sees.
    pub async fn post_ephemeral(
        &self,
        channel: &str,
        user: &str,
        text: &str,
    ) -> Result<(), ApiError> {
        let request = SlackApiChatPostEphemeralRequest::new(
            SlackChannelId::new(channel.to_string()),
            SlackUserId::new(user.to_string()),
            SlackMessageContent::new().with_text(text.to_string()),
        );
        self.call("chat.postEphemeral", |client, token| {
            let request = request.clone();
            async move {
                let session = client.open_session(&token);
                session.chat_post_ephemeral(&request).await.map(|_| ())
            }
        })
        .await
    }

    /// An ephemeral answer through the command's `response_url`, which works where the bot is
    /// not a channel member.
    pub async fn respond(&self, response_url: &str, text: &str) -> Result<(), ApiError> {
        let url = url_parse(response_url)?;
        // A response_url message is ephemeral unless it says otherwise.
        let request = SlackApiPostWebhookMessageRequest::new(
            SlackMessageContent::new().with_text(text.to_string()),
        );
        self.call("response_url", |client, _token| {
            let request = request.clone();
            let url = SlackResponseUrl::new(url.clone());
            async move { client.respond_to_event(&url, &request).await.map(|_| ()) }
        })
        .await
    }

    /// Uploads `file` into the thread of `thread_ts` (files.getUploadURLExternal, the upload,
    /// files.completeUploadExternal).
    pub async fn upload(
        &self,
        channel: &str,
        thread_ts: &str,
        file: &FileOut,
    ) -> Result<(), ApiError> {
        let bytes = file.content.as_bytes().to_vec();
        let request = SlackApiFilesGetUploadUrlExternalRequest::new(file.name.clone(), bytes.len());
        let target = self
            .call("files.getUploadURLExternal", |client, token| {
                let request = request.clone();
                async move {
                    let session = client.open_session(&token);
                    session.get_upload_url_external(&request).await
                }
            })
            .await?;
        let upload = SlackApiFilesUploadViaUrlRequest::new(
            target.upload_url.clone(),
            bytes,
            "text/plain; charset=utf-8".to_string(),
        );
        self.call("files.upload", |client, token| {
            let upload = upload.clone();
            async move {
                let session = client.open_session(&token);
                session.files_upload_via_url(&upload).await.map(|_| ())
            }
        })
        .await?;
        let complete = SlackApiFilesCompleteUploadExternalRequest::new(vec![
            SlackApiFilesComplete::new(target.file_id.clone()).with_title(file.name.clone()),
        ])
        .with_channel_id(SlackChannelId::new(channel.to_string()))
        .with_thread_ts(SlackTs::new(thread_ts.to_string()));
        self.call("files.completeUploadExternal", |client, token| {
            let complete = complete.clone();
            async move {
                let session = client.open_session(&token);
                session
                    .files_complete_upload_external(&complete)
                    .await
                    .map(|_| ())
            }
        })
        .await
    }

    /// The members of a user group. Commands wait for this, so it gives up sooner than the
    /// writes do; the caller falls back on what it knew.
    pub async fn usergroup_members(&self, group: &str) -> Result<Vec<String>, ApiError> {
        let request =
            SlackApiUserGroupsUsersListRequest::new(SlackUserGroupId::new(group.to_string()));
        let policy = RetryPolicy {
            attempts: 3,
            max_retry_after: Duration::from_secs(5),
            ..self.retry
        };
        self.call_with(policy, "usergroups.users.list", |client, token| {
            let request = request.clone();
            async move {
                let session = client.open_session(&token);
                let list = session.usergroups_users_list(&request).await?;
                Ok(list.users.iter().map(|u| u.to_string()).collect())
            }
        })
        .await
    }
}

fn content(rendered: Rendered) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(rendered.text)
        .with_blocks(rendered.blocks)
}

fn url_parse(text: &str) -> Result<url::Url, ApiError> {
    text.parse()
        .map_err(|e: url::ParseError| ApiError::Refused {
            method: "response_url",
            code: e.to_string(),
        })
}
