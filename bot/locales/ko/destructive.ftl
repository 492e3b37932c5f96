# pod.delete, limits.set, velero.restore, node.kubelet / node.disk / node.prune, k8s.upgrade

## pod.delete (런북 부록)
pod-delete-plan = { $cluster }의 { $namespace } 네임스페이스에서 Pod { $pod }를 삭제합니다 (유예 기간 안에 종료)
pod-delete-plan-force = { $cluster }의 { $namespace } 네임스페이스에서 Pod { $pod }를 즉시 강제 삭제합니다 (유예 기간 0)
pod-delete-done = { $cluster }의 { $namespace } 네임스페이스에서 Pod { $pod }를 삭제했습니다 (노드 { $node }에서 { $phase } 상태였음).
pod-delete-done-force = { $cluster }의 { $namespace } 네임스페이스에서 Pod { $pod }를 유예 기간 0으로 강제 삭제했습니다 (노드 { $node }에서 { $phase } 상태였음).
pod-delete-graceful-note = Pod는 유예 기간 안에 종료되며, 컨트롤러가 있으면 새 Pod를 띄웁니다.

## limits.set (런북 §6.3)
limits-plan = { $cluster }의 { $namespace } 네임스페이스 Deployment { $deployment }의 리소스 제한을 설정합니다: 메모리 { $memory }, CPU { $cpu }
limits-no-deployment = { $cluster }의 { $namespace } 네임스페이스에 Deployment { $deployment }가 없습니다.
limits-no-containers = Deployment { $deployment }에 제한을 설정할 컨테이너가 없습니다.
limits-heading = { $cluster }의 { $namespace } 네임스페이스 Deployment { $deployment }의 리소스 제한
limits-default-container = kubectl.kubernetes.io/default-container 어노테이션이 가리키는 컨테이너 { $container }만 변경했습니다.
limits-all-containers = Pod 템플릿의 컨테이너 { $count }개를 모두 변경했습니다.
limits-request-lowered = 컨테이너 { $container }의 { $resource } 요청({ $old })이 새 제한보다 커서 요청을 { $new }(으)로 낮췄습니다.
limits-rollout-note = Deployment가 새 제한으로 Pod를 다시 배포합니다.
limits-col-container = 컨테이너
limits-col-memory = 메모리 제한
limits-col-cpu = CPU 제한

## velero.restore (런북 §3.2)
restore-gate-backup = { $cluster }에 백업 { $backup }이 있고 Completed 상태인지 확인
restore-gate-backup-ok = 백업 { $backup }은 Completed 상태입니다 (항목 { $items }개 백업됨).
restore-backup-missing = { $cluster }에 Velero 백업 { $backup }이 없습니다.
restore-backup-not-completed = 백업 { $backup }이 Completed가 아니라 { $phase } 상태입니다. 완료된 백업만 복구합니다.
restore-scope-all = 백업 전체
restore-scope-some = 네임스페이스 { $namespaces }
restore-plan-create = { $cluster }에서 백업 { $backup }으로 복구 { $name }을 생성합니다 ({ $scope })
restore-plan-follow = Velero가 복구 { $name }을 끝낼 때까지 지켜봅니다 (최대 { $minutes }분)
restore-created = { $namespace } 네임스페이스에 복구 { $name }을 생성했습니다.
restore-progress = { $phase }: 항목 { $total }개 중 { $done }개 복구됨
restore-phase = { $phase }
restore-deleted = 지켜보던 중에 { $cluster }의 복구 { $name }이 삭제되었습니다.
restore-failed = 복구 { $name }이 { $phase } 상태로 끝났습니다 (오류 { $errors }개, 경고 { $warnings }개): { $why }
restore-field-name = 복구
restore-field-backup = 백업
restore-field-phase = 단계
restore-field-items = 복구된 항목
restore-field-warnings = 경고
restore-field-errors = 오류

## node.kubelet, node.disk (런북 §6.1, §6.2)
node-kubelet-active = { $node }의 kubelet이 실행 중입니다.
node-kubelet-inactive = { $node }의 kubelet이 실행 중이 아닙니다 (systemctl 상태: inactive 또는 failed).
node-kubelet-no-unit = 노드 { $node }에 kubelet 서비스가 없습니다.
node-kubelet-unknown = systemctl이 { $node }의 kubelet 상태를 알려주지 못했습니다 (종료 코드 { $code }).
node-disk-plan-verdict = { $node }에서 사용률이 { $percent }% 이상인 파일시스템을 찾습니다
node-disk-ok = { $node }에 사용률이 { $percent }% 이상인 파일시스템이 없습니다.
node-disk-full = { $node }의 공간이 부족한 파일시스템: { $mounts }. `node prune`으로 쓰지 않는 이미지와 오래된 저널을 지울 수 있습니다.

