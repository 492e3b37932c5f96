//! Runbook §5.1 "Pod가 시작되지 않음": what a pod is doing (`pod describe`) and what it said
//! (`pod logs`). The namespace's events are `events`, in its own file.

pub mod delete;
pub mod describe;
pub mod logs;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use kube::api::Api;

use crate::k8s::objects::require_namespace;
use crate::k8s::{DEFAULT_TIMEOUT, kube_error};
use crate::{OpError, Request, RunContext};

/// The cluster, namespace and pod of a `pod …` or `storage POD` request. The parser requires
/// all three, so their absence is a bug in the spec, not a user's mistake.
pub(crate) fn target(request: &Request) -> Result<(String, String, String), OpError> {
    match (
        request.cluster(),
        request.args.text("namespace"),
        request.args.text("pod"),
    ) {
        (Some(cluster), Some(namespace), Some(pod)) => {
            Ok((cluster.into(), namespace.into(), pod.into()))
        }
        _ => Err(OpError::MissingFact("cluster, namespace and pod")),
    }
}

/// Reads the pod. When it is not there, says whether the namespace is (a typo in `-n` is
/// likelier than a vanished pod), else keeps the API server's `pods "x" not found`.
pub(crate) async fn get(
    client: &kube::Client,
    cluster: &str,
    namespace: &str,
    name: &str,
) -> Result<Pod, OpError> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    match pods.get(name).await {
        Ok(pod) => Ok(pod),
        Err(kube::Error::Api(status)) if status.code == 404 => {
            require_namespace(client, cluster, namespace).await?;
            Err(kube_error(cluster, kube::Error::Api(status)))
        }
        Err(e) => Err(kube_error(cluster, e)),
    }
}

/// Runs a single-cluster query within the cluster's timeout, as `each_cluster` does for
/// several, so a dead API server is one sentence and not a hang.
pub(crate) async fn bounded<T>(
    cx: &RunContext<'_>,
    cluster: &str,
    query: impl std::future::Future<Output = Result<T, OpError>>,
) -> Result<T, OpError> {
    let timeout = cx
        .settings
        .clusters
        .get(cluster)
        .map_or(DEFAULT_TIMEOUT, |c| c.timeout());
    tokio::time::timeout(timeout, query)
        .await
        .unwrap_or_else(|_| {
            Err(OpError::Timeout {
                what: cluster.to_string(),
                after: timeout,
            })
        })
}

/// k8s-openapi's timestamps (jiff) as the chrono times the rest of the crate uses.
pub(crate) fn instant(time: &Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.as_second(), time.subsec_nanosecond().try_into().ok()?)
}

/// The names of a pod's (regular) containers, in spec order.
pub(crate) fn container_names(pod: &Pod) -> Vec<String> {
    pod.spec
        .iter()
        .flat_map(|s| &s.containers)
        .map(|c| c.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};

    /// The workloads operations' sources; their messages live in `workloads.ftl`.
    const SOURCES: &[&str] = &[
        include_str!("mod.rs"),
        include_str!("describe.rs"),
        include_str!("logs.rs"),
        include_str!("../events.rs"),
        include_str!("../oom.rs"),
        include_str!("../cluster/top.rs"),
        include_str!("../storage/mod.rs"),
        include_str!("../storage/pvc.rs"),
        include_str!("../storage/describe.rs"),
    ];

    /// Each `msg!("id", name = …)` outside test code: its id and argument names.
    fn used_messages() -> BTreeMap<String, BTreeSet<String>> {
        let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for source in SOURCES {
            let code = source.split("#[cfg(test)]").next().unwrap_or(source);
            for piece in code.split("msg!(").skip(1) {
                let mut depth = 0usize;
                let end = piece
                    .char_indices()
                    .find(|&(_, c)| match c {
                        '(' | '[' | '{' => {
                            depth += 1;
                            false
                        }
                        ')' | ']' | '}' if depth == 0 => true,
                        ')' | ']' | '}' => {
                            depth -= 1;
                            false
                        }
                        _ => false,
                    })
                    .map_or(piece.len(), |(i, _)| i);
                let inner = &piece[..end];
                let Some(id) = inner
                    .trim_start()
                    .strip_prefix('"')
                    .and_then(|r| r.split('"').next())
                else {
                    continue;
                };
                let names = used.entry(id.to_string()).or_default();
                // Top-level `name = value` pairs; values may hold commas inside calls.
                let mut depth = 0usize;
                let mut part = String::new();
                for c in inner.chars().chain([',']) {
                    match c {
                        '(' | '[' | '{' => depth += 1,
                        ')' | ']' | '}' => depth = depth.saturating_sub(1),
                        ',' if depth == 0 => {
                            if let Some((name, _)) = part.split_once('=')
                                && !name.contains('"')
                            {
                                names.insert(name.trim().to_string());
                            }
                            part.clear();
                            continue;
                        }
                        _ => {}
                    }
                    part.push(c);
                }
            }
        }
        used
    }

    fn bundle(locale: &str) -> (FluentBundle<FluentResource>, BTreeSet<String>) {
        let path = format!(
            "{}/../bot/locales/{locale}/workloads.ftl",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let resource =
            FluentResource::try_new(text).unwrap_or_else(|(_, e)| panic!("{path}: {e:?}"));
        let ids = resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect();
        let mut bundle = FluentBundle::new(vec![locale.parse().expect("locale id")]);
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .unwrap_or_else(|e| panic!("{path}: {e:?}"));
        (bundle, ids)
    }

    #[test]
    fn every_workloads_message_renders_in_english_and_korean_with_its_arguments() {
        let used = used_messages();
        assert!(used.len() > 80, "found only {used:?}");
        let (en, en_ids) = bundle("en");
        let (ko, ko_ids) = bundle("ko");
        assert_eq!(en_ids, ko_ids, "both bundles define the same ids");
        for (id, names) in &used {
            for (locale, bundle) in [("en", &en), ("ko", &ko)] {
                let pattern = bundle
                    .get_message(id)
                    .and_then(|m| m.value())
                    .unwrap_or_else(|| panic!("{id} missing from {locale}/workloads.ftl"));
                let mut args = FluentArgs::new();
                for name in names {
                    args.set(name.clone(), 2);
                }
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{locale} {id}: {errors:?} ({names:?})");
                assert!(!text.trim().is_empty(), "{locale} {id} is empty");
            }
        }
        let unused: Vec<&String> = en_ids.iter().filter(|id| !used.contains_key(*id)).collect();
        assert!(unused.is_empty(), "defined but never used: {unused:?}");
    }

    #[test]
    fn jiff_times_convert_to_chrono_to_the_nanosecond() {
        let jiff: Timestamp = "2026-03-01T10:03:00.123456789Z".parse().expect("time");
        let chrono = instant(&jiff).expect("in range");
        assert_eq!(chrono.to_rfc3339(), "2026-03-01T10:03:00.123456789+00:00");
    }
}
