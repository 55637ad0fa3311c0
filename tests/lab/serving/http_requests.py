"""HttpRequests as the TLS server builds them, for the router's tests."""

from __future__ import annotations

from k8slab.api.kubeconfig import ANONYMOUS_CREDENTIALS, Credentials
from k8slab.lab.serving.http_types import HttpRequest


def http(method: str, path: str, credentials: Credentials = ANONYMOUS_CREDENTIALS, *,
         body: bytes = b"", headers: dict[str, str] | None = None, **query: str) -> HttpRequest:
    """An HttpRequest as the TLS server would build it."""
    return HttpRequest(method, path, {k: [v] for k, v in query.items()},
                       {k.lower(): v for k, v in (headers or {}).items()}, body, credentials)
