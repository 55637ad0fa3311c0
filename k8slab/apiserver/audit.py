"""The audit log: one audit.k8s.io/v1 Event per request and stage, at the level the policy gives.

kube-apiserver records a request after authenticating it: at RequestReceived (before it is
handled), ResponseStarted (a watch's headers sent), ResponseComplete (the answer) or Panic,
with who (user, sourceIPs), what (verb, requestURI, objectRef), the answer's code, the
authorizer's decision and reason as annotations, and, per level, the object sent (Request) and
the one returned (RequestResponse). The log backend writes one JSON line per event to
--audit-log-path on the host's disk (apiserver pkg/audit, plugin/pkg/audit/log). Simplified:
sourceIPs holds the client host's name; a watch is recorded when it starts, not when it ends.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from k8slab.api.timestamps import to_micro_time
from k8slab.apiserver.audit_policy import (
    NONE,
    PANIC,
    REQUEST,
    REQUEST_RESPONSE,
    RESPONSE_COMPLETE,
    RESPONSE_STARTED,
    Policy,
)
from k8slab.apiserver.request_info import Attributes, UserInfo

DECISION, REASON = "authorization.k8s.io/decision", "authorization.k8s.io/reason"
# audit.k8s.io/v1 Event's fields in the order of its Go struct (apiserver pkg/apis/audit/v1).
EVENT_FIELDS = ("kind", "apiVersion", "level", "auditID", "stage", "requestURI", "verb", "user",
                "impersonatedUser", "sourceIPs", "userAgent", "objectRef", "responseStatus",
                "requestObject", "responseObject", "requestReceivedTimestamp", "stageTimestamp",
                "annotations")
_WITH_BODY = ("create", "update", "update_status", "evict", "finalize", "delete", "bind",
              "patch")


@dataclass
class AuditEntry:
    """One request being audited: the Event's fields so far, and what its level keeps."""

    level: str
    omit: tuple[str, ...]
    event: dict
    annotations: dict = field(default_factory=dict)
    omit_managed_fields: bool = False  # the policy's omitManagedFields for this request


class AuditLog:
    """The audit backend of one API server: `policy` decides, events go to `disk[path]` as
    JSON lines."""

    def __init__(self, policy: Policy, disk: dict, path: str, now: Callable[[], float],
                 rng: random.Random) -> None:
        self.policy = policy
        self.disk = disk
        self.path = path
        self.now = now
        self._rng = rng

    def begin(self, request: dict, attributes: Attributes) -> AuditEntry | None:
        """Start auditing an authenticated request (RequestReceived); None at level None."""
        level, omit = self.policy.level_of(attributes)
        if level == NONE:
            return None
        event = {
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level,
            "auditID": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "stage": "", "requestURI": request_uri(attributes, request),
            "verb": attributes.verb,
            "user": _user_info(attributes.user),
            "sourceIPs": [request.get("source") or ""],
        }
        if request.get("user_agent"):
            event["userAgent"] = request["user_agent"]
        body = request_object(request) if request["verb"] in _WITH_BODY else None
        if attributes.resource_request:
            event["objectRef"] = object_ref(attributes, body)
        omit_managed = self.policy.omits_managed_fields(attributes)
        if level in (REQUEST, REQUEST_RESPONSE) and body is not None:
            event["requestObject"] = copy.deepcopy(_logged(body, omit_managed))
        event["requestReceivedTimestamp"] = to_micro_time(self.now())
        entry = AuditEntry(level, omit, event, omit_managed_fields=omit_managed)
        self._emit(entry, "RequestReceived")
        return entry

    def impersonated(self, entry: AuditEntry, user: UserInfo) -> None:
        """Note whom the request acts as (impersonatedUser): the stages after RequestReceived
        carry it, as the impersonation filter runs after the audit one."""
        entry.event["impersonatedUser"] = _user_info(user)

    def authorized(self, entry: AuditEntry, allowed: bool, reason: str) -> None:
        """Note the authorizers' decision on the entry (its two annotations)."""
        entry.annotations = {DECISION: "allow" if allowed else "forbid", REASON: reason}

    def complete(self, entry: AuditEntry, code: int, response: object = None, *,
                 stage: str = RESPONSE_COMPLETE) -> None:
        """Record the answer: its code, and the object returned at RequestResponse."""
        entry.event["responseStatus"] = {"metadata": {}, "code": code}
        if entry.level == REQUEST_RESPONSE and response is not None and stage != PANIC:
            entry.event["responseObject"] = _logged(response, entry.omit_managed_fields)
        self._emit(entry, stage)

    def started(self, entry: AuditEntry) -> None:
        """A watch began streaming (ResponseStarted, code 200)."""
        self.complete(entry, 200, stage=RESPONSE_STARTED)

    def unauthenticated(self, request: dict, attributes: Attributes) -> None:
        """A request whose credential failed: 401 at ResponseStarted, as upstream's
        WithFailedAuthenticationAudit records it (at the policy's level for no user)."""
        entry = self.begin(request, attributes)
        if entry is not None:
            entry.event["user"] = {}
            self.complete(entry, 401, stage=RESPONSE_STARTED)

    def _emit(self, entry: AuditEntry, stage: str) -> None:
        if stage in entry.omit:
            return
        fields = dict(entry.event, stage=stage, stageTimestamp=to_micro_time(self.now()))
        if entry.annotations:
            fields["annotations"] = dict(entry.annotations)
        event = {name: fields[name] for name in EVENT_FIELDS if name in fields}
        self.disk.setdefault(self.path, []).append(json.dumps(event, separators=(",", ":")))


