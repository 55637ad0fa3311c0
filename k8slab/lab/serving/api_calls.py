"""From an HTTP method on a resource path to one request of the simulated API client.

GET is get, list or watch (with `?watch=true`), POST create (or a subresource's action:
binding, eviction, token), PUT update (or status, scale, finalize), DELETE delete with
DeleteOptions, PATCH patch. The verbs and fields are those client/rest.py's Client sends and
apiserver/server.py's `_handle` reads, so a real client's request and the lab's own travel
the same path through the simulated API server.
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.api.kinds import Kind
from k8slab.api.validation.field import invalid_error, required
from k8slab.errors import BadRequestError
from k8slab.lab.serving.http_types import HttpRequest
from k8slab.lab.serving.request_body import PATCH_TYPES, decode_body, media_type
from k8slab.lab.serving.routes import Route

# strconv.ParseBool's words (query parameters are decoded with Go's parsers).
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


class NotAllowed(Exception):
    """The method is not served on this path: a 405 naming `action` (not an API error: the
    request never reaches the API server)."""

    def __init__(self, action: str) -> None:
        super().__init__(action)
        self.action = action


class UnsupportedPatch(Exception):
    """A PATCH whose Content-Type is no patch type (a 415)."""


@dataclass(frozen=True)
class Call:
    """One simulated API request: the client's verb, its fields, and how the answer is shaped
    ("object", "list", "watch", "log")."""

    verb: str
    fields: dict
    answer: str = "object"


def flag(request: HttpRequest, name: str) -> bool | None:
    """A boolean query parameter as Go's strconv.ParseBool reads it; None when absent."""
    value = request.param(name)
    if name not in request.query:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE or value == "":
        return False
    raise BadRequestError(f'strconv.ParseBool: parsing "{value}": invalid syntax')


def number(request: HttpRequest, name: str) -> int | None:
    """An integer query parameter as strconv.ParseInt reads it; None when absent."""
    value = request.param(name)
    if name not in request.query or value == "":
        return None
    try:
        return int(value, 10)
    except ValueError:
        raise BadRequestError(f'strconv.ParseInt: parsing "{value}": invalid syntax') from None


def plan(route: Route, request: HttpRequest) -> Call:
    """The Call a method on a route makes; NotAllowed, UnsupportedPatch or a 400 if none."""
    method = request.method.upper()
    if method == "GET":
        return _read(route, request)
    if method == "POST":
        return _post(route, request)
    if method == "PUT":
        return _put(route, request)
    if method == "DELETE":
        return _delete(route, request)
    if method == "PATCH":
        return _patch(route, request)
    raise NotAllowed(method.lower())


def _base(route: Route) -> dict:
    fields: dict = {"namespace": route.namespace_or_none}
    if route.name:
        fields["name"] = route.name
    return fields


def _read(route: Route, request: HttpRequest) -> Call:
    if route.kind is None:
        raise NotAllowed("get")
    if route.watch_prefix or (not route.subresource and flag(request, "watch")):
        selection = _selection(request)
        if route.name:
            # A watch of one object is a watch of its collection by name (upstream's
            # handlers/get.go ListResource adds metadata.name to the field selector).
            named = f"metadata.name={route.name}"
            given = selection["field_selector"]
            selection["field_selector"] = f"{given},{named}" if given else named
        return Call("watch", {"namespace": route.namespace_or_none, **selection,
                              **_watch_options(request)}, "watch")
    if not route.name:
        # The router only encodes what it lists: the cache's shared copies do (Client.list).
        return Call("list", {**_base(route), **_selection(request), **_list_options(request),
                             "read_only": True}, "list")
    if route.subresource == "log":
        return Call("log", {**_base(route), "options": _log_options(request)}, "log")
    if route.subresource == "scale":
        return Call("scale", _base(route))
    if route.subresource in ("", "status"):
        # GET .../status answers the whole object, as upstream's status REST does.
        return Call("get", _base(route))
    if route.subresource == "exec":
        raise BadRequestError("Upgrade request required")
    raise NotAllowed("get")


def _selection(request: HttpRequest) -> dict:
    return {key: request.param(param) for key, param in (
        ("label_selector", "labelSelector"), ("field_selector", "fieldSelector"),
        ("resource_version", "resourceVersion"))}


