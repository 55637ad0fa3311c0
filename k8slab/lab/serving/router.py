"""The endpoint's router: one HTTP request in, one simulated API request made, one answer out.

`Router(cluster, runner).handle(request)` reads the Kubernetes REST path (routes.py), turns the
method into the API client's verb and fields (api_calls.py), has the runner make that request
in the simulation as the connection's user, and answers as kube-apiserver would: the object, a
List, a stream of watch events, a log, or a metav1.Status for an error (status.py). It never
raises: anything unexpected is a 500 Status.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from k8slab.api.kinds import Kind
from k8slab.client.rest import Client
from k8slab.errors import APIError, K8sLabError
from k8slab.lab import components
from k8slab.lab.serving.api_calls import Call, NotAllowed, UnsupportedPatch, plan
from k8slab.lab.serving.discovery import discovery_response
from k8slab.lab.serving.exec_stream import exec_answer
from k8slab.lab.serving.http_types import HttpRequest, HttpResponse
from k8slab.lab.serving.log_follow import followed
from k8slab.lab.serving.media import Negotiated, negotiate
from k8slab.lab.serving.openapi import openapi_body
from k8slab.lab.serving.request_body import BODY_TYPES, PATCH_TYPES, UnsupportedMediaType
from k8slab.lab.serving.routes import Route, resource_route, served_group_version, split_path
from k8slab.lab.serving.status import (
    encode,
    error_response,
    internal_error,
    method_not_allowed,
    method_not_supported,
    not_acceptable,
    path_not_found,
    route_not_found,
    unsupported_media_type,
)
from k8slab.lab.serving.system_paths import (
    HEALTH_PATHS,
    health_failure,
    health_response,
    version_response,
)
from k8slab.lab.serving.tables import table
from k8slab.lab.serving.watch_stream import event_lines
from k8slab.sim.host import describe

# Verbs answered 201 Created (endpoints/handlers/create.go), and subresource actions whose
# answer upstream is a Status of success rather than an object (binding, eviction).
_CREATED = ("create", "bind", "evict", "token")
_STATUS_ANSWERS = ("bind", "evict")
# Stores that answer a DELETE with the deleted object (ReturnDeletedObject: true in
# pkg/registry/core/pod/storage and serviceaccount/storage); the others answer a Status.
RETURN_DELETED = ("pods", "serviceaccounts")


class Router:
    """Answers HTTP requests for one cluster, making them through `runner` (see SimRunner:
    `run_request(steps, credentials, impersonation)` and `open_watch(...)`)."""

    def __init__(self, cluster: Any, runner: Any) -> None:
        self.cluster = cluster
        self.runner = runner
        # The documents the API server serves beside objects (tests may swap in their own).
        self.table = table
        self.discovery_response = discovery_response
        self.openapi_body = openapi_body

    def handle(self, request: HttpRequest) -> HttpResponse:
        """The answer to `request`; errors become Status bodies, never exceptions."""
        try:
            return self._dispatch(request)
        except K8sLabError as error:
            return error_response(error)
        except Exception as error:  # a bug here must not take the server down
            return internal_error(describe(error))

    # -- dispatch ---------------------------------------------------------------------------

    def _dispatch(self, request: HttpRequest) -> HttpResponse:
        path = "/" + "/".join(split_path(request.path))
        if path == "/version":
            return version_response()
        if path in HEALTH_PATHS:
            return self._health(request)
        parts = split_path(path)
        if parts[:1] == ["openapi"]:
            return self._openapi(path)
        if (parts[:1] == ["api"] and len(parts) <= 2) or (parts[:1] == ["apis"]
                                                           and len(parts) <= 3):
            return self._discovery(request, path)
        custom = self._custom_kinds()
        route = resource_route(path, custom)
        if route is None:
            return (route_not_found() if served_group_version(path, custom)
                    else path_not_found())
        if route.subresource == "exec" and request.headers.get("upgrade"):
            return self._exec(request, route)
        try:
            call = plan(route, request)
        except NotAllowed as refused:
            if refused.action == "deletecollection":
                return method_not_supported(route.resource, route.group, refused.action)
            return method_not_allowed()
        except UnsupportedPatch:
            return unsupported_media_type(PATCH_TYPES)
        except UnsupportedMediaType:
            return unsupported_media_type(BODY_TYPES)
        if call.answer == "log":  # text, whatever the client accepts
            return self._log(request, route, call)
        media = negotiate(request.headers.get("accept", ""), table=True)
        if media is None:
            return not_acceptable(("application/json", "application/yaml"))
        if call.answer == "watch":
            return self._watch(request, route, call, media)
        answer, warnings, created = self._run(request, call.verb, route.server_resource,
                                              call.fields)
        response = self._answer(request, route, call, answer, media, created)
        response.headers.update(_warning_headers(warnings))
        return response

    def _custom_kinds(self) -> tuple[Kind, ...]:
        for host in self.cluster.control_planes:
            kinds = components.custom_kinds(self.cluster.network, host)
            if kinds:
                return kinds
        return ()

    def _crds(self) -> tuple[dict, ...]:
        for host in self.cluster.control_planes:
            crds = components.custom_resource_definitions(self.cluster.network, host)
            if crds:
                return crds
        return ()

    def _discovery(self, request: HttpRequest, path: str) -> HttpResponse:
        """/api, /apis, /apis/<group>, and a group-version's APIResourceList."""
        answer = self.discovery_response(
            path, request.headers.get("accept", ""), self._crds(),
            server_address=request.headers.get("host") or "127.0.0.1:6443")
        if answer is None:
            return path_not_found()
        content_type, document = answer
        return HttpResponse(200, content_type, encode(document))

    def _openapi(self, path: str) -> HttpResponse:
        """/openapi/v3 and its group-version documents."""
        served = self.openapi_body(path, self._crds())
        if served is None:
            return path_not_found()
        return HttpResponse(200, "application/json", served)

    # -- making the request -----------------------------------------------------------------

    def _impersonation(self, request: HttpRequest) -> tuple[str, tuple[str, ...]]:
        """Impersonate-User and Impersonate-Group (kubectl --as, --as-group)."""
        groups = request.headers.get("impersonate-group", "")
        return (request.headers.get("impersonate-user", ""),
                tuple(g.strip() for g in groups.split(",") if g.strip()))

    def _run(self, request: HttpRequest, verb: str, resource: str,
             fields: dict) -> tuple[Any, list[str], bool]:
        """Make one API request in the simulation: its answer, the warnings that came, and
        whether a write other than a create created its object (a 201)."""
        if isinstance(fields.get("body"), dict):  # timestamps back on the model's clock
            fields = {**fields, "body": self.runner.received(fields["body"])}
        if request.headers.get("user-agent"):  # the client's own, for managers and audit
            fields = {**fields, "user_agent": request.headers["user-agent"]}

        def steps(client: Client) -> Generator:
            answer = yield from client.request(verb, resource, **fields)
            return answer, list(client.warnings), client.created

        return self.runner.run_request(steps, request.credentials,
                                       impersonation=self._impersonation(request))

    def _exec(self, request: HttpRequest, route: Route) -> HttpResponse:
        """pods/<name>/exec upgraded to a WebSocket (exec_stream.py): the command runs as the
        API server's exec verb (RBAC's `create pods/exec`), its output replayed on channels."""
        def run_exec(container: str, argv: list[str] | None) -> dict:
            fields = {"namespace": route.namespace_or_none, "name": route.name,
                      "container": container}
            if argv is not None:
                fields["argv"] = argv
            answer, _, _ = self._run(request, "exec", route.server_resource, fields)
            return answer

        return exec_answer(request, run_exec)

    def _health(self, request: HttpRequest) -> HttpResponse:
        try:
            answer, _, _ = self._run(request, "healthz", "", {})
        except APIError as error:
            return health_failure(request, error)
        return health_response(request, answer)

    # -- shaping answers --------------------------------------------------------------------

    def _answer(self, request: HttpRequest, route: Route, call: Call, answer: Any,
                media: Negotiated, created: bool) -> HttpResponse:
        code = 201 if call.verb in _CREATED or created else 200
        if call.verb in _STATUS_ANSWERS:
            body: Any = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                         "status": "Success", "code": code}
        elif call.answer == "list":
            body = list_body(route, answer)
        elif call.verb == "delete":
            body = deleted_body(route, answer)
        else:
            body = answer
        if media.table and route.kind is not None and call.verb in ("get", "list"):
            objects = answer["items"] if call.answer == "list" else [answer]
            body = self._as_table(route, objects, request, body)
        return media.response(code, self.runner.shown(body))

    def _as_table(self, route: Route, objects: list[dict], request: HttpRequest,
                  listed: dict) -> dict:
        list_metadata = listed.get("metadata") if listed.get("kind", "").endswith(
            "List") else None
        return self.table(route.server_resource, objects,
                          include_object=request.param("includeObject") or "Metadata",
                          now=self.cluster.now, crds=self._crds(), list_metadata=list_metadata)

    def _watch(self, request: HttpRequest, route: Route, call: Call,
               media: Negotiated) -> HttpResponse:
        fields = dict(call.fields)
        timeout = fields.pop("timeout_seconds", None)
        # All by keyword: the runner's open_watch names its parameters as Client.watch does.
        events = self.runner.open_watch(
            credentials=request.credentials, impersonation=self._impersonation(request),
            user_agent=request.headers.get("user-agent", ""),
            resource=route.server_resource, namespace=fields.get("namespace"),
            resource_version=fields.get("resource_version", ""),
            field_selector=fields.get("field_selector", ""),
            label_selector=fields.get("label_selector", ""),
            allow_watch_bookmarks=fields.get("allow_watch_bookmarks", False),
            send_initial_events=fields.get("send_initial_events"),
            resource_version_match=fields.get("resource_version_match", ""))
        as_sent = self._table_event(route, request) if media.table else _as_is

        def present(event: dict) -> dict:
            return self.runner.shown(as_sent(event))

        if timeout is None:
            return HttpResponse(200, media.content_type, stream=event_lines(events, present))
        stream = event_lines(events, present, self._clock, self.cluster.now + timeout)
        return HttpResponse(200, media.content_type, stream=stream)

    def _clock(self) -> float:
        return self.cluster.now

    def _table_event(self, route: Route, request: HttpRequest) -> Callable[[dict], dict]:
        include = request.param("includeObject") or "Metadata"

        def present(event: dict) -> dict:
            if event.get("type") in ("ERROR", "BOOKMARK"):
                return event
            return {"type": event["type"],
                    "object": self.table(route.server_resource, [event["object"]],
                                         include_object=include, now=self.cluster.now,
                                         crds=self._crds())}
        return present

    def _log(self, request: HttpRequest, route: Route, call: Call) -> HttpResponse:
        options = dict(call.fields["options"])
        follow = options.pop("follow", False)
        text, _, _ = self._run(request, "log", route.server_resource,
                               {**call.fields, "options": options})
        if not follow:
            return HttpResponse(200, "text/plain", _log_lines(text).encode())
        # Later reads take the whole log and send what it added.
        whole = {key: value for key, value in options.items()
                 if key not in ("tailLines", "sinceSeconds", "limitBytes")}
        target = {"namespace": route.namespace_or_none, "name": route.name}
        stream = followed(
            self.cluster,
            lambda: _log_lines(self._run(request, "log", route.server_resource,
                                         {**target, "options": whole})[0]),
            lambda: self._run(request, "get", route.server_resource, target)[0],
            _log_lines(text))
        return HttpResponse(200, "text/plain", stream=stream)


