//! One watch loop: follows one or more streams of a kind with kube's `watcher` (which
//! reconnects by itself, with its default backoff) and turns what it sees into sink calls,
//! only on changes.
//!
//! The bookkeeping ([`Tracker`]) is pure: events in, [`Change`]s out. [`run`] feeds it and
//! hands the changes to the [`ConditionSink`]. Objects are judged in groups: most kinds judge
//! each object alone, Velero judges all backups of one schedule together (a newer Completed
//! backup clears a failed one).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event, watcher};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;

use super::{Condition, ConditionKind, ConditionSink};

/// Conditions that depend on the clock (a certificate's days left) are judged again this
/// often, even when nothing changes on the API server.
const REJUDGE_EVERY: Duration = Duration::from_secs(3600);

/// How long one watch request may last. The kube clients of this crate time out a read after
/// at least 30 s (`k8s::build`); ending an idle watch before that makes it resume cleanly
/// from its resourceVersion instead of failing with a read error.
const WATCH_SECONDS: u32 = 25;

/// What a watch loop knows of one kind: which objects matter, and what conditions hold.
pub(super) trait Judge: Send + Sync + 'static {
    type Object: Resource + Clone + DeserializeOwned + Debug + Send + 'static;
    /// What of an object the judgement needs; kept per object instead of the whole object.
    type Fact: Send + Sync + 'static;

    /// The kinds this judge reports: a (re)list says `synced` for each.
    fn kinds(&self) -> &'static [ConditionKind];

    /// Which objects are judged together; by default each object alone.
    fn group(&self, key: &str, _object: &Self::Object) -> String {
        key.to_string()
    }

    fn fact(&self, object: &Self::Object) -> Self::Fact;

    /// The conditions one group gives now; `members` by object key.
    fn judge(&self, members: &BTreeMap<String, Self::Fact>, now: DateTime<Utc>) -> Vec<Condition>;
}

/// A call the loop makes on the sink.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Change {
    Active(Condition),
    Cleared(String),
    Synced(ConditionKind, Vec<String>),
}

/// The state of one watch loop over `sources` streams (one per namespace, or just one).
pub(super) struct Tracker<J: Judge> {
    judge: J,
    /// Object key → the stream it came from and its group.
    placed: BTreeMap<String, (usize, String)>,
    /// Group → its members' facts.
    members: BTreeMap<String, BTreeMap<String, J::Fact>>,
    /// Group → the conditions it gives now.
    holding: BTreeMap<String, Vec<Condition>>,
    /// Per stream: what was seen since its `Init`, while a (re)list is under way.
    relisting: Vec<Option<Vec<Placed<J::Fact>>>>,
    /// Per stream: listed at least once (or known not to exist). `synced` waits for all, so
    /// one namespace listed first never says another's conditions cleared.
    listed: Vec<bool>,
}

/// An object as the tracker keeps it: its key, its group and its fact.
pub(super) struct Placed<F> {
    key: String,
    group: String,
    fact: F,
}

/// `namespace/name`, or `name` for cluster-scoped objects.
pub(super) fn object_key<K: Resource>(object: &K) -> String {
    match object.namespace() {
        Some(ns) => format!("{ns}/{}", object.name_any()),
        None => object.name_any(),
    }
}

impl<J: Judge> Tracker<J> {
    pub fn new(judge: J, sources: usize) -> Self {
        Tracker {
            judge,
            placed: BTreeMap::new(),
            members: BTreeMap::new(),
            holding: BTreeMap::new(),
            relisting: (0..sources).map(|_| None).collect(),
            listed: vec![false; sources],
        }
    }

