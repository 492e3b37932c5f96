# Discord 채팅: 실행 메시지, 승인 카드, 명령 등록.
discord-run-running = { $operation }: 실행 중
discord-run-succeeded = { $operation }: 완료
discord-run-failed = { $operation }: 실패
discord-run-context = 요청자 { $user } · { $clusters } · { $seconds }초 · 요청 { $request }
discord-step-pending = 대기 중
discord-step-running = 실행 중…
discord-help-title = opsbot 도움말
discord-overflow = 출력이 메시지에 비해 너무 깁니다. { $file } 파일로 첨부했습니다.
discord-approval-header = 승인 필요: { $operation }
discord-approval-approve = 승인
discord-approval-deny = 거부
serve-discord-failed = Discord를 설정할 수 없습니다: { $reason }
discord-registered = /ops 명령을 등록했습니다 ({ $scope }).
discord-register-failed = /ops 명령을 등록하지 못했습니다: { $reason }
discord-register-unconfigured = 설정에 [discord] 섹션이 없습니다.
