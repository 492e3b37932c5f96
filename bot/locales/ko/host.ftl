# 호스트와 런북 작업: multipass VM, helm, cilium, 네트워크 점검, 재해 복구, etcd 복구
# (런북 §3.1, §3.3, §4.2, §4.3, §5.2, §6.1).

## vm.list, vm.restart

vm-list-plan = `multipass list --format json`으로 multipass VM 목록 조회
vm-list-none = multipass에 VM이 없습니다.
vm-col-name = VM
vm-col-state = 상태
vm-col-ipv4 = IPv4
vm-col-release = 릴리스
vm-restart-no-vm = 재시작할 VM 이름을 지정하세요.
vm-restart-plan-info = `multipass info { $vm } --format json`으로 { $vm } 상태 확인
vm-restart-done = { $vm }을(를) 재시작했고 실행 중입니다.
vm-restart-not-running = { $vm }을(를) 재시작했지만 Running이 아니라 { $state } 상태입니다.
vm-info-missing = multipass info 결과에 { $vm } 정보가 없습니다.
vm-output-unreadable = multipass { $command } 출력을 JSON으로 읽을 수 없습니다: { $reason }
vm-output-too-long = multipass 출력이 4 MiB를 넘어 읽지 않았습니다.

## helm.upgrade, helm.rollback (그리고 클러스터 하나를 대상으로 하는 프로그램)

helm-upgrade-plan-program = 봇 호스트에서 클러스터 { $cluster } 대상으로 `{ $command }` 실행
helm-upgrade-no-cluster = -c로 클러스터를 지정하세요.
helm-upgrade-values-unreadable = 봇 호스트에서 values 파일 { $path }을(를) 읽을 수 없어({ $reason }) 아무것도 실행하지 않았습니다.
helm-release-not-listed = { $cluster }의 네임스페이스 { $namespace } 릴리스 { $release }은(는) [[helm.releases]]에 없으므로 봇이 업그레이드하거나 롤백하지 않습니다.
helm-chart-not-allowed = 릴리스 { $release }은(는) 설정에 있는 차트({ $allowed })로만 업그레이드할 수 있으며 { $chart }(으)로는 할 수 없습니다.
helm-version-required = 릴리스 { $release }은(는) 차트 버전 { $range }(으)로만 업그레이드할 수 있습니다. --version으로 버전을 지정하세요.
helm-version-not-semver = --version { $version }은(는) 4.11.2 같은 차트 버전 하나가 아닙니다.
helm-version-out-of-range = 차트 버전 { $version }은(는) 릴리스 { $release }에 허용된 버전 범위 { $range }을(를) 벗어납니다.
helm-values-no-dir = helm.values_dir가 설정되지 않아 values 파일을 읽지 않으므로 --values { $path }을(를) 거부합니다.
helm-values-dir-missing = values 디렉터리 { $dir }을(를) 열 수 없어({ $reason }) --values를 거부합니다.
helm-values-outside = values 파일 { $path }은(는) values 파일을 읽는 유일한 디렉터리 { $dir } 밖에 있습니다.
helm-values-changed = 업그레이드 승인 후 values 파일 { $path }이(가) 바뀌어(승인된 SHA-256 { $approved }) 아무것도 실행하지 않았습니다. 업그레이드를 다시 요청하세요.
helm-values-pinned = values 파일 { $path }: SHA-256 { $sha256 } (승인이 이 값에 묶임)
helm-gate-bounds = 릴리스 { $release }이(가) 설정에 있고, 차트 { $chart }와 그 버전, values 파일이 설정이 허용하는 범위 안에 있음
helm-gate-revision = { $cluster }의 네임스페이스 { $namespace } 릴리스 { $release }의 리비전 { $revision }이(가) 설정이 허용하는 차트와 버전임
helm-revision-not-found = 릴리스 { $release }에 읽을 수 있는 리비전 { $revision }이(가) 없어 롤백할 대상이 없습니다.
helm-revision-out-of-bounds = 릴리스 { $release }의 리비전 { $revision }은(는) 설정이 이 릴리스에 허용하지 않는 차트 { $chart }이므로 그 리비전으로 롤백하지 않습니다.

## cilium.upgrade

cilium-upgrade-gate-newer = { $cluster }에서 실행 중인 Cilium 버전이 { $version }보다 낮음
cilium-upgrade-current = 현재 버전
cilium-upgrade-target = 목표 버전
cilium-upgrade-versions = { $cluster }는 Cilium { $current }을(를) 실행 중이며 목표 버전은 { $version }입니다.
cilium-upgrade-no-cluster = -c로 클러스터를 지정하세요.
cilium-upgrade-not-installed = 클러스터 { $cluster }의 kube-system에 cilium DaemonSet이 없습니다.
cilium-upgrade-not-newer = 클러스터 { $cluster }는 이미 Cilium { $current }을(를) 실행 중이며, { $version }은(는) 더 새 버전이 아닙니다.
cilium-upgrade-unknown-version = { $cluster }의 Cilium 버전({ $current }) 또는 목표 버전이 버전 번호가 아니어서 업그레이드를 확인할 수 없습니다.

## net.test, net.observe

net-test-no-cluster = -c로 클러스터를 지정하세요.
net-observe-no-cluster = -c로 클러스터를 지정하세요.
net-observe-window = --for는 1s 이상 { $max } 이하여야 합니다.

