"""The ServiceAccount (in kube-system) each modelled controller writes as.

kube-controller-manager with --use-service-account-credentials=true (kubeadm's setting) gives
each controller a client for its own ServiceAccount (cmd/kube-controller-manager/app:
`ClientBuilder.ClientOrDie("<account>")`), bound to `system:controller:<account>` by upstream's
default policy. The taint-eviction controller borrows node-controller's ("taint-manager uses
existing cluster role from node-controller").
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.certificates import Certificate, CertificateAuthority
from k8slab.api.kubeconfig import Credentials

ACCOUNT_NAMESPACE = "kube-system"

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


def account_user(controller: str) -> str:
    """The user a controller writes as: `system:serviceaccount:kube-system:<its account>`."""
    return f"system:serviceaccount:{ACCOUNT_NAMESPACE}:{CONTROLLER_ACCOUNTS[controller]}"


def account_certificate(ca: CertificateAuthority, user: str, serial: int,
                        now: float) -> Certificate:
    """A client certificate for ServiceAccount user `system:serviceaccount:<ns>:<name>`, in
    the groups its token would give it (system:serviceaccounts and system:serviceaccounts:<ns>).
    """
    namespace = user.split(":")[2]
    return ca.issue(user, ("system:serviceaccounts", f"system:serviceaccounts:{namespace}"),
                    serial, now)


def certificate_signer(ca: CertificateAuthority,
                       now: Callable[[], float]) -> Callable[[str], Credentials]:
    """Credentials for each controller's ServiceAccount, signed by the cluster CA that
    --cluster-signing-cert-file/--cluster-signing-key-file name.

    Simplified: upstream's kube-controller-manager asks TokenRequest for a ServiceAccount token
    per controller (creating the account if needed); the lab signs a client certificate naming
    the same user and groups, so the API server authenticates the same identity without the
    accounts having to exist first. Serials count up from 1000 per manager, in the order the
    controllers start.
    """
    serials = iter(range(1000, 1_000_000))
    return lambda user: Credentials(account_certificate(ca, user, next(serials), now()))
