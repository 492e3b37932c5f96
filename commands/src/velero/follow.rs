//! Following a Backup to the end: watch it with kube's watcher, report each change of phase
//! or item count, and stop at a final phase.
//!
//! # Caveats
//! The watcher itself retries forever, so the follow has its own bounds: a total timeout,
//! and a shorter limit on how long the API server may stay unreachable.

use std::time::Duration;

use futures_util::StreamExt;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use tokio::time::Instant;

use super::view::BackupView;
use super::{Outcome, backups, outcome};
use crate::{OpError, Progress, msg};

/// How long a backup may take before the bot stops following it (Velero keeps going).
pub(crate) const FOLLOW_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long the API server may fail to answer the watch before the follow gives up.
const UNREACHABLE_AFTER: Duration = Duration::from_secs(60);
/// Each watch request asks the server to end it after this long. The clients' read timeout
/// (30 s or more) would otherwise cut a quiet watch with an error; an ended watch is simply
/// resumed by the watcher from the last version it saw.
const WATCH_SECONDS: u32 = 20;

/// Watches backup `name` until its phase is final, and returns it as last seen.
pub(crate) async fn follow_backup(
    client: kube::Client,
    cluster: &str,
    name: &str,
    progress: &dyn Progress,
    timeout: Duration,
) -> Result<BackupView, OpError> {
    let config = watcher::Config::default()
        .fields(&format!("metadata.name={name}"))
        .timeout(WATCH_SECONDS);
    let mut events = watcher::watcher(backups(client), config)
        .default_backoff()
        .boxed();
    let deadline = Instant::now() + timeout;
    let mut last_seen: Option<(String, Option<(u64, u64)>)> = None;
    let mut failing_since: Option<Instant> = None;
    loop {
        let event = match tokio::time::timeout_at(deadline, events.next()).await {
            Err(_) => {
                return Err(OpError::Timeout {
                    what: format!("backup {name}"),
                    after: timeout,
                });
            }
            Ok(None) => {
                // The watcher never ends on its own; this is defensive.
                return Err(OpError::Unreachable {
                    target: cluster.to_string(),
                    reason: "the watch ended".to_string(),
                });
            }
            Ok(Some(event)) => event,
        };
        let object = match event {
            Ok(Event::Apply(object) | Event::InitApply(object)) => object,
            Ok(Event::Delete(_)) => {
                return Err(OpError::Failed(msg!(
                    "velero-backup-deleted",
                    name = name,
                    cluster = cluster
                )));
            }
            Ok(Event::Init | Event::InitDone) => continue,
            Err(error) => {
                let reason = error.to_string();
                let since = match failing_since {
                    Some(since) => since,
                    None => {
                        progress.report(msg!("velero-follow-retrying", reason = reason.as_str()));
                        *failing_since.insert(Instant::now())
                    }
                };
                if since.elapsed() >= UNREACHABLE_AFTER {
                    return Err(OpError::Unreachable {
                        target: cluster.to_string(),
                        reason,
                    });
                }
                continue;
            }
        };
        failing_since = None;
        let view = BackupView::of(&object);
        let now = (view.phase().to_string(), view.items);
        if last_seen.as_ref() != Some(&now) {
            progress.report(progress_message(&view));
            last_seen = Some(now);
        }
        if outcome(view.phase.as_deref()) != Outcome::Running {
            return Ok(view);
        }
    }
}

/// "InProgress: items backed up 120 of 340", or the phase alone before Velero counts.
fn progress_message(view: &BackupView) -> crate::Message {
    match view.items {
        Some((done, total)) => msg!(
            "velero-backup-progress",
            phase = view.phase(),
            done = done,
            total = total
        ),
        None => msg!("velero-backup-phase", phase = view.phase()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use opsbot_tests::kube::{KubeServer, kubeconfig};
    use serde_json::json;

    use super::*;
    use crate::k8s::Clusters;
    use crate::{ClusterSettings, Message, Settings};

    /// Keeps what the follow reported.
    #[derive(Default)]
    struct Recorded(Mutex<Vec<String>>);

    impl Progress for Recorded {
        fn report(&self, message: Message) {
            if let Ok(mut seen) = self.0.lock() {
                seen.push(message.to_string());
            }
        }
    }

    /// A cluster `mgmt` served by `server`, and a Backup `b1` in it at `phase`.
    async fn setup(server: &KubeServer, dir: &std::path::Path) -> kube::Client {
        let path = dir.join("kubeconfig");
        std::fs::write(&path, kubeconfig(&[("mgmt", server)])).expect("kubeconfig");
        let mut settings = Settings::default();
        settings.clusters.insert(
            "mgmt".into(),
            ClusterSettings {
                context: Some("mgmt".into()),
                kubeconfig: Some(path),
                ..ClusterSettings::default()
            },
        );
        set(server, "InProgress", 10, 20);
        Clusters::default()
            .client(&settings, "mgmt")
            .await
            .expect("client")
    }

    fn set(server: &KubeServer, phase: &str, done: u64, total: u64) {
        server.apply(json!({
            "apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": { "name": "b1", "namespace": "velero" },
            "spec": { "includedNamespaces": ["app"] },
            "status": { "phase": phase, "progress": { "itemsBackedUp": done, "totalItems": total } }
        }));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn each_change_is_reported_once_until_a_final_phase() {
        let server = KubeServer::start();
        let dir = tempfile::tempdir().expect("dir");
        let client = setup(&server, dir.path()).await;
        let progress = Recorded::default();
        let velero = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            // A write that changes nothing people see is not reported again.
            set(&server, "InProgress", 10, 20);
            tokio::time::sleep(Duration::from_millis(300)).await;
            set(&server, "Completed", 20, 20);
        };
        let (view, ()) = tokio::join!(
            follow_backup(client, "mgmt", "b1", &progress, Duration::from_secs(20)),
            velero
        );
        assert_eq!(view.expect("completed").items, Some((20, 20)));
        let seen = progress.0.lock().expect("lock").clone();
        assert_eq!(
            seen,
            [
                "velero-backup-progress(phase=InProgress, done=10, total=20)",
                "velero-backup-progress(phase=Completed, done=20, total=20)",
            ]
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_backup_that_never_finishes_times_out() {
        let server = KubeServer::start();
        let dir = tempfile::tempdir().expect("dir");
        let client = setup(&server, dir.path()).await;
        let result = follow_backup(
            client,
            "mgmt",
            "b1",
            &Recorded::default(),
            Duration::from_secs(1),
        )
        .await;
        assert!(
            matches!(&result, Err(OpError::Timeout { what, .. }) if what == "backup b1"),
            "{result:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_backup_deleted_while_followed_ends_the_follow() {
        let server = KubeServer::start();
        let dir = tempfile::tempdir().expect("dir");
        let client = setup(&server, dir.path()).await;
        let progress = Recorded::default();
        let delete = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            server.delete("velero.io/v1", "Backup", Some("velero"), "b1");
        };
        let (result, ()) = tokio::join!(
            follow_backup(client, "mgmt", "b1", &progress, Duration::from_secs(20)),
            delete
        );
        let message = result.err().map(|e| e.message().id.to_string());
        assert_eq!(message.as_deref(), Some("velero-backup-deleted"));
    }
}
