"""Warnings that travel with an API response, as HTTP `Warning: 299 - "<text>"` headers do,
and the 201 Created of a write that was not a POST but created its object (server-side apply).

The API server adds warnings (an admission plugin's, e.g. PodSecurity's `would violate
PodSecurity "restricted:latest": ...`) without refusing the request; client-go hands each to
its WarningHandler, and kubectl prints `Warning: <text>` before its own output.
"""

from __future__ import annotations


class WarnedResponse(dict):
    """A response body (the object, as a dict), the warning headers that came with it, and
    whether the request created the object (answered 201, not 200)."""

    def __init__(self, body: dict, warnings: list[str], created: bool = False) -> None:
        super().__init__(body)
        self.warnings = list(warnings)
        self.created = created


def with_warnings(body: dict, warnings: list[str], *, created: bool = False) -> dict:
    """`body` carrying `warnings` (and `created`), or `body` itself when there is neither."""
    return WarnedResponse(body, warnings, created) if warnings or created else body


def was_created(answer: object) -> bool:
    """Whether a PATCH or PUT created its object: patch.go and update.go answer 201 then."""
    return isinstance(answer, WarnedResponse) and answer.created


def split_warnings(answer: object) -> tuple[object, list[str]]:
    """A response as (the plain body, its warnings): what a client reads off the wire."""
    if isinstance(answer, WarnedResponse):
        return dict(answer), list(answer.warnings)
    return answer, []
