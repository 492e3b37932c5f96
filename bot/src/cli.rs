//! The command line of CONTRACT.md, and what each subcommand prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use commands::{Message, msg};
use policies::{Decision, DenyReason};

use crate::config::{self, Config};
use crate::engine::Engine;
use crate::i18n::{Locale, Localizer};
use crate::policy_view;
use crate::store::SqliteStore;

mod audit;

#[derive(Parser)]
#[command(name = "opsbot", version, about = "ChatOps for the platform runbook")]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The bot: HTTP endpoints, Slack and Discord.
    Serve {
        #[arg(long, default_value = "opsbot.toml")]
        config: PathBuf,
    },
    /// A chat in the terminal as shell:<your OS login name>, one command a line from stdin.
    Shell {
        #[arg(long, default_value = "opsbot.toml")]
        config: PathBuf,
        /// Act as shell:NAME instead; only where the config says `shell.impersonation = true`.
        #[arg(long = "as", value_name = "NAME")]
        name: Option<String>,
    },
    /// Checks configuration and policy; every problem with its file, key and reason.
    CheckConfig {
        #[arg(long, default_value = "opsbot.toml")]
        config: PathBuf,
    },
    /// The policy decision for SUBJECT running OPERATION, and the rules that made it.
    CanI {
        #[arg(long, default_value = "opsbot.toml")]
        config: PathBuf,
        /// `slack:U012ABC`, `discord:…`, `shell:alice`.
        subject: String,
        /// An operation id, e.g. `etcd.snapshot`.
        operation: String,
        /// A cluster, `all` (every configured one) or a list `a,b`: each is judged.
        #[arg(short = 'c', long = "cluster")]
        cluster: Option<String>,
        /// A namespace, `*` (every one) or a list `a,b`: each is judged.
        #[arg(short = 'n', long = "namespace")]
        namespace: Option<String>,
        /// A group the subject belongs to (`slack-group:S0ONCALL`); repeatable.
        #[arg(long = "group")]
        groups: Vec<String>,
    },
    /// Discord: set up the application.
    Discord {
        #[command(subcommand)]
        command: DiscordCmd,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCmd,
    },
}

#[derive(Subcommand)]
enum DiscordCmd {
    /// Registers the `/ops` slash command (globally, or in one guild at once).
    Register {
        #[arg(long, default_value = "opsbot.toml")]
        config: PathBuf,
        #[arg(long)]
        guild: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Checks the hash chain, its key and its anchor; exit 1 and the first broken record if
    /// tampered with.
    Verify {
        #[arg(long, default_value = "opsbot.toml")]
        config: PathBuf,
    },
    /// The audit log as JSON lines, oldest first.
    Export {
        #[arg(long, default_value = "opsbot.toml")]
        config: PathBuf,
        /// RFC 3339 (`2026-12-01T00:00:00Z`) or a duration back from now (`24h`, `7d`).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
    },
}

pub async fn run(args: Args) -> ExitCode {
    match args.command {
        Cmd::CheckConfig { config } => check_config(&config),
        Cmd::Shell { config, name } => shell(&config, name.as_deref()).await,
        Cmd::CanI {
            config,
            subject,
            operation,
            cluster,
            namespace,
            groups,
        } => can_i(&config, &subject, &operation, cluster, namespace, &groups),
        Cmd::Audit {
            command: AuditCmd::Verify { config },
        } => audit::verify(&config).await,
        Cmd::Audit {
            command: AuditCmd::Export { config, since },
        } => audit::export(&config, since.as_deref()).await,
        Cmd::Discord {
            command: DiscordCmd::Register { config, guild },
        } => discord_register(&config, guild.as_deref()).await,
        Cmd::Serve { config } => {
            let Some(config) = load(&config) else {
                return ExitCode::from(1);
            };
            let l10n = Localizer::new(config.locale);
            match crate::serve::run(config).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!(error = ?e, "opsbot serve");
                    fail(&l10n, &e.message());
                    ExitCode::from(1)
                }
            }
        }
    }
}

fn say(l10n: &Localizer, message: &Message) {
    println!("{}", l10n.text(message));
}

