"""The paths that name no resource: /version and the health checks /healthz, /livez, /readyz.

/version answers kube-apiserver v1.35.0's version.Info as the released binary reports it;
the health checks ask the simulated API server's healthz (authentication, then its etcd
check), which RBAC's system:public-info-viewer lets anyone, even anonymous, read.
"""

from __future__ import annotations

from k8slab.api.version import GIT_COMMIT, VERSION
from k8slab.errors import APIError, UnauthorizedError
from k8slab.lab.serving.http_types import HttpRequest, HttpResponse
from k8slab.lab.serving.status import encode, error_response

# `curl -k https://<apiserver>:6443/version` of the released v1.35.0 kube-apiserver: commit
# 66452049f3d6 built 2025-12-17 with go1.25.5 (kubernetes v1.35.0 build/dependencies.yaml
# pins golang 1.25.5; the openSUSE kubernetes1.35 package notes cite it). Emulation and
# minimum compatibility versions are the compatibility-versions fields of 1.33+.
_MAJOR, _MINOR = VERSION.lstrip("v").split(".")[:2]
VERSION_INFO = {
    "major": _MAJOR,
    "minor": _MINOR,
    "emulationMajor": _MAJOR,
    "emulationMinor": _MINOR,
    "minCompatibilityMajor": _MAJOR,
    "minCompatibilityMinor": str(int(_MINOR) - 1),
    "gitVersion": VERSION,
    "gitCommit": GIT_COMMIT,
    "gitTreeState": "clean",
    "buildDate": "2025-12-17T12:32:07Z",
    "goVersion": "go1.25.5",
    "compiler": "gc",
    "platform": "linux/amd64",
}
HEALTH_PATHS = ("/healthz", "/livez", "/readyz")
TEXT = "text/plain; charset=utf-8"


def version_response() -> HttpResponse:
    """GET /version: the version.Info JSON."""
    return HttpResponse(200, "application/json", encode(VERSION_INFO))


def health_response(request: HttpRequest, answer: object) -> HttpResponse:
    """A health check's answer: `ok` (upstream's healthz with every check passing), or with
    ?verbose the checks one per line. k8slab models one check besides ping, etcd."""
    if "verbose" in request.query:
        lines = ["[+]ping ok", "[+]log ok", "[+]etcd ok",
                 f"{request.path.strip('/')} check passed"]
        return HttpResponse(200, TEXT, ("\n".join(lines) + "\n").encode())
    return HttpResponse(200, TEXT, str(answer or "ok").encode())


def health_failure(request: HttpRequest, error: APIError) -> HttpResponse:
    """A failed health check: 500 with the failing check, its reason withheld as upstream's
    healthz does for clients (the server's log has it); a bad credential stays a 401."""
    if isinstance(error, UnauthorizedError):
        return error_response(error)
    name = request.path.strip("/")
    body = f"[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n{name} check failed\n"
    return HttpResponse(500, TEXT, body.encode())
