//! net.observe: runbook §5.2, risk read. The configured `hubble` program, bounded: a single
//! non-following call `hubble observe --namespace NS --since DURATION --last 1000
//! --port-forward --kube-context CONTEXT`, which prints the flows Hubble kept for that window
//! and exits (never `--follow`, so nothing runs past the request). `--for` defaults to 30s
//! and is at most an hour.

use std::time::Duration;

use crate::helm::upgrade::InCluster;
use crate::spec::{Form, Kind};
use crate::{OpError, Operation, Request, Risk, Scope, Spec, Step, args, msg};

pub static SPEC: Spec = Spec {
    id: "net.observe",
    section: "5.2",
    risk: Risk::Read,
    scope: Scope::Namespaced,
    forms: &[Form {
        words: &["net", "observe"],
        args: &[
            args::namespace_required(),
            args::option("for", "for", Kind::Duration),
            args::cluster(false),
        ],
    }],
};

const DEFAULT_WINDOW: Duration = Duration::from_secs(30);
const MAX_WINDOW: Duration = Duration::from_secs(3600);
/// The most flows one call prints.
const LAST: &str = "1000";

pub struct NetObserve;

impl Operation for NetObserve {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let cluster = request
            .cluster()
            .ok_or_else(|| OpError::Failed(msg!("net-observe-no-cluster")))?;
        let namespace = request
            .args
            .text("namespace")
            .ok_or(OpError::MissingFact("namespace"))?;
        let window = request.args.duration("for").unwrap_or(DEFAULT_WINDOW);
        if window.is_zero() || window > MAX_WINDOW {
            return Err(OpError::Failed(msg!("net-observe-window", max = "1h")));
        }
        let since = format!("{}s", window.as_secs().max(1));
        let args = [
            "observe",
            "--namespace",
            namespace,
            "--since",
            since.as_str(),
            "--last",
            LAST,
            "--port-forward",
        ];
        Ok(vec![Box::new(InCluster::new(
            "hubble",
            args,
            cluster,
            "--kube-context",
        ))])
    }
}
