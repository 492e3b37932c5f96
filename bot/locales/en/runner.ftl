# Runners (OPERATIONS.md, last paragraph): programs on the bot's host and commands on a node.

## Plans

runner-plan-program = Run `{ $command }` on the bot's host
runner-plan-node = Run `{ $command }` on node { $node } of { $cluster }

## Progress

runner-line = { $line }
runner-line-stderr = stderr: { $line }
runner-node-created = Created Job { $job } in { $namespace } to run on node { $node }
runner-node-waiting = The pod on node { $node } is waiting: { $reason }
runner-node-running = Pod { $pod } is running on node { $node }

## Results

runner-output = Output of `{ $command }`
runner-output-tail = Last { $lines } lines of `{ $command }`

## Refusals and failures

runner-not-configured = { $program } is not configured: add it under [runners.programs].
runner-program-missing = { $program } is configured as { $path }, which does not exist.
runner-program-not-executable = { $program } is configured as { $path }, which is not an executable file.
runner-exit = { $program } failed with exit code { $code }: { $last }
runner-exit-silent = { $program } failed with exit code { $code } without printing anything.
runner-node-no-command = There is no command to run on the node.
runner-node-unknown = Cluster { $cluster } has no node { $node }.
runner-node-exit = `{ $command }` failed on node { $node } with exit code { $code } ({ $reason }): { $last }
runner-node-exit-silent = `{ $command }` failed on node { $node } with exit code { $code } ({ $reason }) without printing anything.
runner-node-pod-gone = The pod of { $job } on node { $node } was deleted before the command finished.
runner-node-pod-failed = Pod { $pod } on node { $node } failed before the command finished: { $reason }
