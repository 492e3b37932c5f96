//! Email over SMTP (lettre, tokio): a plain-text message from `paging.email_from` to the
//! contact's addresses.
//!
//! `paging.smtp_url` says how to connect, as lettre reads it: `smtp://host:25` plain,
//! `smtp://host:587?tls=required` (or `opportunistic`) with STARTTLS, `smtps://host:465`
//! TLS from the start, and `user:password@` in the URL to log in. Email has no acknowledge;
//! a resolve answers the trigger's message so mail clients show one thread. A 5xx reply
//! (an unknown recipient) is final, a 4xx reply or a lost connection is retried.

use std::num::NonZeroU32;
use std::time::Duration;

use async_trait::async_trait;
use commands::Contact;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sha2::{Digest, Sha256};

use super::PagerSetupError;
use crate::paging::text::{Redactor, cut};
use crate::paging::{Page, PageAction, Pager, SendError};

/// Long enough for the summary's gist; mail clients show about this much.
const SUBJECT_MAX: usize = 120;
const BODY_MAX: usize = 50_000;
const DETAIL_MAX: usize = 4000;
/// The whole exchange with the server, connecting included.
const TIMEOUT: Duration = Duration::from_secs(20);
/// Modest: one a second after a burst of five, well within any relay's limits.
const PER_SECOND: NonZeroU32 = NonZeroU32::MIN;
const BURST: NonZeroU32 = match NonZeroU32::new(5) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

pub(super) fn reaches(contact: &Contact) -> bool {
    contact.email.iter().any(|a| !a.trim().is_empty())
}

/// Every `email` entry of `contact` must be a mailbox; checked when the pagers are built.
pub(super) fn check_addresses(contact: &Contact) -> Result<Vec<Mailbox>, PagerSetupError> {
    contact
        .email
        .iter()
        .filter(|a| !a.trim().is_empty())
        .map(|address| {
            address
                .trim()
                .parse::<Mailbox>()
                .map_err(|_| PagerSetupError::BadAddress {
                    key: format!("contacts.{}.email", contact.situation),
                    address: address.clone(),
                })
        })
        .collect()
}

/// Sends through one SMTP transport, a new connection per message (pages are rare).
pub struct EmailPager {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    redactor: Redactor,
    pacing: DefaultDirectRateLimiter,
}

impl EmailPager {
    pub(super) fn new(
        smtp_url: &str,
        from: &str,
        redactor: Redactor,
    ) -> Result<EmailPager, PagerSetupError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url.trim())
            .map_err(|e| PagerSetupError::BadSmtpUrl {
                reason: redactor.redact(&e.to_string()),
            })?
            .timeout(Some(TIMEOUT))
            .build();
        let from = from
            .trim()
            .parse::<Mailbox>()
            .map_err(|_| PagerSetupError::BadAddress {
                key: "paging.email_from".into(),
                address: from.to_string(),
            })?;
        Ok(EmailPager {
            transport,
            from,
            redactor,
            pacing: RateLimiter::direct(Quota::per_second(PER_SECOND).allow_burst(BURST)),
        })
    }

    fn message(&self, to: Vec<Mailbox>, page: &Page) -> Result<Message, SendError> {
        let thread = thread_id(page);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(self.redactor.clean(&subject(page), SUBJECT_MAX))
            .header(ContentType::TEXT_PLAIN);
        for mailbox in to {
            builder = builder.to(mailbox);
        }
        builder = match page.action {
            PageAction::Trigger => builder.message_id(Some(thread)),
            _ => builder
                .message_id(None)
                .in_reply_to(thread.clone())
                .references(thread),
        };
        builder
            .body(self.redactor.clean(&body(page), BODY_MAX))
            .map_err(|e| SendError::Permanent {
                reason: self
                    .redactor
                    .redact(&format!("the email could not be built: {e}")),
            })
    }
}

