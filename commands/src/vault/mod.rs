//! Vault (runbook §5.5) over its HTTP API, at `vault.address` from the configuration, never
//! through `kubectl exec … vault`.
//!
//! [`status`] reads `sys/seal-status`. The client and the answer's shape are shared here so
//! that unsealing speaks to the same Vault the same way.

pub mod status;
pub mod unseal;

use std::error::Error as _;

use serde::Deserialize;

use crate::{OpError, Settings, VaultSettings, msg};

/// `GET /v1/sys/seal-status`, as Vault answers it. Fields a sealed or older Vault leaves out
/// are optional.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct SealStatus {
    /// The seal: `shamir`, or an auto-unseal such as `awskms`.
    #[serde(rename = "type", default)]
    pub seal_type: String,
    pub initialized: bool,
    pub sealed: bool,
    /// Key threshold: how many shares unseal it.
    pub t: u32,
    /// Key shares in all.
    pub n: u32,
    /// Shares entered so far in the current unseal attempt.
    pub progress: u32,
    #[serde(default)]
    pub nonce: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub build_date: Option<String>,
    #[serde(default)]
    pub migration: bool,
    #[serde(default)]
    pub cluster_name: Option<String>,
    #[serde(default)]
    pub cluster_id: Option<String>,
    #[serde(default)]
    pub recovery_seal: bool,
    #[serde(default)]
    pub storage_type: Option<String>,
}

/// The `[vault]` section, or the sentence saying there is none.
pub(crate) fn vault_settings(settings: &Settings) -> Result<&VaultSettings, OpError> {
    settings
        .vault
        .as_ref()
        .filter(|v| !v.address.trim().is_empty())
        .ok_or_else(|| OpError::Failed(msg!("vault-not-configured")))
}

/// An HTTP client for Vault: its timeout, and its CA bundle when one is configured.
pub(crate) async fn http_client(vault: &VaultSettings) -> Result<reqwest::Client, OpError> {
    let mut builder = reqwest::Client::builder().timeout(vault.timeout());
    if let Some(path) = &vault.cacert {
        let pem = tokio::fs::read(path)
            .await
            .map_err(|e| OpError::io(path, e))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            OpError::Failed(msg!(
                "vault-bad-cacert",
                path = path.display().to_string(),
                reason = e.to_string()
            ))
        })?;
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder.build().map_err(|e| OpError::Unreachable {
        target: target(vault),
        reason: e.to_string(),
    })
}

/// `{address}/v1/{path}`, whether or not the address ends with a slash.
pub(crate) fn url(vault: &VaultSettings, path: &str) -> String {
    format!("{}/v1/{path}", vault.address.trim().trim_end_matches('/'))
}

/// How Vault is named in errors.
pub(crate) fn target(vault: &VaultSettings) -> String {
    format!("Vault {}", vault.address.trim())
}

/// A failed request in the user's terms: a timeout, or unreachable with the innermost
/// reason ("Connection refused (os error 111)") rather than reqwest's "error sending request".
pub(crate) fn request_error(vault: &VaultSettings, error: &reqwest::Error) -> OpError {
    if error.is_timeout() {
        return OpError::Timeout {
            what: target(vault),
            after: vault.timeout(),
        };
    }
    let mut reason = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        reason = inner.to_string();
        source = inner.source();
    }
    OpError::Unreachable {
        target: target(vault),
        reason,
    }
}

/// A non-success answer, with Vault's own `errors` when it gave any.
pub(crate) fn refused(vault: &VaultSettings, status: reqwest::StatusCode, body: &str) -> OpError {
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<String>,
    }
    let reason = match serde_json::from_str::<Errors>(body) {
        Ok(e) if !e.errors.is_empty() => format!("{status}: {}", e.errors.join("; ")),
        _ => status.to_string(),
    };
    OpError::Refused {
        target: target(vault),
        reason,
    }
}

/// `GET sys/seal-status`, shared by `vault status` and `vault unseal`.
pub(crate) async fn seal_status(
    client: &reqwest::Client,
    vault: &VaultSettings,
) -> Result<SealStatus, OpError> {
    let response = client
        .get(url(vault, "sys/seal-status"))
        .send()
        .await
        .map_err(|e| request_error(vault, &e))?;
    let code = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| request_error(vault, &e))?;
    if !code.is_success() {
        return Err(refused(vault, code, &body));
    }
    parse_seal_status(vault, &body)
}

/// Vault's answer to `seal-status` and `unseal`, which share one shape.
pub(crate) fn parse_seal_status(vault: &VaultSettings, body: &str) -> Result<SealStatus, OpError> {
    serde_json::from_str(body).map_err(|e| OpError::Refused {
        target: target(vault),
        reason: format!("not a seal-status answer: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_joins_whatever_the_address_ends_with() {
        let vault = VaultSettings {
            address: "https://vault.mgmt.internal:8200/".into(),
            ..VaultSettings::default()
        };
        assert_eq!(
            url(&vault, "sys/seal-status"),
            "https://vault.mgmt.internal:8200/v1/sys/seal-status"
        );
    }

    #[test]
    fn a_sealed_answer_without_cluster_fields_parses() {
        let body = r#"{"type":"shamir","initialized":true,"sealed":true,"t":3,"n":5,"progress":1,
            "nonce":"6b1c","version":"1.17.2","build_date":"2024-07-05T15:19:12Z","migration":false,
            "recovery_seal":false,"storage_type":"raft"}"#;
        let status: SealStatus = serde_json::from_str(body).expect("parses");
        assert!(status.sealed);
        assert_eq!((status.t, status.n, status.progress), (3, 5, 1));
        assert_eq!(status.cluster_name, None);
        assert_eq!(status.storage_type.as_deref(), Some("raft"));
    }

    #[test]
    fn vaults_own_errors_are_kept() {
        let vault = VaultSettings {
            address: "http://127.0.0.1:8200".into(),
            ..VaultSettings::default()
        };
        let e = refused(
            &vault,
            reqwest::StatusCode::SERVICE_UNAVAILABLE,
            r#"{"errors":["Vault is sealed"]}"#,
        );
        assert_eq!(
            e.to_string(),
            "Vault http://127.0.0.1:8200 refused: 503 Service Unavailable: Vault is sealed"
        );
    }
}
