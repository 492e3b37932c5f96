//! The four patch types kube-rs sends (`Patch::Merge`, `Strategic`, `Apply`, `Json`).
//!
//! Strategic merge has no schema here, so lists of objects are merged by the first merge key
//! that every element on both sides carries (`name` for containers, env and volumes, `type`
//! for conditions, …); other lists are replaced. That is enough for "patch one container's
//! resources" to leave the other containers alone, which is what a plain merge gets wrong.

use serde_json::{Map, Value};

/// The keys the built-in types merge their lists on, most common first.
const MERGE_KEYS: &[&str] = &[
    "name",
    "type",
    "containerPort",
    "mountPath",
    "devicePath",
    "port",
];

/// RFC 7386 JSON merge patch: objects merge, `null` removes, everything else replaces.
pub(crate) fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let target = target.as_object_mut().expect("made an object above");
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// Strategic merge patch (also used for server-side apply, whose effect on the fields it names
/// is the same for a test server that does not track field managers).
pub(crate) fn strategic(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if patch.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replacement = patch.clone();
        replacement.remove("$patch");
        *target = Value::Object(replacement);
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let target = target.as_object_mut().expect("made an object above");
    for (key, value) in patch {
        // Directives kubectl adds to keep list order or retain keys; no effect without a schema.
        if key.starts_with('$') {
            continue;
        }
        match value {
            Value::Null => {
                target.remove(key);
            }
            Value::Array(items) => {
                let current = target.entry(key.clone()).or_insert(Value::Null);
                merge_list(current, items);
            }
            _ => strategic(target.entry(key.clone()).or_insert(Value::Null), value),
        }
    }
}

fn merge_list(current: &mut Value, patch: &[Value]) {
    let existing = current.as_array().cloned().unwrap_or_default();
    let Some(key) = merge_key(&existing, patch) else {
        *current = Value::Array(
            patch
                .iter()
                .filter(|item| !is_delete(item))
                .cloned()
                .collect(),
        );
        return;
    };
    let mut merged = existing;
    for item in patch {
        let id = &item[key];
        let position = merged.iter().position(|old| &old[key] == id);
        match (position, is_delete(item)) {
            (Some(i), true) => {
                merged.remove(i);
            }
            (Some(i), false) => strategic(&mut merged[i], item),
            (None, true) => {}
            (None, false) => {
                let mut added = Value::Null;
                strategic(&mut added, item);
                merged.push(added);
            }
        }
    }
    *current = Value::Array(merged);
}

fn is_delete(item: &Value) -> bool {
    item.get("$patch").and_then(Value::as_str) == Some("delete")
}

fn merge_key(existing: &[Value], patch: &[Value]) -> Option<&'static str> {
    if patch.is_empty() || !patch.iter().chain(existing).all(Value::is_object) {
        return None;
    }
    MERGE_KEYS.iter().copied().find(|key| {
        patch
            .iter()
            .chain(existing)
            .all(|item| item.get(*key).is_some())
    })
}

/// RFC 6902 JSON patch: add, remove, replace, move, copy, test.
pub(crate) fn json_patch(target: &mut Value, operations: &Value) -> Result<(), String> {
    let operations = operations
        .as_array()
        .ok_or("a JSON patch must be an array of operations")?;
    for operation in operations {
        let op = operation["op"].as_str().ok_or("operation without \"op\"")?;
        let path = operation["path"]
            .as_str()
            .ok_or("operation without \"path\"")?;
        match op {
            "add" => add(target, path, operation["value"].clone())?,
            "remove" => {
                remove(target, path)?;
            }
            "replace" => {
                remove(target, path)?;
                add(target, path, operation["value"].clone())?;
            }
            "move" => {
                let from = operation["from"].as_str().ok_or("move without \"from\"")?;
                let value = remove(target, from)?;
                add(target, path, value)?;
            }
            "copy" => {
                let from = operation["from"].as_str().ok_or("copy without \"from\"")?;
                let value = target
                    .pointer(from)
                    .cloned()
                    .ok_or(format!("no value at {from}"))?;
                add(target, path, value)?;
            }
            "test" => {
                if target.pointer(path) != Some(&operation["value"]) {
                    return Err(format!("test operation failed at {path}"));
                }
            }
            other => return Err(format!("unknown JSON patch operation {other:?}")),
        }
    }
    Ok(())
}

