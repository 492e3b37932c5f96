//! A Kubernetes API server emulator for the integration tests.
//!
//! [`KubeServer`] listens on `127.0.0.1:0` and speaks enough of the apiserver's HTTP API for the
//! real kube-rs client: discovery (classic and aggregated), get/list/create/replace/patch/delete
//! of any kind in its resource table, label and field selectors, watches with bookmarks and
//! 410 Expired, pod logs (tail, previous, follow), eviction against PodDisruptionBudgets, and
//! the `status` and `scale` subresources. Errors are `Status` objects, as kube-rs expects.
//!
//! It can go away and come back ([`KubeServer::stop`], [`KubeServer::restart`], or from a shared
//! reference [`KubeServer::go_away`] and [`KubeServer::come_back`]) on the same port with the
//! same objects, so reconnecting clients and runs that outlive an API server outage can be
//! tested.
//!
//! It is generic on purpose: tests put objects in with [`KubeServer::apply`] and read what the
//! bot did with [`KubeServer::get`] and [`KubeServer::requests`]. Nothing is canned per test or
//! per operation, and no controller runs (a Deployment never grows pods by itself).
//!
//! The server runs on its own thread and runtime, so plain `#[test]`s can use it; [`kubeconfig`]
//! writes a kubeconfig that points the opsbot binary at one or more servers.
//!
//! ```no_run
//! use opsbot_tests::kube::{KubeServer, kubeconfig};
//! use serde_json::json;
//!
//! let mgmt = KubeServer::start();
//! mgmt.apply(json!({
//!     "apiVersion": "v1", "kind": "Pod",
//!     "metadata": { "name": "web-1", "namespace": "shop", "labels": { "app": "web" } },
//!     "spec": { "containers": [{ "name": "app", "image": "web:1" }] },
//!     "status": { "phase": "Running" }
//! }));
//! mgmt.set_log("shop", "web-1", "app", false, "started\nready\n");
//! let config = kubeconfig(&[("mgmt", &mgmt)]);
//! # let _ = config;
//! ```

mod crud;
mod discovery;
mod eviction;
mod ids;
mod kubeconfig;
mod logs;
mod patch;
mod query;
mod resources;
mod routes;
mod selectors;
mod server;
mod status;
mod store;
mod watch;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Value, json};

pub use ids::rfc3339_ago;
pub use kubeconfig::{dead_url, kubeconfig, kubeconfig_with_dead, test_token};
pub use resources::Resource;

use query::Query;
use store::Store;

/// One request the server received, for tests that check what the bot sent.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The raw query string, without `?`; [`param`](Self::param) decodes one value.
    pub query: String,
    /// Header names are lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    /// The decoded value of a query parameter (`labelSelector`, `fieldManager`, …).
    pub fn param(&self, key: &str) -> Option<String> {
        Query::parse(&self.query).get(key).map(String::from)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// State shared by the test thread and the server's runtime; it outlives stop/restart.
pub(crate) struct Shared {
    store: Mutex<Store>,
    /// Bumped after every write, so open watches and log follows wake up and look.
    changed: tokio::sync::watch::Sender<u64>,
    requests: Mutex<Vec<Recorded>>,
    port: u16,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panicking test thread must not take every later request down with it.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn read<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        f(&self.lock())
    }

    pub fn write<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        let result = f(&mut self.lock());
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
        result
    }

    /// Runs a write, or with `dryRun=All` runs it against a throwaway copy.
    pub fn write_unless_dry<R>(&self, dry_run: bool, f: impl FnOnce(&mut Store) -> R) -> R {
        if dry_run {
            let mut scratch = self.read(Store::scratch);
            f(&mut scratch)
        } else {
            self.write(f)
        }
    }

    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn record(&self, request: Recorded) {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
    }
}

/// One emulated cluster. Dropping it stops the server.
pub struct KubeServer {
    shared: Arc<Shared>,
    /// The serving thread, or `None` while the server is away. Behind a lock so that another
    /// thread holding `&KubeServer` (a kubelet rule, a test's timer) can take it down.
    running: Mutex<Option<server::Running>>,
}

