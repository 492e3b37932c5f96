# The ways in: who the terminal is, which workspaces and guilds are heard, the admin listener.
shell-impersonation-off = --as { $name } is refused: this configuration does not allow impersonation (shell.impersonation = true), so the shell acts as your OS login name.
shell-no-login-name = The shell cannot tell which OS user runs it, so it does not start: { $reason }
shell-impersonating = ⚠ Impersonating { $subject }: shell.impersonation is on, so anyone who can run this shell may act as anyone. For demos and tests only.
config-admin-listen-same = { $value } is already server.listen; the admin listener needs an address of its own.
config-bad-team-id = "{ $value }" is not a Slack workspace id (T followed by capital letters and digits).
config-bad-guild-id = "{ $value }" is not a Discord guild id (a number).
config-slack-unpinned = Warning: no slack.team_id, so a "*" subject matches users of every Slack workspace the app is installed in.
config-discord-unpinned = Warning: no discord.guild_ids, so a "*" subject matches members of every Discord guild the app is in, and DMs are heard.
check-config-warnings = { $count } warnings.
slack-foreign-team = This opsbot does not act on requests from this Slack workspace.
discord-foreign-guild = This opsbot does not act on requests from this Discord server.
discord-no-guild = This opsbot acts only in its Discord server, not in direct messages.
serve-admin-listening = opsbot admin endpoints (/metrics, /readyz) on http://{ $address }
config-impersonation-from-env = shell.impersonation can be turned on only in the configuration file, not from the environment (whoever starts a shell sets its environment).
