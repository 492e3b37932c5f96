//! What `helm upgrade` and `helm rollback` may touch (issue 11, point 6).
//!
//! Helm runs with the bot's credentials, which can install any chart anywhere; so whoever
//! may upgrade one release could otherwise install any chart, and read any file of the bot's
//! host through `--values`. The configuration (`[helm]`, see [`HelmSettings`]) says per
//! release which charts, and which chart versions, it may become, and the one directory
//! values files come from. Everything else is refused by a gate, before anyone is asked to
//! approve, and again by the step that runs helm, since the configuration or the files may
//! have changed since.
//!
//! A values file is bound to the approval: the gate pins its SHA-256 ([`VALUES_SHA256`]),
//! and the step hands helm a private copy of exactly the bytes it hashed.

use std::io::Read;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use super::upgrade::{cluster_and_namespace, text};
use crate::operation::PinKey;
use crate::{HelmRelease, HelmSettings, Message, OpError, Request, RunContext, Step, msg};

/// The SHA-256 of the values file the upgrade was approved with.
pub const VALUES_SHA256: PinKey = PinKey::new("helm-values-sha256");

/// Values files are configuration, not data: anything larger is refused.
const MAX_VALUES: u64 = 4 * 1024 * 1024;

/// The release a request names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Release {
    pub cluster: String,
    pub namespace: String,
    pub release: String,
}

impl Release {
    pub(crate) fn of(request: &Request) -> Result<Release, OpError> {
        let (cluster, namespace) = cluster_and_namespace(request)?;
        Ok(Release {
            cluster: cluster.to_string(),
            namespace: namespace.to_string(),
            release: text(request, "release")?.to_string(),
        })
    }

    /// The rows of `[[helm.releases]]` for this release; none is a refusal.
    pub(crate) fn listed<'h>(
        &self,
        helm: &'h HelmSettings,
    ) -> Result<Vec<&'h HelmRelease>, OpError> {
        let rows: Vec<&HelmRelease> = helm
            .releases
            .iter()
            .filter(|r| {
                r.namespace == self.namespace
                    && r.release == self.release
                    && wildmatch::WildMatch::new(&r.cluster).matches(&self.cluster)
            })
            .collect();
        if rows.is_empty() {
            return Err(OpError::Failed(msg!(
                "helm-release-not-listed",
                release = self.release.as_str(),
                namespace = self.namespace.as_str(),
                cluster = self.cluster.as_str()
            )));
        }
        Ok(rows)
    }
}

/// An upgrade as asked: `helm upgrade RELEASE CHART [--version V] [--values FILE]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Upgrade {
    pub release: Release,
    pub chart: String,
    pub version: Option<String>,
    /// As typed: relative to `helm.values_dir`.
    pub values: Option<String>,
}

impl Upgrade {
    pub(crate) fn of(request: &Request) -> Result<Upgrade, OpError> {
        Ok(Upgrade {
            release: Release::of(request)?,
            chart: text(request, "chart")?.to_string(),
            version: request.args.text("version").map(str::to_string),
            values: request.args.text("values").map(str::to_string),
        })
    }

    /// The chart and version are allowed for the release, and the values file (if any)
    /// lies inside `helm.values_dir`: its resolved path.
    pub(crate) fn check(&self, helm: &HelmSettings) -> Result<Option<PathBuf>, OpError> {
        let rows = self.release.listed(helm)?;
        let release = self.release.release.as_str();
        let for_chart: Vec<&HelmRelease> = rows
            .into_iter()
            .filter(|r| r.charts.contains(&self.chart))
            .collect();
        if for_chart.is_empty() {
            let mut allowed: Vec<&str> = helm
                .releases
                .iter()
                .filter(|r| r.release == self.release.release)
                .flat_map(|r| r.charts.iter().map(String::as_str))
                .collect();
            allowed.sort_unstable();
            allowed.dedup();
            return Err(OpError::Failed(msg!(
                "helm-chart-not-allowed",
                release = release,
                chart = self.chart.as_str(),
                allowed = allowed.join(", ")
            )));
        }
        let version = match &self.version {
            Some(typed) => Some(chart_version(typed)?),
            None => None,
        };
        let within = |row: &&HelmRelease| match (&row.versions, &version) {
            (None, _) => true,
            (Some(range), Some(v)) => semver::VersionReq::parse(range).is_ok_and(|r| r.matches(v)),
            (Some(_), None) => false,
        };
        if !for_chart.iter().any(within) {
            let ranges: Vec<&str> = for_chart
                .iter()
                .filter_map(|r| r.versions.as_deref())
                .collect();
            let range = ranges.join(" | ");
            return Err(OpError::Failed(match &self.version {
                None => msg!("helm-version-required", release = release, range = range),
                Some(v) => msg!(
                    "helm-version-out-of-range",
                    release = release,
                    version = v.as_str(),
                    range = range
                ),
            }));
        }
        match &self.values {
            Some(typed) => values_file(helm, typed).map(Some),
            None => Ok(None),
        }
    }
}

