"""The 403 an admission plugin answers with, named as upstream's admission.NewForbidden names it.

apiserver pkg/admission/errors.go: the resource (`pods`, `priorityclasses.scheduling.k8s.io`)
and the request's name, else the object's name, else its generateName (mutating admission runs
before a generated name exists): `pods "web" is forbidden: <reason>`.
"""

from __future__ import annotations

from k8slab.apiserver.admission import AdmissionRequest
from k8slab.errors import ForbiddenError


def admission_forbidden(request: AdmissionRequest, reason: str) -> ForbiddenError:
    """`<resource> "<name>" is forbidden: <reason>` for the object `request` is about."""
    kind = request.kind
    resource = f"{kind.resource}.{kind.group}" if kind.group else kind.resource
    meta = ((request.obj if request.obj is not None else request.old) or {}).get("metadata") or {}
    name = (request.attributes.name or meta.get("name") or meta.get("generateName")
            or "Unknown")
    return ForbiddenError(f'{resource} "{name}" is forbidden: {reason}')
