# The engine, the shell and the command line.

run-started = { $operation } on { $clusters } (request { $request })
run-step-done = done in { $seconds } s
run-started-global = { $operation } (request { $request })
run-succeeded = done in { $seconds } s (request { $request })
run-failed = failed after { $seconds } s (request { $request }): { $reason }

engine-audit-unavailable = The audit log cannot be written, so nothing was run: { $reason }
engine-destructive-unguarded = { $operation } is destructive and no approval rule in the policy covers it, so it cannot run.
engine-not-available = { $operation } is not available yet in this version of opsbot; nothing was run.
engine-approval-not-yet = { $operation } needs approval by { $approvers } of: { $roles }. Approvals are not available yet in this version, so nothing was run.
engine-action-stale = This button is no longer valid; nothing was changed.
engine-reason-required = { $operation } needs a reason: add --reason "why".

policy-denied-by-rule = { $subject } may not run { $operation } on { $cluster }: denied by { $rule }.
policy-denied-default = { $subject } may not run { $operation } on { $cluster }: no rule of the policy allows it.
policy-problem = { $reason }
policy-syntax = the policy is not valid TOML at { $at }
policy-unknown-role = no role named "{ $role }" is defined under [roles]
policy-bad-subject = "{ $subject }" is not a subject: write PLATFORM:ID (slack, discord, shell, slack-group, discord-role) or "*"

risk-read = read
risk-write = write
risk-destructive = destructive

help-title = opsbot commands
help-col-command = command
help-col-risk = risk
help-col-summary = what it does
help-not-yet = (not yet) { $summary }
help-footer = Any command may carry --reason "…". Type help COMMAND for one command.
help-operation = { $id }
help-field-summary = summary
help-field-risk = risk
help-field-section = runbook section
help-field-status = status
help-field-usage = usage
help-status-available = available
help-status-not-yet = not available yet

check-config-ok = { $path } is valid: { $clusters } clusters, { $contacts } contacts.
check-config-failed = { $count } problems found.
can-i-allow = yes: { $subject } may run { $operation }.
can-i-needs-approval = yes, with approval: { $subject } may run { $operation } once { $approvers } of { $roles } approve.
can-i-deny-explicit = no: { $subject } is explicitly denied { $operation }.
can-i-deny-default = no: no rule allows { $subject } to run { $operation }.
can-i-rule = rule: { $rule }
can-i-unknown-operation = Unknown operation id "{ $operation }"; `help` lists them.
audit-intact = The audit log is intact: { $records } records.
audit-broken = The audit log has been tampered with at record { $seq }: { $reason }
audit-break-gap = record { $expected } is missing or out of order
audit-break-link = it does not follow the record before it
audit-break-content = its content does not match its hash
audit-break-truncated = records up to { $head } existed and were removed
store-open-failed = The state database cannot be used: { $reason }
shell-bad-name = "{ $name }" is not a valid shell user name: use lowercase letters, digits and '-'.
shell-input-failed = Reading the input failed: { $reason }

# Bad input: one sentence each.
parse-empty = Type a command, or help.
parse-quoting = A quote is not closed.
parse-unknown-command = Unknown command "{ $typed }"; type help for the list.
parse-unknown-command-suggest = Unknown command "{ $typed }". Did you mean "{ $suggestion }"?
parse-unknown-option = Unknown option { $option }. Usage: { $usage }
parse-unknown-option-suggest = Unknown option { $option }; did you mean { $suggestion }? Usage: { $usage }
parse-missing-value = { $option } needs a value. Usage: { $usage }
parse-missing-argument = { $name } is missing. Usage: { $usage }
parse-unexpected-argument = Unexpected "{ $value }". Usage: { $usage }
parse-repeated = { $name } is given twice.
parse-conflict = { $first } and { $second } cannot be used together.
parse-bad-value = "{ $value }" is not a valid { $name }: it { $problem }.
parse-unknown-cluster = Unknown cluster "{ $name }"; known clusters: { $known }.
parse-unknown-cluster-suggest = Unknown cluster "{ $name }". Did you mean "{ $suggestion }"? Known clusters: { $known }.
parse-cluster-needed = Which cluster? Add -c { $known }.
parse-unknown-situation = Unknown situation "{ $name }"; the contacts table has: { $known }.
problem-dns-label = must be 1 to { $max } lowercase letters, digits or '-', starting and ending with a letter or digit
problem-dns-subdomain = must be lowercase letters, digits, '-' or '.', each part starting and ending with a letter or digit
problem-duration = must be a duration such as 30s, 5m, 168h or 7d
problem-version = must be a version such as 1.35.1
problem-cron = must be a five-field cron expression such as "0 2 * * *" ({ $detail })
problem-quantity = must be a quantity such as 1Gi or 500m
problem-count = must be a whole number from { $min } to { $max }
problem-choice = must be one of { $choices }
problem-snapshot-file = must be a snapshot file name such as etcd-snapshot-20261126-020000.db
problem-empty = must not be empty