/// `[opsbot] TRIGGER cluster-failure: node w1 NotReady`.
fn subject(page: &Page) -> String {
    format!(
        "[opsbot] {} {}: {}",
        page.action.as_str().to_uppercase(),
        page.situation,
        one_line(&page.summary)
    )
}

/// A subject is one line; a summary may not be.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn body(page: &Page) -> String {
    let opened = chrono::DateTime::from_timestamp(page.opened_at, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| page.opened_at.to_string());
    let mut text = format!(
        "{action} {situation} ({severity})\n\n{summary}\n\n\
         incident:  {incident}\nteam:      {team}\nseverity:  {severity}\n\
         source:    {source}\nopened at: {opened}\n",
        action = page.action.as_str().to_uppercase(),
        situation = page.situation,
        severity = page.severity.as_str(),
        summary = page.summary,
        incident = page.incident,
        team = page.team,
        source = page.source,
    );
    if let Some(by) = &page.by {
        text.push_str(&format!("by:        {by}\n"));
    }
    if !page.details.is_empty() {
        text.push_str("\ndetails:\n");
        for (name, value) in &page.details {
            text.push_str(&format!("  {name}: {}\n", cut(value, DETAIL_MAX)));
        }
    }
    text.push_str(&format!("\ndedup key: {}\n-- opsbot\n", page.dedup_key));
    text
}

/// The trigger's Message-ID, derived from the dedup key so a resolve can answer it without
/// the store remembering it.
fn thread_id(page: &Page) -> String {
    let digest = Sha256::digest(page.dedup_key.as_bytes());
    format!("<incident.{}@opsbot>", hex::encode(&digest[..16]))
}

/// 5xx replies are final; 4xx replies, timeouts and lost connections are worth another try.
fn classify(error: &lettre::transport::smtp::Error, redactor: &Redactor) -> SendError {
    let reason = redactor.redact(&format!("the SMTP server refused: {error}"));
    if error.is_permanent() || error.is_client() {
        SendError::Permanent { reason }
    } else {
        SendError::Retry {
            reason,
            after: None,
        }
    }
}

#[async_trait]
impl Pager for EmailPager {
    fn target(&self) -> &'static str {
        "email"
    }

    fn reaches(&self, contact: &Contact) -> bool {
        reaches(contact)
    }

    /// No acknowledge: an email cannot be taken back, and "someone looked" is not news.
    fn takes(&self, action: PageAction) -> bool {
        matches!(action, PageAction::Trigger | PageAction::Resolve)
    }

    async fn send(&self, contact: &Contact, page: &Page) -> Result<(), SendError> {
        let to = check_addresses(contact).map_err(|e| SendError::Permanent {
            reason: e.to_string(),
        })?;
        if to.is_empty() {
            return Err(SendError::Permanent {
                reason: format!("contact `{}` has no email address", contact.situation),
            });
        }
        let message = self.message(to, page)?;
        self.pacing.until_ready().await;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| classify(&e, &self.redactor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commands::incidents::Severity;

    fn page(action: PageAction, summary: &str) -> Page {
        Page {
            action,
            dedup_key: "cluster-failure/app1".into(),
            incident: "inc-1".into(),
            situation: "cluster-failure".into(),
            team: "Platform Team".into(),
            severity: Severity::Critical,
            summary: summary.into(),
            source: "app1".into(),
            details: vec![("node".into(), "w1".into())],
            by: None,
            opened_at: 0,
        }
    }

    #[test]
    fn subject_names_action_situation_and_summary_on_one_line() {
        assert_eq!(
            subject(&page(PageAction::Trigger, "node w1\nNotReady")),
            "[opsbot] TRIGGER cluster-failure: node w1 NotReady"
        );
    }

    #[test]
    fn trigger_and_resolve_share_a_thread() {
        assert_eq!(
            thread_id(&page(PageAction::Trigger, "a")),
            thread_id(&page(PageAction::Resolve, "b"))
        );
    }
}
