"""The errors k8slab raises: one base class, and the API errors a real API server answers with.

API errors carry the HTTP code and the `reason` of a Kubernetes `Status` object, so a reader sees
the same words `kubectl` would print (404 NotFound, 409 AlreadyExists / Conflict, 422 Invalid).
"""

from __future__ import annotations


class K8sLabError(Exception):
    """Base class of every error k8slab raises for bad input or a failed request."""


class ManifestError(K8sLabError):
    """A manifest could not be read: bad YAML, not a mapping, no `kind`, an unknown kind."""


class APIError(K8sLabError):
    """An error answer from the API server, shaped like a Kubernetes `Status` object."""

    code = 500
    reason = "InternalError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

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
    """410: a watch asked for a resourceVersion older than the history kept."""

    code = 410
    reason = "Expired"


class InvalidError(APIError):
    """422: the object failed validation; the message names the field."""

    code = 422
    reason = "Invalid"


class UnavailableError(APIError):
    """503 / timeout: the server could not be reached or did not answer in time."""

    code = 503
    reason = "ServiceUnavailable"


_BY_REASON = {
    cls.reason: cls
    for cls in (
        BadRequestError,
        NotFoundError,
        AlreadyExistsError,
        ConflictError,
        GoneError,
        InvalidError,
        UnavailableError,
    )
}


def error_from_status(status: dict) -> APIError:
    """Turn a `Status` object received from the API server back into the matching exception."""
    cls = _BY_REASON.get(status.get("reason", ""), APIError)
    return cls(status.get("message", ""))
