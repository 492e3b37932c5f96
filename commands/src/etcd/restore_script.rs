//! The script of steps 2–6 of §3.1 that one node pod runs, and what its exit status means.
//!
//! It is a constant: the snapshot, the node, the timestamp, the settle time and the approved
//! SHA-256 reach it as positional arguments (`"$1"`…`"$5"`), never spliced into its text.
//!
//! Before it moves anything it copies the snapshot beside the data dir and compares the
//! copy's SHA-256 with the approved one, then restores from that copy: what etcdctl reads is
//! what was hashed, even if someone rewrites the file in `backup.dir` meanwhile. When a step
//! fails after the API server manifest was moved, it puts the node back as it was (the
//! partial data dir aside, the previous one back, the manifest back, in that order) and its
//! last line says where everything is.

use std::time::Duration;

/// Steps 2–6, with the check before them and the way back after a failure.
pub(super) const RESTORE_SCRIPT: &str = r#"set -u
file="$1"; node="$2"; stamp="$3"; settle="$4"; approved="$5"
manifests=/etc/kubernetes/manifests
aside=/tmp/kube-apiserver.yaml
data=/var/lib/etcd
copy="/var/lib/etcd-snapshot-$stamp.db"
manifest_at="$manifests/kube-apiserver.yaml"
data_at="$data"
moved_manifest=no
moved_data=no

put_back() {
    echo "failed at $1; putting the node back"
    ending=4
    if [ "$moved_data" = yes ]; then
        if [ -e "$data" ] && ! mv "$data" "$data-failed-$stamp"; then
            ending=5
        fi
        if [ "$ending" = 4 ] && mv "$data-backup-$stamp" "$data"; then
            data_at="$data"
        else
            ending=5
        fi
    fi
    if [ "$moved_manifest" = yes ]; then
        if mv "$aside" "$manifests/"; then
            manifest_at="$manifests/kube-apiserver.yaml"
        else
            ending=5
        fi
    fi
    rm -f "$copy"
    echo "node state: API server manifest at $manifest_at, previous etcd data at $data_at"
    exit "$ending"
}

echo "check: copy $file and compare its SHA-256 with the approved one"
if ! cp "$file" "$copy"; then
    rm -f "$copy"
    echo "node state: nothing was moved ($file could not be copied)"
    exit 4
fi
actual=$(sha256sum "$copy" | cut -d ' ' -f 1)
if [ "$actual" != "$approved" ]; then
    rm -f "$copy"
    echo "snapshot changed: SHA-256 $actual, approved $approved; nothing was moved"
    exit 3
fi
file="$copy"
echo "step 2: mv /etc/kubernetes/manifests/kube-apiserver.yaml /tmp/"
mv /etc/kubernetes/manifests/kube-apiserver.yaml /tmp/ || put_back "step 2"
moved_manifest=yes
manifest_at="$aside"
sleep "$settle"
echo "step 3: mv /var/lib/etcd /var/lib/etcd-backup-$stamp"
mv /var/lib/etcd "/var/lib/etcd-backup-$stamp" || put_back "step 3"
moved_data=yes
data_at="$data-backup-$stamp"
echo "step 4: etcdctl snapshot restore $file"
ETCDCTL_API=3 etcdctl snapshot restore "$file" --data-dir=/var/lib/etcd --name="$node" --initial-cluster="$node=https://$node:2380" --initial-advertise-peer-urls="https://$node:2380" || put_back "step 4"
echo "step 5: chown -R etcd:etcd /var/lib/etcd"
chown -R etcd:etcd /var/lib/etcd || put_back "step 5"
echo "step 6: mv /tmp/kube-apiserver.yaml /etc/kubernetes/manifests/"
mv /tmp/kube-apiserver.yaml /etc/kubernetes/manifests/ || put_back "step 6"
rm -f "$copy"
"#;

