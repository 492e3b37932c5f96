//! Every sentence a user reads, in Korean or English.
//!
//! The bundles live in `bot/locales/{en,ko}/*.ftl` and are compiled into the binary. Code never
//! holds user-facing text: it holds [`Message`] ids, and a [`Localizer`] renders them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use commands::{Message, MessageArg};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use unic_langid::langid;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks would end up inside table cells and terminal output.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The two languages of the bot (`locale` in the configuration).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    #[default]
    En,
    Ko,
}

impl FromStr for Locale {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "en" => Ok(Locale::En),
            "ko" => Ok(Locale::Ko),
            _ => Err(()),
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Locale::En => "en",
            Locale::Ko => "ko",
        })
    }
}

/// Renders messages in one language.
#[derive(Clone, Copy, Debug)]
pub struct Localizer {
    locale: Locale,
}

impl Localizer {
    pub fn new(locale: Locale) -> Self {
        Localizer { locale }
    }

    pub fn locale(&self) -> Locale {
        self.locale
    }

    fn language(&self) -> LanguageIdentifier {
        match self.locale {
            Locale::En => langid!("en"),
            Locale::Ko => langid!("ko"),
        }
    }

    /// The message in this language. An id missing from the bundles is a bug (a test checks
    /// that none is); it shows as its id rather than as nothing.
    pub fn text(&self, message: &Message) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        for (name, value) in &message.args {
            let value = match value {
                MessageArg::Text(t) => FluentValue::from(t.clone()),
                MessageArg::Number(n) => FluentValue::from(*n),
                MessageArg::Nested(inner) => FluentValue::from(self.text(inner)),
            };
            args.insert(Cow::Borrowed(name), value);
        }
        match LOCALES.try_lookup_with_args(&self.language(), &message.id, &args) {
            Some(text) => text,
            None => {
                tracing::warn!(id = %message.id, "message id missing from the bundles");
                message.to_string()
            }
        }
    }

    /// Shorthand for a message without arguments.
    pub fn id(&self, id: &'static str) -> String {
        self.text(&Message::new(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn ids(locale: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(locale);
        let mut ids = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).expect("locale dir") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("ftl");
            for line in text.lines() {
                let starts_id = line.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
                if let (true, Some((id, _))) = (starts_id, line.split_once('=')) {
                    assert!(
                        ids.insert(id.trim().to_string()),
                        "{locale}: {id} defined twice"
                    );
                }
            }
        }
        ids
    }

    #[test]
    fn every_message_exists_in_both_languages() {
        let en = ids("en");
        let ko = ids("ko");
        let only_en: Vec<_> = en.difference(&ko).collect();
        let only_ko: Vec<_> = ko.difference(&en).collect();
        assert!(only_en.is_empty(), "missing in ko: {only_en:?}");
        assert!(only_ko.is_empty(), "missing in en: {only_ko:?}");
    }

    /// Every `msg!("…")` and `Message::new("…")` in the code names an id of the bundles, and
    /// every operation has its `help` summary.
    #[test]
    fn every_id_used_in_code_is_defined() {
        let en = ids("en");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut used = BTreeSet::new();
        for dir in ["bot/src", "commands/src"] {
            collect_ids(&root.join(dir), &mut used);
        }
        for entry in commands::CATALOGUE {
            used.insert(entry.spec.summary_id());
        }
        let missing: Vec<_> = used.iter().filter(|id| !en.contains(*id)).collect();
        assert!(missing.is_empty(), "ids used but not defined: {missing:?}");
    }

    fn collect_ids(dir: &Path, used: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("source dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                collect_ids(&path, used);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).expect("source");
                // Doc comments show the macro with a placeholder id; they are not uses.
                let text: String = source
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                for marker in ["msg!(", "Message::new(", "l10n.id("] {
                    for piece in text.split(marker).skip(1) {
                        let Some(piece) = piece.trim_start().strip_prefix('"') else {
                            continue;
                        };
                        if let Some(id) = piece.split('"').next()
                            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                            && !id.is_empty()
                        {
                            used.insert(id.to_string());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn korean_and_english_differ_and_fill_arguments() {
        let m = Message::new("parse-unknown-command").arg("typed", "etcd snapsot");
        let en = Localizer::new(Locale::En).text(&m);
        let ko = Localizer::new(Locale::Ko).text(&m);
        assert!(en.contains("etcd snapsot"), "{en}");
        assert!(ko.contains("etcd snapsot"), "{ko}");
        assert_ne!(en, ko);
    }
}
