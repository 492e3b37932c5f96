//! Runbook §1.3 and §5.4: cert-manager's Certificates. Which expire soon (`certs`), what one
//! looks like with its CertificateRequests and events (`cert describe`), and a manual
//! re-issue (`cert renew`) done the way `cmctl renew` does it rather than the runbook's
//! `kubectl delete certificate`.
//!
//! cert-manager has no typed structs here: the objects are read as JSON through
//! [`DynamicObject`](kube::api::DynamicObject), by the field names of its `cert-manager.io/v1`
//! CRDs.

pub mod describe;
pub mod list;
pub mod renew;

use chrono::{DateTime, Utc};
use kube::api::ApiResource;
use serde_json::Value;

use crate::k8s::objects::{resource, text};
use crate::{Cell, msg};

/// `cert-manager.io/v1` Certificate.
pub(crate) fn certificates() -> ApiResource {
    resource("cert-manager.io", "v1", "Certificate", "certificates")
}

/// `cert-manager.io/v1` CertificateRequest: one per issuance attempt of a Certificate.
pub(crate) fn certificate_requests() -> ApiResource {
    resource(
        "cert-manager.io",
        "v1",
        "CertificateRequest",
        "certificaterequests",
    )
}

/// Whole days from `now` until `not_after`, rounded down, so "0" means "expires within a day".
/// Negative once it has expired.
pub(crate) fn days_left(not_after: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (not_after - now).num_seconds().div_euclid(86_400)
}

/// The days-left cell: the number, or "expired" once `not_after` has passed.
pub(crate) fn days_left_cell(not_after: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Cell {
    match not_after {
        Some(t) if t <= now => Cell::Message(msg!("cert-expired")),
        Some(t) => Cell::Text(days_left(t, now).to_string()),
        None => Cell::Text("-".to_string()),
    }
}

/// A point in time as the tables show it: minutes are enough for expiry and renewal.
pub(crate) fn when(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".to_string())
}

/// The timestamp at a JSON pointer (`/status/notAfter`).
pub(crate) fn time_at(object: &Value, pointer: &str) -> Option<DateTime<Utc>> {
    text(object, pointer).and_then(crate::k8s::objects::timestamp)
}

/// `ClusterIssuer/letsencrypt-prod`; cert-manager's default kind is `Issuer`.
pub(crate) fn issuer(certificate: &Value) -> String {
    let name = text(certificate, "/spec/issuerRef/name").unwrap_or("-");
    let kind = text(certificate, "/spec/issuerRef/kind").unwrap_or("Issuer");
    format!("{kind}/{name}")
}

/// `status.revision`: bumped by cert-manager on every issuance.
pub(crate) fn revision(certificate: &Value) -> Option<i64> {
    certificate.pointer("/status/revision")?.as_i64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        crate::k8s::objects::timestamp(s).expect("a timestamp")
    }

    #[test]
    fn days_left_rounds_down_and_goes_negative_after_expiry() {
        let now = at("2026-05-01T12:00:00Z");
        assert_eq!(days_left(at("2026-05-31T12:00:00Z"), now), 30);
        assert_eq!(days_left(at("2026-05-31T11:59:59Z"), now), 29);
        assert_eq!(days_left(at("2026-05-01T18:00:00Z"), now), 0);
        assert_eq!(days_left(at("2026-05-01T06:00:00Z"), now), -1);
    }

    #[test]
    fn an_expired_certificate_says_so_instead_of_a_count() {
        let now = at("2026-05-01T12:00:00Z");
        assert_eq!(
            days_left_cell(Some(at("2026-05-01T11:00:00Z")), now),
            Cell::Message(msg!("cert-expired"))
        );
        assert_eq!(
            days_left_cell(Some(at("2026-05-11T12:00:00Z")), now),
            Cell::Text("10".into())
        );
        assert_eq!(days_left_cell(None, now), Cell::Text("-".into()));
    }

    #[test]
    fn issuer_defaults_to_a_namespaced_issuer() {
        let cert = json!({"spec": {"issuerRef": {"name": "vault-ca"}}});
        assert_eq!(issuer(&cert), "Issuer/vault-ca");
        let cert =
            json!({"spec": {"issuerRef": {"name": "letsencrypt-prod", "kind": "ClusterIssuer"}}});
        assert_eq!(issuer(&cert), "ClusterIssuer/letsencrypt-prod");
    }
}
