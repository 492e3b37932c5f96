//! etcd.status: runbook §2.1, risk read. Each member's version, DB size, leadership and raft
//! position, for every targeted cluster at once.

use async_trait::async_trait;
use futures_util::future::join_all;

use super::{bounded, connect, etcd_settings, request_error};
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Settings,
    Spec, Step, Table, args, human_bytes, msg,
};

pub static SPEC: Spec = Spec {
    id: "etcd.status",
    section: "2.1",
    risk: Risk::Read,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["etcd", "status"],
        args: &[args::cluster(true)],
    }],
};

pub struct EtcdStatus;

impl Operation for EtcdStatus {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(QueryStatus {
            clusters: request.clusters.clone(),
        })])
    }
}

/// Asks every endpoint of every cluster for its status, concurrently, each within its
/// cluster's timeout. A cluster that cannot answer is a row saying why; the step fails only
/// when no cluster answered at all.
pub struct QueryStatus {
    pub clusters: Vec<String>,
}

/// What one member said of itself.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberStatus {
    pub version: String,
    pub db_size: u64,
    pub member_id: u64,
    pub leader_id: u64,
    pub raft_term: u64,
    pub raft_index: u64,
    /// Alarms and other errors the member reports (`NOSPACE`).
    pub errors: Vec<String>,
}

/// The status of each member, by endpoint: what the step leaves for later steps.
#[derive(Debug, Default)]
pub struct EtcdStatuses(pub Vec<(String, String, Result<MemberStatus, String>)>);

#[async_trait]
impl Step for QueryStatus {
    fn plan(&self) -> Message {
        msg!("etcd-status-plan", clusters = self.clusters.join(", "))
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        if self.clusters.is_empty() {
            cx.report.push(Block::Note(msg!("etcd-no-clusters")));
            return Ok(());
        }
        let answers = join_all(self.clusters.iter().map(|c| cluster_status(cx.settings, c))).await;

        let mut table = Table::new(vec![
            msg!("etcd-col-cluster"),
            msg!("etcd-col-endpoint"),
            msg!("etcd-col-version"),
            msg!("etcd-col-db-size"),
            msg!("etcd-col-leader"),
            msg!("etcd-col-raft-term"),
            msg!("etcd-col-raft-index"),
        ]);
        let mut notes = Vec::new();
        let mut facts = EtcdStatuses::default();
        let mut first_error = None;
        let mut any_answered = false;
        for (cluster, endpoints) in self.clusters.iter().zip(answers) {
            for (endpoint, answer) in endpoints {
                match answer {
                    Ok(member) => {
                        any_answered = true;
                        table.rows.push(member_row(cluster, &endpoint, &member));
                        if !member.errors.is_empty() {
                            notes.push(msg!(
                                "etcd-status-member-errors",
                                cluster = cluster,
                                endpoint = endpoint.as_str(),
                                errors = member.errors.join("; ")
                            ));
                        }
                        facts.0.push((cluster.clone(), endpoint, Ok(member)));
                    }
                    Err(error) => {
                        table.rows.push(error_row(cluster, &endpoint, &error));
                        facts
                            .0
                            .push((cluster.clone(), endpoint, Err(error.to_string())));
                        first_error.get_or_insert(error);
                    }
                }
            }
        }
        if !any_answered && let Some(error) = first_error {
            return Err(error);
        }
        cx.report.push(Block::Table(table));
        for note in notes {
            cx.report.push(Block::Note(note));
        }
        cx.facts.insert(facts);
        Ok(())
    }
}

/// Every endpoint of one cluster, concurrently, each bounded by the cluster's timeout. A
/// cluster without etcd configuration is one answer, under the endpoint `-`.
async fn cluster_status(
    settings: &Settings,
    cluster: &str,
) -> Vec<(String, Result<MemberStatus, OpError>)> {
    let etcd = match etcd_settings(settings, cluster) {
        Ok(etcd) => etcd,
        Err(error) => return vec![("-".to_string(), Err(error))],
    };
    let timeout = etcd.timeout();
    let queries = etcd.endpoints.iter().map(|endpoint| async move {
        let answer = bounded(
            || super::target(cluster, endpoint),
            timeout,
            member_status(cluster, etcd, endpoint),
        )
        .await;
        (endpoint.clone(), answer)
    });
    join_all(queries).await
}

async fn member_status(
    cluster: &str,
    etcd: &crate::EtcdSettings,
    endpoint: &str,
) -> Result<MemberStatus, OpError> {
    let mut client = connect(cluster, etcd, endpoint).await?;
    let status = client
        .status()
        .await
        .map_err(|e| request_error(cluster, endpoint, &e))?;
    Ok(MemberStatus {
        version: status.version().to_string(),
        db_size: u64::try_from(status.db_size()).unwrap_or(0),
        member_id: status.header().map_or(0, |h| h.member_id()),
        leader_id: status.leader(),
        raft_term: status.raft_term(),
        raft_index: status.raft_index(),
        errors: status.errors().to_vec(),
    })
}

fn member_row(cluster: &str, endpoint: &str, member: &MemberStatus) -> Vec<Cell> {
    // Member ids in hex, as etcdctl and etcd's logs print them.
    let leader = if member.leader_id == 0 {
        msg!("etcd-leader-none")
    } else if member.leader_id == member.member_id {
        msg!("etcd-leader-self")
    } else {
        msg!(
            "etcd-leader-other",
            leader = format!("{:x}", member.leader_id)
        )
    };
    vec![
        Cell::from(cluster),
        Cell::from(endpoint),
        Cell::Text(member.version.clone()),
        Cell::Text(human_bytes(member.db_size)),
        Cell::Message(leader),
        Cell::Text(member.raft_term.to_string()),
        Cell::Text(member.raft_index.to_string()),
    ]
}

