//! Every check of the configuration, collected rather than stopping at the first.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use commands::{CATALOGUE, Message, Secret, Settings, msg, validate};
use config::{Map, Value};
use policies::{Policy, ProblemKind, ReferenceKind};
use serde::de::DeserializeOwned;

use super::{Config, DEFAULT_LISTEN, Problem, RawConfig};
use crate::i18n::Locale;

pub(super) struct Checker<'a> {
    file: String,
    root: &'a Map<String, Value>,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    /// Where a key's value came from: the file, or the environment for an override.
    fn source_of(&self, key: &str) -> String {
        let mut parts = key.split('.');
        let mut current = parts.next().and_then(|p| self.root.get(p));
        for part in parts {
            current = match current.map(|v| &v.kind) {
                Some(config::ValueKind::Table(t)) => t.get(part),
                _ => None,
            };
        }
        match current.and_then(Value::origin) {
            Some("the environment") => "the environment".to_string(),
            _ => self.file.clone(),
        }
    }

    /// A problem that does not stop the configuration from loading.
    pub(super) fn warning(&self, key: &str, reason: Message) -> Problem {
        Problem {
            source: self.source_of(key),
            key: key.to_string(),
            reason,
        }
    }

    pub(super) fn add(&mut self, key: impl Into<String>, reason: Message) {
        let key = key.into();
        let source = self.source_of(&key);
        self.problems.push(Problem {
            source,
            key,
            reason,
        });
    }

    /// Deserialises one top-level section, noting unknown keys and type errors.
    fn section<T: DeserializeOwned + Default>(&mut self, name: &str) -> T {
        let Some(value) = self.root.get(name).cloned() else {
            return T::default();
        };
        let mut unknown = Vec::new();
        let result: Result<T, _> = serde_ignored::deserialize(value, |path| {
            unknown.push(format!("{name}.{path}"));
        });
        for key in unknown {
            self.add(key, msg!("config-unknown-key"));
        }
        match result {
            Ok(v) => v,
            Err(e) => {
                self.add(name, msg!("config-bad-value", reason = e.to_string()));
                T::default()
            }
        }
    }
}

/// Top-level keys of CONTRACT.md.
const SECTIONS: [&str; 16] = [
    "locale", "server", "state", "policy", "slack", "discord", "clusters", "backup", "contacts",
    "paging", "vault", "runners", "watchers", "shell", "helm", "audit",
];

