# 감시자 (이슈 7): 클러스터 감시자가 알리는 상태마다 한 줄.

## 노드

watch-node-not-ready = { $cluster } 클러스터의 노드 { $node }이(가) Ready 상태가 아닙니다 ({ $reason })
watch-node-disk-pressure = { $cluster } 클러스터의 노드 { $node }에 디스크 압박(DiskPressure)이 있습니다
watch-node-memory-pressure = { $cluster } 클러스터의 노드 { $node }에 메모리 압박(MemoryPressure)이 있습니다

## 파드

watch-pod-crash-loop = { $cluster } 클러스터 { $namespace } 네임스페이스의 파드 { $pod }이(가) CrashLoopBackOff 상태입니다 (컨테이너: { $containers })
watch-pod-oom-killed = { $cluster } 클러스터 { $namespace } 네임스페이스의 파드 { $pod }이(가) 메모리 부족으로 종료되었습니다(OOMKilled) (컨테이너: { $containers })

## 인증서

watch-certificate-expiring = { $cluster } 클러스터 { $namespace } 네임스페이스의 인증서 { $certificate }이(가) { $days }일 뒤에 만료됩니다 ({ $date })
watch-certificate-expired = { $cluster } 클러스터 { $namespace } 네임스페이스의 인증서 { $certificate }이(가) { $date }에 만료되었습니다

## Velero

watch-velero-backup-failed = { $cluster } 클러스터에서 스케줄 { $schedule }의 Velero 백업 { $backup }이(가) { $phase } 상태로 끝났습니다
watch-velero-manual-backup-failed = { $cluster } 클러스터에서 Velero 백업 { $backup }이(가) { $phase } 상태로 끝났습니다

## etcd

watch-etcd-unreachable = { $cluster }의 etcd가 응답하지 않습니다: { $reason }
watch-velero-schedule-failed = { $cluster }의 Velero 스케줄 { $schedule }이(가) 거부되어 백업이 만들어지지 않습니다: { $reason }