fn fail(l10n: &Localizer, message: &Message) {
    eprintln!("{}", l10n.text(message));
}

/// The locale to speak in before the configuration is known to be good.
fn early_locale(path: &Path) -> Locale {
    if let Ok(l) = std::env::var("OPSBOT__LOCALE") {
        return l.parse().unwrap_or_default();
    }
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|t| t.get("locale")?.as_str()?.parse().ok())
        .unwrap_or_default()
}

fn print_problems(l10n: &Localizer, problems: &[config::Problem]) {
    for p in problems {
        let key = if p.key.is_empty() { "-" } else { &p.key };
        eprintln!("{}: {key}: {}", p.source, l10n.text(&p.reason));
    }
}

/// Loads the configuration, or prints every problem and returns None.
fn load(path: &Path) -> Option<Config> {
    match config::load(path) {
        Ok(config) => Some(config),
        Err(problems) => {
            let l10n = Localizer::new(early_locale(path));
            print_problems(&l10n, &config::sorted(problems));
            None
        }
    }
}

fn check_config(path: &Path) -> ExitCode {
    match config::load(path) {
        Ok(config) => {
            let l10n = Localizer::new(config.locale);
            say(
                &l10n,
                &msg!(
                    "check-config-ok",
                    path = path.display().to_string(),
                    clusters = config.settings.clusters.len(),
                    contacts = config.settings.contacts.len()
                ),
            );
            if let Some(people) = policy_view::people_table(&l10n, &config.policy) {
                print!("{people}");
            }
            // Allowed, so exit 0; printed, so nobody runs unpinned without having read it.
            if !config.warnings.is_empty() {
                print_problems(&l10n, &config.warnings);
                fail(
                    &l10n,
                    &msg!("check-config-warnings", count = config.warnings.len()),
                );
            }
            ExitCode::SUCCESS
        }
        Err(problems) => {
            let l10n = Localizer::new(early_locale(path));
            let count = problems.len();
            print_problems(&l10n, &config::sorted(problems));
            fail(&l10n, &msg!("check-config-failed", count = count));
            ExitCode::from(1)
        }
    }
}

/// The state store, its audit log sealed with `[audit]`'s key and anchor.
async fn open_store(config: &Config, l10n: &Localizer) -> Option<SqliteStore> {
    match SqliteStore::open(&config.state_path).await {
        Ok(store) => Some(store.sealed(config.audit.seal())),
        Err(e) => {
            tracing::error!(error = ?e, "state store");
            fail(l10n, &msg!("store-open-failed", reason = e.to_string()));
            None
        }
    }
}

/// How long a shell waits at exit for its pages to go out.
const SHELL_PAGE_DRAIN: std::time::Duration = std::time::Duration::from_secs(15);

async fn shell(path: &Path, claimed: Option<&str>) -> ExitCode {
    let Some(config) = load(path) else {
        return ExitCode::from(1);
    };
    let l10n = Localizer::new(config.locale);
    let name = match crate::adapters::shell::who(claimed, config.shell.impersonation) {
        Ok(who) => who,
        Err(refusal) => {
            fail(&l10n, &refusal.message());
            return ExitCode::from(refusal.exit_code());
        }
    };
    if claimed.is_some() {
        // Before anything else, so a transcript shows whose words these are not; on stderr,
        // so that scripts reading the results on stdout see only results.
        fail(
            &l10n,
            &msg!("shell-impersonating", subject = format!("shell:{name}")),
        );
    }
    let name = name.as_str();
    let Some(store) = open_store(&config, &l10n).await else {
        return ExitCode::from(1);
    };
    // A key or anchor new to the log is recorded first; a log sealed with another key stops
    // the shell here rather than at the first command.
    if let Err(e) = store.adopt_seal().await {
        fail(&l10n, &msg!("store-open-failed", reason = e.to_string()));
        return ExitCode::from(1);
    }
    let config = Arc::new(config);
    let store: Arc<dyn crate::store::Store> = Arc::new(store);
    let desk = match crate::paging::setup(&config, store.clone()) {
        Ok(desk) => desk,
        Err(e) => {
            fail(&l10n, &msg!("paging-setup-failed", reason = e.to_string()));
            return ExitCode::from(1);
        }
    };
    let mut engine = Engine::new(config.clone(), store);
    if let Some(desk) = &desk {
        engine = engine.with_desk(desk.clone());
        crate::paging::start_outbox(desk.clone(), engine.instance().to_string(), &config);
    }
    let engine = Arc::new(engine);
    crate::adapters::groups::register_configured(&engine);
    engine.start_heartbeat();
    for run in engine.recover().await {
        say(
            &l10n,
            &msg!(
                "run-interrupted",
                request = run.request_id.as_str(),
                operation = run.operation.as_str(),
                subject = run.subject.as_str(),
                started = run.started_at.as_str()
            ),
        );
    }
    let result = crate::adapters::shell::run(&engine, name).await;
    if let Some(desk) = &desk
        && !desk.drain(SHELL_PAGE_DRAIN).await
    {
        say(&l10n, &msg!("paging-left-queued"));
    }
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            fail(&l10n, &msg!("shell-input-failed", reason = e.to_string()));
            ExitCode::from(1)
        }
    }
}

