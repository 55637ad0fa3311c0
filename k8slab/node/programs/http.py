"""HTTP as the simulated programs speak it: a request is a dict, a response a dict.

Request `{"protocol": "http", "method", "path", "headers"}`; response `{"status", "body"}` and
optional `"headers"`. The reason phrases are Go's net/http StatusText (and nginx's, the same).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

REASONS = {
    200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 302: "Found",
    400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
}


def reason(status: int) -> str:
    """`404` -> `Not Found` (empty for a code we do not name)."""
    return REASONS.get(status, "")


def response(status: int, body: str = "", **headers: str) -> dict:
    """A response dict."""
    return {"status": status, "body": body, "headers": dict(headers)}


def request(path: str, method: str = "GET", **headers: str) -> dict:
    """A request dict, as a client (wget, the kubelet's prober) sends it."""
    return {"protocol": "http", "method": method, "path": path, "headers": dict(headers)}


def route(request: dict) -> tuple[str, dict[str, list[str]]]:
    """The path without its query, and the query's values by name."""
    parts = urlsplit(request.get("path", "/"))
    return parts.path or "/", parse_qs(parts.query)
