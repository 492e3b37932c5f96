# etcd operations (runbook §2.1): etcd status, etcd snapshot, etcd snapshots.

## Plans: what each step will do, said before it runs.

etcd-status-plan = Ask every etcd member of { $clusters } for its status
etcd-snapshot-plan-stream = Stream a snapshot of { $cluster }'s etcd into the backup directory
etcd-snapshot-plan-verify = Verify the snapshot: etcd's SHA-256, the database, its revision and keys
etcd-snapshot-plan-prune = Delete { $cluster }'s snapshots older than the retention period
etcd-snapshots-plan = List and verify the etcd snapshots kept for { $clusters }

## Progress

etcd-snapshot-started = Taking a snapshot of { $cluster } from { $endpoint } (revision { $revision })
etcd-snapshot-progress = { $received } of { $total } received
etcd-snapshots-verifying = Verifying { $file }

## Table columns

etcd-col-cluster = Cluster
etcd-col-endpoint = Endpoint
etcd-col-version = Version
etcd-col-db-size = DB size
etcd-col-leader = Leader
etcd-col-raft-term = Raft term
etcd-col-raft-index = Raft index
etcd-col-file = File
etcd-col-size = Size
etcd-col-age = Age
etcd-col-revision = Revision
etcd-col-total-keys = Total keys
etcd-col-verification = Verification

## Snapshot report fields

etcd-field-file = File
etcd-field-source = Taken from
etcd-field-size = Size
etcd-field-revision = Revision
etcd-field-total-keys = Total keys
etcd-field-kv-hash = Hash (as etcdctl shows it)
etcd-field-sha256 = SHA-256
etcd-field-embedded-hash = etcd's embedded SHA-256
etcd-field-took = Took

## Values

etcd-leader-self = yes
etcd-leader-other = no (leader { $leader })
etcd-leader-none = no leader
etcd-verify-ok = OK
etcd-verify-failed = failed: { $reason }
etcd-seconds = { $seconds } s
etcd-age-now = just now
etcd-age-minutes =
    { $minutes ->
        [one] 1 minute ago
       *[other] { $minutes } minutes ago
    }
etcd-age-hours =
    { $hours ->
        [one] 1 hour ago
       *[other] { $hours } hours ago
    }
etcd-age-days =
    { $days ->
        [one] 1 day ago
       *[other] { $days } days ago
    }

## Notes

etcd-no-clusters = No cluster is configured.
etcd-status-member-errors = { $cluster } { $endpoint } reports: { $errors }
etcd-prune-none = No snapshot is older than the retention period ({ $retention }).
etcd-prune-deleted =
    { $count ->
        [one] Deleted 1 snapshot older than { $retention }:
       *[other] Deleted { $count } snapshots older than { $retention }:
    }
etcd-snapshots-none = No snapshots of { $cluster } in { $dir }.

## Errors

etcd-snapshot-cut = The snapshot stream ended early: { $received } of { $total } received.
etcd-snapshot-exists = { $path } already exists; try again in a second.
etcd-retention-invalid = backup.retention "{ $value }" is not a duration such as 7d.
etcd-tls-incomplete = clusters.{ $cluster }.etcd sets only one of cert and key; etcd's client TLS needs both.
etcd-endpoint-invalid = The etcd endpoint { $endpoint } of { $cluster } cannot be used: { $reason }
etcd-no-endpoints = { $cluster } has no etcd endpoints configured
