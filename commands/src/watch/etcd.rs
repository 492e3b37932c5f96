//! etcd has no watch for "I stopped answering", so each cluster's etcd is asked on an
//! interval. Two misses in a row make it unreachable (one lost packet pages nobody); the first
//! answer clears it.

use std::sync::Arc;
use std::time::Duration;

use super::{Condition, ConditionKind, ConditionSink, key};
use crate::{Settings, msg};

/// Misses in a row before etcd counts as unreachable.
const MISSES: u32 = 2;

pub(super) async fn watch_etcd(
    settings: Arc<Settings>,
    interval: Duration,
    sink: Arc<dyn ConditionSink>,
    cluster: String,
) {
    let key = key(ConditionKind::EtcdUnreachable, &cluster, &[]);
    let mut misses = 0;
    let mut active = false;
    let mut synced = false;
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match crate::etcd::answers(&settings, &cluster).await {
            Ok(()) => {
                misses = 0;
                if active {
                    active = false;
                    sink.cleared(&key).await;
                }
            }
            Err(reason) => {
                misses += 1;
                if misses >= MISSES && !active {
                    active = true;
                    sink.active(Condition {
                        key: key.clone(),
                        kind: ConditionKind::EtcdUnreachable,
                        cluster: cluster.clone(),
                        summary: msg!(
                            "watch-etcd-unreachable",
                            cluster = cluster.as_str(),
                            reason = reason
                        ),
                        details: vec![("etcd".to_string(), "unreachable".to_string())],
                    })
                    .await;
                }
            }
        }
        // After the first verdict, say what holds, so one left open by an earlier run (or a
        // replica) is resolved when etcd answers now.
        if !synced && (misses == 0 || active) {
            synced = true;
            let keys = if active {
                vec![key.clone()]
            } else {
                Vec::new()
            };
            sink.synced(&cluster, ConditionKind::EtcdUnreachable, &keys)
                .await;
        }
    }
}
