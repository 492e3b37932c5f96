# cluster.status (런북 1.1)
cluster-status-plan = { $clusters }의 노드, kube-system Pod, Cilium, ClusterMesh 상태를 읽습니다
cluster-heading = { $cluster }
cluster-col-node = 노드
cluster-col-status = 상태
cluster-col-roles = 역할
cluster-col-version = 버전
cluster-node-ready = Ready
cluster-node-not-ready = NotReady
cluster-absent = 없음
cluster-all-ready = 모두 정상
cluster-field-pods-not-ready = 준비되지 않은 kube-system Pod
cluster-field-cilium = 준비된 Cilium 에이전트
cluster-field-mesh-apiserver = 준비된 ClusterMesh API 서버
cluster-field-mesh-remotes = ClusterMesh 원격 클러스터
