//! Texts for pagers: cut to a provider's limit, with credentials taken out.
//!
//! Providers count characters, not bytes, and refuse or silently truncate what is longer, so
//! [`cut`] counts `char`s (a Korean syllable is one, though three bytes) and marks the cut with
//! an ellipsis. A page's texts come from people and from cluster state, either of which may
//! carry a token by accident; [`Redactor`] replaces every configured secret and the obvious
//! token shapes with `***` before a text leaves the bot.

use std::fmt;

use commands::Contact;

use crate::config::PagingSection;

/// What a secret or a token is replaced with.
pub const MASK: &str = "***";

const ELLIPSIS: char = '…';

/// `text` if it has at most `max_chars` characters; otherwise its first `max_chars - 1`
/// characters and `…`, so the result has exactly `max_chars`. Never splits a character.
pub fn cut(text: &str, max_chars: usize) -> String {
    if max_chars == 0 {
        return String::new();
    }
    match text.char_indices().nth(max_chars) {
        // Fewer than max_chars + 1 characters: it fits.
        None => text.to_string(),
        Some(_) => {
            let keep = text
                .char_indices()
                .nth(max_chars - 1)
                .map_or(text.len(), |(at, _)| at);
            let mut out = String::with_capacity(keep + ELLIPSIS.len_utf8());
            out.push_str(&text[..keep]);
            out.push(ELLIPSIS);
            out
        }
    }
}

/// Replaces credentials in texts with [`MASK`]. Its `Debug` shows how many it knows, never
/// which.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is replaced whole.
    secrets: Vec<String>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Every secret the paging configuration holds: the contacts' routing keys, the Opsgenie
    /// key and the password in `paging.smtp_url`.
    pub fn for_paging(paging: Option<&PagingSection>, contacts: &[Contact]) -> Redactor {
        let mut redactor = Redactor::new();
        for contact in contacts {
            if let Some(key) = &contact.pagerduty_routing_key {
                redactor.add(key.expose());
            }
        }
        if let Some(paging) = paging {
            if let Some(key) = &paging.opsgenie_api_key {
                redactor.add(key.expose());
            }
            if let Some(password) = paging
                .smtp_url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.password().map(str::to_string))
            {
                // As written in the URL and as sent to the server.
                if let Some(decoded) = percent_decode(&password) {
                    redactor.add(&decoded);
                }
                redactor.add(&password);
            }
        }
        redactor
    }

    /// Adds one secret. Blank ones are ignored: masking every space would hide the text.
    pub fn add(&mut self, secret: &str) {
        if secret.trim().is_empty() || self.secrets.iter().any(|s| s == secret) {
            return;
        }
        self.secrets.push(secret.to_string());
        self.secrets
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    }

    /// Adds every secret `other` knows.
    pub fn extend(&mut self, other: &Redactor) {
        for secret in &other.secrets {
            self.add(secret);
        }
    }

    /// The same, adding `secret`.
    pub fn with(mut self, secret: &str) -> Redactor {
        self.add(secret);
        self
    }

    /// `text` with every known secret and every token-shaped word replaced by [`MASK`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        mask_token_shapes(&out)
    }

    /// Redacts, then cuts: the order matters, or a cut could leave half a secret behind.
    pub fn clean(&self, text: &str, max_chars: usize) -> String {
        cut(&self.redact(text), max_chars)
    }
}

/// `%XX` decoded, as lettre decodes the URL's password before it sends it.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = std::str::from_utf8(bytes.get(at + 1..at + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Slack token prefixes: bot, user, app-level, legacy and refresh tokens.
const SLACK_PREFIXES: [&str; 7] = [
    "xoxb-", "xoxp-", "xapp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-",
];

/// Authorization schemes whose next word is a credential.
const SCHEMES: [&str; 2] = ["bearer", "geniekey"];

/// Shorter words after a scheme name are prose ("the bearer of bad news"), not credentials.
const MIN_CREDENTIAL_LEN: usize = 8;

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_slack_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// Base64, base64url, JWT and UUID characters.
fn is_credential_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

fn run_end(bytes: &[u8], from: usize, accept: fn(u8) -> bool) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| !accept(b))
        .map_or(bytes.len(), |n| from + n)
}

/// A Slack token starting at `at`: where it ends.
fn slack_token_at(bytes: &[u8], at: usize) -> Option<usize> {
    let prefix = SLACK_PREFIXES
        .iter()
        .find(|p| bytes[at..].starts_with(p.as_bytes()))?;
    let body = at + prefix.len();
    let end = run_end(bytes, body, is_slack_token_byte);
    (end > body).then_some(end)
}

/// `Bearer TOKEN` or `GenieKey TOKEN` starting at `at`: where the token starts and ends.
fn scheme_token_at(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let scheme = SCHEMES.iter().find(|s| {
        bytes
            .get(at..at + s.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(s.as_bytes()))
    })?;
    let after = at + scheme.len();
    let start = run_end(bytes, after, |b| b == b' ' || b == b'\t');
    if start == after {
        return None;
    }
    let end = run_end(bytes, start, is_credential_byte);
    (end - start >= MIN_CREDENTIAL_LEN).then_some((start, end))
}