# Operation failures.
error-not-configured = Cluster { $cluster } has no { $what } configured.
error-unreachable = { $target } is unreachable: { $reason }
error-refused = { $target } refused: { $reason }
error-timeout = { $what } did not finish within { $after }.
error-io = { $path }: { $reason }
error-verification = Verification failed: { $reason }
error-internal = Internal error ({ $detail }); this is a bug in opsbot.

# Configuration problems (check-config).
config-unreadable = cannot read { $path }: { $reason }
config-syntax = the file cannot be read as TOML: { $reason }
config-unknown-key = unknown key
config-missing-key = required key is missing
config-missing-secret = secret is missing or empty
config-bad-value = wrong type or value: { $reason }
config-bad-locale = locale must be ko or en, not "{ $value }"
config-bad-address = "{ $value }" is not an address such as 127.0.0.1:8080
config-no-directory = the directory { $path } does not exist
config-bad-duration = "{ $value }" is not a duration such as 30s, 5m or 7d
config-bad-cluster-name = cluster names must be lowercase letters, digits and '-'
config-cluster-empty = the cluster has neither a kubeconfig context nor etcd endpoints
config-bad-endpoint = "{ $value }" is not an endpoint such as https://10.0.0.10:2379
config-bad-situation = "{ $value }" is not a situation name such as cluster-failure
config-duplicate-situation = situation "{ $value }" appears twice
config-bad-context = the kubeconfig does not work for this context: { $reason }
config-bad-url = "{ $value }" is not a URL such as https://vault.mgmt:8200
config-not-executable = { $path } is not an executable file
config-unknown-cluster = unknown cluster "{ $value }" (not under [clusters] in the configuration)
config-unknown-operation = "{ $value }" names no operation (see help for the ids)

# contacts (RUNBOOK 6.4)
contacts-plan = Read the emergency contacts table
contacts-empty = The contacts table is empty: add [[contacts]] to the configuration.
contacts-col-situation = situation
contacts-col-team = team
contacts-col-chat = chat
contacts-col-pagers = pagers
situation-cluster-failure = cluster failure
situation-security-incident = security incident
situation-external-outage = external service outage
situation-custom = { $name }

# Kubernetes, shared by the cluster operations.
kube-kubeconfig = The kubeconfig for cluster { $cluster } cannot be used: { $reason }
kube-cluster-failed = { $cluster }: { $reason }
kube-not-found = { $cluster }: { $reason }
kube-no-namespace = Namespace "{ $namespace }" does not exist on cluster { $cluster }.

# Approvals.
approval-usage-approve = Usage: approve ID (pending lists the ids).
approval-usage-deny = Usage: deny ID REASON: a denial needs a reason.
approval-col-id = id
approval-col-operation = request
approval-col-requester = requested by
approval-col-reason = reason
approval-col-approvals = approvals
approval-col-expires = expires
approval-none-pending = No request is waiting for approval.
approval-unknown = There is no request { $id }; pending lists the open ones.
approval-expired = Request { $id } expired before it was approved; nothing was run.
approval-not-pending = Request { $id } can no longer be approved: it is { $state }.
approval-own-request = You cannot approve your own request { $id }; another person must.
approval-not-approver = You may not approve request { $id }: approvers need one of the roles { $roles }.
approval-already-voted = You have already approved request { $id }.
approval-recorded = Your approval of { $id } is recorded: { $votes } of { $needed }.
approval-already-approved = Request { $id } already has its approvals; it runs once.
approval-changed = Request { $id } changed since it was asked for, so its approvals no longer count; ask again.
approval-requester-lost-right = { $requester } may no longer run request { $id }, so it will not run.
approval-gate-failed = The checklist for { $operation } failed, so nobody was asked to approve it: { $reason }
approval-denied-by-button = denied from the approval card
approval-card-pending = Request { $id }: { $operation } by { $requester } waits for approval ({ $votes } of { $needed }, from: { $roles }).
approval-card-running = Request { $id } approved by { $approvers }: running.
approval-card-succeeded = Request { $id } approved by { $approvers }: done.
approval-card-failed = Request { $id } ran and failed.
approval-card-denied = Request { $id } denied by { $by }: { $reason }
approval-card-expired = Request { $id } expired without approval.
approval-card-invalidated = Request { $id } was invalidated: { $reason }
approval-card-interrupted = Request { $id } was interrupted mid-run and will not be re-run.
approval-card-command = command: { $line }
approval-card-reason = reason: { $reason }
approval-card-actions = approve { $id } | deny { $id } REASON (expires { $expires })
run-interrupted = ⚠ { $operation } (request { $request }, by { $subject }, started { $started }) was interrupted when its process stopped; it was not re-run.
incidents-not-configured = Paging is not set up here: there is no contacts table or no way to deliver pages.
