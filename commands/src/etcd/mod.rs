//! The etcd operations of runbook §2.1: status, snapshot, and the snapshots kept.
//!
//! All three talk to etcd through [`connect`] (gRPC, TLS from `clusters.NAME.etcd`) and never
//! run etcdctl. Snapshot files are read back with [`verify`], which checks them the way
//! `etcdctl snapshot status` does, from the bbolt file itself ([`bbolt`]).

mod bbolt;
pub(crate) mod files;
pub mod restore;
mod restore_checks;
mod restore_script;
pub mod snapshot;
pub mod snapshots;
pub mod status;
mod verify;

use std::error::Error as _;

use etcd_client::{Certificate, Client, ConnectOptions, Identity, TlsOptions};

use crate::{EtcdSettings, OpError, Settings, msg};

/// `clusters.NAME.etcd`, or why there is none.
fn etcd_settings<'a>(settings: &'a Settings, cluster: &str) -> Result<&'a EtcdSettings, OpError> {
    settings
        .clusters
        .get(cluster)
        .and_then(|c| c.etcd.as_ref())
        .filter(|e| !e.endpoints.is_empty())
        .ok_or_else(|| OpError::NotConfigured {
            cluster: cluster.to_string(),
            what: "etcd",
        })
}

/// How an endpoint is named in errors: the cluster, so the user knows which, and the URL.
fn target(cluster: &str, endpoint: &str) -> String {
    format!("{cluster} etcd {endpoint}")
}

/// A client for one endpoint of a cluster's etcd.
///
/// One endpoint per client, not etcd-client's balancing over all of them: status is per
/// member, and a snapshot must come from the member whose revision we recorded. The channel
/// connects lazily, so a dead endpoint shows up (with its reason) on the first request.
async fn connect(cluster: &str, etcd: &EtcdSettings, endpoint: &str) -> Result<Client, OpError> {
    // A little over the configured timeout: where a caller bounds the whole request by that
    // timeout (status), its clear "did not finish within" wins the race against the client's
    // own "Timeout expired".
    let timeout = etcd.timeout() + std::time::Duration::from_millis(250);
    let mut options = ConnectOptions::new()
        .with_connect_timeout(timeout)
        // Bounds the wait for each response's headers; a snapshot's body streams beyond it.
        .with_timeout(timeout);
    if let Some(tls) = tls_options(cluster, etcd).await? {
        options = options.with_tls(tls);
    }
    Client::connect([endpoint], Some(options))
        .await
        .map_err(|e| request_error(cluster, endpoint, &e))
}

/// Whether any of the cluster's etcd endpoints answers a status request: the watchers' test
/// of "etcd stopped answering". The reason is the last endpoint's error.
pub(crate) async fn answers(settings: &Settings, cluster: &str) -> Result<(), crate::Message> {
    let etcd = etcd_settings(settings, cluster).map_err(|e| e.message())?;
    let mut last = None;
    for endpoint in &etcd.endpoints {
        let answer = async {
            let mut client = connect(cluster, etcd, endpoint).await?;
            client
                .status()
                .await
                .map_err(|e| request_error(cluster, endpoint, &e))
        };
        match answer.await {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e.message()),
        }
    }
    Err(last.unwrap_or_else(|| crate::msg!("etcd-no-endpoints", cluster = cluster)))
}

/// TLS from the PEM files named in the configuration; `None` when none is named.
async fn tls_options(cluster: &str, etcd: &EtcdSettings) -> Result<Option<TlsOptions>, OpError> {
    if etcd.cacert.is_none() && etcd.cert.is_none() && etcd.key.is_none() {
        return Ok(None);
    }
    let mut tls = TlsOptions::new();
    if let Some(path) = &etcd.cacert {
        let pem = tokio::fs::read(path)
            .await
            .map_err(|e| OpError::io(path, e))?;
        tls = tls.ca_certificate(Certificate::from_pem(pem));
    }
    match (&etcd.cert, &etcd.key) {
        (Some(cert), Some(key)) => {
            let cert_pem = tokio::fs::read(cert)
                .await
                .map_err(|e| OpError::io(cert, e))?;
            let key_pem = tokio::fs::read(key)
                .await
                .map_err(|e| OpError::io(key, e))?;
            tls = tls.identity(Identity::from_pem(cert_pem, key_pem));
        }
        (None, None) => {}
        // Half a client identity would fail later with a TLS alert that names neither file.
        _ => {
            return Err(OpError::Failed(msg!(
                "etcd-tls-incomplete",
                cluster = cluster
            )));
        }
    }
    Ok(Some(tls))
}

/// An etcd-client error as the user should read it, keeping etcd's (or the kernel's) words.
fn request_error(cluster: &str, endpoint: &str, error: &etcd_client::Error) -> OpError {
    use etcd_client::Error as E;
    use tonic::Code;
    let target = target(cluster, endpoint);
    match error {
        E::GRpcStatus(status) => {
            let reason = with_sources(status.message(), status.source());
            match status.code() {
                Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled | Code::Unknown => {
                    OpError::Unreachable { target, reason }
                }
                _ => OpError::Refused { target, reason },
            }
        }
        E::InvalidArgs(reason) | E::EndpointError(reason) => OpError::Failed(msg!(
            "etcd-endpoint-invalid",
            cluster = cluster,
            endpoint = endpoint,
            reason = reason.as_str()
        )),
        E::InvalidUri(e) => OpError::Failed(msg!(
            "etcd-endpoint-invalid",
            cluster = cluster,
            endpoint = endpoint,
            reason = e.to_string()
        )),
        other => OpError::Unreachable {
            target,
            reason: with_sources(&other.to_string(), other.source()),
        },
    }
}

/// `tcp connect error: Connection refused (os error 111)`: the message, then each cause that
/// adds something (tonic wraps the OS error in layers that repeat each other).
fn with_sources(message: &str, mut source: Option<&(dyn std::error::Error + 'static)>) -> String {
    let mut out = message.to_string();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && text != "transport error" && !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// A bounded wait on etcd, as a [`OpError::Timeout`] naming what did not finish.
async fn bounded<T>(
    what: impl FnOnce() -> String,
    after: std::time::Duration,
    work: impl Future<Output = Result<T, OpError>>,
) -> Result<T, OpError> {
    tokio::time::timeout(after, work)
        .await
        .map_err(|_| OpError::Timeout {
            what: what(),
            after,
        })?
}

#[cfg(test)]
mod tests;