def _list_options(request: HttpRequest) -> dict:
    fields: dict = {}
    limit = number(request, "limit")
    if limit:
        fields["limit"] = limit
    for key, param in (("continue", "continue"),
                       ("resource_version_match", "resourceVersionMatch")):
        if request.param(param):
            fields[key] = request.param(param)
    if "sendInitialEvents" in request.query:
        fields["send_initial_events"] = flag(request, "sendInitialEvents")
    return fields


def _watch_options(request: HttpRequest) -> dict:
    fields: dict = {"allow_watch_bookmarks": bool(flag(request, "allowWatchBookmarks"))}
    if "sendInitialEvents" in request.query:
        fields["send_initial_events"] = flag(request, "sendInitialEvents")
    if request.param("resourceVersionMatch"):
        fields["resource_version_match"] = request.param("resourceVersionMatch")
    timeout = number(request, "timeoutSeconds")
    if timeout and timeout > 0:  # 0 or less: the server's own timeout, as if none were given
        fields["timeout_seconds"] = timeout
    return fields


def _log_options(request: HttpRequest) -> dict:
    """PodLogOptions from the query, under their JSON names (what node_proxy.logs reads)."""
    options: dict = {}
    if request.param("container"):
        options["container"] = request.param("container")
    for name in ("previous", "timestamps", "follow"):
        value = flag(request, name)
        if value:
            options[name] = True
    for name in ("tailLines", "sinceSeconds", "limitBytes"):
        value = number(request, name)
        if value is not None:
            options[name] = value
    return options


def _writes(request: HttpRequest, fields: dict) -> dict:
    """fieldManager and dryRun (its values: the API server checks they are "All") pass
    through. (The User-Agent, which names the manager when no fieldManager is given, goes
    with every request: router.py adds it.)"""
    if "dryRun" in request.query:
        fields["dry_run"] = request.query["dryRun"]
    if request.param("fieldManager"):
        fields["field_manager"] = request.param("fieldManager")
    return fields


def _post(route: Route, request: HttpRequest) -> Call:
    if route.kind is None:  # a review: created, answered, not stored
        body = decode_body(request.body, request.headers.get("content-type", ""),
                           _review_kind(route.resource))
        return Call("create", _writes(request, {"body": body}))
    into = route.kind.kind
    if not route.name:
        if route.kind.namespaced and not route.namespace:
            raise NotAllowed("create")
        body = _object_body(route, request, into)
        return Call("create", _writes(request, {"namespace": route.namespace_or_none,
                                                "body": body}))
    body = decode_body(request.body, request.headers.get("content-type", ""),
                       _SUBRESOURCE_KINDS.get(route.subresource, into))
    if route.subresource == "binding":
        target = (body or {}).get("target") if isinstance(body, dict) else None
        node = target.get("name") if isinstance(target, dict) else None
        if not node:  # pkg/apis/core/validation ValidatePodBinding
            raise invalid_error(BINDING, route.name, [required("target.name")])
        return Call("bind", _writes(request, {**_base(route), "node": node}))
    if route.subresource == "eviction":
        fields = _writes(request, {**_base(route), "body": body})
        # propagateDryRun (registry/core/pod/storage/eviction.go): the Eviction's own
        # deleteOptions.dryRun (what `kubectl drain --dry-run=server` sends) counts too.
        inner = body.get("deleteOptions") if isinstance(body, dict) else None
        if isinstance(inner, dict) and inner.get("dryRun") is not None:
            fields.setdefault("dry_run", inner["dryRun"])
        return Call("evict", fields)
    if route.subresource == "token":
        return Call("token", _writes(request, {**_base(route), "body": body}))
    if route.subresource == "exec":
        raise BadRequestError("Upgrade request required")
    raise NotAllowed("create")


BINDING = Kind("Binding", "v1", "bindings", True, "")  # pods/binding's body; never stored
_SUBRESOURCE_KINDS = {"binding": "Binding", "eviction": "Eviction", "token": "TokenRequest",
                      "scale": "Scale"}


