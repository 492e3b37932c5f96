//! `/version` and API discovery, generated from the resource table.
//!
//! Both discovery dialects are answered: the classic one (`/api`, `/apis`, `/apis/{g}/{v}`,
//! what `kube::Discovery::run` walks) and the aggregated one (`apidiscovery.k8s.io/v2`, asked
//! for by an `Accept` header on `/api` and `/apis`). A server that ignored that header would
//! answer an `APIGroupList` that deserialises as an *empty* `APIGroupDiscoveryList`.

use serde_json::{Value, json};

use super::resources::{Resource, version_priority};

/// The `Accept` marker of aggregated discovery, and the content type it is answered with.
pub(crate) const AGGREGATED_MARKER: &str = "as=APIGroupDiscoveryList";
pub(crate) const AGGREGATED_CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// The `version.Info` of a v1.34.2 apiserver; k8s-openapi requires every field.
pub(crate) fn version() -> Value {
    json!({
        "major": "1",
        "minor": "34",
        "emulationMajor": "1",
        "emulationMinor": "34",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "33",
        "gitVersion": "v1.34.2",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-11-11T00:00:00Z",
        "goVersion": "go1.24.9",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`: the core group's versions.
pub(crate) fn core_versions(port: u16) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            { "clientCIDR": "0.0.0.0/0", "serverAddress": format!("127.0.0.1:{port}") }
        ],
    })
}

/// Group names in first-registered order, each with its versions, preferred first.
fn groups(served: &[Resource]) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut groups: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for resource in served.iter().filter(|r| !r.group.is_empty()) {
        match groups.iter_mut().find(|(name, _)| *name == resource.group) {
            Some((_, versions)) if !versions.contains(&resource.version) => {
                versions.push(resource.version);
            }
            Some(_) => {}
            None => groups.push((resource.group, vec![resource.version])),
        }
    }
    for (_, versions) in &mut groups {
        versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
    }
    groups
}

fn api_group(name: &str, versions: &[&str]) -> Value {
    let version = |v: &&str| json!({ "groupVersion": format!("{name}/{v}"), "version": v });
    json!({
        "name": name,
        "versions": versions.iter().map(version).collect::<Vec<_>>(),
        "preferredVersion": versions.first().map(version),
    })
}

/// `/apis`: every non-core group.
pub(crate) fn group_list(served: &[Resource]) -> Value {
    let groups: Vec<Value> = groups(served)
        .iter()
        .map(|(name, versions)| api_group(name, versions))
        .collect();
    json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": groups })
}

/// `/apis/{group}`, or None when the group is not served.
pub(crate) fn group(served: &[Resource], name: &str) -> Option<Value> {
    let groups = groups(served);
    let (name, versions) = groups.iter().find(|(g, _)| *g == name)?;
    let mut group = api_group(name, versions);
    group["kind"] = json!("APIGroup");
    group["apiVersion"] = json!("v1");
    Some(group)
}

/// `/api/v1` or `/apis/{group}/{version}`: the resources and their subresources, or None when
/// that group version is not served.
pub(crate) fn resource_list(served: &[Resource], group: &str, version: &str) -> Option<Value> {
    let mut entries = Vec::new();
    for resource in served
        .iter()
        .filter(|r| r.group == group && r.version == version)
    {
        entries.push(json!({
            "name": resource.plural,
            "singularName": resource.kind.to_lowercase(),
            "namespaced": resource.namespaced,
            "kind": resource.kind,
            "verbs": resource.verbs(),
        }));
        for sub in resource.subresources() {
            let (_, _, kind, verbs) = subresource_shape(resource, sub);
            entries.push(json!({
                "name": format!("{}/{sub}", resource.plural),
                "singularName": "",
                "namespaced": resource.namespaced,
                "kind": kind,
                "verbs": verbs,
            }));
        }
    }
    if entries.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": entries,
    }))
}

/// The group, version, kind and verbs a subresource answers with.
fn subresource_shape(
    resource: &Resource,
    sub: &str,
) -> (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
) {
    match sub {
        "log" => ("", "v1", "Pod", &["get"]),
        "eviction" => ("policy", "v1", "Eviction", &["create"]),
        "scale" => ("autoscaling", "v1", "Scale", &["get", "patch", "update"]),
        _ => (
            resource.group,
            resource.version,
            resource.kind,
            &["get", "patch", "update"],
        ),
    }
}

/// Aggregated discovery for `/api` (core only) or `/apis` (every other group).
pub(crate) fn aggregated(served: &[Resource], core: bool) -> Value {
    let names: Vec<(&str, Vec<&str>)> = if core {
        vec![("", vec!["v1"])]
    } else {
        groups(served)
    };
    let items: Vec<Value> = names
        .iter()
        .map(|(group, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|version| {
                    let resources: Vec<Value> = served
                        .iter()
                        .filter(|r| r.group == *group && r.version == *version)
                        .map(aggregated_resource)
                        .collect();
                    json!({ "version": version, "resources": resources, "freshness": "Current" })
                })
                .collect();
            json!({ "metadata": { "name": group }, "versions": versions })
        })
        .collect();
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    })
}

fn aggregated_resource(resource: &Resource) -> Value {
    let gvk =
        json!({ "group": resource.group, "version": resource.version, "kind": resource.kind });
    let subresources: Vec<Value> = resource
        .subresources()
        .iter()
        .map(|sub| {
            let (group, version, kind, verbs) = subresource_shape(resource, sub);
            let response_kind = json!({ "group": group, "version": version, "kind": kind });
            json!({ "subresource": sub, "responseKind": response_kind, "verbs": verbs })
        })
        .collect();
    json!({
        "resource": resource.plural,
        "responseKind": gvk,
        "scope": if resource.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": resource.kind.to_lowercase(),
        "verbs": resource.verbs(),
        "subresources": subresources,
    })
}
