# 감사 로그의 키, 앵커, 검증과 내보내기 (이슈 11, 8번).

config-audit-key-twice = audit.key_file과 audit.key_env 중 하나만 설정하세요.
config-audit-key-missing = 감사 키 파일 { $path }이(가) 없습니다.
config-audit-key-unreadable = 감사 키 파일 { $path }을(를) 읽을 수 없습니다: { $reason }
config-audit-key-open = 감사 키 파일 { $path }을(를) 이 호스트의 모든 사용자가 접근할 수 있습니다(모드 { $mode }). 소유자만 읽을 수 있게 하세요(chmod 600).
config-audit-key-empty = 감사 키가 비어 있습니다.
config-audit-key-short = 감사 키가 { $bytes }바이트입니다. 최소 { $needed }바이트가 필요합니다(예: openssl rand -hex 32).
config-audit-key-env-unset = 감사 키를 담아야 할 환경 변수 { $name }이(가) 설정되어 있지 않습니다.
config-audit-anchor-missing = 감사 앵커 파일 { $path }이(가) 없습니다. 만들어 두세요(touch 후 chattr +a로 추가 전용으로).
config-audit-anchor-unwritable = 감사 앵커 파일 { $path }을(를) 추가 모드로 열 수 없습니다: { $reason }

audit-intact-sealed = 레코드 { $seq }부터는 감사 키 { $key }로 봉인되어 있습니다.
audit-intact-anchored = 최신 레코드 { $seq }이(가) 앵커 파일 { $path }과(와) 일치합니다.
audit-intact-unprotected = 이 로그는 키도 앵커도 없어, 데이터베이스에 쓸 수 있는 사람이 들키지 않고 고쳐 쓸 수 있습니다(audit.key_file, audit.anchor_file 참고).
audit-intact-unanchored = 앵커 파일이 없으면 로그 끝에서 잘려 나간 레코드는 알아챌 수 없습니다(audit.anchor_file 참고).
audit-break-downgrade = 앞 레코드들은 감사 키로 봉인되어 있는데 이 레코드는 봉인되어 있지 않습니다
audit-break-unsealed = 최신 레코드인데 설정된 감사 키로 봉인되어 있지 않습니다
audit-break-anchor-mismatch = 앵커 파일에 다른 해시가 기록되어 있어, 이 레코드나 그 앞 레코드가 고쳐 쓰였습니다
audit-break-anchor-beyond = 앵커 파일에는 기록되어 있는데 로그는 레코드 { $last }에서 끝납니다: 뒷부분이 잘려 나갔습니다
audit-break-anchor-beyond-empty = 앵커 파일에는 기록되어 있는데 로그가 비어 있습니다
audit-break-anchor-behind = 로그의 최신 레코드인데 앵커 파일의 마지막 항목은 레코드 { $anchored }입니다
audit-break-anchor-behind-empty = 로그의 최신 레코드인데 앵커 파일에 항목이 없습니다
audit-anchor-malformed = 앵커 파일 { $path }의 { $line }번째 줄이 "SEQ HASH" 형식이 아닙니다: 앵커 파일이 편집되었습니다.
audit-anchor-out-of-order = 앵커 파일 { $path }의 { $line }번째 줄의 순서가 어긋났습니다: 앵커 파일이 편집되었습니다.
audit-key-missing = 레코드 { $seq }은(는) 감사 키 { $key }로 봉인되어 있습니다. 검증하려면 audit.key_file(또는 audit.key_env)에 그 키를 설정하세요.
audit-key-other = 레코드 { $seq }은(는) 설정된 키가 아닌 감사 키 { $key }로 봉인되어 있습니다.
audit-scheme-unknown = 레코드 { $seq }에 알 수 없는 봉인 방식 "{ $scheme }"이(가) 적혀 있습니다.
audit-verify-failed = 감사 로그를 읽을 수 없습니다: { $reason }
audit-export-bad-since = "{ $value }"은(는) 시각이 아닙니다. RFC 3339(2026-12-01T00:00:00Z)나 지금부터 거슬러 올라갈 기간(24h, 7d)을 주세요.
audit-export-write-failed = 내보내기를 쓸 수 없습니다: { $reason }

audit-head-post = 감사 로그 헤드: 레코드 #{ $seq }, 해시 { $hash } ({ $at }). `opsbot audit verify`가 로그를 이 값과 비교합니다.
audit-head-post-empty = 감사 로그 헤드: 로그가 비어 있습니다.
config-audit-head-interval = audit.head_post_interval "{ $value }"은(는) 0보다 긴 기간이 아닙니다: "1h"처럼 쓰세요.
