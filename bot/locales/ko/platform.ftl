# 플랫폼 애드온: cert-manager (런북 1.3, 5.4), External Secrets (5.5), Cilium (1.1, 4.3, 5.2),
# Helm (4.2).

## certs.list

cert-list-plan = { $clusters }의 cert-manager 인증서를 조회합니다
cert-list-plan-within = { $clusters }에서 { $within } 이내에 만료되는 cert-manager 인증서를 조회합니다
cert-heading = { $cluster }
cert-manager-missing = { $cluster }에는 cert-manager가 설치되어 있지 않습니다 (Certificate 리소스 없음).
cert-count = 인증서 { $count }개, 그중 { $not_ready }개 준비 안 됨.
cert-count-within = 인증서 { $total }개 중 { $count }개가 { $within } 이내에 만료됩니다.
cert-expired = 만료됨
cert-none = 인증서가 없습니다.
cert-col-namespace = 네임스페이스
cert-col-name = 이름
cert-col-ready = 준비
cert-col-not-after = 만료 일시 (UTC)
cert-col-days-left = 남은 일수
cert-col-renewal = 갱신 예정 (UTC)
cert-col-issuer = 발급자

## cert.describe

cert-describe-plan = { $cluster }의 { $namespace } 네임스페이스에서 인증서 { $certificate }와 요청, 이벤트를 조회합니다
cert-describe-heading = 인증서 { $namespace }/{ $certificate } ({ $cluster })
cert-not-found = { $cluster }의 { $namespace } 네임스페이스에 인증서 "{ $certificate }"이(가) 없습니다.
cert-field-ready = Ready
cert-field-dns-names = DNS 이름
cert-field-common-name = 공통 이름 (CN)
cert-field-secret = 시크릿
cert-field-issuer = 발급자
cert-field-not-before = 유효 시작 (UTC)
cert-field-not-after = 만료 일시 (UTC)
cert-field-days-left = 남은 일수
cert-field-renewal = 갱신 예정 (UTC)
cert-field-revision = 리비전
cert-col-type = 유형
cert-col-status = 상태
cert-col-reason = 사유
cert-col-since = 전환 후
cert-col-message = 메시지
cert-col-revision = 리비전
cert-col-approved = 승인
cert-col-age = 생성 후
cert-col-last-seen = 마지막 발생
cert-col-object = 대상
cert-requests-heading = CertificateRequest
cert-requests-none = 이 인증서의 CertificateRequest가 없습니다.
cert-events-heading = 이벤트
cert-events-none = 이 인증서의 최근 이벤트가 없습니다.

## cert.renew

cert-renew-plan-trigger = { $cluster }의 { $namespace }/{ $certificate } 재발급을 cert-manager에 요청합니다 (cmctl renew와 같이 Issuing 조건 설정)
cert-renew-plan-follow = 인증서가 새 리비전으로 Ready가 될 때까지 최대 { $seconds }초 동안 cert-manager 진행 상황을 확인합니다
cert-renew-already-issuing = cert-manager가 이미 이 인증서를 발급하는 중입니다. 다시 요청합니다.
cert-renew-triggered = 재발급을 요청했습니다 (현재 리비전 { $revision }).
cert-renew-issuing = Issuing { $status }: { $reason } { $message }
cert-renew-ready-state = Ready { $status } ({ $reason })
cert-renew-no-conditions = cert-manager가 아직 조건을 설정하지 않았습니다.
cert-renew-done = { $namespace }/{ $certificate } 재발급이 끝나 Ready 상태입니다.
cert-renew-pending = { $namespace }/{ $certificate } 재발급을 요청했지만 { $seconds }초가 지나도록 cert-manager가 아직 끝내지 못했습니다. 진행 상황은 cert describe { $certificate } -n { $namespace } 로 확인하세요.
cert-renew-failed = cert-manager가 { $certificate } 발급에 실패했습니다: { $reason }

## secrets.sync

secrets-plan = { $clusters }의 모든 네임스페이스에서 ExternalSecret을 조회합니다
secrets-plan-namespace = { $clusters }의 { $namespace } 네임스페이스에서 ExternalSecret을 조회합니다
secrets-heading = { $cluster }
secrets-missing = { $cluster }에는 External Secrets가 설치되어 있지 않습니다 (ExternalSecret 리소스 없음).
secrets-none = ExternalSecret이 없습니다.
secrets-count = ExternalSecret { $total }개 중 { $not_ready }개가 준비되지 않았습니다.
secrets-ago = { $age } 전
secrets-never = 없음
secrets-col-namespace = 네임스페이스
secrets-col-name = 이름
secrets-col-store = 스토어
secrets-col-refresh = 갱신 주기
secrets-col-ready = 준비
secrets-col-reason = 사유
secrets-col-last-sync = 마지막 동기화
secrets-col-message = 메시지

