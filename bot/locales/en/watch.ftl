# Watchers (issue 7): one line for each condition a cluster watcher reports.

## Nodes

watch-node-not-ready = Node { $node } on { $cluster } is not Ready ({ $reason })
watch-node-disk-pressure = Node { $node } on { $cluster } is under disk pressure
watch-node-memory-pressure = Node { $node } on { $cluster } is under memory pressure

## Pods

watch-pod-crash-loop = Pod { $pod } in { $namespace } on { $cluster } is in CrashLoopBackOff (containers: { $containers })
watch-pod-oom-killed = Pod { $pod } in { $namespace } on { $cluster } was OOMKilled (containers: { $containers })

## Certificates

watch-certificate-expiring = Certificate { $certificate } in { $namespace } on { $cluster } expires in { $days ->
        [one] { $days } day
       *[other] { $days } days
    } ({ $date })
watch-certificate-expired = Certificate { $certificate } in { $namespace } on { $cluster } expired on { $date }

## Velero

watch-velero-backup-failed = Velero backup { $backup } of schedule { $schedule } on { $cluster } ended { $phase }
watch-velero-manual-backup-failed = Velero backup { $backup } on { $cluster } ended { $phase }

## etcd

watch-etcd-unreachable = etcd of { $cluster } does not answer: { $reason }
watch-velero-schedule-failed = Velero schedule { $schedule } on { $cluster } was refused and makes no backups: { $reason }
