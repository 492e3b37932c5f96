//! The incident desk: opens incidents from alerts, resolves them, and queues every message
//! they cause in the outbox. It implements what operations see ([`Incidents`]) and what
//! watchers report to ([`ConditionSink`]), and knows chats only as [`IncidentChannel`]s.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use commands::incidents::{Alert, DeliveryView, Incidents, OpenIncident, Raised, Severity};
use commands::watch::{Condition, ConditionKind, ConditionSink, WatchSettings};
use commands::{Contact, OpError, msg};
use tokio::sync::Notify;

use super::text::Redactor;
use super::{IncidentChannel, IncidentState, PageAction, Pager};
use crate::i18n::Localizer;
use crate::store::{AuditEvent, AuditKind, DeliveryState, Incident, NewDelivery, Store};

/// The situation of watcher incidents whose kind names none.
const DEFAULT_SITUATION: &str = "cluster-failure";

/// Who resolves an incident whose condition cleared by itself.
pub const WATCHER: &str = "opsbot";

pub struct Desk {
    pub(super) store: Arc<dyn Store>,
    pub(super) contacts: Vec<Contact>,
    pub(super) pagers: Vec<Arc<dyn Pager>>,
    /// Attached by `serve` once the chat adapters exist (they need the engine, which needs
    /// the desk).
    pub(super) channels: RwLock<Vec<Arc<dyn IncidentChannel>>>,
    /// The chats whose incident channel the configuration names (`slack`, `discord`). Their
    /// posts are queued even by a process that has no such chat (a shell): an `opsbot serve`
    /// on the same state sends them.
    pub(super) chat_targets: RwLock<Vec<&'static str>>,
    pub(super) l10n: Localizer,
    pub(super) redactor: Redactor,
    pub(super) watch: WatchSettings,
    /// Wakes the outbox when something was queued.
    pub(super) queued: Notify,
}

/// Why a button or `ack`/`resolve` did nothing.
#[derive(Debug, PartialEq)]
pub enum Moved {
    Done(Box<Incident>),
    /// No incident with that id.
    Unknown,
    /// It was not in a state this move starts from (already resolved, already acknowledged).
    AlreadyIn(IncidentState),
}

impl Desk {
    pub fn new(
        store: Arc<dyn Store>,
        contacts: Vec<Contact>,
        pagers: Vec<Arc<dyn Pager>>,
        l10n: Localizer,
        redactor: Redactor,
        watch: WatchSettings,
    ) -> Self {
        Desk {
            store,
            contacts,
            pagers,
            channels: RwLock::new(Vec::new()),
            chat_targets: RwLock::new(Vec::new()),
            l10n,
            redactor,
            watch,
            queued: Notify::new(),
        }
    }

    /// A chat's incident channel: this process can send its posts and updates.
    pub fn attach(&self, channel: Arc<dyn IncidentChannel>) {
        self.expect_chat(channel.target());
        if let Ok(mut channels) = self.channels.write() {
            channels.push(channel);
        }
    }

    /// A chat whose incident channel is configured: its posts and updates are queued from now
    /// on, whichever process sends them.
    pub fn expect_chat(&self, target: &'static str) {
        if let Ok(mut targets) = self.chat_targets.write()
            && !targets.contains(&target)
        {
            targets.push(target);
        }
    }

    /// Posts `text` to every attached incident channel; the answer says, per chat, whether
    /// it arrived. Nothing is queued: a note that fails is simply said again next time.
    pub async fn note(
        &self,
        text: &commands::Message,
    ) -> Vec<(&'static str, Result<(), super::SendError>)> {
        let mut results = Vec::new();
        for channel in self.channels() {
            results.push((channel.target(), channel.note(text).await));
        }
        results
    }

    /// How many incident channels are attached.
    pub fn channels_attached(&self) -> usize {
        self.channels().len()
    }

    pub(super) fn channels(&self) -> Vec<Arc<dyn IncidentChannel>> {
        self.channels.read().map(|c| c.clone()).unwrap_or_default()
    }

