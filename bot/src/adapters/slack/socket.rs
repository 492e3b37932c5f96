//! Socket Mode: Slack delivers commands and clicks over a websocket the bot opens, so a bot
//! behind NAT with no public URL still works. slack-morphism's listener keeps the connections
//! (two, reconnecting) and acks each envelope with what the callback returns; the callbacks
//! hand the request to the same [`SlackAdapter`] methods as the HTTP routes, which return at
//! once, so the ack is immediate.

use std::sync::Arc;

use slack_morphism::prelude::{
    SlackClientEventsListenerEnvironment, SlackClientEventsUserState, SlackClientSocketModeConfig,
    SlackClientSocketModeListener, SlackCommandEvent, SlackCommandEventResponse, SlackHyperClient,
    SlackHyperHttpsConnector, SlackInteractionEvent, SlackMessageContent, SlackMessageResponseType,
    SlackPushEventCallback, SlackSocketModeListenerCallbacks,
};
use slack_morphism::{SlackApiToken, SlackApiTokenValue, UserCallbackResult};

use super::{Ack, Interaction, SetupError, SlackAdapter, SlashCommand};

type Connector = slack_morphism::prelude::SlackClientHyperConnector<SlackHyperHttpsConnector>;

/// The running listener; [`SocketMode::stop`] closes its connections.
pub struct SocketMode {
    listener: SlackClientSocketModeListener<Connector>,
}

impl SocketMode {
    /// Opens the connections with the app-level token (`apps.connections.open`).
    pub async fn start(adapter: Arc<SlackAdapter>) -> Result<SocketMode, SetupError> {
        let Some(app_token) = adapter.app_token() else {
            return Err(SetupError::Missing("app_token"));
        };
        let token = SlackApiToken::new(SlackApiTokenValue::new(app_token.expose().to_string()));
        let client: Arc<SlackHyperClient> = adapter.api().client();
        let callbacks = SlackSocketModeListenerCallbacks::new()
            .with_command_events(on_command)
            .with_interaction_events(on_interaction)
            .with_push_events(on_push);
        let environment = Arc::new(
            SlackClientEventsListenerEnvironment::new(client)
                .with_error_handler(on_error)
                .with_user_state(adapter),
        );
        let listener = SlackClientSocketModeListener::new(
            &SlackClientSocketModeConfig::new(),
            environment,
            callbacks,
        );
        listener
            .listen_for(&token)
            .await
            .map_err(|e| SetupError::SocketMode(e.to_string()))?;
        listener.start().await;
        tracing::info!("Slack Socket Mode started");
        Ok(SocketMode { listener })
    }

    pub async fn stop(&self) {
        self.listener.shutdown().await;
    }
}

async fn adapter(state: &SlackClientEventsUserState) -> Option<Arc<SlackAdapter>> {
    let storage = state.read().await;
    storage.get_user_state::<Arc<SlackAdapter>>().cloned()
}

/// A slash command; the ack carries the ephemeral "working on it".
async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let mut content = SlackMessageContent::new();
    if let Some(adapter) = adapter(&state).await
        && let Ack::Working(text) | Ack::Refused(text) =
            adapter.command(SlashCommand::from_event(&event))
    {
        content = content.with_text(text);
    }
    Ok(SlackCommandEventResponse::new(content)
        .with_response_type(SlackMessageResponseType::Ephemeral))
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    match (adapter(&state).await, Interaction::from_event(&event)) {
        (Some(adapter), Ok(interaction)) => {
            adapter.interaction(interaction);
        }
        (_, Err(e)) => tracing::warn!(error = %e, "a Socket Mode interaction could not be read"),
        (None, _) => {}
    }
    Ok(())
}

/// Events are acknowledged; none is acted on yet.
async fn on_push(
    event: SlackPushEventCallback,
    _client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    tracing::debug!(event_id = %event.event_id, "Socket Mode event acknowledged");
    Ok(())
}

/// A callback error or an envelope slack-morphism could not decode. Answering OK makes the
/// listener ack it anyway: Slack would only redeliver the same envelope.
fn on_error(
    error: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> slack_morphism::listener::HttpStatusCode {
    tracing::warn!(error = %error, "Socket Mode envelope failed");
    slack_morphism::listener::HttpStatusCode::OK
}
