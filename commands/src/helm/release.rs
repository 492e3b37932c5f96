//! Helm 3's release record, decoded.
//!
//! Helm's default storage driver keeps each revision of a release in a Secret of type
//! `helm.sh/release.v1`, named `sh.helm.release.v1.NAME.vREVISION` and labelled `owner=helm`,
//! `name`, `status` and `version`. Its `release` key holds the release as JSON, gzipped, then
//! base64-encoded by Helm; the API server base64-encodes Secret data once more, which the
//! client undoes. So [`decode`] takes the bytes the client gives and undoes Helm's two layers.
//!
//! The JSON also carries the chart's default values, the user's values (`config`), the
//! rendered manifest and the hooks, any of which may hold passwords. Only the fields of
//! [`Release`] are deserialised; the rest is skipped by the parser and never kept.

use std::io::Read;

use base64::Engine;
use chrono::{DateTime, Utc};
use flate2::read::GzDecoder;
use serde::Deserialize;
use thiserror::Error;

/// The Secret type of Helm 3's release records.
pub const SECRET_TYPE: &str = "helm.sh/release.v1";

/// gzip's magic number and deflate method byte; Helm writes the JSON bare when it is absent.
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// A release record is at most 1 MiB (a Secret's limit) compressed; this bounds what a
/// hostile record could inflate to.
const MAX_INFLATED: u64 = 64 * 1024 * 1024;

/// The fields of one release revision that `helm list` and `helm history` show.
#[derive(Clone, Debug, PartialEq)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    pub revision: u64,
    /// `deployed`, `superseded`, `failed`, `pending-upgrade` …
    pub status: String,
    pub updated: Option<DateTime<Utc>>,
    /// `NAME-VERSION`, as helm prints the CHART column.
    pub chart: String,
    pub app_version: String,
    /// `Install complete`, `Upgrade complete`, `Rollback to 2` …
    pub description: String,
}

/// Why a record could not be read.
#[derive(Debug, Error)]
pub enum DecodeError {
    #[error("not base64: {0}")]
    Base64(#[from] base64::DecodeError),
    #[error("not gzip: {0}")]
    Gzip(#[source] std::io::Error),
    #[error("inflates to more than {} MiB", MAX_INFLATED / 1024 / 1024)]
    TooLarge,
    #[error("not a release: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Deserialize)]
struct Raw {
    name: String,
    #[serde(default)]
    namespace: String,
    version: u64,
    #[serde(default)]
    info: RawInfo,
    #[serde(default)]
    chart: Option<RawChart>,
}

#[derive(Default, Deserialize)]
struct RawInfo {
    #[serde(default)]
    status: String,
    #[serde(default)]
    last_deployed: Option<String>,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct RawChart {
    #[serde(default)]
    metadata: Option<RawMetadata>,
}

#[derive(Deserialize)]
struct RawMetadata {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default, rename = "appVersion")]
    app_version: String,
}

/// Decodes the `release` value of a release Secret, as the API client hands it over.
pub fn decode(stored: &[u8]) -> Result<Release, DecodeError> {
    let packed = base64::engine::general_purpose::STANDARD.decode(stored.trim_ascii())?;
    let json = if packed.starts_with(&GZIP_MAGIC) {
        let mut inflated = Vec::new();
        GzDecoder::new(packed.as_slice())
            .take(MAX_INFLATED + 1)
            .read_to_end(&mut inflated)
            .map_err(DecodeError::Gzip)?;
        if inflated.len() as u64 > MAX_INFLATED {
            return Err(DecodeError::TooLarge);
        }
        inflated
    } else {
        packed
    };
    let raw: Raw = serde_json::from_slice(&json)?;
    let metadata = raw.chart.and_then(|c| c.metadata);
    Ok(Release {
        name: raw.name,
        namespace: raw.namespace,
        revision: raw.version,
        status: raw.info.status,
        updated: raw
            .info
            .last_deployed
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc)),
        chart: metadata
            .as_ref()
            .map_or(String::new(), |m| format!("{}-{}", m.name, m.version)),
        app_version: metadata.map_or(String::new(), |m| m.app_version),
        description: raw.info.description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use serde_json::json;
    use std::io::Write;

    /// What Helm stores: base64 of gzip of the JSON.
    fn helm_encode(release: &serde_json::Value) -> Vec<u8> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(release.to_string().as_bytes()).expect("gzip");
        let packed = gz.finish().expect("gzip");
        base64::engine::general_purpose::STANDARD
            .encode(packed)
            .into_bytes()
    }

    fn prometheus() -> serde_json::Value {
        json!({
            "name": "prometheus",
            "namespace": "monitoring",
            "version": 3,
            "info": {
                "first_deployed": "2026-01-10T09:00:00.123456789Z",
                "last_deployed": "2026-04-02T14:31:07.918273645+09:00",
                "deleted": "",
                "description": "Upgrade complete",
                "status": "deployed",
                "notes": "kube-prometheus-stack has been installed."
            },
            "chart": {
                "metadata": {"name": "kube-prometheus-stack", "version": "65.1.0", "appVersion": "v0.77.1", "apiVersion": "v2"},
                "values": {"grafana": {"adminPassword": "prom-operator"}}
            },
            "config": {"grafana": {"adminPassword": "s3cr3t-from-values"}},
            "manifest": "---\napiVersion: v1\nkind: Secret\n",
            "hooks": []
        })
    }

    #[test]
    fn a_gzipped_record_decodes_to_the_listed_fields() {
        let release = decode(&helm_encode(&prometheus())).expect("decodes");
        assert_eq!(
            release,
            Release {
                name: "prometheus".into(),
                namespace: "monitoring".into(),
                revision: 3,
                status: "deployed".into(),
                updated: DateTime::parse_from_rfc3339("2026-04-02T05:31:07.918273645Z")
                    .ok()
                    .map(|t| t.with_timezone(&Utc)),
                chart: "kube-prometheus-stack-65.1.0".into(),
                app_version: "v0.77.1".into(),
                description: "Upgrade complete".into(),
            }
        );
        assert!(!format!("{release:?}").contains("s3cr3t"));
    }

    #[test]
    fn a_record_without_gzip_is_read_as_plain_json() {
        let plain = base64::engine::general_purpose::STANDARD.encode(prometheus().to_string());
        assert_eq!(decode(plain.as_bytes()).expect("decodes").revision, 3);
    }

    #[test]
    fn garbage_says_which_layer_failed() {
        assert!(matches!(decode(b"%%%"), Err(DecodeError::Base64(_))));
        let not_json = base64::engine::general_purpose::STANDARD.encode("{\"name\": 1}");
        assert!(matches!(
            decode(not_json.as_bytes()),
            Err(DecodeError::Json(_))
        ));
        let mut broken = vec![0x1f, 0x8b, 0x08];
        broken.extend_from_slice(b"not deflate at all");
        let broken = base64::engine::general_purpose::STANDARD.encode(broken);
        assert!(matches!(
            decode(broken.as_bytes()),
            Err(DecodeError::Gzip(_))
        ));
    }
}
