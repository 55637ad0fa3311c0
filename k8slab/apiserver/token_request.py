"""TokenRequest: `create serviceaccounts/<name>/token`, answered by the API server with a bound
token for that ServiceAccount (kk pkg/registry/core/serviceaccount/storage/token.go,
pkg/apis/authentication/validation ValidateTokenRequest).

The request body is an authentication.k8s.io/v1 TokenRequest: spec.audiences (default: the
API server's own, the issuer), spec.expirationSeconds (default 3600, at least 600), and
spec.boundObjectRef naming a Pod (or Node) the token lives and dies with. The answer is the
same object with status.token and status.expirationTimestamp. A kubelet's 3607 s pod token is
extended to a year with warnafter at 3607 s, as --service-account-extend-token-expiration does.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Callable, Generator

from k8slab.api.kinds import NODE, POD, SERVICE_ACCOUNT
from k8slab.api.timestamps import to_time
from k8slab.apiserver.serviceaccount_token import (
    EXPIRATION_EXTENSION_SECONDS,
    ISSUER,
    WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
    sign,
    token_claims,
)
from k8slab.apiserver.storage import Storage
from k8slab.errors import BadRequestError, ConflictError, InvalidError, NotFoundError

API_VERSION = "authentication.k8s.io/v1"
DEFAULT_EXPIRATION_SECONDS = 3600  # SetDefaults_TokenRequestSpec
MIN_EXPIRATION_SECONDS = 10 * 60  # ValidateTokenRequest: "less than 10 minutes"
MAX_EXPIRATION_SECONDS = 1 << 32


def token_request_spec(body: object) -> dict:
    """The defaulted spec of a TokenRequest body; BadRequest/Invalid in upstream's words."""
    if body is None:
        body = {"apiVersion": API_VERSION, "kind": "TokenRequest"}
    if not isinstance(body, dict) or body.get("kind", "TokenRequest") != "TokenRequest":
        raise BadRequestError("a TokenRequest body is an authentication.k8s.io/v1 TokenRequest "
                              "object with a spec (audiences, expirationSeconds, "
                              "boundObjectRef)")
    spec = copy.deepcopy(body.get("spec") or {})
    if not isinstance(spec, dict):
        raise BadRequestError("TokenRequest spec must be an object")
    seconds = spec.setdefault("expirationSeconds", DEFAULT_EXPIRATION_SECONDS)
    audiences = spec.setdefault("audiences", [])
    if type(seconds) is not int or not isinstance(audiences, list) or not all(
            isinstance(a, str) for a in audiences):
        raise BadRequestError("TokenRequest spec.expirationSeconds is an integer and "
                              "spec.audiences a list of strings")
    problems = []
    if seconds < MIN_EXPIRATION_SECONDS:
        problems.append(f"spec.expirationSeconds: Invalid value: {seconds}: may not specify a "
                        "duration less than 10 minutes")
    if seconds > MAX_EXPIRATION_SECONDS:
        problems.append(f"spec.expirationSeconds: Invalid value: {seconds}: may not specify a "
                        "duration larger than 2^32 seconds")
    if problems:
        joined = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
        raise InvalidError(f'TokenRequest.authentication.k8s.io "" is invalid: {joined}')
    return spec


class TokenRequests:
    """Issues tokens for one API server, signed with the cluster's service-account key."""

    def __init__(self, storage: Storage, key: bytes, now: Callable[[], float],
                 rng: random.Random) -> None:
        self.storage = storage
        self.key = key
        self.now = now
        self._rng = rng

    def create(self, namespace: str, name: str, body: object) -> Generator:
        """The TokenRequest answered: its spec defaulted and its status holding the token."""
        spec = token_request_spec(body)
        account = yield from self.storage.get(SERVICE_ACCOUNT, namespace, name)
        pod = node = None
        ref = spec.get("boundObjectRef")
        if ref is not None:
            pod, node = yield from self._bound_objects(namespace, name, ref)
        audiences = spec["audiences"] or [ISSUER]
        spec["audiences"] = audiences
        seconds = spec["expirationSeconds"]
        lifetime, warn_after = seconds, 0
        if pod is not None and seconds == WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS:
            lifetime, warn_after = EXPIRATION_EXTENSION_SECONDS, seconds
        jti = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        now = self.now()
        claims = token_claims(account, pod, node, audiences, now, lifetime, warn_after, jti)
        return {"apiVersion": API_VERSION, "kind": "TokenRequest",
                "metadata": {"name": name, "namespace": namespace,
                             "creationTimestamp": None},
                "spec": spec,
                "status": {"token": sign(claims, self.key),
                           "expirationTimestamp": to_time(now + seconds)}}

    def _bound_objects(self, namespace: str, name: str, ref: dict) -> Generator:
        kind, api_version = ref.get("kind"), ref.get("apiVersion", "v1")
        if api_version == "v1" and kind == "Pod":
            pod = yield from self.storage.get(POD, namespace, ref.get("name", ""))
            bound_as = pod["spec"].get("serviceAccountName", "")
            if bound_as != name:
                raise BadRequestError(f'cannot bind token for serviceaccount "{name}" to pod '
                                      f'running with serviceaccount "{bound_as}"')
            node = None
            node_name = pod["spec"].get("nodeName")
            if node_name:  # ServiceAccountTokenPodNodeInfo (GA v1.32): the pod's node too
                try:
                    node = yield from self.storage.get(NODE, None, node_name)
                except NotFoundError:  # not fatal: the claim names the node, without a uid
                    node = {"metadata": {"name": node_name}}
            bound = pod
        elif api_version == "v1" and kind == "Node":
            pod, node = None, (yield from self.storage.get(NODE, None, ref.get("name", "")))
            bound = node
        else:
            raise BadRequestError(f"cannot bind token to object of type {api_version}, "
                                  f"Kind={kind}")
        uid = bound["metadata"].get("uid", "")
        if ref.get("uid") and ref["uid"] != uid:
            raise ConflictError(
                f'Operation cannot be fulfilled on {kind} "{ref.get("name", "")}": the UID in '
                f"the bound object reference ({ref['uid']}) does not match the UID in record "
                f"({uid}). The object might have been deleted and then recreated")
        return pod, node
