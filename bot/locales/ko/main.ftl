# 엔진, 셸, 명령줄.

run-started = { $clusters }에서 { $operation } 실행 (요청 { $request })
run-step-done = { $seconds }초 만에 완료
run-started-global = { $operation } 실행 (요청 { $request })
run-succeeded = { $seconds }초 만에 완료 (요청 { $request })
run-failed = { $seconds }초 후 실패 (요청 { $request }): { $reason }

engine-audit-unavailable = 감사 로그를 기록할 수 없어 아무것도 실행하지 않았습니다: { $reason }
engine-destructive-unguarded = { $operation }은(는) 파괴적 작업인데 정책에 이를 다루는 승인 규칙이 없어 실행할 수 없습니다.
engine-not-available = { $operation }은(는) 이 버전의 opsbot에서 아직 사용할 수 없습니다. 아무것도 실행하지 않았습니다.
engine-approval-not-yet = { $operation }은(는) 다음 역할 중 { $approvers }명의 승인이 필요합니다: { $roles }. 이 버전에는 아직 승인 기능이 없어 아무것도 실행하지 않았습니다.
engine-action-stale = 더 이상 유효하지 않은 버튼입니다. 아무것도 바뀌지 않았습니다.
engine-reason-required = { $operation }에는 사유가 필요합니다: --reason "사유"를 붙여 주세요.

policy-denied-by-rule = { $subject }은(는) { $cluster }에서 { $operation }을(를) 실행할 수 없습니다: { $rule } 규칙에 의해 거부되었습니다.
policy-denied-default = { $subject }은(는) { $cluster }에서 { $operation }을(를) 실행할 수 없습니다: 이를 허용하는 정책 규칙이 없습니다.
policy-problem = { $reason }
policy-syntax = 정책 파일이 올바른 TOML이 아닙니다 ({ $at })
policy-unknown-role = [roles]에 "{ $role }" 역할이 정의되어 있지 않습니다
policy-bad-subject = "{ $subject }"은(는) 주체가 아닙니다: PLATFORM:ID (slack, discord, shell, slack-group, discord-role) 또는 "*"로 쓰세요

risk-read = 조회
risk-write = 변경
risk-destructive = 파괴적

help-title = opsbot 명령어
help-col-command = 명령
help-col-risk = 위험도
help-col-summary = 설명
help-not-yet = (준비 중) { $summary }
help-footer = 모든 명령에 --reason "…"을 붙일 수 있습니다. 명령 하나의 도움말: help 명령어
help-operation = { $id }
help-field-summary = 설명
help-field-risk = 위험도
help-field-section = 런북 절
help-field-status = 상태
help-field-usage = 사용법
help-status-available = 사용 가능
help-status-not-yet = 아직 사용할 수 없음

check-config-ok = { $path } 설정이 올바릅니다: 클러스터 { $clusters }개, 연락처 { $contacts }개.
check-config-failed = 문제 { $count }건을 찾았습니다.
can-i-allow = 예: { $subject }은(는) { $operation }을(를) 실행할 수 있습니다.
can-i-needs-approval = 예, 승인 후: { $roles } 중 { $approvers }명이 승인하면 { $subject }은(는) { $operation }을(를) 실행할 수 있습니다.
can-i-deny-explicit = 아니요: { $subject }의 { $operation } 실행은 명시적으로 거부되어 있습니다.
can-i-deny-default = 아니요: { $subject }이(가) { $operation }을(를) 실행하도록 허용하는 규칙이 없습니다.
can-i-rule = 규칙: { $rule }
can-i-unknown-operation = 알 수 없는 작업 id "{ $operation }"입니다. help로 목록을 보세요.
audit-intact = 감사 로그가 온전합니다: 레코드 { $records }개.
audit-broken = 감사 로그가 레코드 { $seq }에서 변조되었습니다: { $reason }
audit-break-gap = 레코드 { $expected }이(가) 없거나 순서가 어긋났습니다
audit-break-link = 앞 레코드와 연결되지 않습니다
audit-break-content = 내용이 해시와 일치하지 않습니다
audit-break-truncated = 레코드 { $head }까지 있었는데 삭제되었습니다
store-open-failed = 상태 데이터베이스를 사용할 수 없습니다: { $reason }
shell-bad-name = "{ $name }"은(는) 올바른 셸 사용자 이름이 아닙니다: 영소문자, 숫자, '-'만 쓰세요.
shell-input-failed = 입력을 읽지 못했습니다: { $reason }

