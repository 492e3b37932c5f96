//! Where a request acts, resolved against the configuration: which clusters `-c` means and
//! which namespaces it touches. The policy judges every pair of them, so nothing here may
//! say less than the operation will do.

use crate::Settings;
use crate::parse::{ParseError, closest};
use crate::request::{Args, Invocation, Namespaces};
use crate::spec::{Kind, Scope};

/// The clusters the invocation acts on, in name order: `all` or a list (only on forms that
/// act on several, which `parse` checked), the one named, or the only one configured.
pub(crate) fn clusters(
    invocation: &Invocation,
    settings: &Settings,
) -> Result<Vec<String>, ParseError> {
    let known: Vec<String> = settings.clusters.keys().cloned().collect();
    let cluster_arg = invocation
        .form
        .args
        .iter()
        .find(|a| matches!(a.kind, Kind::Cluster { .. }));
    let clusters = match (invocation.args.text("cluster"), cluster_arg) {
        (_, None) => Vec::new(),
        (Some("all"), Some(_)) => known.clone(),
        // A list only reaches here on a form that acts on several clusters (`check`).
        (Some(names), Some(_)) => {
            let mut clusters = Vec::new();
            for name in names.split(',') {
                if !settings.clusters.contains_key(name) {
                    return Err(ParseError::UnknownCluster {
                        name: name.to_string(),
                        suggestion: closest(name, known.iter().map(String::as_str)),
                        known,
                    });
                }
                clusters.push(name.to_string());
            }
            clusters.sort();
            clusters.dedup();
            clusters
        }
        // No -c: a global operation that may name a cluster names none; a form that allows
        // `all` means all; otherwise the only cluster there is.
        (None, Some(arg)) => match arg.kind {
            _ if invocation.spec.scope == Scope::Global => Vec::new(),
            Kind::Cluster { all: true } => known.clone(),
            _ if known.len() == 1 => known.clone(),
            _ => return Err(ParseError::ClusterNeeded { known }),
        },
    };
    Ok(clusters)
}

/// Every namespace the invocation acts in, as the policy must judge it.
///
/// A form with a `--namespaces` list (Velero's backup, schedule and restore) acts in each
/// listed namespace, or in all of them when none is listed. A namespaced operation acts in its
/// `-n`, or in every namespace; but a read of a cluster-scoped kind (`get nodes`) is in no
/// namespace at all, whatever `-n` says, so a grant limited to namespaces does not reach it.
pub(crate) fn namespaces(invocation: &Invocation) -> Namespaces {
    let takes_list = invocation
        .form
        .args
        .iter()
        .any(|a| a.name == "namespaces" && a.kind == Kind::Namespaces);
    if takes_list {
        return match invocation.args.list("namespaces") {
            Some(list) => {
                let mut list = list.to_vec();
                list.sort();
                list.dedup();
                Namespaces::Many(list)
            }
            None => Namespaces::All,
        };
    }
    match invocation.spec.scope {
        Scope::Namespaced if names_cluster_scoped_kind(&invocation.args) => {
            Namespaces::NotApplicable
        }
        Scope::Namespaced => match invocation.args.text("namespace") {
            Some(ns) => Namespaces::One(ns.to_string()),
            None => Namespaces::All,
        },
        Scope::Global | Scope::Cluster => Namespaces::NotApplicable,
    }
}

/// `get nodes`, `yaml clusterrole/admin`: the kind typed is one that lives in no namespace.
fn names_cluster_scoped_kind(args: &Args) -> bool {
    let kind = args.text("kind").or_else(|| {
        args.text("resource")
            .map(|r| r.split('/').next().unwrap_or(r))
    });
    kind.is_some_and(crate::resources::is_cluster_scoped)
}
