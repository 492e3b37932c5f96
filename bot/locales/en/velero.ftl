# Velero (RUNBOOK 2.2, 2.3): velero backup create / list / describe, velero schedule.

## Plans

velero-backup-plan-create = Create Velero backup { $name } on { $cluster }: { $scope }, kept { $ttl }
velero-backup-plan-follow = Follow backup { $name } until Velero finishes it (at most { $minutes } minutes)
velero-backups-plan-list = List the Velero backups of { $cluster }
velero-backups-plan-describe = Describe Velero backup { $name } on { $cluster }
velero-schedule-plan-create = Create Velero schedule { $name } on { $cluster }: "{ $cron }" (UTC), backups kept { $ttl }
velero-schedules-plan-list = List the Velero schedules of { $cluster }

velero-scope-all = all namespaces
velero-scope-all-except = all namespaces except { $excluded }
velero-scope-some = namespaces { $included }
velero-scope-some-except = namespaces { $included } except { $excluded }

## Progress

velero-backup-created = Backup { $name } created in namespace { $namespace }
velero-backup-phase = { $phase }
velero-backup-progress = { $phase }: items backed up { $done } of { $total }
velero-follow-retrying = Lost the watch on the backup, retrying: { $reason }

## Refusals and failures

velero-no-cluster = Which cluster? Add -c CLUSTER.
velero-all-and-namespaces = Use either --namespaces or --all, not both: --all backs up every namespace (narrow it with --exclude).
velero-not-installed = Velero is not installed on { $cluster }: { $reason }
velero-no-namespace = Velero is not installed on { $cluster }: it has no { $namespace } namespace.
velero-backup-exists = A backup named { $name } already exists on { $cluster }; choose another with --name.
velero-backup-unknown = There is no backup { $name } in namespace { $namespace } on { $cluster }; "velero backup list" shows the backups.
velero-backup-deleted = Backup { $name } on { $cluster } was deleted while it was being followed.
velero-backup-failed = Backup { $name } ended { $phase }: { $why }
velero-why-reason = { $reason }
velero-why-validation = validation errors: { $errors }
velero-why-counts =
    { $errors ->
        [one] 1 error
       *[other] { $errors } errors
    } and { $warnings ->
        [one] 1 warning
       *[other] { $warnings } warnings
    }; Velero's logs of backup { $name } have the details.
velero-schedule-exists = A schedule named { $name } already exists on { $cluster }.

## Lists and fields

velero-backups-none = No Velero backups on { $cluster }.
velero-schedules-none = No Velero schedules on { $cluster }.
velero-col-name = NAME
velero-col-status = STATUS
velero-col-errors = ERRORS
velero-col-warnings = WARNINGS
velero-col-created = CREATED
velero-col-expires = EXPIRES
velero-col-storage-location = STORAGE LOCATION
velero-col-selector = SELECTOR
velero-col-schedule = SCHEDULE
velero-col-last-backup = LAST BACKUP
velero-col-ttl = TTL
velero-col-paused = PAUSED
velero-field-name = Name
velero-field-phase = Phase
velero-field-included = Included namespaces
velero-field-excluded = Excluded namespaces
velero-field-ttl = TTL
velero-field-storage-location = Storage location
velero-field-selector = Label selector
velero-field-items = Items backed up
velero-field-errors = Errors
velero-field-warnings = Warnings
velero-field-created = Created
velero-field-started = Started
velero-field-completed = Completed
velero-field-expires = Expires
velero-field-validation-errors = Validation errors
velero-field-failure-reason = Failure reason
velero-field-schedule = Schedule (cron, UTC)
velero-field-next-run = Next run
velero-items-of = { $done } of { $total }
velero-none = none
velero-never = never
velero-ago = { $age } ago
velero-expired = { $at } (expired)
velero-expired-short = expired
velero-expires-in = { $at } (in { $left })

# get / yaml (RUNBOOK appendix): any resource; Secret data is never shown.

get-plan-namespace = List { $kind } in namespace { $namespace } on { $cluster }
get-plan-all = List { $kind } in every namespace on { $cluster }
get-no-cluster = Which cluster? Add -c CLUSTER.
get-no-kind = Say which kind, e.g. "get pods -n app" or "yaml deploy/web -n app".
get-unknown-kind = { $cluster } serves no resource called "{ $kind }".
get-unknown-kind-suggest = { $cluster } serves no resource called "{ $kind }". Did you mean { $suggestion }?
get-not-listable = { $kind } on { $cluster } cannot be listed.
get-heading = { $kind } on { $cluster }
get-none = No { $kind } found.
get-none-in = No { $kind } in namespace { $namespace }.
get-truncated = Showing { $shown } of { $total }; narrow it with -n.
get-col-namespace = NAMESPACE
get-col-name = NAME
get-col-status = STATUS
get-col-type = TYPE
get-col-data = DATA
get-col-age = AGE
yaml-plan = Show { $kind }/{ $name } in namespace { $namespace } on { $cluster } as YAML
yaml-plan-cluster = Show { $kind }/{ $name } on { $cluster } as YAML
yaml-no-namespace = Say which namespace with -n NAMESPACE.
yaml-not-found = There is no { $kind } "{ $name }" in namespace { $namespace } on { $cluster }.
yaml-not-found-cluster = There is no { $kind } "{ $name }" on { $cluster }.
get-kind-cluster-scoped = { $kind } is not in any namespace on { $cluster }, so -n cannot limit it; ask without -n (that needs a right over every namespace). Nothing was read.
get-kind-namespaced = { $kind } is in namespaces on { $cluster }, but the request was judged as a cluster-wide kind; say the namespace with -n. Nothing was read.

# vault status (RUNBOOK 5.5)

vault-status-plan = Read Vault's seal status (sys/seal-status)
vault-not-configured = Vault is not configured: add a [vault] section with its address to the configuration.
vault-bad-cacert = The Vault CA bundle { $path } cannot be used: { $reason }
vault-field-sealed = Sealed
vault-field-initialized = Initialized
vault-field-seal-type = Seal type
vault-field-shares = Key shares
vault-field-threshold = Key threshold
vault-field-progress = Unseal progress
vault-field-version = Version
vault-field-cluster-name = Cluster name
vault-field-storage-type = Storage type
vault-yes = yes
vault-no = no
vault-none = none
vault-sealed-note = ⚠ Vault is sealed ({ $progress } of { $threshold } key shares entered): run "vault unseal" so the key holders can enter theirs.
vault-not-initialized-note = ⚠ Vault is not initialized: it has no keys to unseal with yet.

# vault.unseal (RUNBOOK 5.5)
vault-unseal-plan = Unseal Vault: ask for each key share privately and send it straight to Vault
vault-unseal-uninitialized = Vault is not initialized; it cannot be unsealed.
vault-unseal-already = Vault is already unsealed; nothing to do.
vault-unseal-ask = Key share { $index } of { $threshold } (not shown, not kept)
vault-unseal-no-share = No key share was given; Vault stays sealed ({ $progress } of { $threshold } shares entered).
vault-unseal-gave-up = Too many refused shares; Vault stays sealed ({ $progress } of { $threshold }).
vault-unseal-share-refused = Vault refused that share; try another.
vault-unseal-progress = Share accepted: { $progress } of { $threshold }.
vault-unseal-field-sealed = sealed
vault-unseal-field-version = version
