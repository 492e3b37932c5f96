//! The opsbot runtime: configuration, the engine, the state store and the chat adapters.
//!
//! `policies` decides, `commands` acts; this crate is the only one that knows both, and the
//! only one that knows chats. The `opsbot` binary is a thin [`cli`] over it.

pub mod adapters;
pub mod cli;
pub mod config;
pub mod engine;
pub mod http;
pub mod i18n;
pub mod paging;
pub mod policy_view;
pub mod render;
pub mod serve;
pub mod store;
