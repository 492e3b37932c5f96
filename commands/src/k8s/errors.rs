//! kube's errors as sentences: keep the API server's own words (its Status message), and
//! tell "could not reach it" from "it said no".

use crate::{OpError, msg};

/// Maps a kube error for `cluster`.
pub fn kube_error(cluster: &str, error: kube::Error) -> OpError {
    match error {
        kube::Error::Api(status) if status.code == 404 => OpError::Failed(msg!(
            "kube-not-found",
            cluster = cluster,
            reason = status.message.as_str()
        )),
        kube::Error::Api(status) => OpError::Refused {
            target: cluster.to_string(),
            reason: if status.message.is_empty() {
                status.reason.clone()
            } else {
                status.message.clone()
            },
        },
        other => OpError::Unreachable {
            target: cluster.to_string(),
            reason: root_cause(&other),
        },
    }
}

/// `Ok(None)` for a 404, so "absent" can be a normal answer (no metrics-server, no CRD).
pub fn not_found_is_none<T>(result: Result<T, kube::Error>) -> Result<Option<T>, kube::Error> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(None),
        Err(e) => Err(e),
    }
}

/// The innermost error's text: "Connection refused (os error 111)" rather than "service error".
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    let inner = current.to_string();
    let outer = error.to_string();
    if inner == outer {
        outer
    } else {
        format!("{outer}: {inner}")
    }
}