## k8s.upgrade (런북 §4.1)
upgrade-gate-version = { $cluster }의 현재 버전을 읽고 { $target }이 마이너 버전 한 단계 위인지 확인
upgrade-gate-snapshot = { $hours }시간 이내에 만든 { $cluster }의 etcd 스냅샷이 있는지 확인
upgrade-gate-pdb = { $cluster }에 워커 드레인을 막을 PodDisruptionBudget이 없는지 확인
upgrade-unreadable-version = 버전 { $version }을 읽을 수 없습니다.
upgrade-same-version = 클러스터가 이미 { $version } 버전입니다.
upgrade-downgrade = 다운그레이드는 거부합니다: 클러스터 버전 { $current }가 { $target }보다 높습니다.
upgrade-too-far = { $current }에서 다음 단계는 { $next }입니다. 마이너 버전은 한 단계씩 올려야 하므로 { $target }은 거부합니다.
upgrade-field-apiserver = API 서버
upgrade-field-target = 목표 버전
upgrade-col-node = 노드
upgrade-col-role = 역할
upgrade-col-kubelet = KUBELET
upgrade-col-evicted = 축출한 POD
upgrade-role-control-plane = 컨트롤 플레인
upgrade-role-worker = 워커
upgrade-snapshot-ok = 최신 etcd 스냅샷: { $name } ({ $age } 전).
upgrade-snapshot-old = { $cluster }의 최신 etcd 스냅샷 { $name }은 { $age } 전에 만든 것입니다. 먼저 스냅샷을 만드세요 (`etcd snapshot -c { $cluster }`).
upgrade-snapshot-none = { $dir }에 { $cluster }의 etcd 스냅샷이 없습니다. 먼저 스냅샷을 만드세요 (`etcd snapshot -c { $cluster }`).
upgrade-pdb-ok = PodDisruptionBudget { $budgets }개 중 드레인을 막는 것이 없습니다.
upgrade-pdb-blocking = { $cluster }의 다음 PodDisruptionBudget은 중단을 허용하지 않아 드레인을 막습니다: { $budgets }
upgrade-plan-control-plane = { $cluster }의 첫 번째 컨트롤 플레인을 { $version }(으)로 업그레이드합니다: { $commands }. 나머지 컨트롤 플레인은 kubeadm upgrade node 후 kubelet 재시작
upgrade-plan-workers = 이어서 { $cluster }의 워커를 이름 순서대로: cordon, 드레인 (PodDisruptionBudget이 최대 { $timeout } 동안 막을 수 있음), { $commands }, Ready 대기, uncordon
upgrade-no-control-plane = { $cluster }에 컨트롤 플레인 역할의 노드가 없습니다.
upgrade-stage = { $node }: { $stage }
upgrade-control-plane-done = 컨트롤 플레인 { $node }를 { $version }(으)로 업그레이드했습니다.
upgrade-worker-start = 워커 { $node } ({ $total }개 중 { $index }번째)
upgrade-worker-done = 워커 { $node }를 업그레이드하고 uncordon했습니다 ({ $total }개 중 { $index }번째).
upgrade-cordoned = { $node }를 cordon했습니다.
upgrade-uncordoned = { $node }를 uncordon했습니다.
upgrade-evicted = { $node }에서 { $namespace }/{ $pod }를 축출했습니다.
upgrade-waiting-pdb = PDB { $pdb } 대기 중: { $namespace }/{ $pod }의 축출을 막고 있습니다.
upgrade-waiting-pods = 축출한 Pod { $count }개가 { $node }에서 사라지기를 기다립니다.
upgrade-waiting-ready = { $node }가 Ready가 되기를 기다립니다.
upgrade-drain-blocked = { $after }가 지나도 PodDisruptionBudget { $pdb }이 { $node }에서 { $namespace }/{ $pod }의 축출을 막고 있습니다: { $reason }
upgrade-pods-not-gone = 축출한 Pod가 아직 { $node }에 남아 있습니다: { $pods }
upgrade-state-control-plane = 컨트롤 플레인이 일부만 업그레이드되었을 수 있으니 `kubeadm upgrade plan`으로 확인하세요
upgrade-state-cordoned = { $node }는 cordon 상태로 남아 있습니다
upgrade-state-unchanged = { $node }는 바뀌지 않았습니다
upgrade-stopped = 업그레이드가 { $node }의 { $stage } 단계에서 멈췄습니다. { $state }. 이미 업그레이드된 워커: { $done }. 원인: { $reason }