    pub fn event(
        &mut self,
        source: usize,
        event: Event<J::Object>,
        now: DateTime<Utc>,
    ) -> Vec<Change> {
        match event {
            Event::Init => {
                self.relisting[source] = Some(Vec::new());
                Vec::new()
            }
            Event::InitApply(object) => {
                let placed = self.place(&object);
                self.relisting[source]
                    .get_or_insert_with(Vec::new)
                    .push(placed);
                Vec::new()
            }
            Event::InitDone => {
                let objects = self.relisting[source].take().unwrap_or_default();
                self.relisted(source, objects, now)
            }
            Event::Apply(object) => {
                let placed = self.place(&object);
                let mut touched = self.remove(&placed.key);
                touched.insert(self.insert(source, placed));
                self.rejudge(touched, now, true)
            }
            Event::Delete(object) => {
                let touched = self.remove(&object_key(&object));
                self.rejudge(touched, now, true)
            }
        }
    }

    /// The stream's kind is not served (its CRD is missing): it holds nothing.
    pub fn absent(&mut self, source: usize, now: DateTime<Utc>) -> Vec<Change> {
        self.relisting[source] = None;
        self.relisted(source, Vec::new(), now)
    }

    /// Judges every group again (the clock moved).
    pub fn tick(&mut self, now: DateTime<Utc>) -> Vec<Change> {
        let groups: BTreeSet<String> = self.members.keys().cloned().collect();
        self.rejudge(groups, now, true)
    }

