//! Runner tests with real processes (`local`) and the Kubernetes test server (`node`).

mod local;
mod node;
mod steps;

use std::sync::{Arc, Mutex, PoisonError};

use crate::{Message, Progress};

/// Keeps every progress message, and lets a test act the moment one arrives.
#[derive(Clone, Default)]
pub(super) struct Recorded {
    seen: Arc<Mutex<Vec<Message>>>,
    #[allow(clippy::type_complexity)]
    on_report: Option<Arc<dyn Fn(&Message) + Send + Sync>>,
}

impl Recorded {
    pub fn calling(on_report: impl Fn(&Message) + Send + Sync + 'static) -> Self {
        Recorded {
            seen: Arc::default(),
            on_report: Some(Arc::new(on_report)),
        }
    }

    /// `id(arg=value)` for each message, in order.
    pub fn seen(&self) -> Vec<String> {
        self.lock().iter().map(Message::to_string).collect()
    }

    /// The `line` argument of each `runner-line`/`runner-line-stderr`.
    pub fn lines(&self) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|m| m.id.starts_with("runner-line"))
            .filter_map(|m| m.get("line").map(ToString::to_string))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Message>> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Progress for Recorded {
    fn report(&self, message: Message) {
        if let Some(on_report) = &self.on_report {
            on_report(&message);
        }
        self.lock().push(message);
    }
}
