//! Paging: the emergency contacts table (RUNBOOK §6.4) made to call people.
//!
//! An incident is opened once per key and stored; every message it causes (a PagerDuty
//! trigger, an email, the incident channel's post and its updates) is a row of a durable
//! outbox, written before it is sent and retried with backoff until delivered. Pagers and
//! chats sit behind [`Pager`] and [`IncidentChannel`].

mod channel;
mod pager;
pub mod pagers;
pub mod text;

pub use channel::{IncidentChannel, IncidentState, IncidentView};
pub use pager::{Page, PageAction, Pager, SendError};