    /// A stream's list replaced what it had: new conditions become active, and once every
    /// stream has listed, each kind is synced with all keys that hold (which clears the rest).
    fn relisted(
        &mut self,
        source: usize,
        objects: Vec<Placed<J::Fact>>,
        now: DateTime<Utc>,
    ) -> Vec<Change> {
        let stale: Vec<String> = self
            .placed
            .iter()
            .filter(|(_, (from, _))| *from == source)
            .map(|(key, _)| key.clone())
            .collect();
        let mut touched = BTreeSet::new();
        for key in stale {
            touched.extend(self.remove(&key));
        }
        for placed in objects {
            touched.extend(self.remove(&placed.key));
            touched.insert(self.insert(source, placed));
        }
        // Keys that went away are not cleared one by one: `synced` says it for all of them.
        let mut changes = self.rejudge(touched, now, false);
        self.listed[source] = true;
        if self.listed.iter().all(|l| *l) {
            for kind in self.judge.kinds() {
                let keys: Vec<String> = self
                    .holding
                    .values()
                    .flatten()
                    .filter(|c| c.kind == *kind)
                    .map(|c| c.key.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                changes.push(Change::Synced(*kind, keys));
            }
        }
        changes
    }

    fn place(&self, object: &J::Object) -> Placed<J::Fact> {
        let key = object_key(object);
        Placed {
            group: self.judge.group(&key, object),
            fact: self.judge.fact(object),
            key,
        }
    }

    /// Keeps an object's fact; its group needs judging.
    fn insert(&mut self, source: usize, placed: Placed<J::Fact>) -> String {
        let Placed { key, group, fact } = placed;
        self.members
            .entry(group.clone())
            .or_default()
            .insert(key.clone(), fact);
        self.placed.insert(key, (source, group.clone()));
        group
    }

    /// Forgets an object; the group it was in, if any, needs judging again.
    fn remove(&mut self, key: &str) -> BTreeSet<String> {
        let mut touched = BTreeSet::new();
        if let Some((_, group)) = self.placed.remove(key) {
            if let Some(members) = self.members.get_mut(&group) {
                members.remove(key);
                if members.is_empty() {
                    self.members.remove(&group);
                }
            }
            touched.insert(group);
        }
        touched
    }

    /// Judges `groups` again: conditions new to the loop become `Active`; with `clear`, those
    /// that no longer hold become `Cleared`.
    fn rejudge(
        &mut self,
        groups: BTreeSet<String>,
        now: DateTime<Utc>,
        clear: bool,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        for group in groups {
            let new = match self.members.get(&group) {
                Some(members) => self.judge.judge(members, now),
                None => Vec::new(),
            };
            let old = match new.is_empty() {
                true => self.holding.remove(&group),
                false => self.holding.insert(group, new.clone()),
            }
            .unwrap_or_default();
            let old_keys: BTreeSet<&str> = old.iter().map(|c| c.key.as_str()).collect();
            let new_keys: BTreeSet<&str> = new.iter().map(|c| c.key.as_str()).collect();
            for condition in &new {
                if !old_keys.contains(condition.key.as_str()) {
                    changes.push(Change::Active(condition.clone()));
                }
            }
            if clear {
                for condition in &old {
                    if !new_keys.contains(condition.key.as_str()) {
                        changes.push(Change::Cleared(condition.key.clone()));
                    }
                }
            }
        }
        changes
    }
}

/// Follows `apis` (one stream each) until every stream has ended, which happens only when
/// their kind is not served; otherwise for as long as the task lives.
pub(super) async fn run<J: Judge>(
    judge: J,
    cluster: String,
    what: &'static str,
    apis: Vec<Api<J::Object>>,
    sink: Arc<dyn ConditionSink>,
) {
    if apis.is_empty() {
        // Nothing of this kind is watched (no namespaces configured), so none of it holds:
        // what a sink still has open from an earlier configuration clears.
        let none = judge
            .kinds()
            .iter()
            .map(|kind| Change::Synced(*kind, Vec::new()))
            .collect();
        emit(sink.as_ref(), &cluster, none).await;
        return;
    }
    let mut tracker = Tracker::new(judge, apis.len());
    let config = watcher::Config::default().timeout(WATCH_SECONDS);
    let streams = apis.into_iter().enumerate().map(|(source, api)| {
        watcher(api, config.clone())
            .default_backoff()
            // A kind that is not served ends its stream after saying so once.
            .scan(false, |ended, event| {
                let next = (!*ended).then(|| {
                    *ended = matches!(&event, Err(error) if not_served(error));
                    event
                });
                std::future::ready(next)
            })
            .map(move |event| (source, event))
            .boxed()
    });
    let mut events = futures_util::stream::select_all(streams);
    let mut ticker = tokio::time::interval(REJUDGE_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    let mut failing = false;
    loop {
        let changes = tokio::select! {
            next = events.next() => match next {
                None => return,
                Some((source, Ok(event))) => {
                    if std::mem::take(&mut failing) {
                        tracing::info!(cluster, what, "watch is back");
                    }
                    tracker.event(source, event, Utc::now())
                }
                Some((source, Err(error))) if not_served(&error) => {
                    tracing::warn!(cluster, what, %error, "not served by this cluster (CRD not installed?); not watching it");
                    tracker.absent(source, Utc::now())
                }
                Some((_, Err(error))) => {
                    // The first failure of a run says so; the retries behind it stay quiet.
                    if failing {
                        tracing::debug!(cluster, what, %error, "watch still failing");
                    } else {
                        tracing::warn!(cluster, what, %error, "watch failed; reconnecting");
                        failing = true;
                    }
                    Vec::new()
                }
            },
            _ = ticker.tick() => tracker.tick(Utc::now()),
        };
        emit(sink.as_ref(), &cluster, changes).await;
    }
}

async fn emit(sink: &dyn ConditionSink, cluster: &str, changes: Vec<Change>) {
    for change in changes {
        match change {
            Change::Active(condition) => sink.active(condition).await,
            Change::Cleared(key) => sink.cleared(&key).await,
            Change::Synced(kind, keys) => sink.synced(cluster, kind, &keys).await,
        }
    }
}

/// The initial list answered 404: the kind (a CRD) is not installed.
fn not_served(error: &watcher::Error) -> bool {
    matches!(
        error,
        watcher::Error::InitialListFailed(kube::Error::Api(status)) if status.code == 404
    )
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::Node;
    use serde_json::json;

    use super::*;
    use crate::watch::nodes::Nodes;

    fn node(name: &str, ready: &str) -> Node {
        serde_json::from_value(json!({
            "metadata": { "name": name },
            "status": { "conditions": [{ "type": "Ready", "status": ready }] }
        }))
        .expect("a node")
    }

    fn tracker(sources: usize) -> Tracker<Nodes> {
        Tracker::new(
            Nodes {
                cluster: "app1".into(),
            },
            sources,
        )
    }

    fn list(t: &mut Tracker<Nodes>, source: usize, nodes: &[Node]) -> Vec<Change> {
        let mut changes = t.event(source, Event::Init, Utc::now());
        for n in nodes {
            changes.extend(t.event(source, Event::InitApply(n.clone()), Utc::now()));
        }
        changes.extend(t.event(source, Event::InitDone, Utc::now()));
        changes
    }

    /// The changes as short strings: `+key`, `-key`, `=kind:key,key`.
    fn said(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match c {
                Change::Active(c) => format!("+{}", c.key),
                Change::Cleared(k) => format!("-{k}"),
                Change::Synced(kind, keys) => format!("={}:{}", kind.as_str(), keys.join(",")),
            })
            .collect()
    }

    #[test]
    fn a_list_makes_conditions_active_then_syncs_every_kind() {
        let mut t = tracker(1);
        let changes = list(&mut t, 0, &[node("w1", "True"), node("w2", "False")]);
        assert_eq!(
            said(&changes),
            [
                "+node-not-ready/app1/w2",
                "=node-not-ready:node-not-ready/app1/w2",
                "=node-disk-pressure:",
                "=node-memory-pressure:"
            ]
        );
    }

    #[test]
    fn apply_and_delete_say_only_what_changed() {
        let mut t = tracker(1);
        list(&mut t, 0, &[node("w1", "True")]);
        let now = Utc::now();
        assert!(t.event(0, Event::Apply(node("w1", "True")), now).is_empty());
        assert_eq!(
            said(&t.event(0, Event::Apply(node("w1", "Unknown")), now)),
            ["+node-not-ready/app1/w1"]
        );
        assert!(
            t.event(0, Event::Apply(node("w1", "False")), now)
                .is_empty(),
            "still not ready: nothing new"
        );
        assert_eq!(
            said(&t.event(0, Event::Apply(node("w1", "True")), now)),
            ["-node-not-ready/app1/w1"]
        );
        t.event(0, Event::Apply(node("w2", "False")), now);
        assert_eq!(
            said(&t.event(0, Event::Delete(node("w2", "False")), now)),
            ["-node-not-ready/app1/w2"]
        );
    }

    #[test]
    fn a_relist_repeats_nothing_and_syncs_what_changed_meanwhile() {
        let mut t = tracker(1);
        list(&mut t, 0, &[node("w1", "False"), node("w2", "False")]);
        // Disconnected: w1 recovered, w3 went bad.
        let changes = list(
            &mut t,
            0,
            &[node("w1", "True"), node("w2", "False"), node("w3", "False")],
        );
        assert_eq!(
            said(&changes),
            [
                "+node-not-ready/app1/w3",
                "=node-not-ready:node-not-ready/app1/w2,node-not-ready/app1/w3",
                "=node-disk-pressure:",
                "=node-memory-pressure:"
            ]
        );
    }

    #[test]
    fn synced_waits_until_every_stream_has_listed() {
        let mut t = tracker(2);
        let first = list(&mut t, 0, &[node("w1", "False")]);
        assert_eq!(said(&first), ["+node-not-ready/app1/w1"]);
        let second = list(&mut t, 1, &[node("w2", "False")]);
        assert_eq!(said(&second)[0], "+node-not-ready/app1/w2");
        assert_eq!(
            said(&second)[1],
            "=node-not-ready:node-not-ready/app1/w1,node-not-ready/app1/w2"
        );
        // A relist of one stream keeps the other's conditions.
        let again = list(&mut t, 1, &[]);
        assert_eq!(said(&again)[0], "=node-not-ready:node-not-ready/app1/w1");
    }

    #[test]
    fn an_absent_kind_syncs_empty() {
        let mut t = tracker(1);
        assert_eq!(
            said(&t.absent(0, Utc::now())),
            [
                "=node-not-ready:",
                "=node-disk-pressure:",
                "=node-memory-pressure:"
            ]
        );
    }
}
