//! Chats. Each turns its input into a [`Caller`](crate::engine::Caller) and a line, and renders
//! [`Event`](crate::engine::Event)s its own way. None of them knows an operation.

pub mod discord;
pub mod groups;
mod prompts;
mod run_view;
pub mod shell;
pub mod slack;