/// Masks Slack tokens whole and the credential after `Bearer` or `GenieKey`.
///
/// Works on bytes: every pattern starts with an ASCII byte, which in UTF-8 is always a
/// character boundary, and every run it skips is ASCII, so each slice below is on a boundary.
fn mask_token_shapes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let starts_word = at == 0 || !is_word_byte(bytes[at - 1]);
        if starts_word && bytes[at].is_ascii_alphabetic() {
            if let Some(end) = slack_token_at(bytes, at) {
                out.push_str(&text[copied..at]);
                out.push_str(MASK);
                copied = end;
                at = end;
                continue;
            }
            if let Some((start, end)) = scheme_token_at(bytes, at) {
                out.push_str(&text[copied..start]);
                out.push_str(MASK);
                copied = end;
                at = end;
                continue;
            }
        }
        at += 1;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use commands::Secret;

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(cut("node down", 9), "node down");
        assert_eq!(cut("", 3), "");
    }

    #[test]
    fn long_text_ends_in_an_ellipsis_at_the_limit() {
        assert_eq!(cut("node down", 5), "node…");
        assert_eq!(cut("node down", 1), "…");
        assert_eq!(cut("node down", 0), "");
    }

    #[test]
    fn korean_is_cut_by_characters_not_bytes() {
        let text = "클러스터 장애: 노드가 응답하지 않습니다";
        let cut_text = cut(text, 8);
        assert_eq!(cut_text, "클러스터 장애…");
        assert_eq!(cut_text.chars().count(), 8);

        let long = "장".repeat(5000);
        let cut_long = cut(&long, 1024);
        assert_eq!(cut_long.chars().count(), 1024);
        assert!(cut_long.ends_with('…'));
    }

    /// Every string of up to six characters over one-, three- and four-byte characters, cut
    /// at every limit up to one past its length.
    #[test]
    fn cut_is_exact_for_every_short_mixed_string() {
        let alphabet = ['a', '장', '😀'];
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.chars().count() == texts.last().map_or(0, |l| l.chars().count()))
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        assert_eq!(texts.len(), 1 + 3 + 9 + 27 + 81 + 243 + 729);
        for text in &texts {
            let len = text.chars().count();
            for max in 0..=len + 1 {
                let out = cut(text, max);
                if len <= max {
                    assert_eq!(&out, text);
                } else {
                    assert_eq!(out.chars().count(), max, "{text:?} at {max}");
                    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
                    if max > 0 {
                        assert_eq!(out, format!("{kept}…"));
                    } else {
                        assert!(out.is_empty());
                    }
                }
            }
        }
    }

    #[test]
    fn configured_secrets_are_masked_wherever_they_appear() {
        let redactor = Redactor::new().with("R0UTINGKEY123").with("genie-key-9");
        assert_eq!(
            redactor.redact("키 R0UTINGKEY123 와 genie-key-9, 다시 R0UTINGKEY123"),
            "키 *** 와 ***, 다시 ***"
        );
    }

    #[test]
    fn a_secret_containing_another_is_masked_whole() {
        let redactor = Redactor::new().with("abc").with("xxabcxx");
        assert_eq!(redactor.redact("[xxabcxx] [abc]"), "[***] [***]");
    }

    #[test]
    fn blank_secrets_are_ignored() {
        let redactor = Redactor::new().with("").with("  ");
        assert_eq!(redactor.redact("a b"), "a b");
    }

    #[test]
    fn token_shapes_are_masked() {
        let redactor = Redactor::new();
        assert_eq!(
            redactor.redact("token xoxb-1234-abcd used"),
            "token *** used"
        );
        assert_eq!(redactor.redact("(xoxp-9-9-9)"), "(***)");
        assert_eq!(redactor.redact("토큰xapp-1-A0-77"), "토큰***");
        assert_eq!(
            redactor.redact("Authorization: Bearer eyJhbGci.eyJzdWIi.c2ln== end"),
            "Authorization: Bearer *** end"
        );
        assert_eq!(
            redactor.redact("authorization: GenieKey 0b1c-77ef"),
            "authorization: GenieKey ***"
        );
        assert_eq!(redactor.redact("bearer\tabcdefgh"), "bearer\t***");
    }

    #[test]
    fn words_that_only_look_alike_are_kept() {
        let redactor = Redactor::new();
        for text in [
            "xoxb- nothing after",
            "the bearer of bad news",
            "Bearer",
            "notxoxb-123",
            "GenieKeys are rotated",
            // A word before the scheme name makes it part of that word.
            "MyBearer abcdefghij",
        ] {
            assert_eq!(redactor.redact(text), text);
        }
    }

    #[test]
    fn clean_redacts_before_it_cuts() {
        let redactor = Redactor::new().with("SECRETSECRET");
        // Cutting first would leave `SECRE…`, half a secret.
        assert_eq!(redactor.clean("x SECRETSECRET", 6), "x ***");
    }

    #[test]
    fn extending_takes_the_other_redactors_secrets() {
        let mut redactor = Redactor::new().with("one-secret");
        redactor.extend(&Redactor::new().with("two-secret").with("one-secret"));
        assert_eq!(redactor.redact("one-secret two-secret"), "*** ***");
        assert_eq!(format!("{redactor:?}"), "Redactor(2 secrets)");
    }

    #[test]
    fn paging_secrets_come_from_contacts_and_the_paging_section() {
        let contacts: Vec<Contact> = serde_json::from_value(serde_json::json!([
            {"situation": "cluster-failure", "team": "Platform", "pagerduty_routing_key": "RK-ONE"},
            {"situation": "security-incident", "team": "Security", "pagerduty_routing_key": "RK-TWO"},
        ]))
        .expect("contacts");
        let paging = PagingSection {
            opsgenie_api_key: Some(Secret::new("GENIE-SECRET")),
            smtp_url: Some("smtps://bot:p%40ss%2Fword@mail.example.com:465".into()),
            ..PagingSection::default()
        };
        let redactor = Redactor::for_paging(Some(&paging), &contacts);
        assert_eq!(
            redactor.redact("RK-ONE RK-TWO GENIE-SECRET p@ss/word p%40ss%2Fword"),
            "*** *** *** *** ***"
        );
        assert_eq!(format!("{redactor:?}"), "Redactor(5 secrets)");
    }
}