def _log_lines(text: object) -> str:
    """The simulated kubelet's log text (lines joined by newlines) as a kubelet sends it: each
    line ending in its newline, so `kubectl logs` ends its output with one."""
    text = str(text)
    return f"{text}\n" if text else ""


def _as_is(event: dict) -> dict:
    return event


def _warning_headers(warnings: list[str]) -> dict[str, str]:
    """Warning: 299 - "<text>" (RFC 7234; apiserver pkg/warning), several joined by ", "."""
    if not warnings:
        return {}
    return {"Warning": ", ".join('299 - "' + w.replace('"', '\\"') + '"' for w in warnings)}


def deleted_body(route: Route, answer: Any) -> Any:
    """What DELETE answers (always 200): the object while it lingers (graceful deletion,
    finalizers) or for the kinds whose store returns the deleted object (ReturnDeletedObject:
    pods, serviceaccounts); else a Success Status naming what went (store.go finalizeDelete,
    details.kind being the resource)."""
    if not isinstance(answer, dict) or route.resource in RETURN_DELETED or (
            answer.get("metadata") or {}).get("deletionTimestamp"):
        return answer
    meta = answer.get("metadata") or {}
    details = {key: value for key, value in (
        ("name", meta.get("name")), ("group", route.group), ("kind", route.resource),
        ("uid", meta.get("uid"))) if value}
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": details}


def list_body(route: Route, answer: dict) -> dict:
    """A list answer as upstream's JSON: kind <Kind>List, apiVersion, metadata with
    resourceVersion, continue and remainingItemCount, and the items (a built-in List's items
    carry no kind or apiVersion on the wire; a custom resource's do)."""
    kind = route.kind
    assert kind is not None
    metadata: dict = {"resourceVersion": answer["resourceVersion"]}
    if answer.get("continue"):
        metadata["continue"] = answer["continue"]
    if answer.get("remainingItemCount") is not None:
        metadata["remainingItemCount"] = answer["remainingItemCount"]
    items = answer["items"]
    if not route.custom:
        items = [{k: v for k, v in item.items() if k not in ("kind", "apiVersion")}
                 for item in items]
    return {"kind": f"{kind.kind}List", "apiVersion": kind.api_version, "metadata": metadata,
            "items": items}