fn error_row(cluster: &str, endpoint: &str, error: &OpError) -> Vec<Cell> {
    let mut row = vec![
        Cell::from(cluster),
        Cell::from(endpoint),
        Cell::Message(error.message()),
    ];
    row.resize(7, Cell::from("-"));
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use crate::etcd::tests::settings_for;
    use opsbot_tests::etcd::{EtcdServer, free_port};

    fn cell_text(cell: &Cell) -> String {
        match cell {
            Cell::Text(t) => t.clone(),
            Cell::Message(m) => m.to_string(),
        }
    }

    #[tokio::test]
    async fn reports_version_size_leader_and_raft_position_of_a_live_etcd() {
        let etcd = EtcdServer::start();
        etcd.put_keys(10, 100);
        let settings = settings_for(&[("mgmt", Some(&etcd.endpoint()))], None);
        let mut cx = RunContext::new(&settings, &NoProgress);
        let step = QueryStatus {
            clusters: vec!["mgmt".into()],
        };
        step.run(&mut cx).await.expect("status answers");

        let Block::Table(table) = &cx.report.blocks[0] else {
            panic!("a table: {:?}", cx.report)
        };
        assert_eq!(table.columns.len(), 7);
        let row: Vec<String> = table.rows[0].iter().map(cell_text).collect();
        assert_eq!(row[0], "mgmt");
        assert_eq!(row[1], etcd.endpoint());
        assert_eq!(row[2], "3.4.23");
        assert!(
            row[3].ends_with("KiB") || row[3].ends_with("MiB"),
            "{row:?}"
        );
        assert_eq!(row[4], "etcd-leader-self");
        assert!(row[5].parse::<u64>().expect("term") >= 2, "{row:?}");
        assert!(row[6].parse::<u64>().expect("index") > 2, "{row:?}");
    }

    #[tokio::test]
    async fn a_dead_or_unconfigured_cluster_is_a_row_while_the_others_report() {
        let etcd = EtcdServer::start();
        let dead = format!("http://127.0.0.1:{}", free_port());
        let settings = settings_for(
            &[
                ("app1", Some(&dead)),
                ("app2", None),
                ("mgmt", Some(&etcd.endpoint())),
            ],
            None,
        );
        let mut cx = RunContext::new(&settings, &NoProgress);
        let step = QueryStatus {
            clusters: vec!["app1".into(), "app2".into(), "mgmt".into()],
        };
        step.run(&mut cx).await.expect("one cluster answered");

        let Block::Table(table) = &cx.report.blocks[0] else {
            panic!("a table")
        };
        let rows: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(rows[0][2].starts_with("error-unreachable"), "{rows:?}");
        assert!(
            rows[0][2].contains("Connection refused"),
            "etcd's words kept: {rows:?}"
        );
        assert!(rows[1][2].starts_with("error-not-configured"), "{rows:?}");
        assert_eq!(rows[2][2], "3.4.23");
    }

    #[tokio::test]
    async fn fails_with_the_first_error_when_no_cluster_answers() {
        let dead = format!("http://127.0.0.1:{}", free_port());
        let settings = settings_for(&[("app1", Some(&dead)), ("app2", None)], None);
        let mut cx = RunContext::new(&settings, &NoProgress);
        let step = QueryStatus {
            clusters: vec!["app1".into(), "app2".into()],
        };
        let error = step.run(&mut cx).await.expect_err("nobody answered");
        assert!(
            matches!(error, OpError::Unreachable { ref target, .. } if target.contains("app1")),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn speaks_mutual_tls_with_the_configured_pem_files() {
        let etcd = EtcdServer::start_tls();
        let tls = etcd.tls().expect("tls files").clone();
        let mut settings = settings_for(&[("mgmt", Some(&etcd.endpoint()))], None);
        let configure = |settings: &mut crate::Settings, cert: Option<std::path::PathBuf>| {
            let etcd = settings
                .clusters
                .get_mut("mgmt")
                .and_then(|c| c.etcd.as_mut())
                .expect("etcd settings");
            etcd.cacert = Some(tls.ca.clone());
            etcd.cert = cert;
            etcd.key = Some(tls.client_key.clone());
        };
        configure(&mut settings, Some(tls.client_cert.clone()));
        let step = QueryStatus {
            clusters: vec!["mgmt".into()],
        };
        let mut cx = RunContext::new(&settings, &NoProgress);
        step.run(&mut cx).await.expect("status over TLS");
        let Block::Table(table) = &cx.report.blocks[0] else {
            panic!("a table")
        };
        assert_eq!(cell_text(&table.rows[0][2]), "3.4.23");

        // Half an identity is a configuration mistake, said as such.
        configure(&mut settings, None);
        let mut cx = RunContext::new(&settings, &NoProgress);
        let error = step.run(&mut cx).await.expect_err("no cert");
        assert_eq!(error.message().id, "etcd-tls-incomplete");

        // A PEM file that cannot be read is named.
        configure(&mut settings, Some("/nonexistent/client.crt".into()));
        let mut cx = RunContext::new(&settings, &NoProgress);
        let error = step.run(&mut cx).await.expect_err("missing file");
        assert!(
            matches!(&error, OpError::Io { path, .. } if path.ends_with("client.crt")),
            "{error:?}"
        );
    }
}
