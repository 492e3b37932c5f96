//! Upgrades of runbook §4: Kubernetes itself ([`k8s`]); its pre-checklist is in [`gates`] and
//! the drain of each worker in [`drain`].

pub mod drain;
pub mod gates;
pub mod k8s;

use std::fmt;

use k8s_openapi::api::core::v1::Node;

/// The label kubeadm puts on control-plane nodes.
pub(crate) const CONTROL_PLANE_LABEL: &str = "node-role.kubernetes.io/control-plane";

pub(crate) fn is_control_plane(node: &Node) -> bool {
    node.metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key(CONTROL_PLANE_LABEL))
}

/// A Kubernetes release, `1.35.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    /// `1.35.1`, `v1.35.1`, or what an API server says (`v1.34.2+k3s1`, `v1.34.2-eks-1`).
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim().strip_prefix('v').unwrap_or(text.trim());
        let mut parts = text.splitn(3, '.');
        let number = |s: &str| -> Option<u64> {
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        let major = number(parts.next()?)?;
        let minor = number(parts.next()?)?;
        let patch = parts.next().map_or(Some(0), number)?;
        Some(Version {
            major,
            minor,
            patch,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_as_typed_and_as_servers_say_them() {
        let v = |t| Version::parse(t).map(|v| v.to_string());
        assert_eq!(v("1.35.1").as_deref(), Some("1.35.1"));
        assert_eq!(v("v1.34.2").as_deref(), Some("1.34.2"));
        assert_eq!(v("v1.34.2+k3s1").as_deref(), Some("1.34.2"));
        assert_eq!(v("x1.2"), None);
    }
}
