//! `labelSelector` and `fieldSelector` as the apiserver parses them, plus the structured
//! `LabelSelector` (matchLabels / matchExpressions) that PodDisruptionBudgets carry.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
enum LabelOp {
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    DoesNotExist,
}

/// A parsed `labelSelector` query: every requirement must hold.
#[derive(Debug, Clone, Default)]
pub(crate) struct LabelSelector {
    requirements: Vec<(String, LabelOp)>,
}

impl LabelSelector {
    /// Parses `app=web,tier!=db,env in (prod,staging),canary,!legacy`.
    pub fn parse(text: &str) -> Result<LabelSelector, String> {
        let mut requirements = Vec::new();
        for term in split_top_level(text) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(term)?);
        }
        Ok(LabelSelector { requirements })
    }

    pub fn matches(&self, object: &Value) -> bool {
        let labels = object["metadata"]["labels"].as_object();
        self.requirements.iter().all(|(key, op)| {
            let value = labels.and_then(|l| l.get(key)).and_then(Value::as_str);
            label_matches(value, op)
        })
    }
}

fn label_matches(value: Option<&str>, op: &LabelOp) -> bool {
    match op {
        LabelOp::Equals(want) => value == Some(want.as_str()),
        // As in Kubernetes, `!=` and `notin` also match objects without the label.
        LabelOp::NotEquals(want) => value != Some(want.as_str()),
        LabelOp::In(set) => value.is_some_and(|v| set.iter().any(|s| s == v)),
        LabelOp::NotIn(set) => value.is_none_or(|v| set.iter().all(|s| s != v)),
        LabelOp::Exists => value.is_some(),
        LabelOp::DoesNotExist => value.is_none(),
    }
}

/// Splits on commas outside parentheses: `a in (x,y),b` is two terms.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

fn parse_requirement(term: &str) -> Result<(String, LabelOp), String> {
    let invalid = || format!("unable to parse requirement: {term:?}");
    if let Some(key) = term.strip_prefix('!') {
        return Ok((
            valid_key(key.trim()).ok_or_else(invalid)?,
            LabelOp::DoesNotExist,
        ));
    }
    if let Some(open) = term.find('(') {
        let close = term.rfind(')').filter(|&c| c > open).ok_or_else(invalid)?;
        let mut head = term[..open].split_whitespace();
        let (key, op) = (
            head.next().ok_or_else(invalid)?,
            head.next().ok_or_else(invalid)?,
        );
        let values = term[open + 1..close]
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        let key = valid_key(key).ok_or_else(invalid)?;
        return match op {
            "in" => Ok((key, LabelOp::In(values))),
            "notin" => Ok((key, LabelOp::NotIn(values))),
            _ => Err(invalid()),
        };
    }
    for (token, build) in [
        ("!=", LabelOp::NotEquals as fn(String) -> LabelOp),
        ("==", LabelOp::Equals),
        ("=", LabelOp::Equals),
    ] {
        if let Some((key, value)) = term.split_once(token) {
            let key = valid_key(key.trim()).ok_or_else(invalid)?;
            return Ok((key, build(value.trim().to_string())));
        }
    }
    Ok((valid_key(term).ok_or_else(invalid)?, LabelOp::Exists))
}

fn valid_key(key: &str) -> Option<String> {
    let ok = !key.is_empty() && !key.contains(char::is_whitespace);
    ok.then(|| key.to_string())
}

/// A parsed `fieldSelector`: `metadata.name=x,status.phase!=Running`. Any dotted path is
/// accepted (the apiserver allows a few per kind); a missing field compares as "".
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldSelector {
    requirements: Vec<(String, bool, String)>,
}

