# Velero (런북 2.2, 2.3): velero backup create / list / describe, velero schedule.

## 계획

velero-backup-plan-create = { $cluster } 클러스터에 Velero 백업 { $name }을(를) 만듭니다: { $scope }, 보존 기간 { $ttl }
velero-backup-plan-follow = Velero가 백업 { $name }을(를) 마칠 때까지 지켜봅니다 (최대 { $minutes }분)
velero-backups-plan-list = { $cluster } 클러스터의 Velero 백업 목록을 조회합니다
velero-backups-plan-describe = { $cluster } 클러스터의 Velero 백업 { $name }을(를) 자세히 조회합니다
velero-schedule-plan-create = { $cluster } 클러스터에 Velero 스케줄 { $name }을(를) 만듭니다: "{ $cron }" (UTC), 백업 보존 기간 { $ttl }
velero-schedules-plan-list = { $cluster } 클러스터의 Velero 스케줄 목록을 조회합니다

velero-scope-all = 모든 네임스페이스
velero-scope-all-except = { $excluded }을(를) 뺀 모든 네임스페이스
velero-scope-some = 네임스페이스 { $included }
velero-scope-some-except = 네임스페이스 { $included } ({ $excluded } 제외)

## 진행 상황

velero-backup-created = { $namespace } 네임스페이스에 백업 { $name }을(를) 만들었습니다
velero-backup-phase = { $phase }
velero-backup-progress = { $phase }: 항목 { $total }개 중 { $done }개 백업됨
velero-follow-retrying = 백업 감시가 끊겨 다시 연결하는 중입니다: { $reason }

## 거부와 실패

velero-no-cluster = 어느 클러스터인가요? -c CLUSTER를 붙여 주세요.
velero-all-and-namespaces = --namespaces와 --all 중 하나만 쓰세요. --all은 모든 네임스페이스를 백업합니다(--exclude로 뺄 수 있습니다).
velero-not-installed = { $cluster } 클러스터에 Velero가 설치되어 있지 않습니다: { $reason }
velero-no-namespace = { $cluster } 클러스터에 Velero가 설치되어 있지 않습니다: { $namespace } 네임스페이스가 없습니다.
velero-backup-exists = { $cluster } 클러스터에 { $name } 백업이 이미 있습니다. --name으로 다른 이름을 정하세요.
velero-backup-unknown = { $cluster } 클러스터의 { $namespace } 네임스페이스에 { $name } 백업이 없습니다. "velero backup list"로 백업 목록을 보세요.
velero-backup-deleted = 지켜보던 중에 { $cluster } 클러스터의 백업 { $name }이(가) 삭제되었습니다.
velero-backup-failed = 백업 { $name }이(가) { $phase } 상태로 끝났습니다: { $why }
velero-why-reason = { $reason }
velero-why-validation = 검증 오류: { $errors }
velero-why-counts = 오류 { $errors }건, 경고 { $warnings }건. 자세한 내용은 백업 { $name }의 Velero 로그에서 확인하세요.
velero-schedule-exists = { $cluster } 클러스터에 { $name } 스케줄이 이미 있습니다.

## 목록과 항목

velero-backups-none = { $cluster } 클러스터에 Velero 백업이 없습니다.
velero-schedules-none = { $cluster } 클러스터에 Velero 스케줄이 없습니다.
velero-col-name = 이름
velero-col-status = 상태
velero-col-errors = 오류
velero-col-warnings = 경고
velero-col-created = 생성 시각
velero-col-expires = 만료까지
velero-col-storage-location = 저장 위치
velero-col-selector = 셀렉터
velero-col-schedule = 스케줄
velero-col-last-backup = 마지막 백업
velero-col-ttl = 보존 기간
velero-col-paused = 일시 중지
velero-field-name = 이름
velero-field-phase = 단계
velero-field-included = 포함한 네임스페이스
velero-field-excluded = 제외한 네임스페이스
velero-field-ttl = 보존 기간
velero-field-storage-location = 저장 위치
velero-field-selector = 레이블 셀렉터
velero-field-items = 백업된 항목
velero-field-errors = 오류
velero-field-warnings = 경고
velero-field-created = 생성
velero-field-started = 시작
velero-field-completed = 완료
velero-field-expires = 만료
velero-field-validation-errors = 검증 오류
velero-field-failure-reason = 실패 이유
velero-field-schedule = 스케줄 (cron, UTC)
velero-field-next-run = 다음 실행
velero-items-of = { $total }개 중 { $done }개
velero-none = 없음
velero-never = 없음
velero-ago = { $age } 전
velero-expired = { $at } (만료됨)
velero-expired-short = 만료됨
velero-expires-in = { $at } ({ $left } 남음)

# get / yaml (런북 부록): 모든 리소스. Secret 데이터는 절대 보여 주지 않습니다.

