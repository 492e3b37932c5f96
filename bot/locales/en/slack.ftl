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

# Private prompts (a secret typed into a modal) and the deny-reason modal.
slack-prompt-ask = 🔒 { $question }. Only you can answer, in a private form; what you type is not shown or kept.
slack-prompt-button = Enter privately
slack-prompt-title = Private input
slack-prompt-submit = Send
slack-prompt-cancel = Cancel
slack-prompt-stale = That prompt is no longer open.
slack-prompt-not-yours = Only the person who ran the command can answer this prompt.
slack-prompt-expired = Nobody answered the private prompt in time, so nothing was sent.
slack-prompt-unavailable = The private form could not be opened ({ $error }). Click the button again.
slack-deny-title = Deny the request
slack-deny-label = Why is it denied?
slack-deny-submit = Deny

# Incident channel.
slack-incident-header = { $severity } incident: { $summary }
slack-incident-source = *Source:* { $source }
slack-incident-severity = *Severity:* { $severity }
slack-incident-state = *State:* { $state }
slack-incident-team = *Team:* { $team } ({ $situation })
slack-incident-pages = *Pages:* { $pages }
slack-incident-no-pages = *Pages:* none
slack-incident-context = Incident { $id } · opened { $opened } · raised by { $who }
slack-incident-ack = Acknowledge
slack-incident-resolve = Resolve
slack-incident-sev-info = Info
slack-incident-sev-warning = Warning
slack-incident-sev-error = Error
slack-incident-sev-critical = Critical
slack-incident-state-open = open
slack-incident-state-acknowledged = acknowledged by { $who }
slack-incident-state-resolved = resolved by { $who }
slack-incident-changed-open = Updated. Pages: { $pages }
slack-incident-changed-acknowledged = Acknowledged by { $who }.
slack-incident-changed-resolved = Resolved by { $who }.
