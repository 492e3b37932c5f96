//! net.test: runbook §5.2, risk write. The configured `cilium` program's
//! `cilium connectivity test --context C`, each line streamed as progress (it creates and
//! removes its own test namespace, hence "write").

use crate::helm::upgrade::InCluster;
use crate::spec::Form;
use crate::{OpError, Operation, Request, Risk, Scope, Spec, Step, args, msg};

pub static SPEC: Spec = Spec {
    id: "net.test",
    section: "5.2",
    risk: Risk::Write,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["net", "test"],
        args: &[args::cluster(false)],
    }],
};

pub struct NetTest;

impl Operation for NetTest {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }

    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        let cluster = request
            .cluster()
            .ok_or_else(|| OpError::Failed(msg!("net-test-no-cluster")))?;
        Ok(vec![Box::new(InCluster::new(
            "cilium",
            ["connectivity", "test"],
            cluster,
            "--context",
        ))])
    }
}
