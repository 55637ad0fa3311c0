"""The API server's front door: who sent a request (authentication, 401 for a bad credential)
and the audit log's record of it, around every request the server handles.

Upstream's handler chain runs WithAuthentication, then WithAudit, before authorization and the
handlers (apiserver pkg/server/config.go DefaultBuildHandlerChain).
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from k8slab.api.kinds import Kind, resource_info
from k8slab.api.warnings import was_created
from k8slab.apiserver.audit import AuditEntry, AuditLog
from k8slab.apiserver.audit_policy import PANIC, RESPONSE_COMPLETE
from k8slab.apiserver.authentication import Authenticator, LoopbackToken
from k8slab.apiserver.authorization import reviews
from k8slab.apiserver.request_info import UserInfo, request_attributes
from k8slab.errors import APIError, K8sLabError, UnauthorizedError

# The verbs that write (their authentication is in the trace; reads are too many).
WRITE_VERBS = ("create", "update", "update_status", "patch", "bind", "delete", "evict",
               "token", "update_scale")


class FrontDoor:
    """Authentication and audit for an API server that has `authenticator`, `audit` (an
    AuditLog or None), `loopback` (its own token), `crds` (whose `resolve` names custom
    resources), and the methods `serve(request)` and `_record(kind, obj, **details)`."""

    authenticator: Authenticator
    audit: AuditLog | None
    loopback: LoopbackToken

    def serve_loopback(self, request: dict) -> Generator:
        """Serve one of the API server's own requests, with its loopback token."""
        return (yield from self.serve({**request, "token": self.loopback.token}))

    def _audited(self, entry: AuditEntry | None, verb: str, result: object) -> object:
        # The answer's code and object for the audit log: 201 Created for a create, and for an
        # apply that created its object.
        if entry is not None:
            created = verb == "create" or was_created(result)
            self.audit.complete(entry, 201 if created else 200, result)
        return result

    def _audit_failed(self, entry: AuditEntry | None, error: APIError,
                      panicked: bool = False) -> None:
        # An error answer is logged with its Status; a handler's panic at the Panic stage.
        if entry is not None:
            self.audit.complete(entry, error.code, error.to_status(),
                                stage=PANIC if panicked else RESPONSE_COMPLETE)

    def _authenticate(self, request: dict) -> UserInfo:
        """Who sent the request, proven by its credential; 401 if the credential does not
        verify. Writes and failures are in the trace (`authn`), reads are too many."""
        try:
            user, method = self.authenticator.identify(request)
        except UnauthorizedError as error:
            self._record("authn", _described(request, self.crds.resolve), decision="failed",
                         cause=error.cause, source=request.get("source", ""))
            if self.audit is not None:
                self._audit_unauthenticated(request)
            raise
        if request["verb"] in WRITE_VERBS:
            self._record("authn", request_ref(request, self.crds.resolve), user=user.name,
                         groups=list(user.groups), method=method)
        return user

    def _audit_unauthenticated(self, request: dict) -> None:
        try:
            attributes = request_attributes(request, UserInfo(""))
        except K8sLabError:
            return  # a request for no known resource: nothing to name in the log
        self.audit.unauthenticated(request, attributes)


def request_ref(request: dict, resolve: Callable[[str], Kind] = resource_info) -> str:
    """`pod/default/web-1` for a request, from its body or its name (before any defaulting);
    `resolve` finds the kind of a resource (the server's also knows its custom ones)."""
    if request.get("resource") in (reviews.ACCESS, reviews.RULES):
        return request["resource"]
    try:
        kind = resolve(request.get("resource") or "")
    except K8sLabError:
        return str(request.get("resource"))
    body = request.get("body")
    meta = (body.get("metadata") or {}) if isinstance(body, dict) else {}
    name = request.get("name") or meta.get("name") or meta.get("generateName", "")
    namespace = request.get("namespace") or meta.get("namespace")
    if kind.namespaced:
        return f"{kind.singular}/{namespace or 'default'}/{name}"
    return f"{kind.singular}/{name}"


def _described(request: dict, resolve: Callable[[str], Kind]) -> str:
    """A request as the trace names it: its object, or its verb when it names no resource."""
    if not request.get("resource"):
        return str(request.get("verb"))
    return request_ref(request, resolve)