get-plan-namespace = { $cluster } 클러스터의 { $namespace } 네임스페이스에서 { $kind } 목록을 조회합니다
get-plan-all = { $cluster } 클러스터의 모든 네임스페이스에서 { $kind } 목록을 조회합니다
get-no-cluster = 어느 클러스터인가요? -c CLUSTER를 붙여 주세요.
get-no-kind = 종류를 알려 주세요. 예: "get pods -n app", "yaml deploy/web -n app"
get-unknown-kind = { $cluster } 클러스터에는 "{ $kind }"(이)라는 리소스가 없습니다.
get-unknown-kind-suggest = { $cluster } 클러스터에는 "{ $kind }"(이)라는 리소스가 없습니다. { $suggestion }을(를) 말씀하신 건가요?
get-not-listable = { $cluster } 클러스터의 { $kind }은(는) 목록으로 조회할 수 없습니다.
get-heading = { $cluster } 클러스터의 { $kind }
get-none = { $kind }이(가) 없습니다.
get-none-in = { $namespace } 네임스페이스에 { $kind }이(가) 없습니다.
get-truncated = { $total }개 중 { $shown }개만 보여 줍니다. -n으로 범위를 좁히세요.
get-col-namespace = 네임스페이스
get-col-name = 이름
get-col-status = 상태
get-col-type = 유형
get-col-data = 데이터
get-col-age = 생성
yaml-plan = { $cluster } 클러스터의 { $namespace } 네임스페이스에 있는 { $kind }/{ $name }을(를) YAML로 보여 줍니다
yaml-plan-cluster = { $cluster } 클러스터의 { $kind }/{ $name }을(를) YAML로 보여 줍니다
yaml-no-namespace = -n NAMESPACE로 네임스페이스를 알려 주세요.
yaml-not-found = { $cluster } 클러스터의 { $namespace } 네임스페이스에 { $kind } "{ $name }"이(가) 없습니다.
yaml-not-found-cluster = { $cluster } 클러스터에 { $kind } "{ $name }"이(가) 없습니다.
get-kind-cluster-scoped = { $cluster } 클러스터의 { $kind }은(는) 네임스페이스에 속하지 않아 -n으로 범위를 좁힐 수 없습니다. -n 없이 요청해 주세요(모든 네임스페이스에 대한 권한이 필요합니다). 아무것도 읽지 않았습니다.
get-kind-namespaced = { $cluster } 클러스터의 { $kind }은(는) 네임스페이스에 속하는데, 요청은 클러스터 전체 종류로 판단되었습니다. -n으로 네임스페이스를 알려 주세요. 아무것도 읽지 않았습니다.

# vault status (런북 5.5)

vault-status-plan = Vault 봉인 상태를 조회합니다 (sys/seal-status)
vault-not-configured = Vault가 설정되어 있지 않습니다. 설정 파일에 주소를 담은 [vault] 섹션을 추가하세요.
vault-bad-cacert = Vault CA 번들 { $path }을(를) 사용할 수 없습니다: { $reason }
vault-field-sealed = 봉인됨
vault-field-initialized = 초기화됨
vault-field-seal-type = 봉인 방식
vault-field-shares = 키 조각 수
vault-field-threshold = 필요한 키 조각 수
vault-field-progress = 봉인 해제 진행
vault-field-version = 버전
vault-field-cluster-name = 클러스터 이름
vault-field-storage-type = 스토리지 유형
vault-yes = 예
vault-no = 아니요
vault-none = 없음
vault-sealed-note = ⚠ Vault가 봉인되어 있습니다 (키 조각 { $threshold }개 중 { $progress }개 입력됨). 키 보유자들이 조각을 입력할 수 있도록 "vault unseal"을 실행하세요.
vault-not-initialized-note = ⚠ Vault가 초기화되지 않았습니다. 봉인을 해제할 키가 아직 없습니다.

# vault.unseal (런북 5.5)
vault-unseal-plan = Vault 봉인 해제: 키 조각을 하나씩 비공개로 입력받아 곧바로 Vault로 보냅니다
vault-unseal-uninitialized = Vault가 초기화되지 않아 봉인을 해제할 수 없습니다.
vault-unseal-already = Vault는 이미 봉인 해제되어 있습니다. 할 일이 없습니다.
vault-unseal-ask = 키 조각 { $threshold }개 중 { $index }번째 (화면에 표시하지 않고 저장하지 않음)
vault-unseal-no-share = 키 조각이 입력되지 않아 Vault는 봉인된 상태로 남습니다 ({ $threshold }개 중 { $progress }개 입력됨).
vault-unseal-gave-up = 거부된 키 조각이 너무 많아 Vault는 봉인된 상태로 남습니다 ({ $threshold }개 중 { $progress }개).
vault-unseal-share-refused = Vault가 이 키 조각을 거부했습니다. 다른 조각을 입력하세요.
vault-unseal-progress = 키 조각 수락: { $threshold }개 중 { $progress }개.
vault-unseal-field-sealed = 봉인
vault-unseal-field-version = 버전
