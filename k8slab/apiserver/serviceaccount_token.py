"""Bound ServiceAccount tokens: the JWTs TokenRequest issues, and the authenticator that
accepts them (kk pkg/serviceaccount claims.go and jwt.go).

A token is `header.payload.signature`, each part base64url without padding. The payload
carries upstream's claims, keys sorted as go-jose writes them: iss (kubeadm's
--service-account-issuer), sub `system:serviceaccount:<ns>:<name>`, aud, exp, iat, nbf, jti,
and `kubernetes.io` with the namespace, the ServiceAccount, the Pod and Node it is bound to,
and `warnafter` for the kubelet's 3607-second tokens.
Simplified: upstream signs with RS256 and the private key sa.key, and checks with sa.pub; the
lab signs with HMAC-SHA256 and a key derived from the cluster seed (`signing_key`), so the
same seed gives the same tokens. Anyone holding the key could mint tokens, as anyone holding
sa.key can.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable

from k8slab.api.kinds import NODE, POD, SERVICE_ACCOUNT, registry_key
from k8slab.api.timestamps import EPOCH, from_time
from k8slab.apiserver.request_info import ALL_AUTHENTICATED, UserInfo

# kubeadm's --service-account-issuer (reference i.3); the API server's own audience too
# (--api-audiences defaults to the issuer).
ISSUER = "https://kubernetes.default.svc.cluster.local"
# pkg/serviceaccount/claims.go: the kubelet asks 3607 s, a number that marks its tokens; with
# --service-account-extend-token-expiration (default true) such a token really lasts a year
# and carries warnafter at the 3607 s it asked for.
WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7
EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60
# go-jose's jwt.DefaultLeeway: exp, nbf and a bound object's deletion allow one minute.
LEEWAY_SECONDS = 60
EXTRA_CREDENTIAL_ID = "authentication.kubernetes.io/credential-id"
EXTRA_NODE_NAME = "authentication.kubernetes.io/node-name"
EXTRA_NODE_UID = "authentication.kubernetes.io/node-uid"
EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name"
EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid"
SERVICE_ACCOUNT_USER_PREFIX = "system:serviceaccount:"


class InvalidToken(Exception):  # noqa: N818 - an authenticator's reason, not an API error
    """Why a token was not accepted (upstream's words where it has them)."""


def signing_key(seed: int) -> bytes:
    """The key every API server of a cluster signs tokens with: the lab's stand-in for
    /etc/kubernetes/pki/sa.key, derived from the cluster seed (point this at the real key)."""
    return hashlib.sha256(f"k8slab/{seed}/sa.key".encode()).digest()


def unix_time(seconds: float) -> int:
    """A simulated time as a JWT NumericDate: whole seconds since 1970 (sim 0 is 2026-01-01)."""
    return int(EPOCH.timestamp()) + int(seconds)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(key: bytes) -> str:
    """The `kid` header: upstream hashes the public key; here, the hash of the key."""
    return _b64(hashlib.sha256(b"kid/" + key).digest())


def sign(claims: dict, key: bytes) -> str:
    """A JWT of `claims`, signed with `key` (HS256; upstream RS256)."""
    header = {"alg": "HS256", "kid": key_id(key)}
    parts = [_b64(json.dumps(part, sort_keys=True, separators=(",", ":")).encode())
             for part in (header, claims)]
    signing_input = ".".join(parts).encode()
    return ".".join(parts + [_b64(hmac.new(key, signing_input, hashlib.sha256).digest())])


def read_claims(token: str, key: bytes) -> dict:
    """The claims of a token signed with `key`; InvalidToken if it is not one."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise InvalidToken("token is not a JWT (header.payload.signature)")
    try:
        header = json.loads(_unb64(parts[0]))
        claims = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidToken("token is not a JWT (header.payload.signature)") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(
            claims, dict):
        raise InvalidToken("token is not a JWT this issuer signs")
    expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise InvalidToken("invalid token signature")
    return claims


def token_claims(service_account: dict, pod: dict | None, node: dict | None,
                 audiences: list[str], now: float, expiration_seconds: int,
                 warn_after: int, jti: str) -> dict:
    """The claims upstream's serviceaccount.Claims builds for a token issued at `now`."""
    meta = service_account["metadata"]
    issued = unix_time(now)
    private: dict = {"namespace": meta["namespace"],
                     "serviceaccount": {"name": meta["name"], "uid": meta.get("uid", "")}}
    if pod is not None:
        private["pod"] = {"name": pod["metadata"]["name"], "uid": pod["metadata"].get("uid", "")}
    if node is not None:
        private["node"] = {"name": node["metadata"]["name"],
                           "uid": node["metadata"].get("uid", "")}
    if warn_after:
        private["warnafter"] = issued + warn_after
    return {"iss": ISSUER, "sub": f"{SERVICE_ACCOUNT_USER_PREFIX}{meta['namespace']}:"
            f"{meta['name']}", "aud": list(audiences), "exp": issued + expiration_seconds,
            "iat": issued, "nbf": issued, "jti": jti, "kubernetes.io": private}


def _go_strings(values: list[str] | tuple[str, ...]) -> str:
    return "[" + " ".join(json.dumps(value) for value in values) + "]"


class ServiceAccountTokenAuthenticator:
    """Accepts a bound token: signed with the cluster's key, from this issuer, for one of the
    API server's audiences, not expired at simulated now, and bound to a ServiceAccount (and
    Pod) that still exist with the uids it names, as the API server's watch cache holds them."""

    name = "serviceaccount"  # the trace's `token:serviceaccount`

    def __init__(self, key: bytes, objects: Callable[[], dict[str, dict]],
                 now: Callable[[], float], audiences: tuple[str, ...] = (ISSUER,)) -> None:
        self.key = key
        self.objects = objects
        self.now = now
        self.audiences = audiences

    def authenticate_token(self, token: str) -> UserInfo | None:
        """The ServiceAccount user a token stands for, or None when it is not valid."""
        try:
            return self.verify(token)
        except InvalidToken:
            return None

    def verify(self, token: str) -> UserInfo:
        """The user, or InvalidToken saying why not (jwt.go and claims.go Validate)."""
        claims = read_claims(token, self.key)
        if claims.get("iss") != ISSUER:
            raise InvalidToken(f"token issuer {json.dumps(claims.get('iss'))} is not {ISSUER}")
        audiences = claims.get("aud") or []
        if not set(audiences) & set(self.audiences):
            raise InvalidToken(f"token audiences {_go_strings(audiences)} is invalid for the "
                               f"target audiences {_go_strings(self.audiences)}")
        now = unix_time(self.now())
        if now > int(claims.get("exp", 0)) + LEEWAY_SECONDS:
            raise InvalidToken("service account token has expired")
        if now < int(claims.get("nbf", 0)) - LEEWAY_SECONDS:
            raise InvalidToken("service account token is not valid yet")
        private = claims.get("kubernetes.io") or {}
        namespace = private.get("namespace", "")
        account = private.get("serviceaccount") or {}
        stored = self.objects().get(registry_key(SERVICE_ACCOUNT, namespace,
                                                 account.get("name") or "-"))
        if stored is None:
            raise InvalidToken(f'serviceaccounts "{account.get("name", "")}" not found')
        if stored["metadata"].get("uid") != account.get("uid"):
            raise InvalidToken(f"service account UID ({stored['metadata'].get('uid')}) does "
                               f"not match claim ({account.get('uid')})")
        extra = {EXTRA_CREDENTIAL_ID: (f"JTI={claims.get('jti', '')}",)}
        pod_ref = private.get("pod")
        if pod_ref is not None:
            pod = self.objects().get(registry_key(POD, namespace, pod_ref.get("name") or "-"))
            if pod is None or self._deleted_long_ago(pod, now):
                raise InvalidToken("service account token has been invalidated")
            if pod["metadata"].get("uid") != pod_ref.get("uid"):
                raise InvalidToken(f"pod UID ({pod['metadata'].get('uid')}) does not match "
                                   f"service account pod ref claim ({pod_ref.get('uid')})")
            extra[EXTRA_POD_NAME] = (pod_ref["name"],)
            extra[EXTRA_POD_UID] = (pod_ref["uid"],)
        node_ref = private.get("node")
        if node_ref is not None:
            extra[EXTRA_NODE_NAME] = (node_ref.get("name", ""),)
            extra[EXTRA_NODE_UID] = (node_ref.get("uid", ""),)
            if pod_ref is None and self.objects().get(
                    registry_key(NODE, None, node_ref.get("name") or "-")) is None:
                raise InvalidToken("service account token has been invalidated")
        name = account["name"]
        return UserInfo(f"{SERVICE_ACCOUNT_USER_PREFIX}{namespace}:{name}",
                        ("system:serviceaccounts", f"system:serviceaccounts:{namespace}",
                         ALL_AUTHENTICATED),
                        uid=account.get("uid", ""), extra=tuple(sorted(extra.items())))

    @staticmethod
    def _deleted_long_ago(obj: dict, now: int) -> bool:
        deleted = obj["metadata"].get("deletionTimestamp")
        if not deleted:
            return False
        return unix_time(from_time(deleted)) < now - LEEWAY_SECONDS
