"""Warnings that travel with an API response, as HTTP `Warning: 299 - "<text>"` headers do.

The API server adds them (an admission plugin's, e.g. PodSecurity's `would violate
PodSecurity "restricted:latest": ...`) without refusing the request; client-go hands each to
its WarningHandler, and kubectl prints `Warning: <text>` before its own output.
"""

from __future__ import annotations


class WarnedResponse(dict):
    """A response body (the object, as a dict) and the warning headers that came with it."""

    def __init__(self, body: dict, warnings: list[str]) -> None:
        super().__init__(body)
        self.warnings = list(warnings)


def with_warnings(body: dict, warnings: list[str]) -> dict:
    """`body` carrying `warnings`, or `body` itself when there are none."""
    return WarnedResponse(body, warnings) if warnings else body


def split_warnings(answer: object) -> tuple[object, list[str]]:
    """A response as (the plain body, its warnings): what a client reads off the wire."""
    if isinstance(answer, WarnedResponse):
        return dict(answer), list(answer.warnings)
    return answer, []
