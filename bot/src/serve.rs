//! `opsbot serve`: configuration → state store → engine → the HTTP endpoints, plus Slack
//! Socket Mode when `slack.app_token` is set. Stops on SIGTERM or SIGINT: no new requests,
//! then up to [`DRAIN`] for the runs in progress and their last messages.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use commands::{Message, msg};
use thiserror::Error;
use tokio::net::TcpListener;

use crate::adapters::discord::{self, DiscordAdapter, DiscordConfig};
use crate::adapters::slack::socket::SocketMode;
use crate::adapters::slack::{SetupError, SlackAdapter, SlackConfig};
use crate::config::Config;
use crate::engine::Engine;
use crate::http::{self, AppState};
use crate::i18n::Localizer;
use crate::store::{SqliteStore, Store, StoreError};

/// How long a stopping bot waits for runs and messages in progress.
const DRAIN: Duration = Duration::from_secs(30);

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Slack cannot be set up: {0}")]
    Slack(#[from] SetupError),
    #[error("Discord cannot be set up: {0}")]
    Discord(#[from] discord::SetupError),
    #[error("paging cannot be set up: {0}")]
    Paging(#[source] crate::paging::pagers::PagerSetupError),
    #[error("the HTTP server stopped: {0}")]
    Server(#[source] std::io::Error),
}

impl ServeError {
    /// The one sentence a user reads.
    pub fn message(&self) -> Message {
        match self {
            ServeError::Bind { address, source } => msg!(
                "serve-bind-failed",
                address = address.to_string(),
                reason = source.to_string()
            ),
            ServeError::Store(e) => msg!("store-open-failed", reason = e.to_string()),
            ServeError::Slack(e) => msg!("serve-slack-failed", reason = e.to_string()),
            ServeError::Discord(e) => msg!("serve-discord-failed", reason = e.to_string()),
            ServeError::Paging(e) => msg!("paging-setup-failed", reason = e.to_string()),
            ServeError::Server(e) => msg!("serve-failed", reason = e.to_string()),
        }
    }
}

pub async fn run(config: Config) -> Result<(), ServeError> {
    let config = Arc::new(config);
    let l10n = Localizer::new(config.locale);
    let sqlite = SqliteStore::open(&config.state_path)
        .await?
        .sealed(config.audit.seal());
    // A key or anchor new to the log is recorded before anything runs; a log sealed with
    // another key stops the bot here.
    sqlite.adopt_seal().await?;
    let store: Arc<dyn Store> = Arc::new(sqlite);
    let desk = crate::paging::setup(&config, store.clone()).map_err(ServeError::Paging)?;
    let mut engine = Engine::new(config.clone(), store.clone());
    if let Some(desk) = &desk {
        engine = engine.with_desk(desk.clone());
    }
    let engine = Arc::new(engine);
    // This process's runs beat, so another opsbot on the same state does not take them for
    // interrupted; runs left by a process that died are marked so (never re-run).
    engine.start_heartbeat();
    for run in engine.recover().await {
        tracing::warn!(
            request = %run.request_id,
            operation = %run.operation,
            subject = %run.subject,
            started = %run.started_at,
            "a run was interrupted when its opsbot stopped"
        );
    }
    let slack = match &config.slack {
        Some(section) => Some(SlackAdapter::new(
            SlackConfig::from_section(section)?,
            engine.clone(),
        )?),
        None => None,
    };
    let discord = match &config.discord {
        Some(section) => Some(DiscordAdapter::new(
            DiscordConfig::from_section(section)?,
            engine.clone(),
        )?),
        None => None,
    };
    // Chats first, so the first incident is posted where people look; then the outbox,
    // then the watchers that feed it.
    let mut watchers = commands::watch::Watchers::default();
    if let Some(desk) = &desk {
        let channels = [
            slack.as_ref().and_then(|s| s.incident_channel()),
            discord.as_ref().and_then(|d| d.incident_channel()),
        ];
        for channel in channels.into_iter().flatten() {
            desk.attach(channel);
        }
        if let Some(every) = config.audit.head_post_interval {
            if desk.channels_attached() == 0 {
                tracing::warn!("audit.head_post_interval is set but no incident channel is");
            }
            crate::paging::start_head_posts(desk.clone(), store.clone(), every);
        }
        crate::paging::start_outbox(desk.clone(), engine.instance().to_string(), &config);
        watchers = commands::watch::spawn(
            &config.settings,
            &config.watchers,
            engine.clusters(),
            desk.clone(),
        );
    }
    if desk.is_none() && config.audit.head_post_interval.is_some() {
        tracing::warn!("audit.head_post_interval is set but paging is not: the head is not posted");
    }
    tracing::info!(clusters = ?watchers.clusters(), "watching");
    let metrics = http::metrics::install();
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            address: config.listen,
            source,
        })?;
    let address = listener.local_addr().unwrap_or(config.listen);
    let socket_mode = match slack.as_ref().filter(|s| s.app_token().is_some()) {
        Some(slack) => Some(SocketMode::start(slack.clone()).await?),
        None => None,
    };
    if slack.is_some() || discord.is_some() {
        // Requests whose time is up are marked expired, and their cards say so (in the chat
        // whose card reference it is: Discord's are `discord:`-subject requests).
        let engine = engine.clone();
        let (slack, discord) = (slack.clone(), discord.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(EXPIRY_SWEEP);
            loop {
                tick.tick().await;
                for card in engine.expire_due().await {
                    match (&slack, &discord) {
                        (_, Some(d)) if card.requester.starts_with("discord:") => d.show_card(card),
                        (Some(s), _) => s.show_card(card),
                        _ => {}
                    }
                }
            }
        });
    }
    if let Some(handle) = metrics.clone() {
        // Histograms keep samples until upkeep folds them in.
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            loop {
                tick.tick().await;
                handle.run_upkeep();
            }
        });
    }
    let state = AppState {
        config: config.clone(),
        store,
        metrics,
        slack: slack.clone(),
        discord: discord.clone(),
    };
    let admin_listener = match config.admin_listen {
        Some(admin) => Some(
            TcpListener::bind(admin)
                .await
                .map_err(|source| ServeError::Bind {
                    address: admin,
                    source,
                })?,
        ),
        None => None,
    };
    // Scripts and tests read the address from this line (`server.listen` may say port 0).
    println!(
        "{}",
        l10n.text(&msg!("serve-listening", address = address.to_string()))
    );
    for warning in &config.warnings {
        tracing::warn!(key = %warning.key, "{}", l10n.text(&warning.reason));
    }
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let admin = admin_listener.map(|admin_listener| {
        let admin_address = admin_listener.local_addr().ok();
        // After the public address, which scripts read from the first such line.
        if let Some(admin_address) = admin_address {
            println!(
                "{}",
                l10n.text(&msg!(
                    "serve-admin-listening",
                    address = admin_address.to_string()
                ))
            );
        }
        let mut stop = stop.clone();
        let app = http::admin_router(state.clone());
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|stopping| *stopping).await;
            };
            if let Err(e) = axum::serve(admin_listener, app)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::error!(error = %e, "the admin listener stopped");
            }
        })
    });
    tracing::info!(%address, socket_mode = socket_mode.is_some(), "serving");
    axum::serve(listener, http::router(state))
        .with_graceful_shutdown(async move {
            stop_signal().await;
            let _ = stopping.send(true);
        })
        .await
        .map_err(ServeError::Server)?;
    tracing::info!("stopping");
    if let Some(admin) = admin {
        let _ = admin.await;
    }
    drop(watchers);
    if let Some(socket_mode) = socket_mode {
        socket_mode.stop().await;
    }
    if let Some(slack) = slack
        && !slack.drain(DRAIN).await
    {
        tracing::warn!("stopped before every run's message was written (waited {DRAIN:?})");
    }
    if let Some(discord) = discord
        && !discord.drain(DRAIN).await
    {
        tracing::warn!("stopped before every Discord message was written (waited {DRAIN:?})");
    }
    Ok(())
}

/// How often pending approvals are checked for expiry.
const EXPIRY_SWEEP: Duration = Duration::from_secs(15);

/// SIGTERM (Kubernetes, systemd) or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch SIGTERM; Ctrl-C still stops");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
