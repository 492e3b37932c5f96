# 비상 해제(break-glass): 장애 중 --break-glass --reason "…", 그리고 다른 사람이 해야 할 검토.
break-glass-reason-required = { $operation }에 비상 해제를 하려면 사유가 필요합니다: --reason "사유"를 붙여 주세요.
break-glass-not-allowed = { $subject }은(는) { $clusters }에서 { $operation }에 비상 해제를 할 수 없습니다: 그곳에서 이 사용자를 지정한 [[break_glass]] 규칙이 없습니다.
break-glass-no-pager = 비상 해제를 하지 않았고 아무것도 실행하지 않았습니다: security-incident 연락처를 호출할 수 없었습니다({ $reason }).
break-glass-page-summary = 비상 해제: { $requester }이(가) 평소의 승인 없이 { $operation }을(를) 실행합니다. 사유: { $reason }
break-glass-broken = { $rule } 규칙으로 { $operation }의 비상 해제: 필요한 승인 { $approvers }건, 보안 담당자 호출됨(인시던트 { $incident }). 다른 사람이 검토해야 합니다: review { $id }
break-glass-not-needed = 여기서는 { $operation }에 승인이 필요 없으므로 비상 해제를 하지 않았습니다.
break-glass-requester-lost-right = { $requester }에게 더 이상 요청 { $id }의 비상 해제 권한이 없어 실행하지 않습니다.
break-glass-review-usage = 사용법: review ID
break-glass-review-unknown = 비상 해제 실행 { $id }이(가) 없습니다.
break-glass-review-done = 비상 해제 실행 { $id }은(는) 이미 검토되었습니다({ $by }).
break-glass-review-own = 자신의 비상 해제 실행 { $id }은(는) 검토할 수 없습니다. 다른 사람이 검토해야 합니다.
break-glass-review-not-allowed = 비상 해제 실행 { $id }을(를) 검토할 수 없습니다: 검토자는 실행된 곳에서 { $operation }을(를) 승인할 수 있어야 합니다.
break-glass-review-unjudgeable = 비상 해제 실행 { $id }을(를) 현재 설정으로 판단할 수 없습니다: { $reason }
break-glass-reviewed = 비상 해제 실행 { $id }을(를) { $by }이(가) 검토했습니다.
break-glass-reviews-heading = 다른 사람의 검토를 기다리는 비상 해제 실행(review ID)
break-glass-col-since = 시작
break-glass-audit-unreviewed = 다른 사람의 검토를 기다리는 비상 해제 실행 { $count }건: { $ids }
