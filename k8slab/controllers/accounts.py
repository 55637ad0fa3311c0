"""The ServiceAccount (in kube-system) each modelled controller writes as.

kube-controller-manager with --use-service-account-credentials=true (kubeadm's setting) gives
each controller a client for its own ServiceAccount (cmd/kube-controller-manager/app:
`ClientBuilder.ClientOrDie("<account>")`), bound to `system:controller:<account>` by upstream's
default policy. The taint-eviction controller borrows node-controller's ("taint-manager uses
existing cluster role from node-controller").
"""

from __future__ import annotations

CONTROLLER_ACCOUNTS: dict[str, str] = {
    "clusterrole-aggregation-controller": "clusterrole-aggregation-controller",
    "daemonset-controller": "daemon-set-controller",
    "deployment-controller": "deployment-controller",
    "endpointslice-controller": "endpointslice-controller",
    "garbage-collector-controller": "generic-garbage-collector",
    "job-controller": "job-controller",
    "namespace-controller": "namespace-controller",
    "node-lifecycle-controller": "node-controller",
    "replicaset-controller": "replicaset-controller",
    "replicationcontroller-controller": "replication-controller",
    "resourcequota-controller": "resourcequota-controller",
    "root-ca-certificate-publisher-controller": "root-ca-cert-publisher",
    "serviceaccount-controller": "service-account-controller",
    "statefulset-controller": "statefulset-controller",
    "taint-eviction-controller": "node-controller",
}
