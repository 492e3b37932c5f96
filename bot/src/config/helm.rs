//! Checks of `[helm]`: the bounds of `helm upgrade` and `helm rollback` (issue 11, point 6).
//! A mistake here would quietly refuse every upgrade, or allow one nobody meant to, so each
//! row is checked now: its cluster glob names a configured cluster, its names are names, its
//! charts are there and its version range parses.

use std::collections::BTreeSet;
use std::path::Path;

use commands::{msg, validate};

use super::RawConfig;
use super::check::Checker;

/// `values_dir` is the configured directory, already made absolute.
pub(super) fn check(c: &mut Checker<'_>, raw: &RawConfig, values_dir: Option<&Path>) {
    if let Some(dir) = values_dir
        && !dir.is_dir()
    {
        c.add(
            "helm.values_dir",
            msg!("config-no-directory", path = dir.display().to_string()),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, row) in raw.helm.releases.iter().enumerate() {
        let key = |k: &str| format!("helm.releases[{i}].{k}");
        if row.cluster.trim().is_empty() {
            c.add(key("cluster"), msg!("config-missing-key"));
        } else if !raw
            .clusters
            .keys()
            .any(|name| wildmatch::WildMatch::new(&row.cluster).matches(name))
        {
            c.add(
                key("cluster"),
                msg!("config-unknown-cluster", value = row.cluster.as_str()),
            );
        }
        if validate::dns1123_label(&row.namespace).is_err() {
            c.add(
                key("namespace"),
                msg!("config-bad-namespace", value = row.namespace.as_str()),
            );
        }
        // Helm's own rule for release names: a DNS-1123 label of at most 53 characters.
        if validate::dns1123_label(&row.release).is_err() || row.release.len() > 53 {
            c.add(
                key("release"),
                msg!("config-bad-helm-release", value = row.release.as_str()),
            );
        }
        if row.charts.is_empty() {
            c.add(key("charts"), msg!("config-helm-no-charts"));
        }
        for chart in &row.charts {
            if chart.trim().is_empty()
                || chart.starts_with('-')
                || chart.contains(char::is_whitespace)
            {
                c.add(
                    key("charts"),
                    msg!("config-bad-helm-chart", value = chart.as_str()),
                );
            }
        }
        if let Some(range) = &row.versions
            && !commands::helm::bounds::is_version_range(range)
        {
            c.add(
                key("versions"),
                msg!("config-bad-version-range", value = range.as_str()),
            );
        }
        if !seen.insert((&row.cluster, &row.namespace, &row.release)) {
            c.add(
                key("release"),
                msg!(
                    "config-duplicate-helm-release",
                    value = row.release.as_str()
                ),
            );
        }
    }
}
