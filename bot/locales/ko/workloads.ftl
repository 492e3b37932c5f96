# cluster.top (런북 1.2, 6.3)
top-nodes-plan = { $clusters }의 metrics-server에서 노드 CPU·메모리 사용량을 읽습니다
top-pods-plan = { $clusters }의 metrics-server에서 Pod CPU·메모리 사용량을 읽습니다
top-heading = { $cluster }
top-no-metrics = { $cluster }에는 metrics-server가 설치되어 있지 않습니다.
top-no-samples = { $cluster }의 metrics-server에 아직 수집된 값이 없습니다.
top-limited = 상위 { $shown }개만 표시합니다 (전체 { $total }개). 더 보려면 --limit을 늘리세요.
top-col-node = 노드
top-col-namespace = 네임스페이스
top-col-pod = Pod
top-col-cpu = CPU
top-col-cpu-percent = CPU %
top-col-memory = 메모리
top-col-memory-percent = 메모리 %

# events (런북 5.1)
events-plan = { $cluster }의 { $namespace } 네임스페이스 이벤트를 읽습니다
events-heading = { $cluster } / { $namespace }
events-none = { $namespace } 네임스페이스에 이벤트가 없습니다 (API 서버는 이벤트를 1시간 정도만 보관합니다).
events-limited = 이벤트 { $total }개 중 최근 { $shown }개만 표시합니다.
events-warnings = 이 중 Warning이 { $count }건입니다.
events-col-last-seen = 마지막 발생
events-col-type = 유형
events-col-reason = 사유
events-col-object = 대상
events-col-message = 메시지

# pod.describe (런북 5.1)
pod-describe-plan = { $cluster }의 { $namespace }/{ $pod } Pod 상태를 조회합니다
pod-heading = { $cluster } / { $namespace }/{ $pod }
pod-field-status = 상태
pod-field-node = 노드
pod-field-ip = IP
pod-field-started = 시작 시각
pod-field-reason = 사유
pod-field-message = 메시지
pod-started-at = { $time } ({ $age } 전)
pod-col-condition = 조건
pod-col-status = 상태
pod-col-reason = 사유
pod-col-message = 메시지
pod-col-container = 컨테이너
pod-col-image = 이미지
pod-col-state = 상태
pod-col-ready = 준비
pod-col-restarts = 재시작
pod-col-last-termination = 직전 종료 사유
pod-col-exit-code = 종료 코드
pod-init-container = { $name } (init)
pod-state-running = Running
pod-state-waiting = Waiting ({ $reason })
pod-state-terminated = Terminated ({ $reason }, 종료 코드 { $code })
pod-state-unknown = 아직 보고되지 않음
pod-ready-yes = 예
pod-ready-no = 아니요
pod-no-events = 이 Pod의 이벤트가 없습니다.

# pod.logs (런북 5.1)
pod-logs-plan = { $cluster }의 { $namespace }/{ $pod } Pod 로그를 읽습니다
pod-logs-follow-plan = { $cluster }의 { $namespace }/{ $pod } Pod 로그를 { $duration } 동안 따라갑니다
pod-logs-heading = { $cluster } / { $namespace }/{ $pod } ({ $container })
pod-logs-line = { $line }
pod-logs-empty = 로그가 비어 있습니다.
pod-logs-cut = 전체 { $total }줄 중 마지막 { $shown }줄만 표시합니다.
pod-logs-followed = { $duration } 동안 로그를 따라간 뒤 멈췄습니다.
pod-logs-stream-ended = { $duration } 동안 따라가던 중 로그 스트림이 끝났습니다. 컨테이너가 멈췄거나 Pod가 삭제되었습니다.
pod-logs-choose-container = { $pod } Pod에는 컨테이너가 여러 개 있습니다 ({ $containers }). -c로 하나를 지정하세요.
pod-logs-follow-too-long = --follow는 최대 { $max }까지 지정할 수 있습니다.

# storage.pvc (런북 1.2, 5.3, 6.2)
storage-pvc-plan = { $clusters }의 { $namespace } 네임스페이스 PVC를 읽습니다
storage-pvc-plan-all = { $clusters }의 모든 네임스페이스 PVC를 읽습니다
storage-pv-plan = { $clusters }의 PV를 읽습니다
storage-pv-released-plan = { $clusters }에서 Released 상태인 PV를 찾습니다
storage-heading = { $cluster }
storage-no-claims = { $cluster }에 PVC가 없습니다.
storage-no-volumes = { $cluster }에 PV가 없습니다.
storage-no-released = { $cluster }에 Released 상태인 PV가 없습니다.
storage-released-hint = Released 상태인 PV가 { $count }개 있습니다. PVC는 삭제됐지만 PV를 지우기 전까지 데이터와 디스크는 그대로 남아 있습니다.
storage-col-namespace = 네임스페이스
storage-col-name = 이름
storage-col-status = 상태
storage-col-volume = 볼륨
storage-col-capacity = 용량
storage-col-access-modes = 접근 모드
storage-col-storage-class = 스토리지 클래스
storage-col-age = 생성 후
storage-col-reclaim-policy = 회수 정책
storage-col-claim = PVC

# storage.describe (런북 5.3)
storage-describe-plan = { $cluster }의 { $namespace }/{ $pod } Pod 볼륨, PVC, 마운트 오류를 조회합니다
storage-pod-heading = { $cluster } / { $namespace }/{ $pod }
storage-pod-no-volumes = 이 Pod에는 볼륨이 없습니다.
storage-col-volume-name = 볼륨
storage-col-type = 유형
storage-col-source = 소스
storage-col-mounted-at = 마운트 위치
storage-claim-absent = 없음
storage-claim-missing = { $claim } PVC가 없습니다. PVC가 생성되기 전까지 Pod가 시작되지 않습니다.
storage-claim-not-bound = { $claim } PVC의 상태가 Bound가 아니라 { $phase }입니다. 아직 연결된 볼륨이 없습니다.
storage-no-mount-errors = 이 Pod에 보고된 마운트 오류가 없습니다.
storage-mount-errors = 마운트 오류 { $count }건:

# oom (런북 6.3)
oom-plan = { $clusters }에서 메모리 사용량과 OOMKilled 컨테이너를 확인합니다
oom-heading = { $cluster }
oom-no-metrics = { $cluster }에는 metrics-server가 설치되어 있지 않아 현재 메모리 사용량을 알 수 없습니다.
oom-heaviest = 메모리를 가장 많이 쓰는 Pod { $count }개:
oom-none = { $cluster }에 OOMKilled된 컨테이너가 없습니다.
oom-killed = OOMKilled된 컨테이너 { $count }개:
oom-ago = { $age } 전
oom-no-limit = 제한 없음
oom-col-namespace = 네임스페이스
oom-col-pod = Pod
oom-col-container = 컨테이너
oom-col-memory = 메모리
oom-col-limit = 제한
oom-col-of-limit = 제한 대비
oom-col-finished = 종료 시점
oom-col-restarts = 재시작
