"""The scheduling framework, laid out as upstream's: the plugin interface (`interface`), the
per-cycle scratch space (`cycle_state`), the runtime that runs the plugins (`runtime`) and the
explanation of a cycle (`diagnosis`). Upstream: kk pkg/scheduler/framework/ and
staging/src/k8s.io/kube-scheduler/framework/.
"""