## dr.rebuild

dr-gate-backup = 최근 { $days }일 이내에 완료된(Completed) Velero 백업 존재
dr-backup-found = 최신 백업: { $cluster }의 { $backup }, { $completed } 완료.
dr-backup-too-old = 가장 최근에 완료된 백업인 { $cluster }의 { $backup }은(는) { $completed }에 끝나 { $days }일보다 오래되었습니다.
dr-no-completed-backup = 클러스터 { $cluster }에 완료된(Completed) Velero 백업이 없습니다.
dr-no-velero = 설정된 클러스터 중 Velero가 설치된 곳이 없습니다.
dr-plan-terraform = 1단계: `terraform destroy -auto-approve` 후 `terraform apply -auto-approve`로 VM 재생성
dr-plan-init = 2단계: 설정된 클러스터마다 `init-cluster` 실행 (mgmt 먼저)
dr-plan-platform = 3단계: `install-platform`으로 플랫폼 서비스 설치
dr-plan-restore = 4단계: 가장 최근에 완료된 Velero 백업으로 워크로드 복구
dr-running = `{ $command }` 실행 중
dr-ran = `{ $command }` 완료.
dr-restore-created = { $cluster }에서 백업 { $backup }으로 복구 { $name } 생성
dr-restore-phase = 복구 단계: { $phase }
dr-restore-finished = 복구 { $name }이(가) { $phase } 상태로 끝났습니다.
dr-restore-failed = 복구 { $name }이(가) Completed가 아닌 { $phase } 상태로 끝났습니다.
dr-restore-deleted = 복구 { $name }을(를) 지켜보는 동안 삭제되었습니다.

## etcd.restore

restore-etcd-gate-exists = { $cluster } 백업 디렉터리에 스냅샷 { $snapshot } 존재
restore-etcd-gate-verifies = 스냅샷 { $snapshot } 무결성 검증 통과
restore-etcd-gate-notified = 다른 관리자에게 통보: 이 요청의 승인 카드가 채널에 게시됨
restore-etcd-missing = 스냅샷 { $snapshot }이(가) 없습니다: { $path } 파일이 존재하지 않습니다.
restore-etcd-corrupt = 스냅샷 { $snapshot }이(가) 손상되었습니다: { $reason }
restore-etcd-verified = { $snapshot }: 리비전 { $revision }, 키 { $keys }개, SHA-256 { $sha256 }.
restore-etcd-no-cluster = -c로 클러스터를 지정하세요.
restore-etcd-plan-find = { $cluster }의 컨트롤 플레인 노드 찾기
restore-etcd-plan-step = { $cluster } 컨트롤 플레인 노드에서 { $number }단계: `{ $command }`
restore-etcd-plan-api = { $cluster } API 서버가 응답할 때까지 최대 { $seconds }초 대기
restore-etcd-control-plane = 컨트롤 플레인 노드: { $node }
restore-etcd-no-control-plane = 클러스터 { $cluster }에 node-role.kubernetes.io/control-plane 레이블이 붙은 노드가 없습니다.
restore-etcd-many-control-planes = 클러스터 { $cluster }에 컨트롤 플레인 노드가 여러 개({ $nodes }) 있습니다. 이 복구는 단일 멤버 etcd용입니다.
restore-etcd-step = { $node }에서 6단계 중 { $number }단계
restore-etcd-api-answers = { $cluster } API 서버가 다시 응답합니다 (버전 { $version }).
restore-etcd-plan-one-pod = { $cluster } 컨트롤 플레인 노드의 한 Pod에서 2~6단계 실행 (API 서버가 멈춘 동안에도 계속 실행됨): 스냅샷 사본을 승인된 SHA-256과 대조, API 서버 중지, /var/lib/etcd를 /var/lib/etcd-backup-{ $stamp }로 이동, 스냅샷 복원, etcd 소유로 chown, API 서버 재시작 (단계가 실패하면 노드를 원래대로 되돌림)
restore-etcd-plan-same = { $snapshot }이(가) 승인받은 바로 그 파일인지 확인 (SHA-256)
restore-etcd-not-pinned = 이 복구를 승인할 때 { $snapshot }의 SHA-256이 기록되지 않아 확인할 수 없으므로 아무것도 하지 않았습니다. 복구를 다시 요청하세요.
restore-etcd-changed = { $snapshot }은(는) 더 이상 승인받은 파일(SHA-256 { $approved })이 아니므로 아무것도 하지 않았습니다. 복구를 다시 요청하세요.
restore-etcd-changed-on-node = { $node }에서 { $snapshot }이(가) 승인받은 파일과 다르므로(SHA-256 불일치) 아무것도 옮기기 전에 복구를 멈췄습니다.
restore-etcd-put-back = { $node }에서 복구가 실패하여 API 서버 매니페스트와 이전 etcd 데이터를 제자리로 되돌렸으므로 노드는 복구 전 상태입니다({ $last }).
restore-etcd-put-back-failed = { $node }에서 복구가 실패했고 노드를 되돌리는 것도 실패했습니다({ $last }). 노드의 /etc/kubernetes/manifests와 /var/lib/etcd를 직접 바로잡으세요.
