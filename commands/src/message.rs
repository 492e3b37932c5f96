//! A user-visible sentence, not yet in any language.
//!
//! Operations never format text for people: they name a message id (a key of the fluent
//! bundles in `bot/locales/`) and its arguments, and the chat adapter renders it in the
//! configured locale. Ids are written with the [`msg!`](crate::msg) macro so that a test can
//! find every id used in the code and check that both bundles define it.

use std::borrow::Cow;
use std::fmt;

/// A message id and its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: Cow<'static, str>,
    pub args: Vec<(&'static str, MessageArg)>,
}

/// One argument of a [`Message`]: text or a number (fluent formats numbers per locale).
#[derive(Clone, Debug, PartialEq)]
pub enum MessageArg {
    Text(String),
    Number(f64),
    /// Another message, translated first (a parse error naming why a value was refused).
    Nested(Box<Message>),
}

impl Message {
    pub fn new(id: impl Into<Cow<'static, str>>) -> Self {
        Message {
            id: id.into(),
            args: Vec::new(),
        }
    }

    /// Adds an argument, builder style.
    pub fn arg(mut self, name: &'static str, value: impl Into<MessageArg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// The argument `name`, if present.
    pub fn get(&self, name: &str) -> Option<&MessageArg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

impl fmt::Display for MessageArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageArg::Text(t) => f.write_str(t),
            MessageArg::Number(n) => write!(f, "{n}"),
            MessageArg::Nested(m) => write!(f, "{m}"),
        }
    }
}

/// Untranslated form, for logs and the audit trail: `id(arg=value, …)`.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)?;
        if !self.args.is_empty() {
            f.write_str("(")?;
            for (i, (name, value)) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{name}={value}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl From<String> for MessageArg {
    fn from(v: String) -> Self {
        MessageArg::Text(v)
    }
}
impl From<Message> for MessageArg {
    fn from(v: Message) -> Self {
        MessageArg::Nested(Box::new(v))
    }
}
impl From<&str> for MessageArg {
    fn from(v: &str) -> Self {
        MessageArg::Text(v.to_string())
    }
}
impl From<&String> for MessageArg {
    fn from(v: &String) -> Self {
        MessageArg::Text(v.clone())
    }
}
macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for MessageArg {
            fn from(v: $t) -> Self {
                MessageArg::Number(v as f64)
            }
        }
    )*};
}
number_arg!(u8, u16, u32, u64, usize, i32, i64, f64);

/// `msg!("id", name = value, …)` builds a [`Message`].
#[macro_export]
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::Message::new($id)$(.arg(stringify!($name), $value))*
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn msg_macro_keeps_id_and_args_in_order() {
        let m = msg!("error-io", path = "/b/x.db", reason = 42u64);
        assert_eq!(m.id, "error-io");
        assert_eq!(m.to_string(), "error-io(path=/b/x.db, reason=42)");
    }
}
