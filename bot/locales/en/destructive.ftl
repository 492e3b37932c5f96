# pod.delete, limits.set, velero.restore, node.kubelet / node.disk / node.prune, k8s.upgrade

## pod.delete (runbook appendix)
pod-delete-plan = Delete pod { $pod } in { $namespace } on { $cluster }, letting it stop within its grace period
pod-delete-plan-force = Force-delete pod { $pod } in { $namespace } on { $cluster } at once (grace period 0)
pod-delete-done = Deleted pod { $pod } in { $namespace } on { $cluster } (it was { $phase } on node { $node }).
pod-delete-done-force = Force-deleted pod { $pod } in { $namespace } on { $cluster } with grace period 0 (it was { $phase } on node { $node }).
pod-delete-graceful-note = The pod stops within its grace period; its controller, if any, starts a replacement.

## limits.set (runbook §6.3)
limits-plan = Set the limits of deployment { $deployment } in { $namespace } on { $cluster }: memory { $memory }, cpu { $cpu }
limits-no-deployment = There is no deployment { $deployment } in namespace { $namespace } on { $cluster }.
limits-no-containers = Deployment { $deployment } has no containers to set limits on.
limits-heading = Limits of deployment { $deployment } in { $namespace } on { $cluster }
limits-default-container = Only container { $container } was changed: the kubectl.kubernetes.io/default-container annotation names it.
limits-all-containers = All { $count } containers of the pod template were changed.
limits-request-lowered = Container { $container } requested more { $resource } ({ $old }) than the new limit, so its request was lowered to { $new }.
limits-rollout-note = The Deployment rolls its pods out again with the new limits.
limits-col-container = CONTAINER
limits-col-memory = MEMORY LIMIT
limits-col-cpu = CPU LIMIT

## velero.restore (runbook §3.2)
restore-gate-backup = Backup { $backup } on { $cluster } exists and is Completed
restore-gate-backup-ok = Backup { $backup } is Completed ({ $items } items backed up).
restore-backup-missing = There is no Velero backup { $backup } on { $cluster }.
restore-backup-not-completed = Backup { $backup } is { $phase }, not Completed: only a completed backup is restored.
restore-scope-all = everything in the backup
restore-scope-some = namespaces { $namespaces }
restore-plan-create = Create restore { $name } from backup { $backup } on { $cluster } ({ $scope })
restore-plan-follow = Follow restore { $name } until Velero finishes it (at most { $minutes } minutes)
restore-created = Created restore { $name } in namespace { $namespace }.
restore-progress = { $phase }: items restored { $done } of { $total }
restore-phase = { $phase }
restore-deleted = Restore { $name } on { $cluster } was deleted while it was followed.
restore-failed = Restore { $name } ended { $phase } with { $errors } errors and { $warnings } warnings: { $why }
restore-field-name = Restore
restore-field-backup = Backup
restore-field-phase = Phase
restore-field-items = Items restored
restore-field-warnings = Warnings
restore-field-errors = Errors

## node.kubelet, node.disk (runbook §6.1, §6.2)
node-kubelet-active = The kubelet on { $node } is running.
node-kubelet-inactive = The kubelet on { $node } is NOT running (systemctl says inactive or failed).
node-kubelet-no-unit = Node { $node } has no kubelet service.
node-kubelet-unknown = systemctl could not tell the kubelet's state on { $node } (exit code { $code }).
node-disk-plan-verdict = Name the filesystems of { $node } that are { $percent }% full or more
node-disk-ok = No filesystem on { $node } is { $percent }% full or more.
node-disk-full = Filesystems of { $node } running out of space: { $mounts }. `node prune` removes unused images and old journals.

## k8s.upgrade (runbook §4.1)
upgrade-gate-version = Read the current version of { $cluster } and check that { $target } is one minor step ahead
upgrade-gate-snapshot = An etcd snapshot of { $cluster } younger than { $hours } hours exists
upgrade-gate-pdb = No PodDisruptionBudget on { $cluster } would block draining a worker
upgrade-unreadable-version = Cannot read version { $version }.
upgrade-same-version = The cluster already runs { $version }.
upgrade-downgrade = Downgrades are refused: the cluster runs { $current }, lower than { $target }.
upgrade-too-far = From { $current } the next step is { $next }: minor versions are upgraded one at a time, so { $target } is refused.
upgrade-field-apiserver = API server
upgrade-field-target = Target
upgrade-col-node = NODE
upgrade-col-role = ROLE
upgrade-col-kubelet = KUBELET
upgrade-col-evicted = PODS EVICTED
upgrade-role-control-plane = control plane
upgrade-role-worker = worker
upgrade-snapshot-ok = Newest etcd snapshot: { $name }, taken { $age } ago.
upgrade-snapshot-old = The newest etcd snapshot of { $cluster }, { $name }, is { $age } old: take one first (`etcd snapshot -c { $cluster }`).
upgrade-snapshot-none = There is no etcd snapshot of { $cluster } in { $dir }: take one first (`etcd snapshot -c { $cluster }`).
upgrade-pdb-ok = None of the { $budgets } PodDisruptionBudgets blocks a drain.
upgrade-pdb-blocking = These PodDisruptionBudgets on { $cluster } allow no disruption and would block draining: { $budgets }
upgrade-plan-control-plane = On the first control plane of { $cluster }, upgrade to { $version }: { $commands }; on any other, kubeadm upgrade node and a kubelet restart
upgrade-plan-workers = Then each worker of { $cluster } in name order: cordon, drain (a PodDisruptionBudget may block for { $timeout }), { $commands }, wait until Ready, uncordon
upgrade-no-control-plane = No node of { $cluster } carries the control-plane role.
upgrade-stage = { $node }: { $stage }
upgrade-control-plane-done = Control plane { $node } upgraded to { $version }.
upgrade-worker-start = Worker { $node } ({ $index } of { $total })
upgrade-worker-done = Worker { $node } upgraded and uncordoned ({ $index } of { $total }).
upgrade-cordoned = { $node } cordoned.
upgrade-uncordoned = { $node } uncordoned.
upgrade-evicted = Evicted { $namespace }/{ $pod } from { $node }.
upgrade-waiting-pdb = Waiting for PDB { $pdb }: it blocks evicting { $namespace }/{ $pod }.
upgrade-waiting-pods = Waiting for { $count } evicted pods to leave { $node }.
upgrade-waiting-ready = Waiting for { $node } to be Ready.
upgrade-drain-blocked = PodDisruptionBudget { $pdb } still blocked evicting { $namespace }/{ $pod } from { $node } after { $after }: { $reason }
upgrade-pods-not-gone = Evicted pods are still on { $node }: { $pods }
upgrade-state-control-plane = the control plane may be half upgraded; check it with `kubeadm upgrade plan`
upgrade-state-cordoned = { $node } stays cordoned
upgrade-state-unchanged = { $node } is unchanged
upgrade-stopped = The upgrade stopped on { $node } at { $stage }; { $state }. Workers already upgraded: { $done }. Why: { $reason }