/// Whether `text` is a version range `[[helm.releases]] versions` may hold (`check-config`).
pub fn is_version_range(text: &str) -> bool {
    semver::VersionReq::parse(text).is_ok()
}

/// A chart version as helm takes it for `--version`: one exact semver version (a leading `v`
/// allowed). Helm would also take a range, which would escape the configured one.
pub(crate) fn chart_version(typed: &str) -> Result<semver::Version, OpError> {
    semver::Version::parse(typed.strip_prefix('v').unwrap_or(typed))
        .map_err(|_| OpError::Failed(msg!("helm-version-not-semver", version = typed)))
}

/// `typed`, resolved under `helm.values_dir` after every symlink, if it stays inside it and
/// is a regular file.
pub(crate) fn values_file(helm: &HelmSettings, typed: &str) -> Result<PathBuf, OpError> {
    let Some(dir) = helm.values_dir.as_deref() else {
        return Err(OpError::Failed(msg!("helm-values-no-dir", path = typed)));
    };
    let dir_shown = dir.display().to_string();
    let root = std::fs::canonicalize(dir).map_err(|e| {
        OpError::Failed(msg!(
            "helm-values-dir-missing",
            dir = dir_shown.as_str(),
            reason = e.to_string()
        ))
    })?;
    let outside = || {
        OpError::Failed(msg!(
            "helm-values-outside",
            path = typed,
            dir = dir_shown.as_str()
        ))
    };
    // Said before the file system is asked, so the answer tells nothing about files outside.
    let asked = Path::new(typed);
    if asked
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
        || (asked.is_absolute() && !(asked.starts_with(dir) || asked.starts_with(&root)))
    {
        return Err(outside());
    }
    let unreadable = |reason: String| {
        OpError::Failed(msg!(
            "helm-upgrade-values-unreadable",
            path = typed,
            reason = reason
        ))
    };
    // `join` of an absolute path is that path: it is then judged like any other.
    let resolved =
        std::fs::canonicalize(root.join(typed)).map_err(|e| unreadable(e.to_string()))?;
    // After every symlink: a link inside the directory may lead out of it.
    if !resolved.starts_with(&root) {
        return Err(outside());
    }
    let meta = std::fs::metadata(&resolved).map_err(|e| unreadable(e.to_string()))?;
    if !meta.is_file() {
        return Err(unreadable("not a regular file".to_string()));
    }
    Ok(resolved)
}

/// The bytes of a checked values file (bounded) and their SHA-256, hex.
pub(crate) fn read_values(path: &Path, typed: &str) -> Result<(Vec<u8>, String), OpError> {
    let file = std::fs::File::open(path).map_err(|e| OpError::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_VALUES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| OpError::io(path, e))?;
    if bytes.len() as u64 > MAX_VALUES {
        return Err(OpError::Failed(msg!(
            "helm-upgrade-values-unreadable",
            path = typed,
            reason = format!("larger than {} MiB", MAX_VALUES / 1024 / 1024)
        )));
    }
    let sha = hex::encode(Sha256::digest(&bytes));
    Ok((bytes, sha))
}

/// The gate of `helm upgrade`: within bounds, and the values file pinned.
pub(crate) struct UpgradeWithinBounds(pub Upgrade);

