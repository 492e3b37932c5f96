# 러너 (OPERATIONS.md 마지막 문단): 봇 호스트의 프로그램과 노드에서 실행하는 명령.

## 계획

runner-plan-program = 봇 호스트에서 `{ $command }`을(를) 실행합니다
runner-plan-node = { $cluster } 클러스터의 { $node } 노드에서 `{ $command }`을(를) 실행합니다

## 진행 상황

runner-line = { $line }
runner-line-stderr = stderr: { $line }
runner-node-created = { $node } 노드에서 실행할 Job { $job }을(를) { $namespace } 네임스페이스에 만들었습니다
runner-node-waiting = { $node } 노드의 파드가 아직 시작되지 않았습니다: { $reason }
runner-node-running = { $node } 노드에서 파드 { $pod }이(가) 실행 중입니다

## 결과

runner-output = `{ $command }`의 출력
runner-output-tail = `{ $command }` 출력의 마지막 { $lines }줄

## 거부와 실패

runner-not-configured = { $program }이(가) 설정되어 있지 않습니다. [runners.programs] 아래에 추가하세요.
runner-program-missing = { $program }의 경로로 설정된 { $path }이(가) 없습니다.
runner-program-not-executable = { $program }의 경로로 설정된 { $path }은(는) 실행 파일이 아닙니다.
runner-exit = { $program }이(가) 실패했습니다(종료 코드 { $code }): { $last }
runner-exit-silent = { $program }이(가) 아무것도 출력하지 않고 실패했습니다(종료 코드 { $code }).
runner-node-no-command = 노드에서 실행할 명령이 없습니다.
runner-node-unknown = { $cluster } 클러스터에 { $node } 노드가 없습니다.
runner-node-exit = { $node } 노드에서 `{ $command }`이(가) 실패했습니다(종료 코드 { $code }, { $reason }): { $last }
runner-node-exit-silent = { $node } 노드에서 `{ $command }`이(가) 아무것도 출력하지 않고 실패했습니다(종료 코드 { $code }, { $reason }).
runner-node-pod-gone = 명령이 끝나기 전에 { $node } 노드에서 { $job }의 파드가 삭제되었습니다.
runner-node-pod-failed = 명령이 끝나기 전에 { $node } 노드의 파드 { $pod }이(가) 실패했습니다: { $reason }