pub(super) fn check(path: &Path, tree: config::Config) -> Result<Config, Vec<Problem>> {
    let file = path.display().to_string();
    let root: Map<String, Value> = match tree.try_deserialize() {
        Ok(root) => root,
        Err(e) => {
            return Err(vec![Problem {
                source: file,
                key: String::new(),
                reason: msg!("config-syntax", reason = e.to_string()),
            }]);
        }
    };
    let mut c = Checker {
        file,
        root: &root,
        problems: Vec::new(),
    };
    for key in root.keys() {
        if !SECTIONS.contains(&key.as_str()) {
            c.add(key.clone(), msg!("config-unknown-key"));
        }
    }
    let raw = RawConfig {
        locale: c.section::<Option<String>>("locale"),
        server: c.section("server"),
        state: c.section("state"),
        policy: c.section("policy"),
        slack: c.section("slack"),
        discord: c.section("discord"),
        clusters: c.section("clusters"),
        backup: c.section("backup"),
        contacts: c.section("contacts"),
        paging: c.section("paging"),
        vault: c.section("vault"),
        runners: c.section("runners"),
        watchers: c.section("watchers"),
        shell: c.section("shell"),
        helm: c.section("helm"),
    };
    // Paths in the file are relative to the file; absolute, so reports name them fully.
    let parent = path.parent().unwrap_or(Path::new("."));
    let base_buf = std::path::absolute(parent).unwrap_or_else(|_| parent.to_path_buf());
    let base = base_buf.as_path();

    let locale = match raw.locale.as_deref() {
        None => Locale::En,
        Some(l) => l.parse().unwrap_or_else(|()| {
            c.add("locale", msg!("config-bad-locale", value = l));
            Locale::En
        }),
    };
    let listen_text = raw.server.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
    let listen = listen_text.parse::<SocketAddr>().unwrap_or_else(|_| {
        c.add(
            "server.listen",
            msg!("config-bad-address", value = listen_text),
        );
        SocketAddr::from(([127, 0, 0, 1], 8080))
    });
    let ingress = super::ingress::check(&mut c, &raw, listen);
    let state_path = match &raw.state {
        Some(state) => relative_to(base, &state.path),
        None => {
            c.add("state.path", msg!("config-missing-key"));
            PathBuf::new()
        }
    };
    if let Some(parent) = state_path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        c.add(
            "state.path",
            msg!("config-no-directory", path = parent.display().to_string()),
        );
    }
    check_secrets(&mut c, &raw);
    check_clusters(&mut c, &raw, base);
    let backup = raw.backup.clone().unwrap_or_default();
    if validate::duration(&backup.retention).is_err() {
        c.add(
            "backup.retention",
            msg!("config-bad-duration", value = backup.retention.as_str()),
        );
    }
    super::paging::check(&mut c, &raw);
    let audit_section = c.section("audit");
    let audit = super::audit::check(&mut c, audit_section, base);
    check_vault(&mut c, &raw, base);
    check_runners(&mut c, &raw, base);
    let helm_values_dir = raw.helm.values_dir.as_deref().map(|d| relative_to(base, d));
    super::helm::check(&mut c, &raw, helm_values_dir.as_deref());
    let policy_path = match &raw.policy {
        Some(p) => relative_to(base, &p.file),
        None => {
            c.add("policy.file", msg!("config-missing-key"));
            PathBuf::new()
        }
    };
    let policy = if raw.policy.is_some() {
        check_policy(&mut c, &policy_path, &raw)
    } else {
        None
    };

    match policy {
        Some(policy) if c.problems.is_empty() => Ok(Config {
            path: path.to_path_buf(),
            locale,
            listen,
            admin_listen: ingress.admin_listen,
            state_path,
            policy_path,
            policy,
            settings: Settings {
                clusters: raw
                    .clusters
                    .into_iter()
                    .map(|(name, mut cluster)| {
                        cluster.kubeconfig = cluster.kubeconfig.map(|k| relative_to(base, &k));
                        if let Some(etcd) = &mut cluster.etcd {
                            for file in [&mut etcd.cacert, &mut etcd.cert, &mut etcd.key] {
                                *file = file.as_ref().map(|f| relative_to(base, f));
                            }
                        }
                        (name, cluster)
                    })
                    .collect(),
                backup: commands::BackupSettings {
                    dir: relative_to(base, &backup.dir),
                    ..backup
                },
                contacts: raw.contacts,
                runners: commands::RunnerSettings {
                    programs: raw
                        .runners
                        .programs
                        .iter()
                        .map(|(name, path)| (name.clone(), relative_to(base, path)))
                        .collect(),
                    ..raw.runners.clone()
                },
                helm: commands::HelmSettings {
                    values_dir: helm_values_dir,
                    releases: raw.helm.releases,
                },
                vault: raw.vault.map(|mut vault| {
                    vault.cacert = vault.cacert.map(|f| relative_to(base, &f));
                    vault
                }),
            },
            slack: raw.slack,
            discord: raw.discord,
            paging: raw.paging,
            watchers: raw.watchers,
            shell: raw.shell,
            warnings: ingress.warnings,
            audit,
        }),
        _ => Err(c.problems),
    }
}

