# Host and runbook operations: multipass VMs, helm, cilium, network checks, disaster recovery
# and the etcd restore (RUNBOOK §3.1, §3.3, §4.2, §4.3, §5.2, §6.1).

## vm.list, vm.restart

vm-list-plan = List the multipass VMs with `multipass list --format json`
vm-list-none = multipass has no VMs.
vm-col-name = VM
vm-col-state = State
vm-col-ipv4 = IPv4
vm-col-release = Release
vm-restart-no-vm = Name the VM to restart.
vm-restart-plan-info = Read the state of { $vm } with `multipass info { $vm } --format json`
vm-restart-done = { $vm } was restarted and is running.
vm-restart-not-running = { $vm } was restarted but is { $state }, not Running.
vm-info-missing = multipass info did not describe { $vm }.
vm-output-unreadable = The output of multipass { $command } could not be read as JSON: { $reason }
vm-output-too-long = multipass printed more than 4 MiB; the output was not read.

## helm.upgrade, helm.rollback (and the programs run against one cluster)

helm-upgrade-plan-program = Run `{ $command }` on the bot's host against cluster { $cluster }
helm-upgrade-no-cluster = Name the cluster with -c.
helm-upgrade-values-unreadable = The values file { $path } cannot be read on the bot's host ({ $reason }), so nothing was run.
helm-release-not-listed = Release { $release } in namespace { $namespace } on { $cluster } is not listed under [[helm.releases]], so the bot neither upgrades nor rolls it back.
helm-chart-not-allowed = Release { $release } may be upgraded only to the charts the configuration lists ({ $allowed }), not to { $chart }.
helm-version-required = Release { $release } may be upgraded only to chart versions { $range }: name one with --version.
helm-version-not-semver = --version { $version } is not one chart version such as 4.11.2.
helm-version-out-of-range = Chart version { $version } is outside { $range }, the versions release { $release } may be upgraded to.
helm-values-no-dir = --values { $path } is refused: no helm.values_dir is configured, so values files are not read.
helm-values-dir-missing = The values directory { $dir } cannot be opened ({ $reason }), so --values is refused.
helm-values-outside = The values file { $path } is outside { $dir }, the only directory values files are read from.
helm-values-changed = The values file { $path } changed after the upgrade was approved (approved SHA-256 { $approved }); nothing was run. Ask for the upgrade again.
helm-values-pinned = Values file { $path }: SHA-256 { $sha256 }, which the approval is bound to
helm-gate-bounds = Release { $release } is listed in the configuration, and chart { $chart }, its version and the values file are within what it allows
helm-gate-revision = Revision { $revision } of release { $release } in namespace { $namespace } on { $cluster } is a chart and version the configuration allows
helm-revision-not-found = Release { $release } has no readable revision { $revision }, so there is nothing to roll back to.
helm-revision-out-of-bounds = Revision { $revision } of release { $release } is chart { $chart }, which the configuration does not allow for this release, so it is not rolled back to.

## cilium.upgrade

cilium-upgrade-gate-newer = The Cilium version running on { $cluster } is older than { $version }
cilium-upgrade-current = Current version
cilium-upgrade-target = Target version
cilium-upgrade-versions = { $cluster } runs Cilium { $current }; the target is { $version }.
cilium-upgrade-no-cluster = Name the cluster with -c.
cilium-upgrade-not-installed = Cluster { $cluster } has no cilium DaemonSet in kube-system.
cilium-upgrade-not-newer = Cluster { $cluster } already runs Cilium { $current }; { $version } is not newer.
cilium-upgrade-unknown-version = The Cilium version of { $cluster } ({ $current }) or the target is not a version number, so the upgrade cannot be checked.

## net.test, net.observe

net-test-no-cluster = Name the cluster with -c.
net-observe-no-cluster = Name the cluster with -c.
net-observe-window = --for must be between 1s and { $max }.

## dr.rebuild

