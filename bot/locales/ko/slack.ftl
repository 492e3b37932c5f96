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
