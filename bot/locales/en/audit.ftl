# The audit log's key, anchor, verify and export (issue 11, point 8).

config-audit-key-twice = Set either audit.key_file or audit.key_env, not both.
config-audit-key-missing = The audit key file { $path } does not exist.
config-audit-key-unreadable = The audit key file { $path } cannot be read: { $reason }
config-audit-key-open = The audit key file { $path } is open to every user on this host (mode { $mode }); make it readable by its owner only (chmod 600).
config-audit-key-empty = The audit key is empty.
config-audit-key-short = The audit key has { $bytes } bytes; it needs at least { $needed } (for example: openssl rand -hex 32).
config-audit-key-env-unset = The environment variable { $name }, which should hold the audit key, is not set.
config-audit-anchor-missing = The audit anchor file { $path } does not exist; create it (touch, then chattr +a to make it append-only).
config-audit-anchor-unwritable = The audit anchor file { $path } cannot be opened for appending: { $reason }

audit-intact-sealed = Records from { $seq } on are sealed with audit key { $key }.
audit-intact-anchored = The head, record { $seq }, matches the anchor file { $path }.
audit-intact-unprotected = No key and no anchor protect this log: whoever can write the database can rewrite it unnoticed (see audit.key_file and audit.anchor_file).
audit-intact-unanchored = Without an anchor file, records cut from the end of the log cannot be noticed (see audit.anchor_file).
audit-break-downgrade = it is not sealed with the audit key, though the records before it are
audit-break-unsealed = it is the newest record and is not sealed with the configured audit key
audit-break-anchor-mismatch = the anchor file holds a different hash for it, so it or a record before it was rewritten
audit-break-anchor-beyond = the anchor file records it, but the log ends at record { $last }: its tail was cut off
audit-break-anchor-beyond-empty = the anchor file records it, but the log is empty
audit-break-anchor-behind = it is the log's head, but the anchor file's last entry is record { $anchored }
audit-break-anchor-behind-empty = it is the log's head, but the anchor file holds no entry
audit-anchor-malformed = Line { $line } of the anchor file { $path } is not "SEQ HASH": the anchor file was edited.
audit-anchor-out-of-order = Line { $line } of the anchor file { $path } is out of order: the anchor file was edited.
audit-key-missing = Record { $seq } is sealed with audit key { $key }; set audit.key_file (or audit.key_env) to that key to verify it.
audit-key-other = Record { $seq } is sealed with audit key { $key }, not with the configured one.
audit-scheme-unknown = Record { $seq } names an unknown sealing scheme "{ $scheme }".
audit-verify-failed = The audit log could not be read: { $reason }
audit-export-bad-since = "{ $value }" is not a time: give RFC 3339 (2026-12-01T00:00:00Z) or a duration back from now (24h, 7d).
audit-export-write-failed = The export could not be written: { $reason }

audit-head-post = Audit log head: record #{ $seq }, hash { $hash } ({ $at }). `opsbot audit verify` compares the log with this.
audit-head-post-empty = Audit log head: the log is empty.
config-audit-head-interval = audit.head_post_interval "{ $value }" is not a duration longer than zero: write it like "1h".
