# cluster.status (RUNBOOK 1.1)
cluster-status-plan = Read nodes, kube-system pods, Cilium and ClusterMesh of { $clusters }
cluster-heading = { $cluster }
cluster-col-node = node
cluster-col-status = status
cluster-col-roles = roles
cluster-col-version = version
cluster-node-ready = Ready
cluster-node-not-ready = NotReady
cluster-absent = none
cluster-all-ready = all ready
cluster-field-pods-not-ready = kube-system pods not ready
cluster-field-cilium = Cilium agents ready
cluster-field-mesh-apiserver = ClusterMesh API server ready
cluster-field-mesh-remotes = ClusterMesh remote clusters
