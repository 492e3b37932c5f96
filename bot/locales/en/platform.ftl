# Platform add-ons: cert-manager (RUNBOOK 1.3, 5.4), External Secrets (5.5), Cilium (1.1, 4.3,
# 5.2) and Helm (4.2).

## certs.list

cert-list-plan = Read the cert-manager certificates of { $clusters }
cert-list-plan-within = Read the cert-manager certificates of { $clusters } that expire within { $within }
cert-heading = { $cluster }
cert-manager-missing = cert-manager is not installed on { $cluster } (no Certificate resource).
cert-count =
    { $count ->
        [one] 1 certificate, { $not_ready } not ready.
       *[other] { $count } certificates, { $not_ready } not ready.
    }
cert-count-within = { $count } of { $total } certificates expire within { $within }.
cert-expired = expired
cert-none = No certificates.
cert-col-namespace = namespace
cert-col-name = name
cert-col-ready = ready
cert-col-not-after = not after (UTC)
cert-col-days-left = days left
cert-col-renewal = renewal (UTC)
cert-col-issuer = issuer

## cert.describe

cert-describe-plan = Read certificate { $certificate } in { $namespace } on { $cluster }, its requests and events
cert-describe-heading = Certificate { $namespace }/{ $certificate } on { $cluster }
cert-not-found = There is no certificate "{ $certificate }" in namespace { $namespace } on { $cluster }.
cert-field-ready = Ready
cert-field-dns-names = DNS names
cert-field-common-name = common name
cert-field-secret = secret
cert-field-issuer = issuer
cert-field-not-before = not before (UTC)
cert-field-not-after = not after (UTC)
cert-field-days-left = days left
cert-field-renewal = renewal (UTC)
cert-field-revision = revision
cert-col-type = type
cert-col-status = status
cert-col-reason = reason
cert-col-since = since
cert-col-message = message
cert-col-revision = revision
cert-col-approved = approved
cert-col-age = age
cert-col-last-seen = last seen
cert-col-object = object
cert-requests-heading = CertificateRequests
cert-requests-none = No CertificateRequests for this certificate.
cert-events-heading = Events
cert-events-none = No recent events for this certificate.

## cert.renew

cert-renew-plan-trigger = Ask cert-manager to re-issue { $certificate } in { $namespace } on { $cluster } (the Issuing condition, as cmctl renew sets it)
cert-renew-plan-follow = Follow cert-manager for up to { $seconds } s until the certificate is Ready with a new revision
cert-renew-already-issuing = cert-manager is already issuing this certificate; asking again.
cert-renew-triggered = Re-issue requested (current revision { $revision }).
cert-renew-issuing = Issuing { $status }: { $reason } { $message }
cert-renew-ready-state = Ready { $status } ({ $reason })
cert-renew-no-conditions = cert-manager has not set any condition yet.
cert-renew-done = { $namespace }/{ $certificate } was re-issued and is Ready.
cert-renew-pending = Re-issue of { $namespace }/{ $certificate } requested; cert-manager has not finished yet after { $seconds } s. Follow it with: cert describe { $certificate } -n { $namespace }
cert-renew-failed = cert-manager could not issue { $certificate }: { $reason }

## secrets.sync

secrets-plan = Read the ExternalSecrets of { $clusters }, all namespaces
secrets-plan-namespace = Read the ExternalSecrets in namespace { $namespace } of { $clusters }
secrets-heading = { $cluster }
secrets-missing = External Secrets is not installed on { $cluster } (no ExternalSecret resource).
secrets-none = No ExternalSecrets.
secrets-count = { $not_ready } of { $total } ExternalSecrets not ready.
secrets-ago = { $age } ago
secrets-never = never
secrets-col-namespace = namespace
secrets-col-name = name
secrets-col-store = store
secrets-col-refresh = refresh
secrets-col-ready = ready
secrets-col-reason = reason
secrets-col-last-sync = last sync
secrets-col-message = message

## net.endpoints

net-endpoints-plan = Read the Cilium endpoints of { $clusters }, all namespaces
net-endpoints-plan-namespace = Read the Cilium endpoints in namespace { $namespace } of { $clusters }
net-heading = { $cluster }
net-cilium-missing = Cilium is not installed on { $cluster } (no CiliumEndpoint resource).
net-endpoints-none = No Cilium endpoints.
net-endpoints-count = { $not_ready } of { $total } endpoints not ready.
net-col-namespace = namespace
net-col-name = name
net-col-endpoint-id = endpoint id
net-col-identity-id = identity id
net-col-state = state
net-col-ipv4 = IPv4

## cilium.status

cilium-status-plan = Read the Cilium agents, operator, ClusterMesh and Hubble Relay of { $clusters }
cilium-version-plan = Read the Cilium versions the agents of { $clusters } run
cilium-cluster-failed = { $cluster }: { $reason }
cilium-heading = { $cluster }
cilium-missing = Cilium is not installed on { $cluster } (no kube-system/cilium DaemonSet).
cilium-field-agents = agents
cilium-field-version = version
cilium-field-operator = operator
cilium-field-operator-version = operator version
cilium-field-mesh-apiserver = ClusterMesh API server
cilium-field-mesh-remotes = ClusterMesh remote clusters
cilium-field-hubble-relay = Hubble Relay
cilium-agents-value = { $ready }/{ $desired } ready, { $updated } up to date, { $available } available
cilium-replicas = { $ready }/{ $desired } ready
cilium-not-deployed = not deployed
cilium-not-installed = not installed
cilium-none = none
cilium-agents-not-ready =
    { $count ->
        [one] { $cluster }: 1 Cilium agent is not ready.
       *[other] { $cluster }: { $count } Cilium agents are not ready.
    }
cilium-rollout = { $cluster }: only { $updated } of { $desired } agents run the DaemonSet's current template ({ $version }); a rollout is in progress or stuck.
cilium-col-cluster = cluster
cilium-col-agents-running = agents running
cilium-col-daemonset = DaemonSet version
cilium-col-operator = operator
cilium-versions-mixed = ⚠ { $versions }
cilium-agents-disagree = { $cluster }: the agents disagree ({ $versions }) while the DaemonSet wants { $version }: an upgrade is in progress or stalled.
cilium-clusters-disagree = The clusters run different Cilium versions ({ $versions }); ClusterMesh needs them on the same minor version.

## helm.list

helm-list-plan = Read the Helm releases on { $cluster }, all namespaces
helm-list-plan-namespace = Read the Helm releases in namespace { $namespace } on { $cluster }
helm-history-plan = Read the history of Helm release { $release } in { $namespace } on { $cluster }
helm-list-heading = Helm releases on { $cluster }
helm-list-heading-namespace = Helm releases in { $namespace } on { $cluster }
helm-history-heading = History of { $release } in { $namespace } on { $cluster }
helm-none = No Helm releases.
helm-count =
    { $count ->
        [one] 1 release, { $unsettled } not in state deployed.
       *[other] { $count } releases, { $unsettled } not in state deployed.
    }
helm-release-not-found = There is no Helm release "{ $release }" in namespace { $namespace } on { $cluster }.
helm-undecodable = The release record { $secret } cannot be read: { $reason }
helm-col-name = NAME
helm-col-namespace = NAMESPACE
helm-col-revision = REVISION
helm-col-updated = UPDATED
helm-col-status = STATUS
helm-col-chart = CHART
helm-col-app-version = APP VERSION
helm-col-description = DESCRIPTION
