//! etcd.snapshots: runbook §2.1, risk read. The snapshots kept for each cluster, each one
//! read back and verified as `etcd snapshot` verifies a new one.

use async_trait::async_trait;
use chrono::Utc;

use super::files;
use super::snapshot::age;
use super::verify::verify_file_async;
use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    Table, args, human_bytes, msg,
};

pub static SPEC: Spec = Spec {
    id: "etcd.snapshots",
    section: "2.1",
    risk: Risk::Read,
    scope: Scope::Cluster,
    forms: &[Form {
        words: &["etcd", "snapshots"],
        args: &[args::cluster(true)],
    }],
};

pub struct EtcdSnapshots;

impl Operation for EtcdSnapshots {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(ListSnapshots {
            clusters: request.clusters.clone(),
        })])
    }
}

/// Lists `backup.dir/CLUSTER/etcd-snapshot-*.db`, newest first, with size, age and the
/// result of verifying each file. A file that fails is shown as failed, not hidden.
pub struct ListSnapshots {
    pub clusters: Vec<String>,
}

#[async_trait]
impl Step for ListSnapshots {
    fn plan(&self) -> Message {
        msg!("etcd-snapshots-plan", clusters = self.clusters.join(", "))
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        let mut table = Table::new(vec![
            msg!("etcd-col-cluster"),
            msg!("etcd-col-file"),
            msg!("etcd-col-size"),
            msg!("etcd-col-age"),
            msg!("etcd-col-revision"),
            msg!("etcd-col-total-keys"),
            msg!("etcd-col-verification"),
        ]);
        let mut empty = Vec::new();
        let now = Utc::now();
        for cluster in &self.clusters {
            let dir = files::cluster_dir(&cx.settings.backup.dir, cluster);
            let found = files::list(&dir)?;
            // A cluster without etcd has no snapshots to speak of, unless some were kept.
            let has_etcd = super::etcd_settings(cx.settings, cluster).is_ok();
            if found.is_empty() && has_etcd {
                empty.push(msg!(
                    "etcd-snapshots-none",
                    cluster = cluster.as_str(),
                    dir = dir.display().to_string()
                ));
            }
            for file in found {
                cx.progress
                    .report(msg!("etcd-snapshots-verifying", file = file.name.as_str()));
                let (revision, keys, verdict) = match verify_file_async(&file.path).await {
                    Ok(v) => (
                        v.revision.to_string(),
                        v.total_keys.to_string(),
                        msg!("etcd-verify-ok"),
                    ),
                    Err(OpError::Verification(reason)) => (
                        "-".into(),
                        "-".into(),
                        msg!("etcd-verify-failed", reason = reason),
                    ),
                    Err(other) => ("-".into(), "-".into(), other.message()),
                };
                table.rows.push(vec![
                    Cell::from(cluster.as_str()),
                    Cell::Text(file.name),
                    Cell::Text(human_bytes(file.size)),
                    Cell::Message(age(now, file.taken)),
                    Cell::Text(revision),
                    Cell::Text(keys),
                    Cell::Message(verdict),
                ]);
            }
        }
        if !table.rows.is_empty() {
            cx.report.push(Block::Table(table));
        }
        for note in empty {
            cx.report.push(Block::Note(note));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use crate::etcd::tests::{flip_byte, settings_for};
    use opsbot_tests::etcd::EtcdServer;

    fn texts(row: &[Cell]) -> Vec<String> {
        row.iter()
            .map(|c| match c {
                Cell::Text(t) => t.clone(),
                Cell::Message(m) => m.to_string(),
            })
            .collect()
    }

    #[tokio::test]
    async fn lists_snapshots_newest_first_and_a_corrupted_one_fails_verification() {
        let etcd = EtcdServer::start();
        etcd.put_keys(50, 64);
        let backup = tempfile::tempdir().expect("backup dir");
        let dir = backup.path().join("mgmt");
        std::fs::create_dir_all(&dir).expect("cluster dir");
        // Snapshots written by etcdctl are listed and verified the same way.
        let now = Utc::now();
        let good_name = files::snapshot_name(now - chrono::Duration::hours(3));
        let bad_name = files::snapshot_name(now - chrono::Duration::days(3));
        let good = dir.join(&good_name);
        let out = etcd.etcdctl(&["snapshot", "save", &good.to_string_lossy()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bad = dir.join(&bad_name);
        std::fs::copy(&good, &bad).expect("copy");
        flip_byte(&bad, 5000);
        std::fs::write(dir.join("notes.txt"), "not a snapshot").expect("unrelated file");

        let settings = settings_for(
            &[
                ("mgmt", Some(&etcd.endpoint())),
                ("app1", Some("http://127.0.0.1:1")),
                ("app2", None),
            ],
            Some(backup.path()),
        );
        let mut cx = RunContext::new(&settings, &NoProgress);
        let step = ListSnapshots {
            clusters: vec!["app1".into(), "app2".into(), "mgmt".into()],
        };
        step.run(&mut cx).await.expect("lists");

        let Block::Table(table) = &cx.report.blocks[0] else {
            panic!("a table: {:?}", cx.report)
        };
        let rows: Vec<Vec<String>> = table.rows.iter().map(|r| texts(r)).collect();
        assert_eq!(rows.len(), 2, "only the two snapshots: {rows:?}");
        let expected = opsbot_tests::etcd::snapshot_status(&good);
        assert_eq!(rows[0][1], good_name);
        assert_eq!(rows[0][3], "etcd-age-hours(hours=3)");
        assert_eq!(rows[0][4], expected.revision.to_string());
        assert_eq!(rows[0][5], expected.total_key.to_string());
        assert_eq!(rows[0][6], "etcd-verify-ok");
        assert_eq!(rows[1][1], bad_name);
        assert!(rows[1][6].starts_with("etcd-verify-failed"), "{rows:?}");
        assert_eq!(rows[1][3], "etcd-age-days(days=3)");
        // app1 has etcd but no snapshots; app2 has neither, so nothing is said of it.
        assert_eq!(cx.report.blocks.len(), 2, "{:?}", cx.report);
        let Block::Note(note) = &cx.report.blocks[1] else {
            panic!("a note for app1")
        };
        assert_eq!(note.id, "etcd-snapshots-none");
        assert_eq!(
            note.get("cluster").map(|c| c.to_string()),
            Some("app1".into())
        );
    }
}