/// Splits a JSON pointer into its parent pointer and unescaped last token.
fn split_pointer(path: &str) -> Result<(&str, String), String> {
    let slash = path
        .rfind('/')
        .ok_or(format!("invalid JSON pointer {path:?}"))?;
    let token = path[slash + 1..].replace("~1", "/").replace("~0", "~");
    Ok((&path[..slash], token))
}

fn add(target: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *target = value;
        return Ok(());
    }
    let (parent, token) = split_pointer(path)?;
    let missing = || format!("doc is missing path: {path:?}");
    match target.pointer_mut(parent).ok_or_else(missing)? {
        Value::Object(map) => {
            map.insert(token, value);
        }
        Value::Array(list) => {
            let index = if token == "-" {
                list.len()
            } else {
                token.parse().map_err(|_| missing())?
            };
            if index > list.len() {
                return Err(missing());
            }
            list.insert(index, value);
        }
        _ => return Err(missing()),
    }
    Ok(())
}

fn remove(target: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, token) = split_pointer(path)?;
    let missing = || format!("doc is missing path: {path:?}");
    match target.pointer_mut(parent).ok_or_else(missing)? {
        Value::Object(map) => map.remove(&token).ok_or_else(missing),
        Value::Array(list) => {
            let index: usize = token.parse().map_err(|_| missing())?;
            (index < list.len())
                .then(|| list.remove(index))
                .ok_or_else(missing)
        }
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({ "spec": { "template": { "spec": { "containers": [
            { "name": "app", "image": "app:1", "resources": { "limits": { "memory": "128Mi" } } },
            { "name": "sidecar", "image": "envoy:1" }
        ] } } } })
    }

    #[test]
    fn strategic_merge_patches_one_container_by_name() {
        let mut target = deployment();
        let patch = json!({ "spec": { "template": { "spec": { "containers": [
            { "name": "app", "resources": { "limits": { "memory": "256Mi" } } }
        ] } } } });
        strategic(&mut target, &patch);
        let containers = &target["spec"]["template"]["spec"]["containers"];
        assert_eq!(containers.as_array().unwrap().len(), 2);
        assert_eq!(containers[0]["resources"]["limits"]["memory"], "256Mi");
        assert_eq!(containers[0]["image"], "app:1");
        assert_eq!(containers[1]["name"], "sidecar");
    }

    #[test]
    fn merge_patch_replaces_lists_whole() {
        let mut target = deployment();
        merge(
            &mut target,
            &json!({ "spec": { "template": { "spec": { "containers": [{ "name": "app" }] } } } }),
        );
        assert_eq!(
            target["spec"]["template"]["spec"]["containers"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        merge(&mut target, &json!({ "spec": { "template": null } }));
        assert!(target["spec"].get("template").is_none());
    }

    #[test]
    fn strategic_delete_directive_removes_an_element() {
        let mut target = deployment();
        let patch = json!({ "spec": { "template": { "spec": { "containers": [
            { "name": "sidecar", "$patch": "delete" }
        ] } } } });
        strategic(&mut target, &patch);
        assert_eq!(
            target["spec"]["template"]["spec"]["containers"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn json_patch_adds_replaces_and_removes() {
        let mut target = json!({ "metadata": { "labels": { "a": "1" } }, "items": [1, 2] });
        let ops = json!([
            { "op": "add", "path": "/metadata/labels/b~1c", "value": "2" },
            { "op": "replace", "path": "/metadata/labels/a", "value": "9" },
            { "op": "remove", "path": "/items/0" },
            { "op": "add", "path": "/items/-", "value": 3 }
        ]);
        json_patch(&mut target, &ops).unwrap();
        assert_eq!(
            target,
            json!({ "metadata": { "labels": { "a": "9", "b/c": "2" } }, "items": [2, 3] })
        );
        assert!(json_patch(&mut target, &json!([{ "op": "remove", "path": "/nope" }])).is_err());
    }
}
