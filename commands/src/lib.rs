//! The runbook operations of opsbot.
//!
//! This crate knows clusters, not chat. It has three parts:
//!
//! * **The command language.** [`parse`] turns a line such as `etcd snapshot -c mgmt` into an
//!   [`Invocation`], checking every value (Kubernetes names, durations, versions, cron
//!   expressions) without touching anything; [`resolve`] then checks it against the
//!   configuration's clusters and gives a [`Request`].
//! * **The catalogue.** [`CATALOGUE`] lists every operation of the runbook with its [`Spec`]
//!   (id, risk, how it is typed). `help` and the parser read only this list.
//! * **The operations.** Each is an [`Operation`] in a file of its own that builds a short list
//!   of [`Step`]s. A step says what it will do ([`Step::plan`]) before it does it, reports
//!   progress, and leaves its findings in a structured [`Report`] that each chat renders its
//!   own way. Every sentence is a [`Message`] id, translated by the bot.
//!
//! ```
//! use commands::{Command, parse};
//!
//! let Ok(Command::Run(invocation)) = parse("etcd snapshot -c mgmt") else { panic!() };
//! assert_eq!(invocation.spec.id, "etcd.snapshot");
//! assert_eq!(invocation.args.text("cluster"), Some("mgmt"));
//! assert!(parse("etcd snapshot -c Bad_Name").is_err());
//! ```

mod catalogue;
pub mod certs;
pub mod cilium;
pub mod cluster;
pub mod contacts;
pub mod dr;
mod error;
pub mod etcd;
pub mod events;
pub mod helm;
pub mod incidents;
pub mod k8s;
pub mod limits;
mod message;
#[cfg(test)]
mod messages_check;
pub mod net;
pub mod node;
pub mod oom;
mod operation;
pub mod page;
mod parse;
mod places;
pub mod pod;
mod report;
mod request;
pub mod resources;
pub mod runner;
pub mod secrets;
mod settings;
mod spec;
pub mod storage;
pub mod upgrade;
pub mod validate;
pub mod vault;
pub mod velero;
pub mod vm;
pub mod watch;

pub use catalogue::{CATALOGUE, Entry, entry};
pub use error::OpError;
pub use message::{Message, MessageArg};
pub use operation::{
    Facts, NoProgress, NoPrompt, Operation, PinKey, Pins, Progress, Prompt, RunContext, Step,
};
pub use parse::{Command, ParseError, parse, resolve};
pub use report::{Block, Cell, Report, Table, human_bytes};
pub use request::{Args, Invocation, Namespaces, Request, Value, places};
pub use settings::{
    BackupSettings, ClusterSettings, Contact, EtcdSettings, HelmRelease, HelmSettings,
    NodeRunnerSettings, RunnerSettings, Secret, Settings, VaultSettings,
};
pub use spec::{Arg, Form, How, Kind, Risk, Scope, Spec, args};