impl FieldSelector {
    pub fn parse(text: &str) -> Result<FieldSelector, String> {
        let mut requirements = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (path, equal, value) = if let Some((p, v)) = term.split_once("!=") {
                (p, false, v)
            } else if let Some((p, v)) = term.split_once("==") {
                (p, true, v)
            } else if let Some((p, v)) = term.split_once('=') {
                (p, true, v)
            } else {
                return Err(format!(
                    "invalid selector: '{term}'; can't understand '{term}'"
                ));
            };
            requirements.push((path.trim().to_string(), equal, value.trim().to_string()));
        }
        Ok(FieldSelector { requirements })
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.requirements
            .iter()
            .all(|(path, equal, want)| (field_text(object, path) == *want) == *equal)
    }
}

fn field_text(object: &Value, path: &str) -> String {
    let found = path
        .split('.')
        .try_fold(object, |value, part| value.get(part));
    match found {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Whether a structured `LabelSelector` (as in `PodDisruptionBudget.spec.selector`) selects
/// an object. Under policy/v1 an empty selector selects every pod in the namespace.
pub(crate) fn structured_matches(selector: &Value, object: &Value) -> bool {
    let empty = Map::new();
    let labels = object["metadata"]["labels"].as_object().unwrap_or(&empty);
    let label = |key: &str| labels.get(key).and_then(Value::as_str);
    let match_labels = selector["matchLabels"].as_object().unwrap_or(&empty);
    let labels_ok = match_labels
        .iter()
        .all(|(key, want)| label(key) == want.as_str());
    let expressions = selector["matchExpressions"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let expressions_ok = expressions.iter().all(|expression| {
        let key = expression["key"].as_str().unwrap_or("");
        let values = expression["values"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let op = match expression["operator"].as_str().unwrap_or("") {
            "In" => LabelOp::In(values),
            "NotIn" => LabelOp::NotIn(values),
            "Exists" => LabelOp::Exists,
            "DoesNotExist" => LabelOp::DoesNotExist,
            _ => return false,
        };
        label_matches(label(key), &op)
    });
    labels_ok && expressions_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(labels: Value) -> Value {
        json!({ "metadata": { "name": "p", "labels": labels }, "spec": { "nodeName": "n1" } })
    }

    #[test]
    fn label_selector_supports_every_operator() {
        let web = pod(json!({ "app": "web", "env": "prod", "canary": "yes" }));
        let cases = [
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("tier!=db", true),
            ("env in (prod, staging)", true),
            ("env notin (prod)", false),
            ("tier notin (db)", true),
            ("canary", true),
            ("!canary", false),
            ("!legacy", true),
            ("app=web,env in (dev,prod),!legacy", true),
            ("", true),
        ];
        for (selector, expected) in cases {
            let parsed = LabelSelector::parse(selector).unwrap();
            assert_eq!(parsed.matches(&web), expected, "{selector}");
        }
    }

    #[test]
    fn malformed_label_selector_is_rejected() {
        assert!(LabelSelector::parse("env in prod)").is_err());
        assert!(LabelSelector::parse("a b").is_err());
    }

    #[test]
    fn field_selector_compares_dotted_paths() {
        let p = pod(json!({}));
        assert!(
            FieldSelector::parse("spec.nodeName=n1")
                .unwrap()
                .matches(&p)
        );
        assert!(
            FieldSelector::parse("spec.nodeName!=n2,metadata.name==p")
                .unwrap()
                .matches(&p)
        );
        assert!(
            FieldSelector::parse("status.phase!=Running")
                .unwrap()
                .matches(&p)
        );
        assert!(
            !FieldSelector::parse("status.phase=Running")
                .unwrap()
                .matches(&p)
        );
    }

    #[test]
    fn structured_selector_handles_labels_and_expressions() {
        let p = pod(json!({ "app": "web", "env": "prod" }));
        assert!(structured_matches(&json!({}), &p));
        assert!(structured_matches(
            &json!({ "matchLabels": { "app": "web" } }),
            &p
        ));
        let expr =
            json!({ "matchExpressions": [{ "key": "env", "operator": "In", "values": ["prod"] }] });
        assert!(structured_matches(&expr, &p));
        assert!(!structured_matches(
            &json!({ "matchLabels": { "app": "db" } }),
            &p
        ));
    }
}
