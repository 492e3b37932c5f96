//! What `opsbot can-i` and `opsbot check-config` show of the policy: which person a subject
//! is (approvals count people, not accounts), the `[[people]]` table, and where a request
//! would act, spelled out the way the engine judges it (`-c all` is every configured
//! cluster, `-n a,b` is two namespaces).

use commands::{Block, Message, Report, Table, msg};
use policies::{Policy, Target};

use crate::config::Config;
use crate::i18n::Localizer;

/// "shell:bob is person:bob (slack:U0BOB, shell:bob)", or that it is a person of its own.
pub fn person_line(policy: &Policy, subject: &str) -> Message {
    let person = policy.person(subject);
    let row = policy
        .people()
        .iter()
        .find(|p| format!("person:{}", p.name) == person);
    match row {
        Some(row) => msg!(
            "can-i-person",
            subject = subject,
            person = person.as_str(),
            subjects = row.subjects.join(", ")
        ),
        None => msg!("can-i-person-alone", subject = subject),
    }
}

/// The `[[people]]` table as text (person, accounts), or `None` when the policy has none.
pub fn people_table(l10n: &Localizer, policy: &Policy) -> Option<String> {
    if policy.people().is_empty() {
        return None;
    }
    let mut table = Table::new(vec![
        msg!("check-config-people-person"),
        msg!("check-config-people-subjects"),
    ]);
    for person in policy.people() {
        table.rows.push(vec![
            format!("person:{}", person.name).into(),
            person.subjects.join(", ").into(),
        ]);
    }
    let mut report = Report::default();
    report.push(Block::Heading(msg!(
        "check-config-people",
        count = policy.people().len()
    )));
    report.push(Block::Table(table));
    Some(crate::render::report(l10n, &report))
}

/// The clusters `-c` names as the engine reads it: none, `all` (every configured cluster) or
/// a comma-separated list. An unknown name is the error, with the known ones.
pub fn clusters(config: &Config, typed: Option<&str>) -> Result<Vec<String>, Message> {
    let known: Vec<String> = config.settings.clusters.keys().cloned().collect();
    match typed {
        None => Ok(Vec::new()),
        Some("all") => Ok(known),
        Some(list) => {
            let mut named = Vec::new();
            for name in list.split(',') {
                if !known.iter().any(|k| k == name) {
                    return Err(msg!(
                        "parse-unknown-cluster",
                        name = name,
                        known = known.join(", ")
                    ));
                }
                named.push(name.to_string());
            }
            Ok(named)
        }
    }
}

/// Every (cluster, namespace) to judge: each cluster with each namespace (`*` is every
/// namespace, `a,b` is two); no cluster or no namespace is "not applicable" on that axis.
pub fn targets<'a>(
    clusters: &'a [String],
    namespace: Option<&'a str>,
) -> Vec<(Target<'a>, Target<'a>)> {
    let namespaces: Vec<Target<'a>> = match namespace {
        None => vec![Target::NotApplicable],
        Some("*") => vec![Target::All],
        Some(list) => list.split(',').map(Target::One).collect(),
    };
    let clusters: Vec<Target<'a>> = if clusters.is_empty() {
        vec![Target::NotApplicable]
    } else {
        clusters.iter().map(|c| Target::One(c.as_str())).collect()
    };
    clusters
        .iter()
        .flat_map(|&c| namespaces.iter().map(move |&n| (c, n)))
        .collect()
}
