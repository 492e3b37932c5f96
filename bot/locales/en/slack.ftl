# The Slack chat: the answer to a slash command, the run message, ephemeral sentences.
slack-ack = Working on it: { $command }
slack-busy = opsbot is busy ({ $waiting } commands are waiting), so nothing was run. Try again in a minute.
slack-run-running = { $operation }: running
slack-run-succeeded = { $operation }: done
slack-run-failed = { $operation }: failed
slack-run-context = Requested by { $user } · { $clusters } · { $seconds } s · request { $request }
slack-run-context-global = Requested by { $user } · { $seconds } s · request { $request }
slack-step-pending = waiting
slack-step-running = running…
slack-overflow-table = The table is too long for a message; it is in the thread as { $file }.
slack-overflow-text = The output is too long for a message; it is in the thread as { $file }.
slack-overflow-report = The result is too long for a message; it is in the thread as { $file }.
slack-cannot-post = I could not post the result in this channel ({ $error }). Invite me with /invite and try again.

# opsbot serve
serve-listening = opsbot is serving on http://{ $address }
serve-bind-failed = Cannot listen on { $address }: { $reason }
serve-slack-failed = Slack cannot be set up: { $reason }
serve-failed = The HTTP server stopped: { $reason }

# Approval cards.
slack-approval-header = Approval needed: { $operation }
slack-approval-approve = Approve
slack-approval-deny = Deny
slack-approval-expires = Expires { $expires }. The requester cannot approve their own request.