/// Paths in the file are relative to the file, so a config works from any directory.
pub(super) fn relative_to(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

pub(super) fn missing_secret(secret: &Option<Secret>) -> bool {
    secret.as_ref().is_none_or(Secret::is_empty)
}

/// A chat section present without the secret that authenticates it would accept forged
/// requests or fail at the first call: both are configuration errors.
fn check_secrets(c: &mut Checker<'_>, raw: &RawConfig) {
    if let Some(slack) = &raw.slack {
        for (key, secret) in [
            ("slack.signing_secret", &slack.signing_secret),
            ("slack.bot_token", &slack.bot_token),
        ] {
            if missing_secret(secret) {
                c.add(key, msg!("config-missing-secret"));
            }
        }
    }
    if let Some(discord) = &raw.discord {
        for (key, secret) in [
            ("discord.public_key", &discord.public_key),
            ("discord.bot_token", &discord.bot_token),
        ] {
            if missing_secret(secret) {
                c.add(key, msg!("config-missing-secret"));
            }
        }
        if discord.application_id.as_deref().is_none_or(str::is_empty) {
            c.add("discord.application_id", msg!("config-missing-key"));
        }
    }
    check_group_ttls(c, raw);
}

/// `slack.group_cache_ttl`, `discord.group_cache_ttl`: durations, when set.
fn check_group_ttls(c: &mut Checker<'_>, raw: &RawConfig) {
    let ttls = [
        (
            "slack.group_cache_ttl",
            raw.slack.as_ref().and_then(|s| s.group_cache_ttl.as_ref()),
        ),
        (
            "discord.group_cache_ttl",
            raw.discord
                .as_ref()
                .and_then(|d| d.group_cache_ttl.as_ref()),
        ),
    ];
    for (key, ttl) in ttls {
        if let Some(ttl) = ttl
            && validate::duration(ttl).is_err()
        {
            c.add(key, msg!("config-bad-duration", value = ttl.as_str()));
        }
    }
}

fn check_clusters(c: &mut Checker<'_>, raw: &RawConfig, base: &Path) {
    for (name, cluster) in &raw.clusters {
        let key = |k: &str| format!("clusters.{name}.{k}");
        if validate::dns1123_label(name).is_err() {
            c.add(format!("clusters.{name}"), msg!("config-bad-cluster-name"));
        }
        // An incident about no cluster says it came from `opsbot`; a cluster of that name
        // would let its grants reach those incidents.
        if name == commands::page::PAGE_SOURCE {
            c.add(
                format!("clusters.{name}"),
                msg!("config-reserved-cluster-name"),
            );
        }
        if cluster.context.is_none() && cluster.etcd.is_none() {
            c.add(format!("clusters.{name}"), msg!("config-cluster-empty"));
        }
        if let Some(timeout) = &cluster.timeout
            && validate::duration(timeout).is_err()
        {
            c.add(
                key("timeout"),
                msg!("config-bad-duration", value = timeout.as_str()),
            );
        }
        if let Some(kubeconfig) = &cluster.kubeconfig {
            let path = relative_to(base, kubeconfig);
            check_readable(c, key("kubeconfig"), &path);
            if let (Some(context), true) = (&cluster.context, path.is_file())
                && let Err(reason) = commands::k8s::check_context(Some(&path), context)
            {
                c.add(key("context"), msg!("config-bad-context", reason = reason));
            }
        }
        let Some(etcd) = &cluster.etcd else { continue };
        if etcd.endpoints.is_empty() {
            c.add(key("etcd.endpoints"), msg!("config-missing-key"));
        }
        for (i, endpoint) in etcd.endpoints.iter().enumerate() {
            let scheme_ok = endpoint.starts_with("http://") || endpoint.starts_with("https://");
            let has_port = endpoint
                .rsplit_once(':')
                .is_some_and(|(_, p)| p.trim_end_matches('/').parse::<u16>().is_ok());
            if !scheme_ok || !has_port {
                c.add(
                    format!("clusters.{name}.etcd.endpoints[{i}]"),
                    msg!("config-bad-endpoint", value = endpoint.as_str()),
                );
            }
        }
        for (k, file) in [
            ("cacert", &etcd.cacert),
            ("cert", &etcd.cert),
            ("key", &etcd.key),
        ] {
            if let Some(file) = file {
                check_readable(c, key(&format!("etcd.{k}")), &relative_to(base, file));
            }
        }
        // Mutual TLS needs both halves; one alone is a missing secret.
        match (&etcd.cert, &etcd.key) {
            (Some(_), None) => c.add(key("etcd.key"), msg!("config-missing-secret")),
            (None, Some(_)) => c.add(key("etcd.cert"), msg!("config-missing-key")),
            _ => {}
        }
        if let Some(timeout) = &etcd.timeout
            && validate::duration(timeout).is_err()
        {
            c.add(
                key("etcd.timeout"),
                msg!("config-bad-duration", value = timeout.as_str()),
            );
        }
    }
}

fn check_vault(c: &mut Checker<'_>, raw: &RawConfig, base: &Path) {
    let Some(vault) = &raw.vault else { return };
    let scheme_ok = vault.address.starts_with("http://") || vault.address.starts_with("https://");
    if !scheme_ok {
        c.add(
            "vault.address",
            msg!("config-bad-url", value = vault.address.as_str()),
        );
    }
    if let Some(cacert) = &vault.cacert {
        check_readable(c, "vault.cacert".to_string(), &relative_to(base, cacert));
    }
    if let Some(timeout) = &vault.timeout
        && validate::duration(timeout).is_err()
    {
        c.add(
            "vault.timeout",
            msg!("config-bad-duration", value = timeout.as_str()),
        );
    }
}

/// Programs must exist and be executable now, not at 3 a.m. when the runbook needs them.
fn check_runners(c: &mut Checker<'_>, raw: &RawConfig, base: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for (name, path) in &raw.runners.programs {
        let path = relative_to(base, path);
        let executable = std::fs::metadata(&path)
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false);
        if !executable {
            c.add(
                format!("runners.programs.{name}"),
                msg!("config-not-executable", path = path.display().to_string()),
            );
        }
    }
    for (key, timeout) in [
        ("runners.timeout", &raw.runners.timeout),
        ("runners.node.timeout", &raw.runners.node.timeout),
    ] {
        if let Some(timeout) = timeout
            && validate::duration(timeout).is_err()
        {
            c.add(key, msg!("config-bad-duration", value = timeout.as_str()));
        }
    }
}

