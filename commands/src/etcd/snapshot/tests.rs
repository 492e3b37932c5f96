//! Tests of etcd.snapshot against a real etcd, checked with etcdctl.

use std::sync::Mutex;

use super::*;
use crate::etcd::tests::{flip_byte, settings_for};
use crate::{NoProgress, Settings, parse, resolve};
use opsbot_tests::etcd::{EtcdServer, snapshot_status};

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

async fn run_operation<'a>(settings: &'a Settings, line: &str) -> Result<RunContext<'a>, OpError> {
    let Ok(crate::Command::Run(invocation)) = parse(line) else {
        panic!("{line} parses")
    };
    let request = resolve(invocation, settings).expect("resolves");
    let mut cx = RunContext::new(settings, &NoProgress);
    for step in EtcdSnapshot.steps(&request)? {
        step.run(&mut cx).await?;
    }
    Ok(cx)
}

#[tokio::test]
async fn snapshot_is_written_verified_and_agrees_with_etcdctl() {
    let etcd = EtcdServer::start();
    // Enough for branch pages, overflow pages (100 KiB values) and a tombstone.
    etcd.put_keys(3000, 512);
    etcd.put_keys_from(3000, 20, 100 * 1024);
    assert!(etcd.etcdctl(&["del", "key-00000001"]).status.success());
    let backup = tempfile::tempdir().expect("backup dir");
    let settings = settings_for(
        &[("mgmt", Some(&etcd.endpoint())), ("app1", None)],
        Some(backup.path()),
    );
    let cx = run_operation(&settings, "etcd snapshot -c mgmt")
        .await
        .expect("snapshot");

    let dir = backup.path().join("mgmt");
    let names = names_in(&dir);
    assert_eq!(names.len(), 1, "one file, no .part left: {names:?}");
    let name = &names[0];
    assert!(
        files::time_in_name(name).is_some(),
        "etcd-snapshot-YYYYmmdd-HHMMSS.db: {name}"
    );
    let path = dir.join(name);

    let written = cx.facts.require::<WrittenSnapshot>().expect("written");
    let verified = cx.facts.require::<Verified>().expect("verified");
    let reference = snapshot_status(&path);
    assert_eq!(verified.revision, reference.revision);
    assert_eq!(verified.total_keys, reference.total_key);
    assert_eq!(verified.kv_hash, format!("{:x}", reference.hash));
    assert_eq!(verified.db_size, reference.total_size);
    assert!(verified.revision >= written.revision_before && written.revision_before > 1);
    assert_eq!(
        verified.size,
        std::fs::metadata(&path).expect("metadata").len()
    );
    assert_eq!(written.sha256, verified.sha256);

    let Block::Fields(fields) = &cx.report.blocks[0] else {
        panic!("fields: {:?}", cx.report)
    };
    let revision = fields
        .iter()
        .find(|(k, _)| k.id == "etcd-field-revision")
        .map(|(_, v)| v);
    assert_eq!(revision, Some(&Cell::Text(reference.revision.to_string())));
    let Block::Note(note) = &cx.report.blocks[1] else {
        panic!("prune note")
    };
    assert_eq!(note.id, "etcd-prune-none");
}

#[tokio::test]
async fn etcd_down_is_unreachable_and_leaves_no_file() {
    let mut etcd = EtcdServer::start();
    etcd.stop();
    let backup = tempfile::tempdir().expect("backup dir");
    let settings = settings_for(&[("mgmt", Some(&etcd.endpoint()))], Some(backup.path()));
    let mut cx = RunContext::new(&settings, &NoProgress);
    let error = Stream {
        cluster: "mgmt".into(),
    }
    .run(&mut cx)
    .await
    .expect_err("etcd is down");
    let OpError::Unreachable { target, reason } = &error else {
        panic!("{error:?}")
    };
    assert!(target.contains("mgmt"), "{target}");
    assert!(reason.contains("Connection refused"), "{reason}");
    assert_eq!(names_in(&backup.path().join("mgmt")), Vec::<String>::new());
}

#[tokio::test]
async fn a_cluster_without_etcd_is_not_configured() {
    let backup = tempfile::tempdir().expect("backup dir");
    let settings = settings_for(&[("app2", None)], Some(backup.path()));
    let mut cx = RunContext::new(&settings, &NoProgress);
    let error = Stream {
        cluster: "app2".into(),
    }
    .run(&mut cx)
    .await
    .expect_err("no etcd");
    assert!(
        matches!(error, OpError::NotConfigured { what: "etcd", .. }),
        "{error:?}"
    );
}

/// Signals the first progress report, noting the files in `dir` at that moment.
struct Signal {
    dir: std::path::PathBuf,
    tx: Mutex<Option<tokio::sync::oneshot::Sender<Vec<String>>>>,
}
impl Progress for Signal {
    fn report(&self, _: Message) {
        if let Some(tx) = self.tx.lock().expect("lock").take() {
            let _ = tx.send(names_in(&self.dir));
        }
    }
}