    pub(super) fn chat_targets(&self) -> Vec<&'static str> {
        self.chat_targets
            .read()
            .map(|t| t.clone())
            .unwrap_or_default()
    }

    /// Appends an incident's change to the audit log. The incident is stored already, so a
    /// failed append is logged rather than undoing the page.
    async fn audit(&self, incident: &str, by: &str, detail: serde_json::Value) {
        let event = AuditEvent {
            request_id: incident.to_string(),
            kind: AuditKind::Incident,
            subject: by.to_string(),
            operation: Some("page".to_string()),
            detail,
        };
        if let Err(e) = self.store.append_audit(&event).await {
            tracing::error!(%incident, error = %e, "could not audit an incident");
        }
    }

    pub(super) fn contact(&self, situation: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.situation == situation)
    }

    /// Acknowledges an open incident: the pagers that were triggered hear it, the chats'
    /// messages change.
    pub async fn acknowledge(&self, id: &str, by: &str) -> Result<Moved, OpError> {
        self.move_to(id, &[IncidentState::Open], IncidentState::Acknowledged, by)
            .await
    }

    /// Resolves an open or acknowledged incident, and its pages.
    pub async fn resolve(&self, id: &str, by: &str) -> Result<Moved, OpError> {
        self.move_to(
            id,
            &[IncidentState::Open, IncidentState::Acknowledged],
            IncidentState::Resolved,
            by,
        )
        .await
    }

    async fn move_to(
        &self,
        id: &str,
        from: &[IncidentState],
        to: IncidentState,
        by: &str,
    ) -> Result<Moved, OpError> {
        let Some(incident) = self.store.incident(id).await.map_err(store_error)? else {
            return Ok(Moved::Unknown);
        };
        if !from.contains(&incident.state) {
            return Ok(Moved::AlreadyIn(incident.state));
        }
        let action = match to {
            IncidentState::Acknowledged => PageAction::Acknowledge,
            _ => PageAction::Resolve,
        };
        let triggered: Vec<String> = self
            .store
            .deliveries(Some(id), 0)
            .await
            .map_err(store_error)?
            .into_iter()
            .filter(|d| d.action == PageAction::Trigger.as_str())
            .map(|d| d.target)
            .collect();
        let mut deliveries: Vec<NewDelivery> = self
            .pagers
            .iter()
            .filter(|p| triggered.iter().any(|t| t == p.target()) && p.takes(action))
            .map(|p| delivery(p.target(), action.as_str(), Some(by)))
            .collect();
        deliveries.extend(
            self.chat_targets()
                .into_iter()
                .map(|target| delivery(target, "update", Some(by))),
        );
        let now = chrono::Utc::now().timestamp();
        let moved = self
            .store
            .move_incident(id, from, to, Some(by), now, &deliveries)
            .await
            .map_err(store_error)?;
        if !moved {
            // Someone else moved it between our read and our write.
            let state = match self.store.incident(id).await.map_err(store_error)? {
                Some(now) => now.state,
                None => return Ok(Moved::Unknown),
            };
            return Ok(Moved::AlreadyIn(state));
        }
        self.queued.notify_one();
        let targets: Vec<&str> = deliveries.iter().map(|d| d.target.as_str()).collect();
        let detail = serde_json::json!({ "event": to.as_str(), "targets": targets });
        self.audit(id, by, detail).await;
        let done = self.store.incident(id).await.map_err(store_error)?;
        Ok(done
            .map(|i| Moved::Done(Box::new(i)))
            .unwrap_or(Moved::Unknown))
    }

    /// Raises an alert of the bot's own, if its situation has a row (no row: nobody to tell).
    pub async fn raise_quietly(&self, alert: Alert) -> Result<(), OpError> {
        if self.contact(&alert.situation).is_none() {
            return Ok(());
        }
        self.raise(alert).await.map(|_| ())
    }

    pub async fn clear_quietly(&self, key: &str) -> Result<(), OpError> {
        self.clear(key).await.map(|_| ())
    }

    /// How a watcher's condition becomes an alert: severity and situation from
    /// `[watchers.kinds]`, pages when critical.
    fn alert_for(&self, condition: Condition) -> Alert {
        let kind = self.watch.kinds.get(condition.kind.as_str());
        let severity = kind
            .and_then(|k| k.severity.as_deref())
            .and_then(Severity::parse)
            .unwrap_or_else(|| default_severity(condition.kind));
        let situation = kind
            .and_then(|k| k.situation.clone())
            .unwrap_or_else(|| DEFAULT_SITUATION.to_string());
        let mut details = vec![("kind".to_string(), condition.kind.as_str().to_string())];
        details.extend(condition.details);
        Alert {
            key: condition.key,
            situation,
            severity,
            summary: condition.summary,
            source: condition.cluster,
            details,
            page: severity == Severity::Critical,
            raised_by: None,
        }
    }
}

/// A node that is not Ready and an etcd that stops answering are cluster failures that page
/// (CONTRACT.md); pressure and failed backups are errors, workloads and certificates warn.
fn default_severity(kind: ConditionKind) -> Severity {
    match kind {
        ConditionKind::NodeNotReady | ConditionKind::EtcdUnreachable => Severity::Critical,
        ConditionKind::NodeDiskPressure
        | ConditionKind::NodeMemoryPressure
        | ConditionKind::VeleroBackupFailed
        | ConditionKind::VeleroScheduleFailed => Severity::Error,
        ConditionKind::PodOomKilled
        | ConditionKind::PodCrashLoop
        | ConditionKind::CertificateExpiring => Severity::Warning,
    }
}

pub(super) fn delivery(target: &str, action: &str, by: Option<&str>) -> NewDelivery {
    NewDelivery {
        id: short_id(),
        target: target.to_string(),
        action: action.to_string(),
        by: by.map(str::to_string),
    }
}

fn short_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

fn store_error(e: crate::store::StoreError) -> OpError {
    OpError::Failed(msg!("engine-audit-unavailable", reason = e.to_string()))
}

