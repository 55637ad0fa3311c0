"""How an admission plugin says no: apiserver pkg/admission/errors.go NewForbidden, a 403 that
names the resource and the object (its generateName before a name is generated)."""

from __future__ import annotations

from k8slab.apiserver.admission import AdmissionRequest
from k8slab.errors import ForbiddenError


def admission_forbidden(request: AdmissionRequest, reason: str) -> ForbiddenError:
    """`pods "web-1" is forbidden: <reason>` (or `pods is forbidden: ...` with no name)."""
    meta = (request.obj if request.obj is not None else request.old or {}).get("metadata") or {}
    name = meta.get("name") or meta.get("generateName") or ""
    kind = request.kind
    resource = f"{kind.resource}.{kind.group}" if kind.group else kind.resource
    subject = f'{resource} "{name}"' if name else resource
    return ForbiddenError(f"{subject} is forbidden: {reason}")
