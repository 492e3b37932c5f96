//! `opsbot`: the ChatOps bot for the platform's runbook.
//!
//! Subcommands follow CONTRACT.md. Exit status: 0 success, 1 a user-visible failure, 2 bad
//! usage. Errors reach the user as one sentence; details go to the log on stderr.

use std::process::ExitCode;

use clap::Parser;
use opsbot::cli;

fn quiet_slack() -> tracing_subscriber::filter::Directive {
    "slack_morphism=info"
        .parse()
        .unwrap_or_else(|_| tracing_subscriber::filter::LevelFilter::INFO.into())
}

fn main() -> ExitCode {
    let args = cli::Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"))
                // slack-morphism logs every Socket Mode frame at TRACE, a submitted key share
                // included: whatever RUST_LOG says, it never goes below info.
                .add_directive(quiet_slack()),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("opsbot: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(cli::run(args))
}