#[async_trait]
impl Incidents for Desk {
    async fn raise(&self, alert: Alert) -> Result<Raised, OpError> {
        let Some(contact) = self.contact(&alert.situation) else {
            let known: Vec<&str> = self.contacts.iter().map(|c| c.situation.as_str()).collect();
            return Err(OpError::Failed(msg!(
                "page-unknown-situation",
                situation = alert.situation.as_str(),
                known = known.join(", ")
            )));
        };
        let mut deliveries: Vec<NewDelivery> = self
            .chat_targets()
            .into_iter()
            .map(|target| delivery(target, "post", alert.raised_by.as_deref()))
            .collect();
        if alert.page {
            deliveries.extend(
                self.pagers
                    .iter()
                    .filter(|p| p.reaches(contact) && p.takes(PageAction::Trigger))
                    .map(|p| delivery(p.target(), "trigger", alert.raised_by.as_deref())),
            );
        }
        let now = chrono::Utc::now().timestamp();
        let incident = Incident {
            id: short_id(),
            dedup_key: alert.key.clone(),
            situation: alert.situation.clone(),
            severity: alert.severity,
            summary: self.redactor.redact(&self.l10n.text(&alert.summary)),
            source: alert.source.clone(),
            details: alert
                .details
                .iter()
                .map(|(k, v)| (k.clone(), self.redactor.redact(v)))
                .collect(),
            paged: alert.page,
            state: IncidentState::Open,
            raised_by: alert.raised_by.clone(),
            changed_by: None,
            opened_at: now,
            changed_at: now,
        };
        let opened = self
            .store
            .open_incident(&incident, &deliveries)
            .await
            .map_err(store_error)?;
        let targets: Vec<String> = if opened.opened {
            self.queued.notify_one();
            deliveries.iter().map(|d| d.target.clone()).collect()
        } else {
            Vec::new()
        };
        if opened.opened {
            let detail = serde_json::json!({
                "event": "opened",
                "key": incident.dedup_key,
                "situation": incident.situation,
                "severity": incident.severity.as_str(),
                "source": incident.source,
                "summary": incident.summary,
                "paged": incident.paged,
                "targets": targets,
            });
            let by = incident.raised_by.as_deref().unwrap_or(WATCHER);
            self.audit(&incident.id, by, detail).await;
        }
        tracing::info!(
            incident = %opened.incident.id,
            key = %alert.key,
            opened = opened.opened,
            "incident raised"
        );
        Ok(Raised {
            id: opened.incident.id,
            opened: opened.opened,
            targets,
            since: opened.incident.opened_at,
        })
    }

    async fn clear(&self, key: &str) -> Result<bool, OpError> {
        let unresolved = self
            .store
            .unresolved_incidents()
            .await
            .map_err(store_error)?;
        let mut cleared = false;
        for incident in unresolved.into_iter().filter(|i| i.dedup_key == key) {
            cleared |= matches!(self.resolve(&incident.id, WATCHER).await?, Moved::Done(_));
        }
        Ok(cleared)
    }

    async fn deliveries(&self, limit: usize) -> Result<Vec<DeliveryView>, OpError> {
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        let rows = self
            .store
            .deliveries(None, limit)
            .await
            .map_err(store_error)?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let situation = match self.store.incident(&row.incident_id).await {
                Ok(Some(incident)) => incident.situation,
                _ => String::new(),
            };
            views.push(DeliveryView {
                incident: row.incident_id,
                situation,
                target: row.target,
                action: row.action,
                state: row.state.as_str().to_string(),
                attempts: row.attempts,
                last_error: row.last_error,
                created_at: row.created_at / 1000,
                next_attempt_at: (row.state == DeliveryState::Pending)
                    .then_some(row.next_attempt_at / 1000),
            });
        }
        Ok(views)
    }

    async fn open(&self) -> Result<Vec<OpenIncident>, OpError> {
        let unresolved = self
            .store
            .unresolved_incidents()
            .await
            .map_err(store_error)?;
        Ok(unresolved
            .into_iter()
            .map(|i| OpenIncident {
                id: i.id,
                situation: i.situation,
                severity: i.severity,
                state: i.state.as_str().to_string(),
                source: i.source,
                summary: i.summary,
                opened_at: i.opened_at,
            })
            .collect())
    }
}

/// Watchers' conditions become incidents keyed by the condition.
#[async_trait]
impl ConditionSink for Desk {
    async fn active(&self, condition: Condition) {
        let key = condition.key.clone();
        if let Err(e) = self.raise(self.alert_for(condition)).await {
            tracing::warn!(%key, error = %e, "could not raise an incident for a condition");
        }
    }

    async fn cleared(&self, key: &str) {
        if let Err(e) = self.clear(key).await {
            tracing::warn!(%key, error = %e, "could not resolve an incident");
        }
    }

    async fn synced(&self, cluster: &str, kind: ConditionKind, keys: &[String]) {
        let Ok(unresolved) = self.store.unresolved_incidents().await else {
            return;
        };
        let kind_name = kind.as_str();
        for incident in unresolved {
            let same_scope = incident.source == cluster
                && incident
                    .details
                    .iter()
                    .any(|(k, v)| k == "kind" && v == kind_name);
            if same_scope && !keys.contains(&incident.dedup_key) {
                self.cleared(&incident.dedup_key).await;
            }
        }
    }
}