# 잘못된 입력: 각각 한 문장.
parse-empty = 명령어나 help를 입력하세요.
parse-quoting = 따옴표가 닫히지 않았습니다.
parse-unknown-command = 알 수 없는 명령어 "{ $typed }"입니다. help로 목록을 보세요.
parse-unknown-command-suggest = 알 수 없는 명령어 "{ $typed }"입니다. "{ $suggestion }"을(를) 입력하려던 것인가요?
parse-unknown-option = 알 수 없는 옵션 { $option }입니다. 사용법: { $usage }
parse-unknown-option-suggest = 알 수 없는 옵션 { $option }입니다. { $suggestion }을(를) 입력하려던 것인가요? 사용법: { $usage }
parse-missing-value = { $option }에 값이 필요합니다. 사용법: { $usage }
parse-missing-argument = { $name }이(가) 빠졌습니다. 사용법: { $usage }
parse-unexpected-argument = 예상하지 못한 "{ $value }"입니다. 사용법: { $usage }
parse-repeated = { $name }이(가) 두 번 주어졌습니다.
parse-conflict = { $first }와(과) { $second }는 함께 쓸 수 없습니다.
parse-bad-value = "{ $value }"은(는) 올바른 { $name } 값이 아닙니다: { $problem }.
parse-unknown-cluster = 알 수 없는 클러스터 "{ $name }"입니다. 등록된 클러스터: { $known }.
parse-unknown-cluster-suggest = 알 수 없는 클러스터 "{ $name }"입니다. "{ $suggestion }"을(를) 입력하려던 것인가요? 등록된 클러스터: { $known }.
parse-cluster-needed = 어느 클러스터인가요? -c { $known }을(를) 붙여 주세요.
parse-unknown-situation = 알 수 없는 상황 "{ $name }"입니다. 연락처 표에 있는 상황: { $known }.
problem-dns-label = 1~{ $max }자의 영소문자, 숫자, '-'여야 하며 영문자나 숫자로 시작하고 끝나야 합니다
problem-dns-subdomain = 영소문자, 숫자, '-', '.'만 쓸 수 있고 각 부분은 영문자나 숫자로 시작하고 끝나야 합니다
problem-duration = 30s, 5m, 168h, 7d 같은 기간이어야 합니다
problem-version = 1.35.1 같은 버전이어야 합니다
problem-cron = "0 2 * * *" 같은 다섯 필드 cron 식이어야 합니다 ({ $detail })
problem-quantity = 1Gi, 500m 같은 수량이어야 합니다
problem-count = { $min }부터 { $max }까지의 정수여야 합니다
problem-choice = 다음 중 하나여야 합니다: { $choices }
problem-snapshot-file = etcd-snapshot-20261126-020000.db 같은 스냅샷 파일 이름이어야 합니다
problem-empty = 비어 있으면 안 됩니다

# 작업 실패.
error-not-configured = 클러스터 { $cluster }에 { $what } 설정이 없습니다.
error-unreachable = { $target }에 연결할 수 없습니다: { $reason }
error-refused = { $target }이(가) 거부했습니다: { $reason }
error-timeout = { $what }이(가) { $after } 안에 끝나지 않았습니다.
error-io = { $path }: { $reason }
error-verification = 검증에 실패했습니다: { $reason }
error-internal = 내부 오류({ $detail })입니다. opsbot의 버그입니다.

# 설정 문제 (check-config).
config-unreadable = { $path }을(를) 읽을 수 없습니다: { $reason }
config-syntax = 파일을 TOML로 읽을 수 없습니다: { $reason }
config-unknown-key = 알 수 없는 키입니다
config-missing-key = 필수 키가 없습니다
config-missing-secret = 비밀 값이 없거나 비어 있습니다
config-bad-value = 형식이나 값이 잘못되었습니다: { $reason }
config-bad-locale = locale은 ko 또는 en이어야 합니다 ("{ $value }"은(는) 안 됩니다)
config-bad-address = "{ $value }"은(는) 127.0.0.1:8080 같은 주소가 아닙니다
config-no-directory = 디렉터리 { $path }이(가) 없습니다
config-bad-duration = "{ $value }"은(는) 30s, 5m, 7d 같은 기간이 아닙니다
config-bad-cluster-name = 클러스터 이름은 영소문자, 숫자, '-'만 쓸 수 있습니다
config-cluster-empty = 클러스터에 kubeconfig 컨텍스트도 etcd 엔드포인트도 없습니다
config-bad-endpoint = "{ $value }"은(는) https://10.0.0.10:2379 같은 엔드포인트가 아닙니다
config-bad-situation = "{ $value }"은(는) cluster-failure 같은 상황 이름이 아닙니다
config-duplicate-situation = 상황 "{ $value }"이(가) 두 번 나옵니다
config-bad-context = 이 컨텍스트로 kubeconfig를 쓸 수 없습니다: { $reason }
config-bad-url = "{ $value }"은(는) https://vault.mgmt:8200 같은 URL이 아닙니다
config-not-executable = { $path }은(는) 실행 가능한 파일이 아닙니다
config-unknown-cluster = 알 수 없는 클러스터 "{ $value }"입니다 (설정의 [clusters]에 없음)
config-unknown-operation = "{ $value }"에 해당하는 작업이 없습니다 (help에서 id를 확인하세요)

