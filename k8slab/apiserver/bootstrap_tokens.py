"""Bootstrap tokens: `<id>.<secret>` bearer tokens kept as Secrets in kube-system, which a
joining node presents before it has a certificate (--enable-bootstrap-token-auth=true).

Upstream: kk plugin/pkg/auth/authenticator/token/bootstrap/bootstrap.go and the Secret format of
k8s.io/cluster-bootstrap (token/api). The token `abcdef.0123456789abcdef` is looked up as the
Secret kube-system/bootstrap-token-abcdef of type bootstrap.kubernetes.io/token; it
authenticates as `system:bootstrap:abcdef` in system:bootstrappers plus the Secret's
auth-extra-groups (kubeadm: system:bootstrappers:kubeadm:default-node-token) when its
token-secret matches, its usage-bootstrap-authentication is "true" and it has not expired.
The lab reads the Secret from the API server's watch cache, as upstream reads a Secret lister.
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Callable

from k8slab.api.timestamps import from_time
from k8slab.apiserver.request_info import UserInfo

TOKEN_PATTERN = re.compile(r"^([a-z0-9]{6})\.([a-z0-9]{16})$")  # bootstrapapi.BootstrapTokenPattern
SECRET_TYPE = "bootstrap.kubernetes.io/token"
SECRET_PREFIX = "bootstrap-token-"
NAMESPACE = "kube-system"
USER_PREFIX = "system:bootstrap:"
BOOTSTRAPPERS = "system:bootstrappers"
KUBEADM_GROUP = "system:bootstrappers:kubeadm:default-node-token"
_GROUP_PATTERN = re.compile(r"^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$")


def secret_key(token_id: str) -> str:
    """The etcd key of the Secret holding token `token_id`."""
    return f"/registry/secrets/{NAMESPACE}/{SECRET_PREFIX}{token_id}"


def token_secret(token_id: str, secret: str, expiration: str = "",
                 groups: tuple[str, ...] = (KUBEADM_GROUP,)) -> dict:
    """The Secret `kubeadm token create` stores for `<token_id>.<secret>` (data base64)."""
    data = {"token-id": token_id, "token-secret": secret,
            "usage-bootstrap-authentication": "true", "usage-bootstrap-signing": "true",
            "auth-extra-groups": ",".join(groups)}
    if expiration:
        data["expiration"] = expiration
    return {"apiVersion": "v1", "kind": "Secret", "type": SECRET_TYPE,
            "metadata": {"name": SECRET_PREFIX + token_id, "namespace": NAMESPACE},
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in sorted(data.items())}}


class BootstrapTokenAuthenticator:
    """Bearer tokens checked against their Secrets, found by etcd key through `lookup`."""

    name = "bootstrap"

    def __init__(self, lookup: Callable[[str], dict | None], now: Callable[[], float]) -> None:
        self.lookup = lookup
        self.now = now

    def authenticate_token(self, token: str) -> UserInfo | None:
        """`system:bootstrap:<id>` for a valid bootstrap token, else None."""
        match = TOKEN_PATTERN.match(token)
        if match is None:
            return None  # not a bootstrap token: another authenticator may know it
        token_id, secret = match.groups()
        stored = self.lookup(secret_key(token_id))
        if not stored or stored.get("type") != SECRET_TYPE:
            return None
        if stored.get("metadata", {}).get("deletionTimestamp"):
            return None
        data = _decoded(stored.get("data") or {})
        if not hmac.compare_digest(data.get("token-secret", ""), secret):
            return None
        if data.get("usage-bootstrap-authentication") != "true":
            return None
        if _expired(data.get("expiration", ""), self.now()):
            return None
        extra = [g for g in data.get("auth-extra-groups", "").split(",") if g]
        if any(not _GROUP_PATTERN.match(group) for group in extra):
            return None
        return UserInfo(USER_PREFIX + token_id, (BOOTSTRAPPERS, *extra))


def _expired(expiration: str, now: float) -> bool:
    """Past its expiration; an expiration that does not parse counts as expired (upstream)."""
    if not expiration:
        return False
    try:
        return from_time(expiration) < now
    except ValueError:
        return True


def _decoded(data: dict) -> dict[str, str]:
    decoded = {}
    for key, value in data.items():
        try:
            decoded[key] = base64.b64decode(value, validate=True).decode()
        except (ValueError, TypeError):
            decoded[key] = ""
    return decoded
