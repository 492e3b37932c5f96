//! cert-manager Certificates whose `status.notAfter` is fewer than `certificate_days` days away
//! (or past). Judged again every hour, since time alone makes one expire.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use kube::ResourceExt;
use kube::api::DynamicObject;

use super::track::Judge;
use super::{Condition, ConditionKind, key};
use crate::certs::{days_left, time_at};
use crate::msg;

/// What of a Certificate the judgement needs.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Cert {
    namespace: String,
    name: String,
    not_after: Option<DateTime<Utc>>,
    secret: Option<String>,
}

impl Cert {
    fn of(certificate: &DynamicObject) -> Cert {
        Cert {
            namespace: certificate.namespace().unwrap_or_default(),
            name: certificate.name_any(),
            not_after: time_at(&certificate.data, "/status/notAfter"),
            secret: crate::k8s::objects::text(&certificate.data, "/spec/secretName")
                .map(str::to_string),
        }
    }
}

/// The condition `certificate` of `cluster` gives at `now`: expiring when its notAfter is
/// fewer than `days` days away. One not issued yet (no notAfter) gives none.
pub fn certificate_expiring(
    cluster: &str,
    certificate: &DynamicObject,
    days: u32,
    now: DateTime<Utc>,
) -> Option<Condition> {
    expiring(cluster, &Cert::of(certificate), days, now)
}

fn expiring(cluster: &str, cert: &Cert, days: u32, now: DateTime<Utc>) -> Option<Condition> {
    let not_after = cert.not_after?;
    if not_after >= now + TimeDelta::days(i64::from(days)) {
        return None;
    }
    let date = not_after.format("%Y-%m-%d %H:%M UTC").to_string();
    let summary = if not_after <= now {
        msg!(
            "watch-certificate-expired",
            certificate = cert.name.as_str(),
            namespace = cert.namespace.as_str(),
            cluster = cluster,
            date = date.as_str()
        )
    } else {
        msg!(
            "watch-certificate-expiring",
            certificate = cert.name.as_str(),
            namespace = cert.namespace.as_str(),
            cluster = cluster,
            days = days_left(not_after, now),
            date = date.as_str()
        )
    };
    let mut details = vec![
        ("namespace".to_string(), cert.namespace.clone()),
        ("certificate".to_string(), cert.name.clone()),
        ("not_after".to_string(), not_after.to_rfc3339()),
    ];
    if let Some(secret) = &cert.secret {
        details.push(("secret".to_string(), secret.clone()));
    }
    let kind = ConditionKind::CertificateExpiring;
    Some(Condition {
        key: key(kind, cluster, &[&cert.namespace, &cert.name]),
        kind,
        cluster: cluster.to_string(),
        summary,
        details,
    })
}

/// Each Certificate judged alone, against the clock.
pub(super) struct Certs {
    pub cluster: String,
    pub days: u32,
}

impl Judge for Certs {
    type Object = DynamicObject;
    type Fact = Cert;

    fn kinds(&self) -> &'static [ConditionKind] {
        &[ConditionKind::CertificateExpiring]
    }

    fn fact(&self, certificate: &DynamicObject) -> Cert {
        Cert::of(certificate)
    }

    fn judge(&self, members: &BTreeMap<String, Cert>, now: DateTime<Utc>) -> Vec<Condition> {
        members
            .values()
            .filter_map(|c| expiring(&self.cluster, c, self.days, now))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cert(not_after: Option<&str>) -> DynamicObject {
        let mut status = json!({});
        if let Some(t) = not_after {
            status["notAfter"] = json!(t);
        }
        serde_json::from_value(json!({
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": { "name": "web-tls", "namespace": "app" },
            "spec": { "secretName": "web-tls" },
            "status": status
        }))
        .expect("a certificate")
    }

    fn now() -> DateTime<Utc> {
        crate::k8s::objects::timestamp("2026-11-26T00:00:00Z").expect("a time")
    }

    #[test]
    fn within_the_days_is_expiring_and_beyond_is_not() {
        let soon = certificate_expiring("app1", &cert(Some("2026-12-01T00:00:00Z")), 14, now())
            .expect("expiring");
        assert_eq!(soon.kind, ConditionKind::CertificateExpiring);
        assert_eq!(soon.key, "certificate-expiring/app1/app/web-tls");
        assert_eq!(soon.summary.id, "watch-certificate-expiring");
        assert_eq!(
            soon.summary.get("days").map(ToString::to_string),
            Some("5".to_string())
        );
        let later = cert(Some("2027-01-01T00:00:00Z"));
        assert_eq!(certificate_expiring("app1", &later, 14, now()), None);
        assert!(certificate_expiring("app1", &later, 60, now()).is_some());
    }

    #[test]
    fn expired_says_so_and_unissued_gives_nothing() {
        let past = certificate_expiring("app1", &cert(Some("2026-11-20T00:00:00Z")), 14, now())
            .expect("expired counts");
        assert_eq!(past.summary.id, "watch-certificate-expired");
        assert_eq!(certificate_expiring("app1", &cert(None), 14, now()), None);
    }

    #[test]
    fn the_clock_alone_makes_one_expire() {
        let judge = Certs {
            cluster: "app1".into(),
            days: 14,
        };
        let members = BTreeMap::from([(
            "app/web-tls".to_string(),
            judge.fact(&cert(Some("2026-12-20T00:00:00Z"))),
        )]);
        assert!(judge.judge(&members, now()).is_empty());
        let later = now() + TimeDelta::days(11);
        assert_eq!(judge.judge(&members, later).len(), 1);
    }
}