# 긴급 연락처 (런북 6.4)
contacts-plan = 긴급 연락처 표 읽기
contacts-empty = 연락처 표가 비어 있습니다. 설정에 [[contacts]]를 추가하세요.
contacts-col-situation = 상황
contacts-col-team = 담당
contacts-col-chat = 채팅
contacts-col-pagers = 호출
situation-cluster-failure = 클러스터 장애
situation-security-incident = 보안 인시던트
situation-external-outage = 외부 서비스 장애
situation-custom = { $name }

# Kubernetes, 클러스터 작업 공통.
kube-kubeconfig = 클러스터 { $cluster }의 kubeconfig를 사용할 수 없습니다: { $reason }
kube-cluster-failed = { $cluster }: { $reason }
kube-not-found = { $cluster }: { $reason }
kube-no-namespace = 클러스터 { $cluster }에 네임스페이스 "{ $namespace }"이(가) 없습니다.

# 승인.
approval-usage-approve = 사용법: approve ID (pending으로 id를 확인하세요).
approval-usage-deny = 사용법: deny ID 사유 — 거부에는 사유가 필요합니다.
approval-col-id = id
approval-col-operation = 요청
approval-col-requester = 요청자
approval-col-reason = 사유
approval-col-approvals = 승인
approval-col-expires = 만료
approval-none-pending = 승인을 기다리는 요청이 없습니다.
approval-unknown = 요청 { $id }이(가) 없습니다. pending으로 열린 요청을 확인하세요.
approval-expired = 요청 { $id }은(는) 승인되기 전에 만료되었습니다. 아무것도 실행하지 않았습니다.
approval-not-pending = 요청 { $id }은(는) 더 이상 승인할 수 없습니다: 현재 상태는 { $state }입니다.
approval-own-request = 자신의 요청 { $id }은(는) 승인할 수 없습니다. 다른 사람이 승인해야 합니다.
approval-not-approver = 요청 { $id }을(를) 승인할 수 없습니다: 승인자는 { $roles } 역할 중 하나가 있어야 합니다.
approval-already-voted = 이미 요청 { $id }을(를) 승인했습니다.
approval-recorded = { $id } 승인이 기록되었습니다: { $needed }명 중 { $votes }명.
approval-already-approved = 요청 { $id }은(는) 이미 승인이 끝났습니다. 한 번만 실행됩니다.
approval-changed = 요청 { $id }이(가) 요청 이후 바뀌어 기존 승인이 무효입니다. 다시 요청하세요.
approval-requester-lost-right = { $requester }에게 더 이상 요청 { $id }을(를) 실행할 권한이 없어 실행하지 않습니다.
approval-gate-failed = { $operation } 사전 체크리스트를 통과하지 못해 승인을 요청하지 않았습니다: { $reason }
approval-denied-by-button = 승인 카드에서 거부함
approval-card-pending = 요청 { $id }: { $requester }의 { $operation } 승인 대기 중 ({ $roles } 중 { $needed }명 중 { $votes }명 승인).
approval-card-running = 요청 { $id }: { $approvers } 승인, 실행 중.
approval-card-succeeded = 요청 { $id }: { $approvers } 승인, 완료.
approval-card-failed = 요청 { $id }이(가) 실행되었지만 실패했습니다.
approval-card-denied = 요청 { $id }: { $by }이(가) 거부함 — { $reason }
approval-card-expired = 요청 { $id }은(는) 승인 없이 만료되었습니다.
approval-card-invalidated = 요청 { $id }이(가) 무효가 되었습니다: { $reason }
approval-card-interrupted = 요청 { $id }은(는) 실행 중 중단되었으며 다시 실행하지 않습니다.
approval-card-command = 명령: { $line }
approval-card-reason = 사유: { $reason }
approval-card-actions = approve { $id } | deny { $id } 사유 (만료 { $expires })
run-interrupted = ⚠ { $subject }의 { $operation }(요청 { $request }, { $started } 시작)은(는) 프로세스가 멈춰 중단되었습니다. 다시 실행하지 않았습니다.
incidents-not-configured = 여기서는 호출(페이징)이 설정되어 있지 않습니다: 비상 연락망이 없거나 전달할 방법이 없습니다.
