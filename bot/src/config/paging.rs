//! Checks of the emergency contacts table, `[paging]` and `[watchers]`: every situation can
//! reach someone, every pager it names has what it needs, every watcher kind is known.

use std::collections::BTreeSet;

use commands::watch::ConditionKind;
use commands::{Contact, Secret, msg, validate};

use super::RawConfig;
use super::check::{Checker, missing_secret};
use commands::incidents::Severity;

pub(super) fn check(c: &mut Checker<'_>, raw: &RawConfig) {
    let mut seen = BTreeSet::new();
    for (i, contact) in raw.contacts.iter().enumerate() {
        let key = |k: &str| format!("contacts[{i}].{k}");
        if validate::dns1123_label(&contact.situation).is_err() {
            c.add(
                key("situation"),
                msg!("config-bad-situation", value = contact.situation.as_str()),
            );
        }
        if !seen.insert(contact.situation.as_str()) {
            c.add(
                key("situation"),
                msg!(
                    "config-duplicate-situation",
                    value = contact.situation.as_str()
                ),
            );
        }
        if contact.team.trim().is_empty() {
            c.add(key("team"), msg!("config-missing-key"));
        }
        check_pagers(c, raw, contact, &key);
        if !reaches_anyone(raw, contact) {
            c.add(
                key("situation"),
                msg!(
                    "config-situation-unreachable",
                    value = contact.situation.as_str()
                ),
            );
        }
    }
    check_paging_section(c, raw);
    check_watchers(c, raw);
}

fn check_pagers(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    contact: &Contact,
    key: &dyn Fn(&str) -> String,
) {
    let paging = raw.paging.as_ref();
    if contact
        .pagerduty_routing_key
        .as_ref()
        .is_some_and(Secret::is_empty)
    {
        c.add(key("pagerduty_routing_key"), msg!("config-missing-secret"));
    }
    if contact.opsgenie_team.is_some() && paging.is_none_or(|p| missing_secret(&p.opsgenie_api_key))
    {
        c.add("paging.opsgenie_api_key", msg!("config-missing-secret"));
    }
    if let Some(url) = &contact.webhook
        && !is_http_url(url)
    {
        c.add(key("webhook"), msg!("config-bad-url", value = url.as_str()));
    }
    for (j, address) in contact.email.iter().enumerate() {
        if !is_address(address) {
            c.add(
                format!("{}[{j}]", key("email")),
                msg!("config-bad-email", value = address.as_str()),
            );
        }
    }
    if !contact.email.is_empty() {
        if paging.is_none_or(|p| p.smtp_url.as_deref().is_none_or(|u| u.trim().is_empty())) {
            c.add("paging.smtp_url", msg!("config-missing-key"));
        }
        if paging.is_none_or(|p| p.email_from.as_deref().is_none_or(|u| u.trim().is_empty())) {
            c.add("paging.email_from", msg!("config-missing-key"));
        }
    }
}

/// A situation reaches someone through a pager, or through a chat's incident channel that
/// mentions its team there.
fn reaches_anyone(raw: &RawConfig, contact: &Contact) -> bool {
    let has = |value: Option<&String>| value.is_some_and(|v| !v.trim().is_empty());
    let slack_channel = raw
        .slack
        .as_ref()
        .is_some_and(|s| has(s.incident_channel.as_ref()));
    let discord_channel = raw
        .discord
        .as_ref()
        .is_some_and(|d| has(d.incident_channel.as_ref()));
    contact
        .pagerduty_routing_key
        .as_ref()
        .is_some_and(|k| !k.is_empty())
        || has(contact.opsgenie_team.as_ref())
        || has(contact.webhook.as_ref())
        || !contact.email.is_empty()
        || (slack_channel && !contact.slack_mentions.is_empty())
        || (discord_channel && !contact.discord_mentions.is_empty())
}

fn check_paging_section(c: &mut Checker<'_>, raw: &RawConfig) {
    let Some(paging) = &raw.paging else {
        return;
    };
    for (name, url) in [
        ("paging.pagerduty_url", &paging.pagerduty_url),
        ("paging.opsgenie_url", &paging.opsgenie_url),
    ] {
        if let Some(url) = url
            && !is_http_url(url)
        {
            c.add(name, msg!("config-bad-url", value = url.as_str()));
        }
    }
    if let Some(url) = &paging.smtp_url {
        let ok = url::Url::parse(url)
            .is_ok_and(|u| matches!(u.scheme(), "smtp" | "smtps") && u.host_str().is_some());
        if !ok {
            c.add(
                "paging.smtp_url",
                msg!("config-bad-smtp-url", value = url.as_str()),
            );
        }
    }
    if let Some(from) = &paging.email_from
        && !is_address(from)
    {
        c.add(
            "paging.email_from",
            msg!("config-bad-email", value = from.as_str()),
        );
    }
    for (name, value) in [
        ("paging.retry_initial", &paging.retry_initial),
        ("paging.retry_max", &paging.retry_max),
    ] {
        if let Some(value) = value
            && validate::duration(value).is_err()
        {
            c.add(name, msg!("config-bad-duration", value = value.as_str()));
        }
    }
}

fn check_watchers(c: &mut Checker<'_>, raw: &RawConfig) {
    for (i, namespace) in raw.watchers.namespaces.iter().enumerate() {
        if validate::dns1123_label(namespace).is_err() {
            c.add(
                format!("watchers.namespaces[{i}]"),
                msg!("config-bad-namespace", value = namespace.as_str()),
            );
        }
    }
    for (kind, settings) in &raw.watchers.kinds {
        let key = |k: &str| format!("watchers.kinds.{kind}.{k}");
        if !ConditionKind::ALL.iter().any(|k| k.as_str() == kind) {
            let known: Vec<&str> = ConditionKind::ALL.iter().map(|k| k.as_str()).collect();
            c.add(
                format!("watchers.kinds.{kind}"),
                msg!(
                    "config-unknown-watch-kind",
                    value = kind.as_str(),
                    known = known.join(", ")
                ),
            );
        }
        if let Some(severity) = &settings.severity
            && Severity::parse(severity).is_none()
        {
            c.add(
                key("severity"),
                msg!("config-bad-severity", value = severity.as_str()),
            );
        }
        if let Some(situation) = &settings.situation
            && !raw.contacts.iter().any(|c| &c.situation == situation)
        {
            c.add(
                key("situation"),
                msg!("config-unknown-situation", value = situation.as_str()),
            );
        }
    }
}

fn is_http_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// Enough of an address to be worth sending to: one `@` with something either side.
fn is_address(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text
                    .chars()
                    .any(|ch| ch.is_whitespace() || ch == '<' || ch == '>')
        }
        None => false,
    }
}