impl KubeServer {
    /// Binds `127.0.0.1:0` and serves on a background thread; it is listening on return.
    pub fn start() -> KubeServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let shared = Arc::new(Shared {
            store: Mutex::new(Store::new()),
            changed: tokio::sync::watch::channel(0).0,
            requests: Mutex::new(Vec::new()),
            port,
        });
        let running = server::spawn(listener, shared.clone());
        KubeServer {
            shared,
            running: Mutex::new(Some(running)),
        }
    }

    /// `http://127.0.0.1:PORT`, stable across [`stop`](Self::stop) and [`restart`](Self::restart).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.shared.port)
    }

    pub fn port(&self) -> u16 {
        self.shared.port
    }

    /// Creates or replaces any object of a known kind (`apiVersion`, `kind`, `metadata.name`,
    /// and `metadata.namespace` for namespaced kinds, `default` if left out). Assigns `uid` and
    /// `creationTimestamp` when absent and always a fresh `resourceVersion`; watches see it.
    /// Returns the object as stored.
    ///
    /// # Panics
    /// On an object without those fields or of a kind not in the table (see [`register`](Self::register)).
    pub fn apply(&self, mut object: Value) -> Value {
        let resource = self.resource_of(&object);
        assert!(
            object["metadata"]["name"]
                .as_str()
                .is_some_and(|n| !n.is_empty()),
            "apply: metadata.name is required: {object}"
        );
        let meta = object["metadata"]
            .as_object_mut()
            .expect("metadata is an object");
        if resource.namespaced {
            meta.entry("namespace").or_insert_with(|| json!("default"));
        } else {
            meta.remove("namespace");
        }
        self.shared.write(|store| store.upsert(&resource, object))
    }

    pub fn get(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let resource = self.resource(api_version, kind);
        self.shared
            .read(|store| store.get(&resource, namespace.unwrap_or(""), name))
    }

    /// Objects of a kind in one namespace, or in all with `None`, ordered by namespace and name.
    pub fn list(&self, api_version: &str, kind: &str, namespace: Option<&str>) -> Vec<Value> {
        let resource = self.resource(api_version, kind);
        self.shared.read(|store| store.list(&resource, namespace))
    }

    /// Deletes like the API does: an object with finalizers only gets a `deletionTimestamp`.
    /// Deleting what is not there is a no-op.
    pub fn delete(&self, api_version: &str, kind: &str, namespace: Option<&str>, name: &str) {
        let resource = self.resource(api_version, kind);
        let namespace = namespace.unwrap_or("");
        let _ = self
            .shared
            .write(|store| store.delete(&resource, namespace, name, &Default::default()));
    }

    /// Sets the whole log of a container, current or (`previous`) of its last terminated run.
    pub fn set_log(&self, namespace: &str, pod: &str, container: &str, previous: bool, text: &str) {
        let key = (namespace.into(), pod.into(), container.into(), previous);
        self.shared.write(|store| store.set_log(key, text));
    }

    /// Appends to a container's current log; `follow` streams pick it up.
    pub fn append_log(&self, namespace: &str, pod: &str, container: &str, text: &str) {
        let key = (namespace.into(), pod.into(), container.into(), false);
        self.shared.write(|store| store.append_log(key, text));
    }

    /// Serves another kind (a CRD), discoverable at once. Re-registering a group, version and
    /// plural replaces the entry.
    pub fn register(&self, resource: Resource) {
        self.shared.write(|store| store.register(resource));
    }

    /// Stops serving a kind (group, version and plural), as on a cluster where that CRD was
    /// never installed: discovery leaves it out and its paths answer 404.
    pub fn unregister(&self, group: &str, version: &str, plural: &str) {
        self.shared
            .write(|store| store.unregister(group, version, plural));
    }

    /// Whether metrics.k8s.io is served (default true). With false it is absent from discovery
    /// and its paths answer 404, as on a cluster without metrics-server.
    pub fn enable_metrics(&self, enabled: bool) {
        self.shared.write(|store| store.set_metrics(enabled));
    }

    /// Forgets the watch history: a watch resuming from any older resourceVersion gets
    /// 410 Expired, and kube-runtime's watcher must relist.
    pub fn compact(&self) {
        self.shared.write(Store::compact);
    }

    /// The current global resourceVersion.
    pub fn resource_version(&self) -> String {
        self.shared
            .read(|store| store.resource_version().to_string())
    }

    /// Every request seen so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn clear_requests(&self) {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub fn is_running(&self) -> bool {
        self.running_lock().is_some()
    }

    /// Goes away: the port refuses connections and open watches and log streams are cut.
    /// The objects stay for [`restart`](Self::restart).
    pub fn stop(&mut self) {
        self.go_away();
    }

    /// Comes back on the same port with the same objects and watch history, so a watch
    /// resumes from its resourceVersion as from an apiserver that reads etcd. To play one
    /// whose watch cache started over, [`compact`](Self::compact) while it is away: resuming
    /// then gets 410 Expired and kube's watcher relists.
    pub fn restart(&mut self) {
        self.come_back();
    }

    /// [`stop`](Self::stop) through a shared reference: for a kubelet rule or another thread
    /// that takes the API server away while a run is under way. Stopping a stopped server
    /// does nothing.
    pub fn go_away(&self) {
        let running = self.running_lock().take();
        if let Some(running) = running {
            running.stop();
        }
    }

    /// [`restart`](Self::restart) through a shared reference. A running server is stopped
    /// first, so its open connections are cut either way.
    pub fn come_back(&self) {
        let mut running = self.running_lock();
        if let Some(old) = running.take() {
            old.stop();
        }
        let listener = server::rebind(self.shared.port);
        *running = Some(server::spawn(listener, self.shared.clone()));
    }

    fn running_lock(&self) -> MutexGuard<'_, Option<server::Running>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn resource(&self, api_version: &str, kind: &str) -> Resource {
        self.shared
            .read(|store| store.by_kind(api_version, kind))
            .unwrap_or_else(|| {
                panic!("{api_version} {kind} is not in the resource table; register() it first")
            })
    }

    fn resource_of(&self, object: &Value) -> Resource {
        let api_version = object["apiVersion"].as_str();
        let kind = object["kind"].as_str();
        match (api_version, kind) {
            (Some(api_version), Some(kind)) => self.resource(api_version, kind),
            _ => panic!("apply: apiVersion and kind are required: {object}"),
        }
    }
}

impl Drop for KubeServer {
    fn drop(&mut self) {
        self.go_away();
    }
}
