//! The private prompts a chat has open: who may answer each, its question, and the run
//! waiting for the answer. Slack and Discord ask the same way (a button, then a modal), so
//! they keep their prompts in this one table; only how they ask differs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use commands::Secret;
use tokio::sync::oneshot;

/// Why a prompt would not take a click or an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Answered, timed out, or never ours.
    Stale,
    /// Someone other than the person who ran the command.
    NotYours,
}

/// The prompts waiting for an answer, by id.
pub(crate) struct Prompts {
    pending: Mutex<HashMap<String, Pending>>,
    pub timeout: Duration,
}

struct Pending {
    /// The chat user who ran the command: the only one who may answer.
    user: String,
    /// The question, already in the bot's language: the modal's label.
    question: String,
    answer: oneshot::Sender<Option<Secret>>,
    /// What the chat needs to tidy up once the prompt is over (Slack: the click's
    /// response_url, which deletes the prompt's ephemeral message).
    note: Option<String>,
}

impl Prompts {
    pub fn new(timeout: Duration) -> Self {
        Prompts {
            pending: Mutex::default(),
            timeout,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new prompt for `user`; the receiver gets the answer, or None if it was closed.
    pub fn open(&self, user: &str, question: &str) -> (String, oneshot::Receiver<Option<Secret>>) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (tx, rx) = oneshot::channel();
        let pending = Pending {
            user: user.to_string(),
            question: question.to_string(),
            answer: tx,
            note: None,
        };
        self.lock().insert(id.clone(), pending);
        (id, rx)
    }

    /// The question of an open prompt, for `user` only.
    pub fn question(&self, id: &str, user: &str) -> Result<String, Refusal> {
        match self.lock().get(id) {
            None => Err(Refusal::Stale),
            Some(p) if p.user != user => Err(Refusal::NotYours),
            Some(p) => Ok(p.question.clone()),
        }
    }

    /// Remembers what the chat will need once the prompt is over (a later note wins).
    pub fn clicked(&self, id: &str, note: Option<String>) {
        if let Some(p) = self.lock().get_mut(id) {
            p.note = note.or(p.note.take());
        }
    }

    /// Hands `answer` to the waiting run and closes the prompt, if `user` is its person.
    /// Returns the note a click left, if any.
    pub fn answer(
        &self,
        id: &str,
        user: &str,
        answer: Option<Secret>,
    ) -> Result<Option<String>, Refusal> {
        let mut pending = self.lock();
        match pending.get(id) {
            None => return Err(Refusal::Stale),
            Some(p) if p.user != user => return Err(Refusal::NotYours),
            Some(_) => {}
        }
        let Some(p) = pending.remove(id) else {
            return Err(Refusal::Stale);
        };
        // The run may have stopped waiting (timed out) a moment ago; nothing to do then.
        let _ = p.answer.send(answer);
        Ok(p.note)
    }

    pub fn forget(&self, id: &str) {
        self.lock().remove(id);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_runner_answers_a_prompt_and_only_once() {
        let prompts = Prompts::new(Duration::from_secs(5));
        let (id, answer) = prompts.open("runner", "Key share 1 of 3");
        assert_eq!(prompts.question(&id, "other"), Err(Refusal::NotYours));
        assert_eq!(
            prompts.question(&id, "runner").as_deref(),
            Ok("Key share 1 of 3")
        );
        let share = Some(Secret::new("s3cret"));
        assert_eq!(
            prompts.answer(&id, "other", share.clone()),
            Err(Refusal::NotYours)
        );
        prompts.clicked(&id, Some("delete-me".to_string()));
        assert_eq!(
            prompts.answer(&id, "runner", share.clone()),
            Ok(Some("delete-me".to_string()))
        );
        assert_eq!(answer.await.expect("answered"), share);
        assert_eq!(prompts.answer(&id, "runner", None), Err(Refusal::Stale));
        assert_eq!(prompts.len(), 0, "an answered prompt is forgotten");
    }

    #[tokio::test]
    async fn a_closed_prompt_answers_none() {
        let prompts = Prompts::new(Duration::from_secs(5));
        let (id, answer) = prompts.open("runner", "q");
        prompts.answer(&id, "runner", None).expect("closed");
        assert_eq!(answer.await.expect("answered"), None);
    }
}