#[tokio::test]
async fn an_interrupted_stream_removes_its_partial_file() {
    let etcd = EtcdServer::start_with(&["--quota-backend-bytes=1073741824"]);
    etcd.put_keys(400, 100 * 1024);
    let backup = tempfile::tempdir().expect("backup dir");
    let settings = settings_for(&[("mgmt", Some(&etcd.endpoint()))], Some(backup.path()));
    let dir = backup.path().join("mgmt");
    let (tx, rx) = tokio::sync::oneshot::channel();
    let signal = Signal {
        dir: dir.clone(),
        tx: Mutex::new(Some(tx)),
    };
    let mut cx = RunContext::new(&settings, &signal);
    let step = Stream {
        cluster: "mgmt".into(),
    };
    // The first report comes once the .part file exists; dropping the step then is what
    // a cancelled chat run does.
    tokio::select! {
        result = step.run(&mut cx) => panic!("finished before it could be cancelled: {result:?}"),
        seen = rx => {
            let seen = seen.expect("first report");
            assert!(seen.len() == 1 && seen[0].ends_with(".db.part"), "{seen:?}");
        }
    }
    assert_eq!(names_in(&dir), Vec::<String>::new());
}

#[tokio::test]
async fn a_snapshot_failing_verification_is_deleted() {
    let etcd = EtcdServer::start();
    etcd.put_keys(20, 64);
    let backup = tempfile::tempdir().expect("backup dir");
    let settings = settings_for(&[("mgmt", Some(&etcd.endpoint()))], Some(backup.path()));
    let mut cx = RunContext::new(&settings, &NoProgress);
    Stream {
        cluster: "mgmt".into(),
    }
    .run(&mut cx)
    .await
    .expect("streamed");
    let path = cx
        .facts
        .require::<WrittenSnapshot>()
        .expect("written")
        .path
        .clone();
    flip_byte(&path, 4096 + 100);
    let error = Verify.run(&mut cx).await.expect_err("corrupt");
    assert!(matches!(error, OpError::Verification(_)), "{error:?}");
    assert!(!path.exists());
}

#[tokio::test]
async fn pruning_deletes_only_expired_snapshots_of_that_cluster() {
    let backup = tempfile::tempdir().expect("backup dir");
    let dir = backup.path().join("mgmt");
    let other = backup.path().join("app1");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::create_dir_all(&other).expect("other dir");
    let now = Utc::now();
    let recent = files::snapshot_name(now - chrono::Duration::days(6));
    let old = files::snapshot_name(now - chrono::Duration::days(8));
    for name in [
        &recent,
        &old,
        &"notes.txt".to_string(),
        &format!("{old}.bak"),
    ] {
        std::fs::write(dir.join(name), b"x").expect("file");
    }
    std::fs::write(other.join(&old), b"x").expect("other cluster's");
    // No time in the name: the modification time decides.
    let undated_old = dir.join("etcd-snapshot-manual.db");
    let undated_new = dir.join("etcd-snapshot-today.db");
    for path in [&undated_old, &undated_new] {
        std::fs::write(path, b"x").expect("file");
    }
    let month_ago = std::time::SystemTime::now() - Duration::from_secs(30 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&undated_old)
        .and_then(|f| f.set_modified(month_ago))
        .expect("mtime");

    let settings = settings_for(&[("mgmt", None), ("app1", None)], Some(backup.path()));
    let mut cx = RunContext::new(&settings, &NoProgress);
    PruneExpired {
        cluster: "mgmt".into(),
    }
    .run(&mut cx)
    .await
    .expect("pruned");

    let mut expected = vec![
        format!("{old}.bak"),
        "etcd-snapshot-today.db".into(),
        "notes.txt".into(),
        recent,
    ];
    expected.sort();
    assert_eq!(names_in(&dir), expected);
    assert_eq!(names_in(&other), vec![old.clone()]);
    let Block::Table(table) = &cx.report.blocks[1] else {
        panic!("{:?}", cx.report)
    };
    assert_eq!(table.rows.len(), 2);
}

#[test]
fn ages_use_the_coarsest_useful_unit() {
    let now = Utc::now();
    assert_eq!(
        age(now, now - chrono::Duration::minutes(5)),
        msg!("etcd-age-minutes", minutes = 5i64)
    );
    assert_eq!(
        age(now, now - chrono::Duration::hours(30)),
        msg!("etcd-age-hours", hours = 30i64)
    );
    assert_eq!(
        age(now, now - chrono::Duration::days(8)),
        msg!("etcd-age-days", days = 8i64)
    );
}
