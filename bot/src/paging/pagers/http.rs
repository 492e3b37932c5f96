//! What the HTTP pagers share: the client, URL building, and reading an answer as a
//! [`SendError`] (2xx delivered; 429, 408, 5xx and network errors retried; other 4xx final).

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use url::Url;

use super::PagerSetupError;
use crate::paging::SendError;
use crate::paging::text::{Redactor, cut};

/// A provider that does not answer in this long is retried later; the outbox keeps the page.
const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of a provider's error body goes into the reason: enough for its message.
const BODY_IN_REASON: usize = 300;

pub(super) fn client() -> Result<reqwest::Client, PagerSetupError> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("opsbot/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| PagerSetupError::Http {
            reason: chain(&e.without_url()),
        })
}

/// `base` with `segments` appended as path segments, each percent-encoded (a dedup key may
/// hold `/`, `?` or spaces).
pub(super) fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// Parses a configured base URL; `key` names it in the error.
pub(super) fn parse_base(text: &str, key: &str) -> Result<Url, PagerSetupError> {
    Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .ok_or_else(|| PagerSetupError::BadUrl {
            key: key.to_string(),
        })
}

/// Sends the request and reads the answer. `provider` starts each reason (`PagerDuty
/// answered 400: …`); the provider's own words follow, redacted.
pub(super) async fn deliver(
    request: RequestBuilder,
    provider: &str,
    redactor: &Redactor,
) -> Result<(), SendError> {
    let response = request.send().await.map_err(|e| SendError::Retry {
        // Without the URL: a webhook's URL may itself be a credential.
        reason: redactor.redact(&format!(
            "{provider} could not be reached: {}",
            chain(&e.without_url())
        )),
        after: None,
    })?;
    classify(response, provider, redactor).await
}

async fn classify(
    response: Response,
    provider: &str,
    redactor: &Redactor,
) -> Result<(), SendError> {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let after = retry_after(response.headers());
    let body = response.text().await.unwrap_or_default();
    let words = cut(body.trim(), BODY_IN_REASON);
    let reason = if words.is_empty() {
        format!("{provider} answered {status}")
    } else {
        format!("{provider} answered {status}: {words}")
    };
    let reason = redactor.redact(&reason);
    if status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
    {
        Err(SendError::Retry { reason, after })
    } else {
        Err(SendError::Permanent { reason })
    }
}

/// `Retry-After` as seconds or as an HTTP date. Whatever it says, the outbox waits at most
/// `paging.retry_after_max` ([`crate::paging::outbox::Backoff`]); a value that is neither
/// (negative, fractional, `NaN`, `1e300`) is no advice at all.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// An error and its causes on one line (`error sending request: connection refused`).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn segments_are_percent_encoded_after_the_base_path() {
        let base = Url::parse("http://127.0.0.1:9/prefix/").expect("url");
        let url = join(&base, &["v2", "alerts", "a/b c?d", "close"]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/prefix/v2/alerts/a%2Fb%20c%3Fd/close"
        );
    }

    #[test]
    fn only_http_urls_are_bases() {
        assert!(parse_base("https://events.pagerduty.com", "k").is_ok());
        assert_eq!(
            parse_base("mailto:x@y", "paging.pagerduty_url"),
            Err(PagerSetupError::BadUrl {
                key: "paging.pagerduty_url".into()
            })
        );
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        // In the past: go now.
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    /// Issue 11 (absurd Retry-After): none of these may panic; nonsense is no advice, and a
    /// far-future date is a long wait that the outbox caps.
    #[test]
    fn absurd_retry_after_values_never_panic() {
        let mut headers = HeaderMap::new();
        for nonsense in [
            "-5",
            "NaN",
            "inf",
            "1e300",
            "18446744073709551616",
            "1.5",
            "",
        ] {
            headers.insert(RETRY_AFTER, HeaderValue::from_static(nonsense));
            assert_eq!(retry_after(&headers), None, "{nonsense}");
        }
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Fri, 31 Dec 9999 23:59:59 GMT"),
        );
        let far = retry_after(&headers).expect("a date is advice");
        assert!(far > Duration::from_secs(365 * 86_400));
        let capped = crate::paging::outbox::Backoff::default().delay(0, Some(far));
        assert_eq!(capped, Duration::from_secs(300));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("18446744073709551615"),
        );
        let most = retry_after(&headers).expect("u64::MAX seconds");
        assert_eq!(
            crate::paging::outbox::Backoff::default().delay(0, Some(most)),
            Duration::from_secs(300)
        );
    }
}
