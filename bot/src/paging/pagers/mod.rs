//! The pagers: PagerDuty Events API v2, Opsgenie, a generic JSON webhook, email over SMTP.
//!
//! [`from_config`] builds the pagers that some contact in the table uses, each with its own
//! pacing (governor) at its provider's rate limit and a [`Redactor`] that knows every
//! configured secret, so no page text carries one. Opsgenie is being retired (CRATE-NOTES),
//! which is one reason each provider stays behind the [`Pager`] trait.

mod email;
mod http;
mod opsgenie;
mod pagerduty;
mod webhook;

use std::sync::Arc;

use commands::Contact;
use thiserror::Error;

use super::Pager;
use super::text::Redactor;
use crate::config::PagingSection;

pub use email::EmailPager;
pub use opsgenie::OpsgeniePager;
pub use pagerduty::PagerDutyPager;
pub use webhook::WebhookPager;

/// `paging.pagerduty_url` when unset.
pub const PAGERDUTY_URL: &str = "https://events.pagerduty.com";
/// `paging.opsgenie_url` when unset (the US instance; EU accounts set `https://api.eu.opsgenie.com`).
pub const OPSGENIE_URL: &str = "https://api.opsgenie.com";

/// Why the pagers could not be built. Never holds a credential or a URL that may carry one.
#[derive(Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum PagerSetupError {
    /// A contact uses a pager whose `[paging]` key is not set.
    #[error("contact `{situation}` uses {target}, but `paging.{key}` is not set")]
    MissingKey {
        situation: String,
        target: &'static str,
        key: &'static str,
    },
    /// A base URL or webhook that does not parse as an http(s) URL.
    #[error("`{key}` is not an http(s) URL")]
    BadUrl { key: String },
    /// `paging.smtp_url` could not be turned into an SMTP transport (the reason says why, with
    /// any password masked).
    #[error("`paging.smtp_url` is not a usable SMTP URL: {reason}")]
    BadSmtpUrl { reason: String },
    /// `paging.email_from` or a contact's `email` entry is not a mailbox.
    #[error("`{key}` is not an email address: {address}")]
    BadAddress { key: String, address: String },
    /// The HTTP client could not be built (TLS roots, for instance).
    #[error("the HTTP client for pagers could not be built: {reason}")]
    Http { reason: String },
}

/// The pagers the contacts table uses, checked against `[paging]`.
///
/// # Errors
/// A contact whose pager needs a `[paging]` key that is missing (`opsgenie_api_key` for an
/// Opsgenie team; `smtp_url` and `email_from` for email), or a URL or address that does not
/// parse. Each error names the key.
pub fn from_config(
    paging: Option<&PagingSection>,
    contacts: &[Contact],
) -> Result<Vec<Arc<dyn Pager>>, PagerSetupError> {
    from_config_with(paging, contacts, &Redactor::new())
}

/// As [`from_config`], and the pagers also mask the secrets `extra` knows (the chat tokens,
/// for instance), which a page's text might quote.
///
/// # Errors
/// As [`from_config`].
pub fn from_config_with(
    paging: Option<&PagingSection>,
    contacts: &[Contact],
    extra: &Redactor,
) -> Result<Vec<Arc<dyn Pager>>, PagerSetupError> {
    let empty = PagingSection::default();
    let section = paging.unwrap_or(&empty);
    let mut redactor = Redactor::for_paging(paging, contacts);
    redactor.extend(extra);
    let mut pagers: Vec<Arc<dyn Pager>> = Vec::new();
    // One connection pool for the HTTP pagers; cheap to build when none is used.
    let client = http::client()?;

    if contacts.iter().any(pagerduty::reaches) {
        let base = section.pagerduty_url.as_deref().unwrap_or(PAGERDUTY_URL);
        pagers.push(Arc::new(PagerDutyPager::new(
            base,
            client.clone(),
            redactor.clone(),
        )?));
    }

    if let Some(contact) = contacts.iter().find(|c| opsgenie::reaches(c)) {
        let key = section
            .opsgenie_api_key
            .clone()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| missing(contact, "opsgenie", "opsgenie_api_key"))?;
        let base = section.opsgenie_url.as_deref().unwrap_or(OPSGENIE_URL);
        pagers.push(Arc::new(OpsgeniePager::new(
            base,
            key,
            client.clone(),
            redactor.clone(),
        )?));
    }

    let webhooks: Vec<&Contact> = contacts.iter().filter(|c| webhook::reaches(c)).collect();
    if !webhooks.is_empty() {
        for contact in &webhooks {
            webhook::check_url(contact)?;
        }
        pagers.push(Arc::new(WebhookPager::new(
            client.clone(),
            redactor.clone(),
        )));
    }

    if let Some(contact) = contacts.iter().find(|c| email::reaches(c)) {
        let smtp_url = section
            .smtp_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| missing(contact, "email", "smtp_url"))?;
        let from = section
            .email_from
            .as_deref()
            .filter(|f| !f.trim().is_empty())
            .ok_or_else(|| missing(contact, "email", "email_from"))?;
        for contact in contacts {
            email::check_addresses(contact)?;
        }
        pagers.push(Arc::new(EmailPager::new(smtp_url, from, redactor.clone())?));
    }

    Ok(pagers)
}

fn missing(contact: &Contact, target: &'static str, key: &'static str) -> PagerSetupError {
    PagerSetupError::MissingKey {
        situation: contact.situation.clone(),
        target,
        key,
    }
}
