"""One HTTP request and its answer, as the endpoint's router sees them (no sockets, no TLS).

The server (`http_server.py`) reads a request off the TLS connection into an HttpRequest, with
the simulated credentials its client certificate or bearer token stands for; the router turns
it into one request to the simulated API server and answers with an HttpResponse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from k8slab.api.kubeconfig import Credentials

JSON = "application/json"


@dataclass(frozen=True)
class HttpRequest:
    """A parsed HTTP request: method, path, query (each name's values in order), headers with
    lower-case names, the body, and the credentials the connection presented."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    credentials: Credentials = Credentials()

    def param(self, name: str, default: str = "") -> str:
        """The first value of query parameter `name`, or `default`."""
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class HttpResponse:
    """An answer: status, content type, a body, extra headers; or, for a watch or a followed
    log, `stream`, the chunks of a chunked body sent as they come (the body is then empty); or,
    for a 101 Switching Protocols to a WebSocket (exec), `upgrade`, the session the server
    runs on the upgraded connection (given a websocket.WebSocket)."""

    status: int
    content_type: str = JSON
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[bytes] | None = None
    upgrade: Callable[[Any], None] | None = None