dr-gate-backup = A Completed Velero backup from the last { $days } days exists
dr-backup-found = Latest backup: { $backup } on { $cluster }, completed { $completed }.
dr-backup-too-old = The latest Completed backup, { $backup } on { $cluster }, finished { $completed }: older than { $days } days.
dr-no-completed-backup = Cluster { $cluster } has no Completed Velero backup.
dr-no-velero = No configured cluster runs Velero.
dr-plan-terraform = Stage 1: recreate the VMs with `terraform destroy -auto-approve`, then `terraform apply -auto-approve`
dr-plan-init = Stage 2: run `init-cluster` for each configured cluster, mgmt first
dr-plan-platform = Stage 3: install the platform services with `install-platform`
dr-plan-restore = Stage 4: restore the workloads from the latest Completed Velero backup
dr-running = Running `{ $command }`
dr-ran = `{ $command }` finished.
dr-restore-created = Created restore { $name } from backup { $backup } on { $cluster }
dr-restore-phase = Restore phase: { $phase }
dr-restore-finished = Restore { $name } ended { $phase }.
dr-restore-failed = Restore { $name } ended { $phase }, not Completed.
dr-restore-deleted = Restore { $name } was deleted while it was being followed.

## etcd.restore

restore-etcd-gate-exists = Snapshot { $snapshot } exists in the backup directory of { $cluster }
restore-etcd-gate-verifies = Snapshot { $snapshot } passes its integrity check
restore-etcd-gate-notified = Other admins are notified: this request's approval card is posted to the channel
restore-etcd-missing = Snapshot { $snapshot } is not there: { $path } does not exist.
restore-etcd-corrupt = Snapshot { $snapshot } is damaged: { $reason }
restore-etcd-verified = { $snapshot }: revision { $revision }, { $keys } keys, SHA-256 { $sha256 }.
restore-etcd-no-cluster = Name the cluster with -c.
restore-etcd-plan-find = Find the control-plane node of { $cluster }
restore-etcd-plan-step = Step { $number } on the control-plane node of { $cluster }: `{ $command }`
restore-etcd-plan-api = Wait up to { $seconds } s for the API server of { $cluster } to answer
restore-etcd-control-plane = Control-plane node: { $node }
restore-etcd-no-control-plane = Cluster { $cluster } has no node labelled node-role.kubernetes.io/control-plane.
restore-etcd-many-control-planes = Cluster { $cluster } has several control-plane nodes ({ $nodes }); this restore is for a single-member etcd.
restore-etcd-step = Step { $number } of 6 on { $node }
restore-etcd-api-answers = The API server of { $cluster } answers again (version { $version }).
restore-etcd-plan-one-pod = Steps 2–6 in one pod on the control-plane node of { $cluster }, which keeps running while the API server is down: check the copy of the snapshot against the approved SHA-256, stop the API server, move /var/lib/etcd to /var/lib/etcd-backup-{ $stamp }, restore the snapshot, chown it to etcd, start the API server (a failed step puts the node back as it was)
restore-etcd-plan-same = Check that { $snapshot } is still the file that was approved (its SHA-256)
restore-etcd-not-pinned = No SHA-256 of { $snapshot } was recorded when this restore was approved, so it cannot be checked; nothing was done. Ask for the restore again.
restore-etcd-changed = { $snapshot } is no longer the file that was approved (SHA-256 { $approved }); nothing was done. Ask for the restore again.
restore-etcd-changed-on-node = On { $node }, { $snapshot } is not the file that was approved (its SHA-256 differs); the restore stopped before anything was moved.
restore-etcd-put-back = The restore on { $node } failed, and the API server manifest and the previous etcd data were put back, so the node is as it was before ({ $last }).
restore-etcd-put-back-failed = The restore on { $node } failed and putting the node back failed too ({ $last }); fix /etc/kubernetes/manifests and /var/lib/etcd on the node by hand.