fn check_readable(c: &mut Checker<'_>, key: String, path: &Path) {
    if let Err(e) = std::fs::File::open(path) {
        c.add(
            key,
            msg!(
                "config-unreadable",
                path = path.display().to_string(),
                reason = e.to_string()
            ),
        );
    }
}

/// Reads and checks the policy, then checks that every cluster and operation it names exists.
fn check_policy(c: &mut Checker<'_>, path: &Path, raw: &RawConfig) -> Option<Policy> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            c.add(
                "policy.file",
                msg!(
                    "config-unreadable",
                    path = path.display().to_string(),
                    reason = e.to_string()
                ),
            );
            return None;
        }
    };
    let policy_source = path.display().to_string();
    let policy = match Policy::from_toml(&text) {
        Ok(policy) => policy,
        Err(errors) => {
            for problem in errors.0 {
                c.problems.push(Problem {
                    source: policy_source.clone(),
                    key: problem.key.clone(),
                    reason: policy_problem(&problem.reason),
                });
            }
            return None;
        }
    };
    let ids: Vec<&str> = CATALOGUE.iter().map(|e| e.spec.id).collect();
    let before = c.problems.len();
    for reference in policy.references() {
        let known = match reference.kind {
            ReferenceKind::Cluster => {
                reference.value == "*"
                    || raw
                        .clusters
                        .keys()
                        .any(|name| glob_matches(&reference.value, name))
            }
            ReferenceKind::Operation => ids.iter().any(|id| glob_matches(&reference.value, id)),
        };
        if !known {
            let reason = match reference.kind {
                ReferenceKind::Cluster => {
                    msg!("config-unknown-cluster", value = reference.value.as_str())
                }
                ReferenceKind::Operation => {
                    msg!("config-unknown-operation", value = reference.value.as_str())
                }
            };
            c.problems.push(Problem {
                source: policy_source.clone(),
                key: reference.key.clone(),
                reason,
            });
        }
    }
    // Breaking the glass pages the security team before anything runs: with nobody to page,
    // a rule could never be used, and the operator should hear it now, not at 3 a.m.
    let glass_rule = policy
        .references()
        .into_iter()
        .find(|r| r.key.starts_with("break_glass["));
    if let Some(rule) = glass_rule
        && !raw
            .contacts
            .iter()
            .any(|contact| contact.situation == crate::engine::SECURITY_SITUATION)
    {
        c.problems.push(Problem {
            source: policy_source.clone(),
            key: rule
                .key
                .split('.')
                .next()
                .unwrap_or("break_glass")
                .to_string(),
            reason: msg!(
                "config-break-glass-unpaged",
                situation = crate::engine::SECURITY_SITUATION
            ),
        });
    }
    (c.problems.len() == before).then_some(policy)
}

/// The policy crate's problems in the user's language; free-form details stay as written.
fn policy_problem(kind: &ProblemKind) -> Message {
    match kind {
        ProblemKind::Syntax(at) => msg!("policy-syntax", at = at.as_str()),
        ProblemKind::UnknownKey => msg!("config-unknown-key"),
        ProblemKind::UnknownRole(role) => msg!("policy-unknown-role", role = role.as_str()),
        ProblemKind::BadSubject(subject) => msg!("policy-bad-subject", subject = subject.as_str()),
        ProblemKind::BadDuration(value) => msg!("config-bad-duration", value = value.as_str()),
        other => msg!("policy-problem", reason = other.to_string()),
    }
}

fn glob_matches(pattern: &str, value: &str) -> bool {
    wildmatch::WildMatch::new(pattern).matches(value)
}