## net.endpoints

net-endpoints-plan = { $clusters }의 모든 네임스페이스에서 Cilium 엔드포인트를 조회합니다
net-endpoints-plan-namespace = { $clusters }의 { $namespace } 네임스페이스에서 Cilium 엔드포인트를 조회합니다
net-heading = { $cluster }
net-cilium-missing = { $cluster }에는 Cilium이 설치되어 있지 않습니다 (CiliumEndpoint 리소스 없음).
net-endpoints-none = Cilium 엔드포인트가 없습니다.
net-endpoints-count = 엔드포인트 { $total }개 중 { $not_ready }개가 ready 상태가 아닙니다.
net-col-namespace = 네임스페이스
net-col-name = 이름
net-col-endpoint-id = 엔드포인트 ID
net-col-identity-id = 아이덴티티 ID
net-col-state = 상태
net-col-ipv4 = IPv4

## cilium.status

cilium-status-plan = { $clusters }의 Cilium 에이전트, 오퍼레이터, ClusterMesh, Hubble Relay 상태를 조회합니다
cilium-version-plan = { $clusters }의 Cilium 에이전트가 실행 중인 버전을 조회합니다
cilium-cluster-failed = { $cluster }: { $reason }
cilium-heading = { $cluster }
cilium-missing = { $cluster }에는 Cilium이 설치되어 있지 않습니다 (kube-system/cilium DaemonSet 없음).
cilium-field-agents = 에이전트
cilium-field-version = 버전
cilium-field-operator = 오퍼레이터
cilium-field-operator-version = 오퍼레이터 버전
cilium-field-mesh-apiserver = ClusterMesh API 서버
cilium-field-mesh-remotes = ClusterMesh 원격 클러스터
cilium-field-hubble-relay = Hubble Relay
cilium-agents-value = { $desired }개 중 { $ready }개 준비, { $updated }개 최신, { $available }개 사용 가능
cilium-replicas = { $desired }개 중 { $ready }개 준비
cilium-not-deployed = 배포 안 됨
cilium-not-installed = 설치 안 됨
cilium-none = 없음
cilium-agents-not-ready = { $cluster }: Cilium 에이전트 { $count }개가 준비되지 않았습니다.
cilium-rollout = { $cluster }: 에이전트 { $desired }개 중 { $updated }개만 DaemonSet의 현재 템플릿({ $version })으로 실행 중입니다. 롤아웃이 진행 중이거나 멈춰 있습니다.
cilium-col-cluster = 클러스터
cilium-col-agents-running = 실행 중인 에이전트
cilium-col-daemonset = DaemonSet 버전
cilium-col-operator = 오퍼레이터
cilium-versions-mixed = ⚠ { $versions }
cilium-agents-disagree = { $cluster }: DaemonSet은 { $version }인데 에이전트 버전이 섞여 있습니다 ({ $versions }). 업그레이드가 진행 중이거나 중간에 멈췄습니다.
cilium-clusters-disagree = 클러스터마다 Cilium 버전이 다릅니다 ({ $versions }). ClusterMesh는 모든 클러스터가 같은 마이너 버전이어야 합니다.

## helm.list

helm-list-plan = { $cluster }의 모든 네임스페이스에서 Helm 릴리스를 조회합니다
helm-list-plan-namespace = { $cluster }의 { $namespace } 네임스페이스에서 Helm 릴리스를 조회합니다
helm-history-plan = { $cluster }의 { $namespace } 네임스페이스에서 Helm 릴리스 { $release }의 이력을 조회합니다
helm-list-heading = { $cluster }의 Helm 릴리스
helm-list-heading-namespace = { $cluster } { $namespace } 네임스페이스의 Helm 릴리스
helm-history-heading = { $release } 이력 ({ $cluster }, { $namespace })
helm-none = Helm 릴리스가 없습니다.
helm-count = 릴리스 { $count }개, 그중 { $unsettled }개는 deployed 상태가 아닙니다.
helm-release-not-found = { $cluster }의 { $namespace } 네임스페이스에 Helm 릴리스 "{ $release }"이(가) 없습니다.
helm-undecodable = 릴리스 기록 { $secret }을(를) 읽을 수 없습니다: { $reason }
helm-col-name = 이름
helm-col-namespace = 네임스페이스
helm-col-revision = 리비전
helm-col-updated = 업데이트
helm-col-status = 상태
helm-col-chart = 차트
helm-col-app-version = 앱 버전
helm-col-description = 설명
