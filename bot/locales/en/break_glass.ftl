# Break-glass: --break-glass --reason "…" in an outage, and the review someone else owes it.
break-glass-reason-required = Breaking the glass for { $operation } needs a reason: add --reason "why".
break-glass-not-allowed = { $subject } may not break the glass for { $operation } on { $clusters }: no [[break_glass]] rule names them there.
break-glass-no-pager = The glass was not broken and nothing ran: the security-incident contacts could not be paged ({ $reason }).
break-glass-page-summary = Break-glass: { $requester } runs { $operation } without the usual approvals. Reason: { $reason }
break-glass-broken = Glass broken for { $operation } under { $rule }: { $approvers } approval(s) needed, security paged (incident { $incident }). Someone else must review it: review { $id }
break-glass-not-needed = { $operation } needs no approval here, so the glass was not broken.
break-glass-requester-lost-right = { $requester } may no longer break the glass for request { $id }, so it will not run.
break-glass-review-usage = Usage: review ID
break-glass-review-unknown = There is no break-glass run { $id }.
break-glass-review-done = Break-glass run { $id } was already reviewed (by { $by }).
break-glass-review-own = You cannot review your own break-glass run { $id }; another person must.
break-glass-review-not-allowed = You may not review break-glass run { $id }: a reviewer must be allowed to approve { $operation } where it ran.
break-glass-review-unjudgeable = Break-glass run { $id } cannot be judged against today's configuration: { $reason }
break-glass-reviewed = Break-glass run { $id } reviewed by { $by }.
break-glass-reviews-heading = Break-glass runs awaiting review by someone else (review ID)
break-glass-col-since = since
break-glass-audit-unreviewed = { $count } break-glass run(s) still await review by someone else: { $ids }
