# etcd 작업 (런북 §2.1): etcd status, etcd snapshot, etcd snapshots.

## 계획: 각 단계가 실행 전에 알리는 내용

etcd-status-plan = { $clusters } 클러스터의 etcd 멤버별 상태를 조회합니다
etcd-snapshot-plan-stream = { $cluster } 클러스터의 etcd 스냅샷을 백업 디렉터리로 받습니다
etcd-snapshot-plan-verify = 스냅샷을 검증합니다: etcd SHA-256, DB 구조, 리비전과 키 수
etcd-snapshot-plan-prune = { $cluster } 클러스터에서 보존 기간이 지난 스냅샷을 삭제합니다
etcd-snapshots-plan = { $clusters } 클러스터에 보관 중인 etcd 스냅샷을 조회하고 검증합니다

## 진행 상황

etcd-snapshot-started = { $endpoint }에서 { $cluster } 스냅샷을 받는 중입니다 (리비전 { $revision })
etcd-snapshot-progress = { $total } 중 { $received } 수신
etcd-snapshots-verifying = { $file } 검증 중

## 표 열 이름

etcd-col-cluster = 클러스터
etcd-col-endpoint = 엔드포인트
etcd-col-version = 버전
etcd-col-db-size = DB 크기
etcd-col-leader = 리더
etcd-col-raft-term = Raft 텀
etcd-col-raft-index = Raft 인덱스
etcd-col-file = 파일
etcd-col-size = 크기
etcd-col-age = 생성
etcd-col-revision = 리비전
etcd-col-total-keys = 전체 키 수
etcd-col-verification = 검증

## 스냅샷 결과 항목

etcd-field-file = 파일
etcd-field-source = 받은 곳
etcd-field-size = 크기
etcd-field-revision = 리비전
etcd-field-total-keys = 전체 키 수
etcd-field-kv-hash = 해시 (etcdctl 표기)
etcd-field-sha256 = SHA-256
etcd-field-embedded-hash = etcd 내장 SHA-256
etcd-field-took = 소요 시간

## 값

etcd-leader-self = 예
etcd-leader-other = 아니오 (리더 { $leader })
etcd-leader-none = 리더 없음
etcd-verify-ok = 정상
etcd-verify-failed = 실패: { $reason }
etcd-seconds = { $seconds }초
etcd-age-now = 방금 전
etcd-age-minutes = { $minutes }분 전
etcd-age-hours = { $hours }시간 전
etcd-age-days = { $days }일 전

## 안내

etcd-no-clusters = 설정된 클러스터가 없습니다.
etcd-status-member-errors = { $cluster } { $endpoint } 멤버가 오류를 보고했습니다: { $errors }
etcd-prune-none = 보존 기간({ $retention })이 지난 스냅샷이 없습니다.
etcd-prune-deleted = 보존 기간({ $retention })이 지난 스냅샷 { $count }개를 삭제했습니다:
etcd-snapshots-none = { $dir }에 { $cluster } 스냅샷이 없습니다.

## 오류

etcd-snapshot-cut = 스냅샷 스트림이 중간에 끊겼습니다: { $total } 중 { $received }만 받았습니다.
etcd-snapshot-exists = { $path } 파일이 이미 있습니다. 잠시 후 다시 시도하세요.
etcd-retention-invalid = backup.retention 값 "{ $value }"은(는) 7d 같은 기간 형식이 아닙니다.
etcd-tls-incomplete = clusters.{ $cluster }.etcd에 cert와 key 중 하나만 설정되어 있습니다. etcd 클라이언트 TLS에는 둘 다 필요합니다.
etcd-endpoint-invalid = { $cluster } 클러스터의 etcd 엔드포인트 { $endpoint }을(를) 사용할 수 없습니다: { $reason }
etcd-no-endpoints = { $cluster }에 설정된 etcd 엔드포인트가 없습니다