fn can_i(
    path: &Path,
    subject: &str,
    operation: &str,
    cluster: Option<String>,
    namespace: Option<String>,
    groups: &[String],
) -> ExitCode {
    let Some(config) = load(path) else {
        return ExitCode::from(1);
    };
    let l10n = Localizer::new(config.locale);
    if commands::entry(operation).is_none() {
        fail(
            &l10n,
            &msg!("can-i-unknown-operation", operation = operation),
        );
        return ExitCode::from(2);
    }
    let clusters = match policy_view::clusters(&config, cluster.as_deref()) {
        Ok(clusters) => clusters,
        Err(message) => {
            fail(&l10n, &message);
            return ExitCode::from(2);
        }
    };
    // Judged as the engine judges a request: on every cluster and namespace it names.
    let places = policy_view::targets(&clusters, namespace.as_deref());
    let decision = config
        .policy
        .decide_all(subject, groups, operation, &places);
    let verdict = match &decision {
        Decision::Allow { .. } => msg!("can-i-allow", subject = subject, operation = operation),
        Decision::NeedsApproval { rule, .. } => msg!(
            "can-i-needs-approval",
            subject = subject,
            operation = operation,
            approvers = rule.approvers,
            roles = rule.approver_roles.join(", ")
        ),
        Decision::Deny {
            reason: DenyReason::Explicit { .. },
        } => msg!(
            "can-i-deny-explicit",
            subject = subject,
            operation = operation
        ),
        Decision::Deny {
            reason: DenyReason::NoRuleAllows,
        } => msg!(
            "can-i-deny-default",
            subject = subject,
            operation = operation
        ),
    };
    say(&l10n, &verdict);
    say(&l10n, &policy_view::person_line(&config.policy, subject));
    for rule in decision.rules() {
        say(&l10n, &msg!("can-i-rule", rule = rule.to_string()));
    }
    if decision.is_allowed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `opsbot discord register [--guild ID]`.
async fn discord_register(path: &Path, guild: Option<&str>) -> ExitCode {
    use crate::adapters::discord::{DiscordConfig, register, service::DiscordApi};
    let Some(config) = load(path) else {
        return ExitCode::from(1);
    };
    let l10n = Localizer::new(config.locale);
    let Some(section) = &config.discord else {
        fail(&l10n, &msg!("discord-register-unconfigured"));
        return ExitCode::from(2);
    };
    let api = match DiscordConfig::from_section(section).and_then(|c| DiscordApi::new(&c)) {
        Ok(api) => api,
        Err(e) => {
            fail(&l10n, &msg!("serve-discord-failed", reason = e.to_string()));
            return ExitCode::from(2);
        }
    };
    let clusters: Vec<String> = config.settings.clusters.keys().cloned().collect();
    match register::register(&api, guild, &clusters).await {
        Ok(_) => {
            let scope = guild.map_or_else(|| "global".to_string(), |g| format!("guild {g}"));
            say(&l10n, &msg!("discord-registered", scope = scope));
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "discord register");
            fail(
                &l10n,
                &msg!("discord-register-failed", reason = e.to_string()),
            );
            ExitCode::from(1)
        }
    }
}
