# 들어오는 길: 터미널의 신원, 받아들이는 워크스페이스와 서버, 관리용 리스너.
shell-impersonation-off = --as { $name }은(는) 거부되었습니다: 이 설정은 다른 사람 행세를 허용하지 않으므로(shell.impersonation = true) 셸은 OS 로그인 이름으로 동작합니다.
shell-no-login-name = 셸을 실행한 OS 사용자를 알 수 없어 시작하지 않습니다: { $reason }
shell-impersonating = ⚠ { $subject }(으)로 행세합니다: shell.impersonation이 켜져 있어 이 셸을 실행할 수 있는 누구나 누구로든 행동할 수 있습니다. 시연과 테스트 전용입니다.
config-admin-listen-same = { $value }은(는) 이미 server.listen입니다. 관리용 리스너에는 별도의 주소가 필요합니다.
config-bad-team-id = "{ $value }"은(는) Slack 워크스페이스 id가 아닙니다(T 뒤에 영대문자와 숫자).
config-bad-guild-id = "{ $value }"은(는) Discord 서버 id가 아닙니다(숫자).
config-slack-unpinned = 경고: slack.team_id가 없어 "*" 주체가 앱이 설치된 모든 Slack 워크스페이스의 사용자와 일치합니다.
config-discord-unpinned = 경고: discord.guild_ids가 없어 "*" 주체가 앱이 들어간 모든 Discord 서버의 멤버와 일치하고 DM도 받아들입니다.
check-config-warnings = 경고 { $count }건.
slack-foreign-team = 이 opsbot은 이 Slack 워크스페이스의 요청을 처리하지 않습니다.
discord-foreign-guild = 이 opsbot은 이 Discord 서버의 요청을 처리하지 않습니다.
discord-no-guild = 이 opsbot은 자신의 Discord 서버에서만 동작하며 DM에서는 동작하지 않습니다.
serve-admin-listening = opsbot 관리용 엔드포인트(/metrics, /readyz): http://{ $address }
config-impersonation-from-env = shell.impersonation은 환경 변수가 아니라 설정 파일에서만 켤 수 있습니다(셸을 시작하는 사람이 환경 변수를 정합니다).
