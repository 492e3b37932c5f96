//! Checks for typed values: what a Kubernetes name, a duration or a version must look like.
//!
//! Each returns the reason as a [`Problem`] so the parser can say it in one sentence.

use std::time::Duration;

use thiserror::Error;

/// Why a value was refused. The bot turns each into a fluent message.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    #[error(
        "must be 1 to {max} lowercase letters, digits or '-', starting and ending with a letter or digit"
    )]
    Dns1123Label { max: usize },
    #[error(
        "must be at most 253 lowercase letters, digits, '-' or '.', each part starting and ending with a letter or digit"
    )]
    Dns1123Subdomain,
    #[error("is not a duration such as 30s, 5m, 168h or 7d")]
    Duration,
    #[error("is not a version such as 1.35.1")]
    Version,
    #[error("is not a five-field cron expression such as \"0 2 * * *\": {0}")]
    Cron(String),
    #[error("is not a quantity such as 1Gi or 500m")]
    Quantity,
    #[error("is not a whole number from {min} to {max}")]
    Count { min: u64, max: u64 },
    #[error("is not one of {0}")]
    Choice(String),
    #[error("is not a snapshot file name such as etcd-snapshot-20261126-020000.db")]
    SnapshotFile,
    #[error("is empty")]
    Empty,
}

/// A DNS-1123 label (namespaces, most names): `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63.
pub fn dns1123_label(value: &str) -> Result<(), Problem> {
    label(value, 63)
}

fn label(value: &str, max: usize) -> Result<(), Problem> {
    let bytes = value.as_bytes();
    let ok = !bytes.is_empty()
        && bytes.len() <= max
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-';
    if ok {
        Ok(())
    } else {
        Err(Problem::Dns1123Label { max })
    }
}

/// A DNS-1123 subdomain (object names): labels joined by dots, at most 253 in all.
pub fn dns1123_subdomain(value: &str) -> Result<(), Problem> {
    if value.is_empty()
        || value.len() > 253
        || value.split('.').any(|part| label(part, 253).is_err())
    {
        return Err(Problem::Dns1123Subdomain);
    }
    Ok(())
}

/// `30s`, `5m`, `168h`, `7d`, `1h30m`: a unit is required, so `30` alone is refused.
pub fn duration(value: &str) -> Result<Duration, Problem> {
    let value = value.trim();
    if value.is_empty() || value.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::Duration);
    }
    humantime::parse_duration(value).map_err(|_| Problem::Duration)
}

/// `MAJOR.MINOR.PATCH`, with an optional leading `v`, as kubeadm and cilium take them.
pub fn version(value: &str) -> Result<(u64, u64, u64), Problem> {
    let bare = value.strip_prefix('v').unwrap_or(value);
    let parts: Vec<&str> = bare.split('.').collect();
    if parts.len() != 3 {
        return Err(Problem::Version);
    }
    let mut numbers = [0u64; 3];
    for (slot, part) in numbers.iter_mut().zip(&parts) {
        if part.is_empty() || !part.chars().all(|c| c.is_ascii_digit()) || part.len() > 6 {
            return Err(Problem::Version);
        }
        *slot = part.parse().map_err(|_| Problem::Version)?;
    }
    Ok((numbers[0], numbers[1], numbers[2]))
}

/// A standard five-field cron expression, as Velero schedules take them.
pub fn cron(value: &str) -> Result<(), Problem> {
    if value.split_whitespace().count() != 5 {
        return Err(Problem::Cron("it needs exactly five fields".to_string()));
    }
    croner::parser::CronParser::new()
        .parse(value)
        .map(|_| ())
        .map_err(|e| Problem::Cron(e.to_string()))
}

/// A Kubernetes resource quantity: a decimal number and an optional suffix.
pub fn quantity(value: &str) -> Result<(), Problem> {
    const SUFFIXES: [&str; 13] = [
        "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T",
    ];
    let number_end = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let (number, suffix) = value.split_at(number_end);
    let number_ok = !number.is_empty()
        && number.chars().filter(|c| *c == '.').count() <= 1
        && number != "."
        && number.parse::<f64>().is_ok_and(|n| n > 0.0);
    if number_ok && (suffix.is_empty() || SUFFIXES.contains(&suffix)) {
        Ok(())
    } else {
        Err(Problem::Quantity)
    }
}

/// An etcd snapshot's file name as `etcd snapshot` writes them: no directories, no `..`.
pub fn snapshot_file(value: &str) -> Result<(), Problem> {
    let ok = value.starts_with("etcd-snapshot-")
        && value.ends_with(".db")
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !value.contains("..");
    if ok {
        Ok(())
    } else {
        Err(Problem::SnapshotFile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_dns_1123() {
        assert!(dns1123_label("kube-system").is_ok());
        assert!(dns1123_label("a").is_ok());
        for bad in ["", "-a", "a-", "Upper", "a_b", "a.b", &"x".repeat(64)] {
            assert!(dns1123_label(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn subdomains_allow_dots_but_not_empty_parts() {
        assert!(dns1123_subdomain("vault-0").is_ok());
        assert!(dns1123_subdomain("coredns.kube-system").is_ok());
        for bad in ["", "a..b", ".a", "a.", "A", "a;rm -rf /"] {
            assert!(dns1123_subdomain(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(duration("7d"), Ok(Duration::from_secs(7 * 86400)));
        assert_eq!(duration("168h"), Ok(Duration::from_secs(168 * 3600)));
        for bad in ["", "30", "soon", "5 parsecs", "-1h"] {
            assert!(duration(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn versions_are_three_numbers() {
        assert_eq!(version("1.35.1"), Ok((1, 35, 1)));
        assert_eq!(version("v1.16.0"), Ok((1, 16, 0)));
        for bad in ["1.35", "1.35.x", "latest", "1..2", "1.35.1-rc.0"] {
            assert!(version(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn cron_takes_five_fields() {
        assert!(cron("0 2 * * *").is_ok());
        assert!(cron("*/15 * * * 1-5").is_ok());
        for bad in ["0 2 * *", "0 0 2 * * *", "61 2 * * *", "every day"] {
            assert!(cron(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn quantities_have_known_suffixes() {
        for good in ["1Gi", "512Mi", "500m", "2", "0.5", "1.5G"] {
            assert!(quantity(good).is_ok(), "{good:?} refused");
        }
        for bad in ["", "Gi", "1GB", "1 Gi", "-1Gi", "1.2.3"] {
            assert!(quantity(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn snapshot_names_cannot_escape_the_backup_dir() {
        assert!(snapshot_file("etcd-snapshot-20261126-020000.db").is_ok());
        for bad in [
            "../etc/passwd",
            "etcd-snapshot-/../../x.db",
            "snap.db",
            "etcd-snapshot-..db",
        ] {
            assert!(snapshot_file(bad).is_err(), "{bad:?} accepted");
        }
    }
}