def _review_kind(resource: str) -> str:
    return "SelfSubjectAccessReview" if resource == "selfsubjectaccessreviews" else (
        "SelfSubjectRulesReview")


def _object_body(route: Route, request: HttpRequest, into: str) -> dict:
    """A create or update body, checked against the URL as upstream's handlers check it:
    defaults for kind and apiVersion, the URL's namespace, the URL's name."""
    body = decode_body(request.body, request.headers.get("content-type", ""), into)
    if not isinstance(body, dict):
        raise BadRequestError(f"the object provided is unrecognized (must be of type {into}): "
                              "the body is not a JSON object")
    kind = route.kind
    assert kind is not None
    api_version = body.setdefault("apiVersion", kind.api_version)
    body.setdefault("kind", kind.kind)
    if api_version != kind.api_version:
        # endpoints/handlers/create.go: AcceptsGroupVersion.
        raise BadRequestError(f"the API version in the data ({api_version}) does not match "
                              f"the expected API version ({kind.api_version})")
    metadata = body.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        raise BadRequestError(f"metadata of a {into} must be an object, got {metadata!r}")
    if route.namespace:
        given = metadata.get("namespace")
        if given and given != route.namespace:
            raise BadRequestError(f"the namespace of the object ({given}) does not match the "
                                  f"namespace on the request ({route.namespace})")
        metadata["namespace"] = route.namespace
    if route.name and metadata.get("name") != route.name:
        # endpoints/handlers/rest.go checkName.
        raise BadRequestError(f"the name of the object ({metadata.get('name') or ''}) does not "
                              f"match the name on the URL ({route.name})")
    return body


def _put(route: Route, request: HttpRequest) -> Call:
    if route.kind is None or not route.name:
        raise NotAllowed("update")
    if route.subresource == "scale":
        body = decode_body(request.body, request.headers.get("content-type", ""), "Scale")
        return Call("update_scale", _writes(request, {**_base(route), "body": body}))
    body = _object_body(route, request, route.kind.kind)
    verb = {"": "update", "status": "update_status", "finalize": "finalize"}.get(
        route.subresource)
    if verb is None:
        raise NotAllowed("update")
    return Call(verb, _writes(request, {"body": body}))


def _delete(route: Route, request: HttpRequest) -> Call:
    if route.kind is None:
        raise NotAllowed("delete")
    if not route.name:
        raise NotAllowed("deletecollection")  # the simulated API server has no deletecollection
    if route.subresource:
        raise NotAllowed("delete")
    options = None
    if request.body.strip():
        options = decode_body(request.body, request.headers.get("content-type", ""),
                              "DeleteOptions")
        if options is not None and not isinstance(options, dict):
            raise BadRequestError("DeleteOptions must be a JSON object")
    options = dict(options or {})
    # Query parameters fill what the body leaves out (metav1.DeleteOptions from the URL).
    grace = number(request, "gracePeriodSeconds")
    if grace is not None:
        options.setdefault("gracePeriodSeconds", grace)
    if request.param("propagationPolicy"):
        options.setdefault("propagationPolicy", request.param("propagationPolicy"))
    dry_run = options.pop("dryRun", None)
    if dry_run is None and "dryRun" in request.query:
        dry_run = request.query["dryRun"]
    for key in ("kind", "apiVersion"):
        options.pop(key, None)
    shown = {"apiVersion": "v1", "kind": "DeleteOptions", **options} if options else None
    fields = {**_base(route), "options": shown}
    if dry_run is not None:
        fields["dry_run"] = dry_run
    return Call("delete", fields)


def _patch(route: Route, request: HttpRequest) -> Call:
    if route.kind is None or not route.name:
        raise NotAllowed("patch")
    patch_type = media_type(request.headers.get("content-type", ""))
    if patch_type not in PATCH_TYPES:
        raise UnsupportedPatch(patch_type)
    if route.subresource not in ("", "status", "scale"):
        raise NotAllowed("patch")
    # The field names are the contract with Client.patch (client/rest.py).
    return Call("patch", _writes(request, {
        **_base(route), "patch_type": patch_type, "body": request.body.decode("utf-8", "replace"),
        "subresource": route.subresource, "field_manager": request.param("fieldManager"),
        "force": flag(request, "force")}))
