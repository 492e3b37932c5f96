//! The object store: what etcd is to a real apiserver. One global resourceVersion counter,
//! bumped on every write, and a bounded history of changes that watches replay from.
//!
//! It knows nothing of HTTP. Objects are stored under (group, plural, namespace, name), not
//! under a version, so a kind served at two versions is one set of objects, as in Kubernetes.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};

use super::ids::{new_uid, now_rfc3339};
use super::resources::{BUILT_IN, METRICS_GROUP, Resource, split_api_version};
use super::status::ApiError;

/// How many changes a watch can replay. Older resourceVersions answer 410 Expired, which is
/// what makes kube-runtime's watcher relist; tests force that with `compact()`.
const HISTORY_LIMIT: usize = 4096;
/// Where the counter starts: far from "0" and "", which mean "any version" to the API.
const FIRST_RESOURCE_VERSION: u64 = 1000;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    group: String,
    plural: String,
    namespace: String,
    name: String,
}

impl Key {
    fn new(resource: &Resource, namespace: &str, name: &str) -> Key {
        Key {
            group: resource.group.to_string(),
            plural: resource.plural.to_string(),
            namespace: if resource.namespaced {
                namespace.to_string()
            } else {
                String::new()
            },
            name: name.to_string(),
        }
    }

    fn of(resource: &Resource, object: &Value) -> Key {
        let meta = &object["metadata"];
        Key::new(resource, str_at(meta, "namespace"), str_at(meta, "name"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One write, as a watch replays it.
#[derive(Clone, Debug)]
pub(crate) struct Change {
    pub rv: u64,
    pub event: EventType,
    group: String,
    plural: String,
    pub namespace: String,
    pub object: Value,
}

impl Change {
    pub fn is_for(&self, resource: &Resource) -> bool {
        self.group == resource.group && self.plural == resource.plural
    }
}

/// Delete preconditions (`DeleteOptions.preconditions`).
#[derive(Default)]
pub(crate) struct Preconditions {
    pub uid: Option<String>,
    pub resource_version: Option<String>,
}

#[derive(Clone)]
pub(crate) struct Store {
    resources: Vec<Resource>,
    metrics_enabled: bool,
    rv: u64,
    objects: BTreeMap<Key, Value>,
    history: VecDeque<Change>,
    /// Watches from below this resourceVersion can no longer be replayed.
    floor: u64,
    /// (namespace, pod, container, previous) to the log text.
    logs: BTreeMap<(String, String, String, bool), String>,
}

impl Store {
    pub fn new() -> Store {
        Store {
            resources: BUILT_IN.to_vec(),
            metrics_enabled: true,
            rv: FIRST_RESOURCE_VERSION,
            objects: BTreeMap::new(),
            history: VecDeque::new(),
            floor: FIRST_RESOURCE_VERSION,
            logs: BTreeMap::new(),
        }
    }

    /// A copy to run a `dryRun=All` request against; its writes go nowhere.
    pub fn scratch(&self) -> Store {
        Store {
            history: VecDeque::new(),
            ..self.clone()
        }
    }

    pub fn register(&mut self, resource: Resource) {
        let same = |r: &Resource| {
            (r.group, r.version, r.plural) == (resource.group, resource.version, resource.plural)
        };
        self.resources.retain(|r| !same(r));
        self.resources.push(resource);
    }

    /// Stops serving a kind; its objects stay, unreachable, as a CRD's would not, which is
    /// enough for a cluster where it was never installed.
    pub fn unregister(&mut self, group: &str, version: &str, plural: &str) {
        self.resources
            .retain(|r| (r.group, r.version, r.plural) != (group, version, plural));
    }

    pub fn set_metrics(&mut self, enabled: bool) {
        self.metrics_enabled = enabled;
    }

    /// What discovery lists and paths answer: every registered kind, minus metrics.k8s.io while
    /// metrics-server is "absent".
    pub fn served(&self) -> Vec<Resource> {
        let metrics = self.metrics_enabled;
        self.resources
            .iter()
            .filter(|r| metrics || r.group != METRICS_GROUP)
            .copied()
            .collect()
    }

    pub fn by_path(&self, group: &str, version: &str, plural: &str) -> Option<Resource> {
        self.served()
            .into_iter()
            .find(|r| r.group == group && r.version == version && r.plural == plural)
    }

    /// For the test-side API: any registered kind, served or not.
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<Resource> {
        let (group, version) = split_api_version(api_version);
        self.resources
            .iter()
            .find(|r| r.group == group && r.version == version && r.kind == kind)
            .copied()
    }

    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    pub fn get(&self, resource: &Resource, namespace: &str, name: &str) -> Option<Value> {
        let object = self.objects.get(&Key::new(resource, namespace, name))?;
        Some(as_served(resource, object.clone()))
    }

    /// All objects of a kind, in one namespace or (None) in all, ordered by namespace and name.
    pub fn list(&self, resource: &Resource, namespace: Option<&str>) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|(key, _)| key.group == resource.group && key.plural == resource.plural)
            .filter(|(key, _)| {
                namespace.is_none_or(|ns| !resource.namespaced || key.namespace == ns)
            })
            .map(|(_, object)| as_served(resource, object.clone()))
            .collect()
    }

    /// Stores a new object. `uid` and `creationTimestamp` are kept when given (fixtures may want
    /// an old pod); the HTTP create path strips them first, as the apiserver ignores them.
    pub fn create(&mut self, resource: &Resource, mut object: Value) -> Result<Value, ApiError> {
        let key = Key::of(resource, &object);
        if self.objects.contains_key(&key) {
            return Err(ApiError::already_exists(resource, &key.name));
        }
        object = as_served(resource, object);
        let meta = &mut object["metadata"];
        if str_at(meta, "uid").is_empty() {
            meta["uid"] = json!(new_uid());
        }
        if str_at(meta, "creationTimestamp").is_empty() {
            meta["creationTimestamp"] = json!(now_rfc3339());
        }
        if meta.get("generation").is_none() {
            meta["generation"] = json!(1);
        }
        Ok(self.put(resource, key, object, EventType::Added))
    }

    /// Replaces a stored object. `expected_rv` is the optimistic-concurrency check of PUT and
    /// of patches that carry `metadata.resourceVersion`. Identity and age stay the server's.
    pub fn update(
        &mut self,
        resource: &Resource,
        mut object: Value,
        expected_rv: Option<&str>,
    ) -> Result<Value, ApiError> {
        let key = Key::of(resource, &object);
        let Some(stored) = self.objects.get(&key) else {
            return Err(ApiError::not_found(resource, &key.name));
        };
        let stored_meta = &stored["metadata"];
        if let Some(expected) = expected_rv.filter(|rv| !rv.is_empty())
            && expected != str_at(stored_meta, "resourceVersion")
        {
            return Err(ApiError::conflict(resource, &key.name));
        }
        let generation = stored_meta["generation"].as_u64().unwrap_or(1)
            + u64::from(stored.get("spec") != object.get("spec"));
        object = as_served(resource, object);
        let meta = &mut object["metadata"];
        for field in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ] {
            match stored_meta.get(field) {
                Some(value) => meta[field] = value.clone(),
                None => remove_field(meta, field),
            }
        }
        meta["generation"] = json!(generation);
        // An object waiting on finalizers goes once the last one is removed.
        let finalizers_left = meta["finalizers"].as_array().is_some_and(|f| !f.is_empty());
        if stored_meta.get("deletionTimestamp").is_some() && !finalizers_left {
            return Ok(self.remove(resource, key, object));
        }
        Ok(self.put(resource, key, object, EventType::Modified))
    }

    /// The test-side `apply`: create, or replace keeping what the fixture left out of identity.
    pub fn upsert(&mut self, resource: &Resource, mut object: Value) -> Value {
        let key = Key::of(resource, &object);
        let Some(stored) = self.objects.get(&key) else {
            return self.create(resource, object).expect("checked absent");
        };
        let stored_meta = stored["metadata"].clone();
        object = as_served(resource, object);
        let meta = &mut object["metadata"];
        for field in ["uid", "creationTimestamp", "generation"] {
            if meta.get(field).is_none()
                && let Some(value) = stored_meta.get(field)
            {
                meta[field] = value.clone();
            }
        }
        self.put(resource, key, object, EventType::Modified)
    }

    /// Deletes now, or (with finalizers) marks `deletionTimestamp` and waits for them to be
    /// removed. Returns the object and whether it is gone.
    pub fn delete(
        &mut self,
        resource: &Resource,
        namespace: &str,
        name: &str,
        preconditions: &Preconditions,
    ) -> Result<(Value, bool), ApiError> {
        let key = Key::new(resource, namespace, name);
        let Some(stored) = self.objects.get(&key) else {
            return Err(ApiError::not_found(resource, name));
        };
        let meta = &stored["metadata"];
        let uid_differs = preconditions
            .uid
            .as_deref()
            .is_some_and(|uid| uid != str_at(meta, "uid"));
        let rv_differs = preconditions
            .resource_version
            .as_deref()
            .is_some_and(|rv| rv != str_at(meta, "resourceVersion"));
        if uid_differs || rv_differs {
            return Err(ApiError::conflict(resource, name));
        }
        let mut object = stored.clone();
        if meta["finalizers"].as_array().is_some_and(|f| !f.is_empty()) {
            if meta.get("deletionTimestamp").is_none() {
                object["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
                object["metadata"]["deletionGracePeriodSeconds"] = json!(0);
                object = self.put(resource, key, object, EventType::Modified);
            }
            return Ok((as_served(resource, object), false));
        }
        Ok((self.remove(resource, key, object), true))
    }

    fn put(&mut self, resource: &Resource, key: Key, mut object: Value, event: EventType) -> Value {
        self.rv += 1;
        object["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        self.objects.insert(key.clone(), object.clone());
        self.record(event, key, object.clone());
        as_served(resource, object)
    }

    /// The DELETED event carries the deletion's own resourceVersion, as the apiserver's does.
    fn remove(&mut self, resource: &Resource, key: Key, mut object: Value) -> Value {
        self.objects.remove(&key);
        self.rv += 1;
        object["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        self.record(EventType::Deleted, key, object.clone());
        as_served(resource, object)
    }

    fn record(&mut self, event: EventType, key: Key, object: Value) {
        self.history.push_back(Change {
            rv: self.rv,
            event,
            group: key.group,
            plural: key.plural,
            namespace: key.namespace,
            object,
        });
        while self.history.len() > HISTORY_LIMIT {
            if let Some(dropped) = self.history.pop_front() {
                self.floor = dropped.rv;
            }
        }
    }

    /// Every change after `rv`, or 410 Expired when the history no longer reaches back there.
    pub fn changes_since(&self, rv: u64) -> Result<impl Iterator<Item = &Change>, ApiError> {
        if rv < self.floor {
            return Err(ApiError::expired(rv, self.floor));
        }
        Ok(self.history.iter().filter(move |change| change.rv > rv))
    }

    /// Forgets the change history, so any watch resuming from an older version gets 410.
    pub fn compact(&mut self) {
        self.history.clear();
        self.floor = self.rv;
    }

    pub fn set_log(&mut self, key: (String, String, String, bool), text: &str) {
        self.logs.insert(key, text.to_string());
    }

    pub fn append_log(&mut self, key: (String, String, String, bool), text: &str) {
        self.logs.entry(key).or_default().push_str(text);
    }

    pub fn log(&self, key: &(String, String, String, bool)) -> Option<&str> {
        self.logs.get(key).map(String::as_str)
    }

    /// Containers that have a log for this pod, for pods whose spec names no containers.
    pub fn logged_containers(&self, namespace: &str, pod: &str) -> Vec<String> {
        self.logs
            .keys()
            .filter(|(ns, p, _, _)| ns == namespace && p == pod)
            .map(|(_, _, container, _)| container.clone())
            .collect()
    }
}

/// The object as the given version serves it: a kind stored through v1beta1 and read through
/// v1 says `v1`, since there is no schema to convert.
fn as_served(resource: &Resource, mut object: Value) -> Value {
    if !object.is_object() {
        object = json!({});
    }
    object["apiVersion"] = json!(resource.api_version());
    object["kind"] = json!(resource.kind);
    if !object["metadata"].is_object() {
        object["metadata"] = json!({});
    }
    object
}

pub(crate) fn str_at<'a>(value: &'a Value, field: &str) -> &'a str {
    value.get(field).and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn remove_field(value: &mut Value, field: &str) {
    if let Some(map) = value.as_object_mut() {
        map.remove(field);
    }
}
