# cluster.top (RUNBOOK 1.2, 6.3)
top-nodes-plan = Read node CPU and memory from metrics-server on { $clusters }
top-pods-plan = Read pod CPU and memory from metrics-server on { $clusters }
top-heading = { $cluster }
top-no-metrics = metrics-server is not installed on { $cluster }.
top-no-samples = metrics-server on { $cluster } has no samples yet.
top-limited = Showing the top { $shown } of { $total }; --limit shows more.
top-col-node = node
top-col-namespace = namespace
top-col-pod = pod
top-col-cpu = CPU
top-col-cpu-percent = CPU %
top-col-memory = memory
top-col-memory-percent = memory %

# events (RUNBOOK 5.1)
events-plan = Read the events of namespace { $namespace } on { $cluster }
events-heading = { $namespace } on { $cluster }
events-none = No events in namespace { $namespace } (the API server keeps them for about an hour).
events-limited = Showing the newest { $shown } of { $total } events.
events-warnings = { $count ->
    [one] 1 warning among them.
   *[other] { $count } warnings among them.
}
events-col-last-seen = last seen
events-col-type = type
events-col-reason = reason
events-col-object = object
events-col-message = message

# pod.describe (RUNBOOK 5.1)
pod-describe-plan = Describe pod { $pod } in { $namespace } on { $cluster }
pod-heading = { $namespace }/{ $pod } on { $cluster }
pod-field-status = Status
pod-field-node = Node
pod-field-ip = IP
pod-field-started = Started
pod-field-reason = Reason
pod-field-message = Message
pod-started-at = { $time } ({ $age } ago)
pod-col-condition = condition
pod-col-status = status
pod-col-reason = reason
pod-col-message = message
pod-col-container = container
pod-col-image = image
pod-col-state = state
pod-col-ready = ready
pod-col-restarts = restarts
pod-col-last-termination = last termination
pod-col-exit-code = exit code
pod-init-container = { $name } (init)
pod-state-running = Running
pod-state-waiting = Waiting ({ $reason })
pod-state-terminated = Terminated ({ $reason }, exit { $code })
pod-state-unknown = not reported yet
pod-ready-yes = yes
pod-ready-no = no
pod-no-events = No events for this pod.

# pod.logs (RUNBOOK 5.1)
pod-logs-plan = Read the logs of pod { $pod } in { $namespace } on { $cluster }
pod-logs-follow-plan = Follow the logs of pod { $pod } in { $namespace } on { $cluster } for { $duration }
pod-logs-heading = { $namespace }/{ $pod } ({ $container }) on { $cluster }
pod-logs-line = { $line }
pod-logs-empty = The log is empty.
pod-logs-cut = Showing the last { $shown } of { $total } lines.
pod-logs-followed = Followed for { $duration } and stopped there.
pod-logs-stream-ended = The log stream ended before { $duration } were up: the container stopped or the pod was deleted.
pod-logs-choose-container = Pod { $pod } has several containers ({ $containers }); pick one with -c.
pod-logs-follow-too-long = --follow can be at most { $max }.

# storage.pvc (RUNBOOK 1.2, 5.3, 6.2)
storage-pvc-plan = Read the persistent volume claims of namespace { $namespace } on { $clusters }
storage-pvc-plan-all = Read the persistent volume claims of every namespace on { $clusters }
storage-pv-plan = Read the persistent volumes of { $clusters }
storage-pv-released-plan = Find the Released persistent volumes of { $clusters }
storage-heading = { $cluster }
storage-no-claims = No persistent volume claims on { $cluster }.
storage-no-volumes = No persistent volumes on { $cluster }.
storage-no-released = No Released volumes on { $cluster }.
storage-released-hint = { $count ->
    [one] 1 volume is Released: its claim is gone, but its data and disk stay until the volume is deleted.
   *[other] { $count } volumes are Released: their claims are gone, but their data and disks stay until the volumes are deleted.
}
storage-col-namespace = namespace
storage-col-name = name
storage-col-status = status
storage-col-volume = volume
storage-col-capacity = capacity
storage-col-access-modes = access modes
storage-col-storage-class = storage class
storage-col-age = age
storage-col-reclaim-policy = reclaim policy
storage-col-claim = claim

# storage.describe (RUNBOOK 5.3)
storage-describe-plan = Read the volumes, claims and mount errors of pod { $pod } in { $namespace } on { $cluster }
storage-pod-heading = { $namespace }/{ $pod } on { $cluster }
storage-pod-no-volumes = This pod has no volumes.
storage-col-volume-name = volume
storage-col-type = type
storage-col-source = source
storage-col-mounted-at = mounted at
storage-claim-absent = not found
storage-claim-missing = Claim { $claim } does not exist, so the pod cannot start until it is created.
storage-claim-not-bound = Claim { $claim } is { $phase }, not Bound: no volume backs it yet.
storage-no-mount-errors = No mount errors reported for this pod.
storage-mount-errors = { $count ->
    [one] 1 mount error:
   *[other] { $count } mount errors:
}

# oom (RUNBOOK 6.3)
oom-plan = Look for memory pressure and OOMKilled containers on { $clusters }
oom-heading = { $cluster }
oom-no-metrics = metrics-server is not installed on { $cluster }, so current memory use is unknown.
oom-heaviest = The { $count } pods using the most memory:
oom-none = No container on { $cluster } was OOMKilled.
oom-killed = { $count ->
    [one] 1 container was OOMKilled:
   *[other] { $count } containers were OOMKilled:
}
oom-ago = { $age } ago
oom-no-limit = no limit
oom-col-namespace = namespace
oom-col-pod = pod
oom-col-container = container
oom-col-memory = memory
oom-col-limit = limit
oom-col-of-limit = of limit
oom-col-finished = killed
oom-col-restarts = restarts
