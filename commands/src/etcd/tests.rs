//! Helpers shared by the etcd operations' tests.

use std::path::Path;

use crate::{BackupSettings, ClusterSettings, EtcdSettings, Settings};

/// Settings with the given clusters (`None`: a cluster without etcd) and backup directory.
pub(crate) fn settings_for(
    clusters: &[(&str, Option<&str>)],
    backup_dir: Option<&Path>,
) -> Settings {
    let clusters = clusters
        .iter()
        .map(|(name, endpoint)| {
            let etcd = endpoint.map(|e| EtcdSettings {
                endpoints: vec![e.to_string()],
                timeout: Some("3s".into()),
                ..EtcdSettings::default()
            });
            (
                name.to_string(),
                ClusterSettings {
                    etcd,
                    ..ClusterSettings::default()
                },
            )
        })
        .collect();
    Settings {
        clusters,
        backup: BackupSettings {
            dir: backup_dir.map_or_else(|| "/nonexistent/opsbot-backups".into(), Path::to_path_buf),
            retention: "7d".into(),
        },
        contacts: Vec::new(),
        vault: None,
        runners: Default::default(),
        helm: Default::default(),
    }
}

/// Corrupts one byte of a file in place.
pub(crate) fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).expect("read file to corrupt");
    bytes[at] ^= 0xff;
    std::fs::write(path, bytes).expect("write corrupted file");
}
