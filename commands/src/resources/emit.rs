//! A JSON value written as block-style YAML, the way `kubectl get -o yaml` lays it out: keys
//! in byte order, sequences at their key's indentation, multi-line strings as literal blocks.
//!
//! Small on purpose: API objects are JSON, so only JSON's types need writing, and a string
//! is written plain only when no YAML 1.1 or 1.2 reader could take it for anything else;
//! otherwise it is double-quoted with JSON's escapes, which YAML reads the same.

use serde_json::{Map, Value};

/// The value as a YAML document (no `---`), ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_list(&mut out, items, 0),
        Value::String(s) if literal(s) => write_literal(&mut out, s, 2),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

fn write_map(out: &mut String, map: &Map<String, Value>, indent: usize) {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for key in keys {
        out.push_str(&" ".repeat(indent));
        out.push_str(&string(key));
        out.push(':');
        match &map[key] {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                write_map(out, inner, indent + 2);
            }
            Value::Array(items) if !items.is_empty() => {
                // kubectl's layout: a sequence under a key is not indented further.
                out.push('\n');
                write_list(out, items, indent);
            }
            Value::String(s) if literal(s) => {
                out.push(' ');
                write_literal(out, s, indent + 2);
            }
            scalar => {
                out.push(' ');
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

fn write_list(out: &mut String, items: &[Value], indent: usize) {
    let dash = format!("{}- ", " ".repeat(indent));
    for item in items {
        match item {
            Value::Object(_) | Value::Array(_) if !is_empty(item) => {
                // Written one level deeper, then its first line takes the dash:
                // `  name: x` becomes `- name: x`.
                let mut nested = String::new();
                match item {
                    Value::Object(map) => write_map(&mut nested, map, indent + 2),
                    Value::Array(list) => write_list(&mut nested, list, indent + 2),
                    _ => {}
                }
                out.push_str(&dash);
                out.push_str(&nested[indent + 2..]);
            }
            Value::String(s) if literal(s) => {
                out.push_str(&dash);
                write_literal(out, s, indent + 2);
            }
            scalar => {
                out.push_str(&dash);
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A scalar, or an empty collection, on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Object(_) => "{}".to_string(),
        Value::Array(_) => "[]".to_string(),
    }
}

/// Whether a multi-line string can be a literal block (`|`) and read back the same: only
/// line breaks as control characters, some text, and no leading space on its first text line
/// (which would need an indentation indicator).
fn literal(s: &str) -> bool {
    s.contains('\n')
        && !s
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{feff}')
        && s.lines()
            .find(|l| !l.is_empty())
            .is_some_and(|l| !l.starts_with(' '))
}

/// `|` keeps one final line break, `|-` none, `|+` all of them.
fn write_literal(out: &mut String, s: &str, indent: usize) {
    let (chomp, body) = match s.strip_suffix('\n') {
        Some(body) if body.ends_with('\n') => ("+", body),
        Some(body) => ("", body),
        None => ("-", s),
    };
    out.push('|');
    out.push_str(chomp);
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// A string, plain when that is unambiguous, else double-quoted.
fn string(s: &str) -> String {
    if plain(s) {
        s.to_string()
    } else {
        // A JSON string is a valid YAML double-quoted scalar with the same meaning.
        Value::String(s.to_string()).to_string()
    }
}

fn plain(s: &str) -> bool {
    const INDICATORS: &str = "?:,[]{}#&*!|>'\"%@`";
    const RESERVED: [&str; 10] = [
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    // `-` starts a sequence entry only before a space (`--port` is plain, `- x` is not).
    let dash = first == '-' && s.chars().nth(1).is_none_or(|c| c == ' ');
    !(INDICATORS.contains(first)
        || dash
        || s.trim() != s
        || s.chars().any(|c| c.is_control() || c == '\u{feff}')
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || RESERVED.contains(&s.to_ascii_lowercase().as_str())
        || numeric(s))
}

/// Anything a YAML reader might take for a number or a date: `1`, `1.5`, `1e3`, `1_000`,
/// `0x1f`, `12:30` (base 60 in YAML 1.1), `.inf`, `2026-11-26`.
fn numeric(s: &str) -> bool {
    let bytes = s.as_bytes();
    let unsigned = s.trim_start_matches(['+', '-']);
    let lower = unsigned.to_ascii_lowercase();
    s.parse::<f64>().is_ok()
        || s.replace('_', "").parse::<f64>().is_ok()
        || ["0x", "0o", "0b"].iter().any(|p| lower.starts_with(p))
        || matches!(lower.as_str(), ".inf" | ".nan")
        || (unsigned.contains(':')
            && unsigned
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | '_')))
        || (bytes.len() >= 5 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_object_is_laid_out_as_kubectl_does() {
        let pod = json!({
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": { "name": "web-1", "labels": { "app.kubernetes.io/name": "web" }, "annotations": {} },
            "spec": { "containers": [
                { "name": "app", "image": "web:1.0", "args": ["--port", "8080"],
                  "ports": [{ "containerPort": 8080 }], "env": [] }
            ], "nodeName": null, "hostNetwork": false },
        });
        let expected = "\
apiVersion: v1
kind: Pod
metadata:
  annotations: {}
  labels:
    app.kubernetes.io/name: web
  name: web-1
spec:
  containers:
  - args:
    - --port
    - \"8080\"
    env: []
    image: web:1.0
    name: app
    ports:
    - containerPort: 8080
  hostNetwork: false
  nodeName: null
";
        assert_eq!(to_yaml(&pod), expected);
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "",
            "true",
            "No",
            "on",
            "null",
            "~",
            "1",
            "1.5",
            "1e3",
            "1_000",
            "0x1f",
            "12:30",
            ".inf",
            "-1",
            "2026-11-26T02:00:00Z",
            "- item",
            "*alias",
            "a: b",
            "a #b",
            " pad",
            "end:",
            "tab\there",
            "\"q\"",
            "%x",
            "@x",
            "`x",
            "-",
            "-.inf",
            "2026-11-26",
        ] {
            assert!(string(s).starts_with('"'), "{s:?} written plain");
        }
        for s in [
            "web",
            "1Gi",
            "500m",
            "v1.34.2",
            "10.0.0.1",
            "0 2 * * *",
            "a:b",
            "a#b",
            "백업",
            "--port",
            "-x",
        ] {
            assert_eq!(string(s), s, "{s:?} quoted");
        }
        assert_eq!(string("say \"hi\"\t"), r#""say \"hi\"\t""#);
    }

    #[test]
    fn multi_line_strings_are_literal_blocks_with_the_right_chomping() {
        let v =
            json!({ "clip": "a\nb\n", "strip": "a\n  b", "keep": "a\n\n", "items": ["x\ny\n"] });
        let expected = "\
clip: |
  a
  b
items:
- |
  x
  y
keep: |+
  a

strip: |-
  a
    b
";
        assert_eq!(to_yaml(&v), expected);
        // A first line with a leading space, or a control character, falls back to quotes.
        assert_eq!(to_yaml(&json!({ "k": " a\nb" })), "k: \" a\\nb\"\n");
        assert_eq!(to_yaml(&json!({ "k": "a\r\nb" })), "k: \"a\\r\\nb\"\n");
    }

    #[test]
    fn nested_sequences_and_scalars_at_the_top() {
        assert_eq!(
            to_yaml(&json!([[1, 2], [], {}])),
            "- - 1\n  - 2\n- []\n- {}\n"
        );
        assert_eq!(to_yaml(&json!("plain")), "plain\n");
        assert_eq!(to_yaml(&json!({})), "{}\n");
    }
}
