"""The test clusters' CA and the client certificates test clients present (not kubeadm's PKI:
tests that build a Cluster get that one)."""

from __future__ import annotations

from k8slab.api.certificates import CertificateAuthority, derived_key
from k8slab.api.kubeconfig import Credentials, kubeconfig

TEST_CA = CertificateAuthority.create("kubernetes", derived_key("tests/ca"), 0.0)


def credentials(user: str, groups: tuple[str, ...] = ()) -> Credentials:
    """A client certificate from TEST_CA for `user` (CN) in `groups` (O)."""
    return Credentials(TEST_CA.issue(user, groups, serial=1, now=0.0))


def kubeconfig_for(server: str, user: str, groups: tuple[str, ...] = ()) -> dict:
    """A kubeconfig naming `server` (a URL) with a TEST_CA certificate for `user`."""
    return kubeconfig(server, TEST_CA.certificate, user,
                      certificate=credentials(user, groups).certificate, key=b"k")