#[async_trait]
impl Step for UpgradeWithinBounds {
    fn plan(&self) -> Message {
        msg!(
            "helm-gate-bounds",
            release = self.0.release.release.as_str(),
            chart = self.0.chart.as_str()
        )
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let values = self.0.check(&cx.settings.helm)?;
        if let (Some(path), Some(typed)) = (values, self.0.values.as_deref()) {
            let (_, sha) = read_values(&path, typed)?;
            cx.progress.report(msg!(
                "helm-values-pinned",
                path = typed,
                sha256 = sha.as_str()
            ));
            cx.pin(VALUES_SHA256, sha);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Each refusal names the attack it closes (issue 11, point 6): before, `chart` was free
    //! text and `--values` any path on the bot's host.

    use std::path::PathBuf;

    use super::*;
    use crate::{ClusterSettings, Command, Settings, parse, resolve};

    fn request(line: &str) -> Request {
        let Ok(Command::Run(invocation)) = parse(line) else {
            panic!("{line} does not parse");
        };
        let mut settings = Settings::default();
        for name in ["mgmt", "prod-a"] {
            settings
                .clusters
                .insert(name.into(), ClusterSettings::default());
        }
        resolve(invocation, &settings).expect("resolves")
    }

    /// ingress-nginx on every cluster, 4.x only; values from `dir`.
    fn helm(dir: Option<PathBuf>) -> HelmSettings {
        HelmSettings {
            values_dir: dir,
            releases: vec![HelmRelease {
                cluster: "*".into(),
                namespace: "ingress".into(),
                release: "ingress-nginx".into(),
                charts: vec!["ingress-nginx/ingress-nginx".into()],
                versions: Some(">=4.0, <5".into()),
            }],
        }
    }

    fn refusal(line: &str, helm: &HelmSettings) -> String {
        let upgrade = Upgrade::of(&request(line)).expect("an upgrade");
        match upgrade.check(helm) {
            Ok(values) => panic!("{line} allowed, values {values:?}"),
            Err(e) => e.message().id.to_string(),
        }
    }

    const UPGRADE: &str =
        "helm upgrade ingress-nginx ingress-nginx/ingress-nginx -n ingress -c mgmt";

    #[test]
    fn a_listed_chart_within_its_range_is_allowed() {
        let line = format!("{UPGRADE} --version 4.11.2");
        let upgrade = Upgrade::of(&request(&line)).expect("an upgrade");
        assert_eq!(upgrade.check(&helm(None)).expect("allowed"), None);
    }

    #[test]
    fn a_chart_outside_the_allowlist_is_refused() {
        let line =
            "helm upgrade ingress-nginx evil/cluster-admin -n ingress -c mgmt --version 4.1.0";
        assert_eq!(refusal(line, &helm(None)), "helm-chart-not-allowed");
        // A local chart path or a flag in the chart's place is just another unlisted chart.
        let line = "helm upgrade ingress-nginx ./charts/ingress-nginx -n ingress -c mgmt";
        assert_eq!(refusal(line, &helm(None)), "helm-chart-not-allowed");
    }

    #[test]
    fn a_release_not_listed_is_refused_whatever_the_chart() {
        let line =
            "helm upgrade vault ingress-nginx/ingress-nginx -n ingress -c mgmt --version 4.1.0";
        assert_eq!(refusal(line, &helm(None)), "helm-release-not-listed");
        let line = "helm upgrade ingress-nginx ingress-nginx/ingress-nginx -n kube-system -c mgmt --version 4.1.0";
        assert_eq!(refusal(line, &helm(None)), "helm-release-not-listed");
        let mut only_prod = helm(None);
        only_prod.releases[0].cluster = "prod-*".into();
        assert_eq!(
            refusal(&format!("{UPGRADE} --version 4.1.0"), &only_prod),
            "helm-release-not-listed"
        );
        assert_eq!(
            refusal(
                &format!("{UPGRADE} --version 4.1.0"),
                &HelmSettings::default()
            ),
            "helm-release-not-listed"
        );
    }

    #[test]
    fn a_version_outside_the_range_or_missing_or_a_range_itself_is_refused() {
        let h = helm(None);
        assert_eq!(
            refusal(&format!("{UPGRADE} --version 5.0.0"), &h),
            "helm-version-out-of-range"
        );
        assert_eq!(
            refusal(&format!("{UPGRADE} --version 3.9.9"), &h),
            "helm-version-out-of-range"
        );
        assert_eq!(refusal(UPGRADE, &h), "helm-version-required");
        // helm takes a range for --version too; one that reaches past ours is not a version.
        assert_eq!(
            refusal(&format!("{UPGRADE} --version \">=4\""), &h),
            "helm-version-not-semver"
        );
    }

    #[test]
    fn values_are_read_only_from_inside_values_dir() {
        let root = tempfile::tempdir().expect("temp");
        let dir = root.path().join("values");
        std::fs::create_dir_all(dir.join("prod")).expect("values dir");
        std::fs::write(dir.join("prod/ingress.yaml"), "replicas: 2\n").expect("values");
        std::fs::write(root.path().join("secret.txt"), "bot token\n").expect("outside");
        std::os::unix::fs::symlink(root.path().join("secret.txt"), dir.join("link.yaml"))
            .expect("symlink");
        let h = helm(Some(dir.clone()));
        let with = |values: &str| format!("{UPGRADE} --version 4.1.0 --values {values}");

        let upgrade = Upgrade::of(&request(&with("prod/ingress.yaml"))).expect("upgrade");
        let resolved = upgrade.check(&h).expect("inside").expect("a file");
        assert!(
            resolved.ends_with("values/prod/ingress.yaml"),
            "{resolved:?}"
        );

        assert_eq!(refusal(&with("../secret.txt"), &h), "helm-values-outside");
        assert_eq!(
            refusal(&with("../../etc/passwd"), &h),
            "helm-values-outside"
        );
        assert_eq!(refusal(&with("/etc/passwd"), &h), "helm-values-outside");
        // A symlink inside the directory that leads out of it.
        assert_eq!(refusal(&with("link.yaml"), &h), "helm-values-outside");
        assert_eq!(refusal(&with("prod"), &h), "helm-upgrade-values-unreadable");
        assert_eq!(
            refusal(&with("missing.yaml"), &h),
            "helm-upgrade-values-unreadable"
        );
        assert_eq!(
            refusal(&with("prod/ingress.yaml"), &helm(None)),
            "helm-values-no-dir"
        );
        assert_eq!(
            refusal(
                &with("prod/ingress.yaml"),
                &helm(Some(root.path().join("gone")))
            ),
            "helm-values-dir-missing"
        );
    }

    #[test]
    fn version_ranges_are_checked_as_semver() {
        assert!(is_version_range(">=4.0, <5"));
        assert!(!is_version_range("four or five"));
    }
}