def _user_info(user: UserInfo) -> dict:
    """authentication/v1 UserInfo as an Event shows it: username, uid if any, groups."""
    return {"username": user.name, **({"uid": user.uid} if user.uid else {}),
            "groups": list(user.groups)}


def object_ref(attributes: Attributes, body: dict | None = None) -> dict:
    """The Event's objectRef: resource, namespace, name, apiGroup, apiVersion, subresource;
    what the URL leaves out (a create's name) is read from the object sent, as upstream's
    audit.LogRequestObject does at every level."""
    meta = (body.get("metadata") or {}) if isinstance(body, dict) else {}
    ref = {"resource": attributes.resource}
    namespace = attributes.namespace or meta.get("namespace")
    if namespace:
        ref["namespace"] = namespace
    if attributes.name or meta.get("name"):
        ref["name"] = attributes.name or meta["name"]
    if meta.get("uid"):
        ref["uid"] = meta["uid"]
    if attributes.api_group:
        ref["apiGroup"] = attributes.api_group
    ref["apiVersion"] = attributes.api_version
    if meta.get("resourceVersion"):
        ref["resourceVersion"] = meta["resourceVersion"]
    if attributes.subresource:
        ref["subresource"] = attributes.subresource
    return ref


def request_uri(attributes: Attributes, request: dict) -> str:
    """The URI the request would have had: `/api/v1/namespaces/default/pods/web`,
    `/apis/apps/v1/deployments?labelSelector=app%3Dweb`, `/healthz`."""
    if not attributes.resource_request:
        return attributes.path
    parts = ["/api/v1" if not attributes.api_group
             else f"/apis/{attributes.api_group}/{attributes.api_version}"]
    if attributes.namespace and attributes.resource != "namespaces":
        parts.append(f"namespaces/{attributes.namespace}")
    parts += [p for p in (attributes.resource, attributes.name, attributes.subresource) if p]
    query = {"fieldSelector": attributes.field_selector,
             "labelSelector": attributes.label_selector,
             "resourceVersion": request.get("resource_version") or ""}
    if attributes.verb == "watch":
        query["watch"] = "true"
    encoded = urlencode([(k, v) for k, v in query.items() if v])
    return "/".join(parts) + (f"?{encoded}" if encoded else "")


def request_object(request: dict) -> object:
    """The object a write sent: its body, a pods/binding's Binding, a delete's options, a
    PATCH's patch as sent (audit.LogRequestPatch), decoded when it is JSON."""
    if request["verb"] == "patch":
        body = request.get("body")
        if isinstance(body, str | bytes):
            try:
                return json.loads(body)
            except ValueError:
                return body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        return body
    if request["verb"] == "delete":
        return request.get("options")
    if request["verb"] == "bind":
        return {"kind": "Binding", "apiVersion": "v1",
                "metadata": {"name": request.get("name"), "namespace": request.get("namespace")},
                "target": {"kind": "Node", "name": request.get("node")}}
    return request.get("body")


def _logged(obj: object, omit_managed_fields: bool) -> object:
    """The object as the log keeps it: with omitManagedFields, without metadata.managedFields
    (each item's too, for a list)."""
    if not omit_managed_fields or not isinstance(obj, dict):
        return obj
    out = obj
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        out = dict(obj, metadata={k: v for k, v in meta.items() if k != "managedFields"})
    if isinstance(obj.get("items"), list):
        out = dict(out, items=[_logged(item, True) for item in obj["items"]])
    return out
