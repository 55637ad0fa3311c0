"""The test clusters' CA and the client certificates test clients present (not kubeadm's PKI:
tests that build a Cluster get that one)."""

from __future__ import annotations

from k8slab.api.certificates import Certificate, CertificateAuthority, derived_key, key_from_pem
from k8slab.api.kubeconfig import Credentials, kubeconfig
from k8slab.apiserver.authentication import Authenticator
from k8slab.apiserver.request_info import SYSTEM_MASTERS
from k8slab.controllers.accounts import account_certificate

TEST_CA = CertificateAuthority.create("kubernetes", derived_key("tests/ca"), 0.0)


def trusting_test_ca(sim) -> Authenticator:
    """An API server's authenticator trusting TEST_CA (--client-ca-file), at `sim`'s time."""
    return Authenticator(lambda: sim.now, TEST_CA)


def credentials(user: str, groups: tuple[str, ...] = ()) -> Credentials:
    """A client certificate from TEST_CA for `user` (CN) in `groups` (O)."""
    return Credentials(TEST_CA.issue(user, groups, serial=1, now=0.0))


def kubeconfig_for(server: str, user: str, groups: tuple[str, ...] = ()) -> dict:
    """A kubeconfig naming `server` (a URL) with a TEST_CA certificate for `user`."""
    return kubeconfig(server, TEST_CA.certificate, user,
                      certificate=credentials(user, groups).certificate, key=b"k")


def kubeadm_credentials(user: str) -> Credentials:
    """A TEST_CA certificate for `user` in the groups kubeadm's credential for that name
    carries: system:node:<n> in system:nodes, a ServiceAccount user in its two groups,
    kubernetes-admin in kubeadm:cluster-admins, kubernetes-super-admin in system:masters."""
    if user.startswith("system:serviceaccount:"):
        return account_credentials(user)
    groups = {"kubernetes-admin": ("kubeadm:cluster-admins",),
              "kubernetes-super-admin": (SYSTEM_MASTERS,)}.get(user, ())
    if user.startswith("system:node:"):
        groups = ("system:nodes",)
    return credentials(user, groups)


def account_credentials(user: str) -> Credentials:
    """A TEST_CA certificate for a ServiceAccount user `system:serviceaccount:<ns>:<name>`,
    with the groups its token would carry (how test controller managers sign their own)."""
    return Credentials(account_certificate(TEST_CA, user, serial=2, now=0.0))


def cluster_credentials(cluster, user: str, groups: tuple[str, ...] = ()) -> Credentials:
    """A certificate for `user` in `groups` signed by a lab Cluster's own CA (read from its
    first control-plane host's /etc/kubernetes/pki), as an administrator with ca.key can."""
    disk = cluster.network.host(cluster.control_planes[0]).disk
    ca = CertificateAuthority(Certificate.from_pem(disk["/etc/kubernetes/pki/ca.crt"]),
                              key_from_pem(disk["/etc/kubernetes/pki/ca.key"]))
    return Credentials(ca.issue(user, groups, serial=9000, now=cluster.sim.now))


__all__ = ["SYSTEM_MASTERS", "TEST_CA", "account_credentials", "cluster_credentials", "credentials",
           "kubeadm_credentials", "kubeconfig_for"]
