//! Runbook §1.2, §5.3 and §6.2 on storage: claims and volumes (`pvc`, `pv`, the Released
//! volumes nobody uses any more) and one pod's volumes with their mount errors (`storage POD`).

pub mod describe;
pub mod pvc;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// `RWO,RWX` as kubectl abbreviates access modes.
pub(crate) fn access_modes(modes: Option<&Vec<String>>) -> String {
    let short: Vec<&str> = modes
        .into_iter()
        .flatten()
        .map(|mode| match mode.as_str() {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect();
    if short.is_empty() {
        "-".into()
    } else {
        short.join(",")
    }
}

/// The `storage` entry of a capacity map (`10Gi`), as the API wrote it.
pub(crate) fn capacity(capacity: Option<&BTreeMap<String, Quantity>>) -> String {
    capacity
        .and_then(|c| c.get("storage"))
        .map_or_else(|| "-".into(), |q| q.0.clone())
}

/// A text field or `-`, so an empty cell reads as "not set" rather than as a rendering slip.
pub(crate) fn or_dash(value: Option<&String>) -> String {
    value
        .filter(|v| !v.is_empty())
        .cloned()
        .unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_modes_are_abbreviated_as_kubectl_does() {
        let modes = vec!["ReadWriteOnce".to_string(), "ReadWriteOncePod".to_string()];
        assert_eq!(access_modes(Some(&modes)), "RWO,RWOP");
        assert_eq!(access_modes(None), "-");
    }

    #[test]
    fn capacity_reads_the_storage_quantity() {
        let map = BTreeMap::from([("storage".to_string(), Quantity("10Gi".into()))]);
        assert_eq!(capacity(Some(&map)), "10Gi");
        assert_eq!(capacity(None), "-");
    }
}
