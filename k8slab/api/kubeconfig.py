"""kubeconfig files: which API server a client talks to and the credential it presents there.

A kubeconfig (apiVersion v1, kind Config) lists clusters (server URL, CA data), users (a client
certificate and key, or a bearer token) and contexts pairing them; `current-context` picks one.
kubeadm writes one per identity under /etc/kubernetes/ (admin.conf, kubelet.conf, ...) with the
certificates embedded as base64 `*-data` fields, as `kubeadm init phase kubeconfig` does.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import yaml

from k8slab.api.certificates import Certificate, CertificateError, key_pem

CLUSTER_NAME = "kubernetes"  # kubeadm's default clusterName


@dataclass(frozen=True)
class Credentials:
    """What a client presents to the API server: a client certificate, a bearer token, or
    neither (an anonymous request)."""

    certificate: Certificate | None = None
    token: str = ""

    @property
    def user_hint(self) -> str:
        """Who these credentials claim to be, for messages only (never trusted)."""
        if self.certificate is not None:
            return self.certificate.common_name
        return "token" if self.token else "anonymous"


ANONYMOUS_CREDENTIALS = Credentials()


def kubeconfig(server: str, ca: Certificate, user: str, *, certificate: Certificate | None = None,
               key: bytes = b"", token: str = "") -> dict:
    """A kubeconfig as kubeadm writes it: one cluster `kubernetes`, one user, one context
    `<user>@kubernetes`, with the CA and the client certificate and key embedded."""
    credential: dict = {}
    if certificate is not None:
        credential = {"client-certificate-data": _b64(certificate.to_pem()),
                      "client-key-data": _b64(key_pem(key))}
    if token:
        credential["token"] = token
    context = f"{user}@{CLUSTER_NAME}"
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"cluster": {"certificate-authority-data": _b64(ca.to_pem()),
                                  "server": server}, "name": CLUSTER_NAME}],
        "contexts": [{"context": {"cluster": CLUSTER_NAME, "user": user}, "name": context}],
        "current-context": context,
        "preferences": {},
        "users": [{"name": user, "user": credential}],
    }


def read_kubeconfig(document: object) -> tuple[str, Credentials]:
    """(server URL, credentials) of a kubeconfig's current context; the document is a dict or
    its YAML text. CertificateError names what is missing or malformed."""
    config = yaml.safe_load(document) if isinstance(document, str) else document
    if not isinstance(config, dict):
        raise CertificateError(f"a kubeconfig is a mapping (kind: Config), got {document!r:.80}")
    context_name = config.get("current-context") or ""
    context = _named(config, "contexts", context_name).get("context") or {}
    cluster = _named(config, "clusters", context.get("cluster", "")).get("cluster") or {}
    user = _named(config, "users", context.get("user", "")).get("user") or {}
    server = cluster.get("server")
    if not server:
        raise CertificateError(f'invalid configuration: no server found for cluster '
                               f'"{context.get("cluster", "")}"')
    certificate = None
    if user.get("client-certificate-data"):
        certificate = Certificate.from_pem(_unb64(user["client-certificate-data"]))
    return server, Credentials(certificate, user.get("token") or "")


def _named(config: dict, section: str, name: str) -> dict:
    for entry in config.get(section) or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry
    raise CertificateError(f'invalid configuration: no {section[:-1]} named "{name}" in the '
                           f"kubeconfig's {section}")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _unb64(text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).decode()
    except ValueError:
        raise CertificateError("client-certificate-data is not valid base64") from None
