"""Errors as the wire sees them: a metav1.Status body and its HTTP code, as kube-apiserver sends.

Every failed request answers `{"kind": "Status", "apiVersion": "v1", "metadata": {}, "status":
"Failure", "message", "reason", "details", "code"}` (apimachinery pkg/api/errors/errors.go,
responsewriters.ErrorNegotiated). Our API errors carry the code, reason and message; the
`details` (name, group, kind) are read back from upstream's fixed message shapes, and a 422's
`causes` from the field errors the validation attached to it.
"""

from __future__ import annotations

import json
import re

from k8slab.errors import APIError, K8sLabError
from k8slab.lab.serving.http_types import JSON, HttpResponse

# What client-go makes of a 404 that carries no Status (kubectl prints it).
NOT_FOUND_MESSAGE = "the server could not find the requested resource"

_NAMED = re.compile(r'^(?P<gr>[a-z0-9.-]+) "(?P<name>[^"]*)" (?:not found|already exists)')
_CONFLICT = re.compile(r'^Operation cannot be fulfilled on (?P<gr>[a-z0-9.-]+) "(?P<name>[^"]*)"')
_FORBIDDEN = re.compile(r'^(?P<gr>[a-z0-9.-]+)(?: "(?P<name>[^"]*)")? is forbidden: ')
_INVALID = re.compile(r'^(?P<kind>[A-Za-z0-9]+)(?:\.(?P<group>[a-z0-9.-]+))? "(?P<name>[^"]*)"'
                      r' is invalid: ')


def status_body(code: int, reason: str, message: str, details: dict | None = None) -> dict:
    """A metav1.Status of a failure, fields in upstream's order; details None are left out
    (a nil pointer), {} are sent empty (upstream's generic errors send `"details":{}`)."""
    body: dict = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": message}
    if reason:
        body["reason"] = reason
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def error_status(error: K8sLabError) -> dict:
    """The Status for any k8slab error: an API error with its own code and reason; any other
    K8sLabError (an argument the simulation refused) a 400 BadRequest with its message."""
    if isinstance(error, APIError):
        return status_body(error.code, error.reason, error.message,
                           error_details(error) or None)
    return status_body(400, "BadRequest", error.message)


def error_details(error: APIError) -> dict:
    """StatusDetails as upstream's constructors fill them, read from the message's shape:
    NotFound/AlreadyExists/Conflict/Forbidden name the resource (`kind` is the resource,
    `pods`), Invalid names the Kind (`Deployment`) and lists its field errors as causes."""
    message = error.message
    if error.reason in ("NotFound", "AlreadyExists"):
        return _resource_details(_NAMED.match(message))
    if error.reason == "Conflict":
        return _resource_details(_CONFLICT.match(message))
    if error.reason == "Forbidden":
        return _resource_details(_FORBIDDEN.match(message))
    if error.reason == "Invalid":
        found = _INVALID.match(message)
        details = _omit_empty({"name": found["name"], "group": found["group"] or "",
                               "kind": found["kind"]}) if found else {}
        causes = list(getattr(error, "causes", ()))
        if causes:
            details["causes"] = causes
        return details
    return {}


def _resource_details(found: re.Match | None) -> dict:
    if found is None:
        return {}
    resource, _, group = found["gr"].partition(".")
    return _omit_empty({"name": found.groupdict().get("name") or "", "group": group,
                        "kind": resource})


def _omit_empty(fields: dict) -> dict:
    # StatusDetails' fields are all `omitempty`.
    return {key: value for key, value in fields.items() if value}


def status_response(status: dict, headers: dict[str, str] | None = None) -> HttpResponse:
    """An HttpResponse carrying `status` as JSON, with its code as the HTTP status."""
    return HttpResponse(status["code"], JSON, encode(status), dict(headers or {}))


def error_response(error: K8sLabError) -> HttpResponse:
    """The HttpResponse of a failed request."""
    return status_response(error_status(error))


def path_not_found() -> HttpResponse:
    """A path outside every API group-version the server serves: what kube-apiserver's
    notfoundhandler sends, Go's http.NotFound, a plain-text 404. client-go turns a 404 without
    a Status into NOT_FOUND_MESSAGE (errors.NewGenericServerResponse)."""
    return HttpResponse(404, "text/plain; charset=utf-8", b"404 page not found\n",
                        {"X-Content-Type-Options": "nosniff"})


def route_not_found() -> HttpResponse:
    """A path under a served group-version that names no resource there: go-restful finds
    no route and the apiserver's serviceErrorHandler answers errors.NewGenericServerResponse
    (reason NotFound, empty details)."""
    return status_response(status_body(404, "NotFound", NOT_FOUND_MESSAGE, {}))


def method_not_allowed() -> HttpResponse:
    """A method no route of the path serves (POST on a cluster-wide list, PUT on a
    collection): go-restful's 405 as the serviceErrorHandler words it."""
    return status_response(status_body(
        405, "MethodNotAllowed", "the server does not allow this method on the requested "
        "resource", {}))


def method_not_supported(resource: str, group: str, action: str) -> HttpResponse:
    """405 MethodNotAllowed in errors.NewMethodNotSupported's words, for a verb upstream
    serves but the model does not (deletecollection)."""
    qualified = f"{resource}.{group}" if group else resource
    return status_response(status_body(
        405, "MethodNotAllowed", f'{action} is not supported on resources of kind "{qualified}"',
        _omit_empty({"group": group, "kind": resource}) or None))


def bad_request(message: str) -> HttpResponse:
    """400 BadRequest (errors.NewBadRequest: no details)."""
    return status_response(status_body(400, "BadRequest", message))


def unsupported_media_type(accepted: tuple[str, ...]) -> HttpResponse:
    """415 UnsupportedMediaType (runtime/serializer negotiation errUnsupportedMediaType)."""
    return status_response(status_body(
        415, "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        + ", ".join(accepted)))


def not_acceptable(accepted: tuple[str, ...]) -> HttpResponse:
    """406 NotAcceptable: an Accept header naming no type served (errNotAcceptable)."""
    return status_response(status_body(
        406, "NotAcceptable", "only the following media types are accepted: "
        + ", ".join(accepted)))


def internal_error(description: str) -> HttpResponse:
    """500 InternalError: `Internal error occurred: <err>` (errors.NewInternalError)."""
    return status_response(status_body(500, "InternalError",
                                       f"Internal error occurred: {description}",
                                       {"causes": [{"message": description}]}))


def encode(value: object) -> bytes:
    """JSON as kube-apiserver writes it: compact, UTF-8, one trailing newline."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
