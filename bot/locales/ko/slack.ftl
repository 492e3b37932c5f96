# Slack 채팅: 슬래시 명령에 대한 응답, 실행 메시지, 나에게만 보이는 안내.
slack-ack = 처리하고 있습니다: { $command }
slack-busy = opsbot이 지금 바쁩니다(대기 중인 명령 { $waiting }개). 아무것도 실행하지 않았습니다. 잠시 후 다시 시도하세요.
slack-run-running = { $operation }: 실행 중
slack-run-succeeded = { $operation }: 완료
slack-run-failed = { $operation }: 실패
slack-run-context = 요청자 { $user } · { $clusters } · { $seconds }초 · 요청 { $request }
slack-run-context-global = 요청자 { $user } · { $seconds }초 · 요청 { $request }
slack-step-pending = 대기 중
slack-step-running = 진행 중…
slack-overflow-table = 표가 메시지에 담기에는 너무 길어 스레드에 { $file } 파일로 올렸습니다.
slack-overflow-text = 출력이 메시지에 담기에는 너무 길어 스레드에 { $file } 파일로 올렸습니다.
slack-overflow-report = 결과가 메시지에 담기에는 너무 길어 스레드에 { $file } 파일로 올렸습니다.
slack-cannot-post = 이 채널에 결과를 올리지 못했습니다({ $error }). /invite 로 저를 초대한 뒤 다시 시도하세요.

# opsbot serve
serve-listening = opsbot이 http://{ $address } 에서 서비스 중입니다
serve-bind-failed = { $address } 에서 연결을 받을 수 없습니다: { $reason }
serve-slack-failed = Slack을 설정할 수 없습니다: { $reason }
serve-failed = HTTP 서버가 멈췄습니다: { $reason }

# 승인 카드.
slack-approval-header = 승인 필요: { $operation }
slack-approval-approve = 승인
slack-approval-deny = 거부
slack-approval-expires = { $expires }에 만료됩니다. 요청자는 자신의 요청을 승인할 수 없습니다.

# 비공개 입력(모달에 입력하는 비밀 값)과 거부 사유 모달.
slack-prompt-ask = 🔒 { $question }. 명령을 실행한 분만 비공개 입력 창에서 답할 수 있으며, 입력한 값은 표시되거나 저장되지 않습니다.
slack-prompt-button = 비공개로 입력
slack-prompt-title = 비공개 입력
slack-prompt-submit = 보내기
slack-prompt-cancel = 취소
slack-prompt-stale = 이 입력 요청은 이미 닫혔습니다.
slack-prompt-not-yours = 명령을 실행한 분만 이 입력 요청에 답할 수 있습니다.
slack-prompt-expired = 시간 안에 비공개 입력이 없어 아무것도 보내지 않았습니다.
slack-prompt-unavailable = 비공개 입력 창을 열지 못했습니다({ $error }). 버튼을 다시 눌러 주세요.
slack-deny-title = 요청 거부
slack-deny-label = 거부 사유를 입력하세요
slack-deny-submit = 거부

# 장애 채널.
slack-incident-header = { $severity } 장애: { $summary }
slack-incident-source = *발생 위치:* { $source }
slack-incident-severity = *심각도:* { $severity }
slack-incident-state = *상태:* { $state }
slack-incident-team = *담당 팀:* { $team } ({ $situation })
slack-incident-pages = *호출:* { $pages }
slack-incident-no-pages = *호출:* 없음
slack-incident-context = 장애 { $id } · { $opened } 발생 · 보고자 { $who }
slack-incident-ack = 확인
slack-incident-resolve = 해결
slack-incident-sev-info = 정보
slack-incident-sev-warning = 경고
slack-incident-sev-error = 오류
slack-incident-sev-critical = 긴급
slack-incident-state-open = 진행 중
slack-incident-state-acknowledged = { $who } 님이 확인함
slack-incident-state-resolved = { $who } 님이 해결함
slack-incident-changed-open = 갱신되었습니다. 호출: { $pages }
slack-incident-changed-acknowledged = { $who } 님이 확인했습니다.
slack-incident-changed-resolved = { $who } 님이 해결했습니다.
