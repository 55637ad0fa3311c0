"""The root of k8slab's errors, and the Kubernetes `Status` errors: the API's own language.

Every error k8slab raises subclasses `K8sLabError`, so a notebook can catch them all. Each layer
has its own below it (`k8slab.sim.errors`, `k8slab.raft.errors`, `k8slab.etcd.errors`); the API
errors here carry the HTTP code and the `reason` of a `Status` object, so a reader sees the words
`kubectl` would print (404 NotFound, 409 AlreadyExists / Conflict, 422 Invalid).
"""

from __future__ import annotations


class K8sLabError(Exception):
    """Base class of every error k8slab raises for bad input or a failed request.

    `message` is the text a reader sees, as the component that raised it words it.
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class ManifestError(K8sLabError):
    """A manifest could not be read: bad YAML, not a mapping, no `kind`, an unknown kind."""


class APIError(K8sLabError):
    """An error answer from the API server, shaped like a Kubernetes `Status` object."""

    code = 500
    reason = "InternalError"

    def to_status(self) -> dict:
        """The `Status` object the API server sends back for this error."""
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }


class BadRequestError(APIError):
    """400: the request itself is malformed."""

    code = 400
    reason = "BadRequest"


class UnauthorizedError(APIError):
    """401: the request's credential (certificate or token) did not authenticate. The client
    sees only "Unauthorized" (apimachinery NewUnauthorized); `cause` is what the API server
    logs, e.g. "x509: certificate has expired or is not yet valid"."""

    code = 401
    reason = "Unauthorized"

    def __init__(self, message: str = "Unauthorized", cause: str = "") -> None:
        super().__init__(message)
        self.cause = cause


class ForbiddenError(APIError):
    """403: the request is understood but refused, e.g. by an admission plugin."""

    code = 403
    reason = "Forbidden"


class NotFoundError(APIError):
    """404: the object (or host, or resource) does not exist."""

    code = 404
    reason = "NotFound"


class AlreadyExistsError(APIError):
    """409: create of an object whose name is taken."""

    code = 409
    reason = "AlreadyExists"


class ConflictError(APIError):
    """409: an update carried a stale resourceVersion (optimistic concurrency)."""

    code = 409
    reason = "Conflict"


class GoneError(APIError):
    """410: a list or watch asked for a resourceVersion older than the history kept."""

    code = 410
    reason = "Expired"


class RequestEntityTooLargeError(APIError):
    """413: the request is too big, e.g. a JSON patch of more than 10,000 operations.

    apimachinery's errors.NewRequestEntityTooLargeError prefixes the message with
    "Request entity too large: "."""

    code = 413
    reason = "RequestEntityTooLarge"


class UnsupportedMediaTypeError(APIError):
    """415: the body's Content-Type is not one the endpoint reads, e.g. a strategic merge
    patch for a custom resource (apiserver endpoints/handlers/negotiation/errors.go)."""

    code = 415
    reason = "UnsupportedMediaType"


class InvalidError(APIError):
    """422: the object failed validation; the message names the field.

    `causes` are the field errors as a Status's details list them (reason, message, field),
    when the validation that raised it kept them apart (errors.NewInvalid does).
    """

    code = 422
    reason = "Invalid"

    def __init__(self, message: str = "", causes: tuple[dict, ...] = ()) -> None:
        super().__init__(message)
        self.causes = causes


class InternalError(APIError):
    """500 InternalError: the server failed on a request, e.g. a handler that panicked."""

    code = 500
    reason = "InternalError"


class UnavailableError(APIError):
    """503 / timeout: the server could not be reached or did not answer in time.

    The API client raises it when the network fails a request (refused, timed out).
    """

    code = 503
    reason = "ServiceUnavailable"


class ServerTimeoutError(APIError):
    """504: the server gave up waiting, e.g. for its watch cache to reach a resourceVersion.

    apimachinery's errors.NewTimeoutError prefixes the message with "Timeout: " and asks the
    client to retry after the seconds it names.
    """

    code = 504
    reason = "Timeout"


class UnknownError(APIError):
    """500 with no reason: an error the API server passes on in its own words.

    Upstream's responsewriters.ErrorToAPIStatus turns any error that is not a Status into one
    (reason Unknown, the error's text), e.g. etcd's "etcdserver: request timed out", which
    kubectl prints as "Error from server: etcdserver: request timed out".
    """

    code = 500
    reason = ""


_BY_REASON = {
    cls.reason: cls
    for cls in (
        BadRequestError,
        ForbiddenError,
        NotFoundError,
        AlreadyExistsError,
        ConflictError,
        GoneError,
        RequestEntityTooLargeError,
        UnsupportedMediaTypeError,
        InvalidError,
        InternalError,
        UnavailableError,
        ServerTimeoutError,
        UnknownError,
    )
}


def error_from_status(status: dict) -> APIError:
    """Turn a `Status` object received from the API server back into the matching exception."""
    cls = _BY_REASON.get(status.get("reason", ""), APIError)
    error = cls(status.get("message", ""))
    if isinstance(status.get("code"), int) and status["code"] != cls.code:
        error.code = status["code"]  # e.g. a webhook's denial: 400 with no reason
    return error
