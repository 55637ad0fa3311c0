"""The pause container, which holds a pod's namespaces, and goproxy, a TCP proxy on :8080.

pause (kubernetes/build/pause/linux/pause.c) sleeps until a signal and exits on SIGTERM at
once. goproxy (registry.k8s.io/goproxy, elazarl/goproxy) accepts TCP on 8080 — the docs'
tcp-liveness-readiness example — and answers a plain HTTP request with its 500 `This is a
proxy server. Does not respond to non-proxy requests.`
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.node.process import Process
from k8slab.node.programs.http import response

GOPROXY_PORT = 8080


def pause(process: Process) -> Generator:
    """Sleep until killed (SIGTERM or SIGINT end it at once)."""
    yield process.env.event()


pause.sigterm_seconds = 0.0


def goproxy(process: Process) -> Generator:
    """Listen on :8080 until killed."""

    def handle(request: dict) -> Generator:
        return response(500, "This is a proxy server. Does not respond to non-proxy requests.\n")
        yield

    process.listen(GOPROXY_PORT, handle)
    yield process.env.event()


goproxy.sigterm_seconds = 0.0