/// The pod's argument vector: `sh -c SCRIPT etcd-restore FILE NODE STAMP SETTLE SHA256`.
pub(super) fn argv(
    file: &str,
    node: &str,
    stamp: &str,
    settle: Duration,
    sha256: &str,
) -> Vec<String> {
    [
        "sh",
        "-c",
        RESTORE_SCRIPT,
        "etcd-restore",
        file,
        node,
        stamp,
        &settle.as_secs().to_string(),
        sha256,
    ]
    .map(str::to_string)
    .to_vec()
}

/// How the script ended, by its exit status, when it ended on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ending {
    /// 3: the file is not the approved one; nothing was moved.
    SnapshotChanged,
    /// 4: a step failed, and the node is as it was before (or nothing had been moved).
    PutBack,
    /// 5: a step failed and putting the node back failed too; the last line says where
    /// the manifest and the previous data are.
    PutBackFailed,
}

impl Ending {
    pub(super) fn of(exit: i32) -> Option<Ending> {
        match exit {
            3 => Some(Ending::SnapshotChanged),
            4 => Some(Ending::PutBack),
            5 => Some(Ending::PutBackFailed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The script itself, run by `sh` against a node's directories laid out in a temporary
    //! root, with `etcdctl` and `chown` played by small scripts first on `PATH`.

    use std::path::{Path, PathBuf};
    use std::process::Command;

    use sha2::{Digest, Sha256};

    use super::*;

    const MANIFEST: &str = "kind: Pod # the API server\n";

    /// A node in a temporary directory: a manifest in place, an etcd data dir, a snapshot.
    struct Node {
        root: tempfile::TempDir,
        bin: PathBuf,
    }

    impl Node {
        fn new(etcdctl: &str) -> Node {
            let root = tempfile::tempdir().expect("temp root");
            let at = |p: &str| root.path().join(p);
            std::fs::create_dir_all(at("etc/kubernetes/manifests")).expect("manifests");
            std::fs::write(at("etc/kubernetes/manifests/kube-apiserver.yaml"), MANIFEST)
                .expect("manifest");
            std::fs::create_dir_all(at("var/lib/etcd/member")).expect("data");
            std::fs::write(at("var/lib/etcd/member/old"), "old data").expect("old data");
            std::fs::create_dir_all(at("tmp")).expect("tmp");
            std::fs::create_dir_all(at("backups")).expect("backups");
            std::fs::write(at("backups/snap.db"), "approved snapshot").expect("snapshot");
            let bin = at("bin");
            std::fs::create_dir_all(&bin).expect("bin");
            stub(&bin, "etcdctl", etcdctl);
            stub(&bin, "chown", "exit 0");
            Node { root, bin }
        }

        fn path(&self, p: &str) -> PathBuf {
            self.root.path().join(p)
        }

        /// The script with the node's absolute paths moved under the root.
        fn script(&self) -> String {
            let root = self.root.path().display().to_string();
            RESTORE_SCRIPT
                .replace("/tmp/", "@ROOT@/tmp/")
                .replace("/etc/kubernetes", "@ROOT@/etc/kubernetes")
                .replace("/var/lib/etcd", "@ROOT@/var/lib/etcd")
                .replace("@ROOT@", &root)
        }

        /// Runs the script for `snap.db` approved at `sha256`: exit status and output.
        fn restore(&self, sha256: &str) -> (i32, String) {
            let file = self.path("backups/snap.db").display().to_string();
            let mut words = argv(&file, "cp1", "20261126-020000", Duration::ZERO, sha256);
            words[2] = self.script();
            let path = format!(
                "{}:{}",
                self.bin.display(),
                std::env::var("PATH").unwrap_or_default()
            );
            let out = Command::new(&words[0])
                .args(&words[1..])
                .env("PATH", path)
                .output()
                .expect("sh runs");
            let text = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            (out.status.code().unwrap_or(-1), text)
        }

        fn manifest_in_place(&self) -> bool {
            std::fs::read_to_string(self.path("etc/kubernetes/manifests/kube-apiserver.yaml"))
                .is_ok_and(|m| m == MANIFEST)
        }

        fn data(&self) -> Option<String> {
            std::fs::read_to_string(self.path("var/lib/etcd/member/old")).ok()
        }
    }

    fn stub(bin: &Path, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("stub");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    fn sha256(text: &str) -> String {
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    /// etcdctl that writes a new data dir (`--data-dir=DIR` is its 4th argument on).
    const RESTORES: &str = r#"for a in "$@"; do case "$a" in --data-dir=*) d="${a#--data-dir=}";; esac; done
mkdir -p "$d/member" && echo restored > "$d/member/new""#;

    #[test]
    fn an_approved_snapshot_is_restored_and_the_manifest_goes_back() {
        let node = Node::new(RESTORES);
        let (exit, out) = node.restore(&sha256("approved snapshot"));
        assert_eq!(exit, 0, "{out}");
        assert!(node.manifest_in_place(), "{out}");
        assert!(node.path("var/lib/etcd/member/new").exists(), "{out}");
        assert_eq!(
            std::fs::read_to_string(node.path("var/lib/etcd-backup-20261126-020000/member/old"))
                .ok()
                .as_deref(),
            Some("old data")
        );
        assert!(
            !node
                .path("var/lib/etcd-snapshot-20261126-020000.db")
                .exists(),
            "the copy is removed"
        );
    }

    /// Issue 11, point 10: a snapshot swapped after approval (same path, other content) is
    /// refused on the node before anything is moved.
    #[test]
    fn a_snapshot_other_than_the_approved_one_stops_before_anything_moves() {
        let node = Node::new(RESTORES);
        std::fs::write(node.path("backups/snap.db"), "a different snapshot").expect("swap");
        let (exit, out) = node.restore(&sha256("approved snapshot"));
        assert_eq!(Ending::of(exit), Some(Ending::SnapshotChanged), "{out}");
        assert!(node.manifest_in_place(), "{out}");
        assert_eq!(node.data().as_deref(), Some("old data"), "{out}");
        assert!(!out.contains("step 2"), "{out}");
        assert!(
            !node
                .path("var/lib/etcd-snapshot-20261126-020000.db")
                .exists()
        );
    }

    /// Issue 11, point 10: a failing `etcdctl snapshot restore` used to leave the API server
    /// manifest in /tmp and the data dir moved away; now both are put back.
    #[test]
    fn a_failing_restore_puts_the_manifest_and_the_old_data_back() {
        let node = Node::new("echo 'Error: snapshot file has wrong size'; exit 1");
        let (exit, out) = node.restore(&sha256("approved snapshot"));
        assert_eq!(Ending::of(exit), Some(Ending::PutBack), "{out}");
        assert!(node.manifest_in_place(), "{out}");
        assert!(!node.path("tmp/kube-apiserver.yaml").exists(), "{out}");
        assert_eq!(node.data().as_deref(), Some("old data"), "{out}");
        let last = out.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("node state: API server manifest at "),
            "{out}"
        );
        assert!(last.contains("manifests/kube-apiserver.yaml"), "{out}");
    }

    #[test]
    fn a_restore_that_leaves_a_partial_data_dir_sets_it_aside() {
        let node = Node::new(&format!("{RESTORES}\nexit 1"));
        let (exit, out) = node.restore(&sha256("approved snapshot"));
        assert_eq!(Ending::of(exit), Some(Ending::PutBack), "{out}");
        assert_eq!(node.data().as_deref(), Some("old data"), "{out}");
        assert!(
            node.path("var/lib/etcd-failed-20261126-020000/member/new")
                .exists(),
            "{out}"
        );
        assert!(node.manifest_in_place(), "{out}");
    }

    #[test]
    fn the_values_are_arguments_and_the_script_never_holds_them() {
        let words = argv("/b/s.db", "cp1", "x", Duration::from_secs(10), "abc");
        assert_eq!(
            words[3..],
            ["etcd-restore", "/b/s.db", "cp1", "x", "10", "abc"]
        );
        assert!(!words[2].contains("/b/s.db") && !words[2].contains("abc"));
    }
}
