# The Discord chat: the run message, approval cards, registration.
discord-run-running = { $operation }: running
discord-run-succeeded = { $operation }: done
discord-run-failed = { $operation }: failed
discord-run-context = Requested by { $user } · { $clusters } · { $seconds } s · request { $request }
discord-step-pending = waiting
discord-step-running = running…
discord-help-title = opsbot help
discord-overflow = The output is too long for a message; it is attached as { $file }.
discord-approval-header = Approval needed: { $operation }
discord-approval-approve = Approve
discord-approval-deny = Deny
serve-discord-failed = Discord cannot be set up: { $reason }
discord-registered = The /ops command is registered ({ $scope }).
discord-register-failed = The /ops command could not be registered: { $reason }
discord-register-unconfigured = There is no [discord] section in the configuration.
