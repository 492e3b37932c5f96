# 사람 단위 승인과 현재 권한: 승인 검사의 문장 (이슈 11).
approval-groups-unavailable = { $chat }에 { $subject }의 현재 그룹을 물어볼 수 없어 거부했으며 아무것도 바뀌지 않았습니다. { $chat }이(가) 응답하면 다시 시도하세요.
approval-already-voted-as = 이미 { $person }(으)로 요청 { $id }을(를) 승인했습니다. 어느 계정을 쓰든 한 사람은 한 번만 승인할 수 있습니다.
approval-not-enough-people = 요청 { $id }은(는) { $votes }명의 승인을 받았지만 { $needed }명이 필요하므로 실행하지 않습니다.
