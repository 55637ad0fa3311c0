"""The LimitRanger admission plugin (kk plugin/pkg/admission/limitranger/admission.go).

Mutating: a container that does not state a request or limit gets the LimitRange's
defaultRequest and default, and the pod is annotated `kubernetes.io/limit-ranger: LimitRanger
plugin set: cpu, memory request for container web; cpu limit for container web`.
Validating: every container (and the pod as a whole, for a `Pod` item) must keep within min and
max and under maxLimitRequestRatio, or the create is refused with upstream's words, e.g.
`maximum cpu usage per Container is 500m, but limit is 1`. Only pod creates are checked (a
pod's resources cannot change on update); PersistentVolumeClaims are not modelled.
Upstream walks Go maps in random order; the lab checks resources in sorted order.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.amounts import Amount, milli_value, pod_totals, resource_list
from k8slab.api.kinds import LIMIT_RANGE, POD
from k8slab.apiserver.admission import CREATE, AdmissionPlugin, AdmissionRequest
from k8slab.apiserver.admission.forbidden import admission_forbidden
from k8slab.apiserver.admission.listing import Lister, list_namespaced
from k8slab.apiserver.storage import Storage

ANNOTATION = "kubernetes.io/limit-ranger"
def _container_defaults(limit_range: dict) -> tuple[dict, dict]:
    """defaultContainerResourceRequirements: (requests, limits) of the Container items."""
    requests, limits = {}, {}
    for item in (limit_range.get("spec") or {}).get("limits") or []:
        if item.get("type") == "Container":
            requests.update(item.get("defaultRequest") or {})
            limits.update(item.get("default") or {})
    return requests, limits


def apply_defaults(limit_range: dict, pod: dict) -> bool:
    """mergePodResourceRequirements: fill each container's missing requests and limits and
    annotate the pod; True if anything was set."""
    requests, limits = _container_defaults(limit_range)
    notes: list[str] = []
    spec = pod.get("spec") or {}
    for field, label in (("containers", "container"), ("initContainers", "init container")):
        for container in spec.get(field) or []:
            resources = container.setdefault("resources", {})
            set_limits = _fill(resources.setdefault("limits", {}), limits)
            set_requests = _fill(resources.setdefault("requests", {}), requests)
            name = container.get("name", "")
            if set_requests:
                notes.append(f"{', '.join(set_requests)} request for {label} {name}")
            if set_limits:
                notes.append(f"{', '.join(set_limits)} limit for {label} {name}")
            for key in ("limits", "requests"):
                if not resources[key]:
                    del resources[key]
    if notes:
        annotations = pod.setdefault("metadata", {}).setdefault("annotations", {})
        annotations[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)
    return bool(notes)


def _fill(values: dict, defaults: dict) -> list[str]:
    added = sorted(name for name in defaults if name not in values)
    for name in added:
        values[name] = defaults[name]
    return added


def _observed(request: Amount | None, limit: Amount | None, enforced: Amount) -> tuple:
    # requestLimitEnforcedValues: compared in milli-units (values far too big for that are
    # not modelled).
    return (milli_value(request) if request else 0, milli_value(limit) if limit else 0,
            milli_value(enforced))


def min_error(kind: str, name: str, enforced: Amount, requests: dict, limits: dict) -> str:
    """minConstraint's complaint, or ""."""
    request, limit = requests.get(name), limits.get(name)
    req, lim, want = _observed(request, limit, enforced)
    if request is None:
        return f"minimum {name} usage per {kind} is {enforced}.  No request is specified"
    if req < want:
        return f"minimum {name} usage per {kind} is {enforced}, but request is {request}"
    if limit is not None and lim < want:
        return f"minimum {name} usage per {kind} is {enforced}, but limit is {limit}"
    return ""


def max_error(kind: str, name: str, enforced: Amount, requests: dict, limits: dict) -> str:
    """maxConstraint's complaint, or ""."""
    request, limit = requests.get(name), limits.get(name)
    req, lim, want = _observed(request, limit, enforced)
    if limit is None:
        return f"maximum {name} usage per {kind} is {enforced}.  No limit is specified"
    if lim > want:
        return f"maximum {name} usage per {kind} is {enforced}, but limit is {limit}"
    if request is not None and req > want:
        return f"maximum {name} usage per {kind} is {enforced}, but request is {request}"
    return ""


def ratio_error(kind: str, name: str, enforced: Amount, requests: dict, limits: dict) -> str:
    """limitRequestRatioConstraint's complaint, or ""."""
    request, limit = requests.get(name), limits.get(name)
    req, lim, want = _observed(request, limit, enforced)
    head = f"{name} max limit to request ratio per {kind} is {enforced}"
    if request is None or req == 0:
        return f"{head}, but no request is specified or request is 0"
    if limit is None or lim == 0:
        return f"{head}, but no limit is specified or limit is 0"
    ratio = lim / req
    if ratio * 1000 > want:
        return f"{head}, but provided ratio is {ratio:f}"
    return ""


CHECKS = (("min", min_error), ("max", max_error), ("maxLimitRequestRatio", ratio_error))


def limit_errors(limit_range: dict, pod: dict) -> list[str]:
    """PodValidateLimitFunc: every Container and Pod item's min, max and ratio, checked."""
    errors = []
    spec = pod.get("spec") or {}
    for item in (limit_range.get("spec") or {}).get("limits") or []:
        kind = item.get("type")
        if kind == "Container":
            targets = [(c.get("resources") or {}) for c in
                       (spec.get("containers") or []) + (spec.get("initContainers") or [])]
            subjects = [(resource_list(r.get("requests"), "requests"),
                         resource_list(r.get("limits"), "limits")) for r in targets]
        elif kind == "Pod":
            subjects = [(pod_totals(pod, "requests"), pod_totals(pod, "limits"))]
        else:
            continue
        for requests, limits in subjects:
            for field, check in CHECKS:
                bounds = resource_list(item.get(field), field)
                for name in sorted(bounds):
                    message = check(kind, name, bounds[name], requests, limits)
                    if message:
                        errors.append(message)
    return errors


def _aggregate(messages: list[str]) -> str:
    # utilerrors.NewAggregate: one error bare, several as "[e1, e2]", repeats shown once.
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


class LimitRanger(AdmissionPlugin):
    """Defaults and bounds a namespace's LimitRanges put on the pods created in it."""

    name = "LimitRanger"
    mutating = True
    validating = True

    def __init__(self, storage: Storage, lister: Lister | None = None) -> None:
        self.storage = storage
        self.lister = lister

    def _limit_ranges(self, request: AdmissionRequest) -> Generator:
        if request.kind is not POD or request.operation != CREATE or request.obj is None \
                or request.attributes.subresource:
            return []
        return (yield from list_namespaced(self.storage, self.lister, LIMIT_RANGE,
                                           request.namespace))

    def mutate(self, request: AdmissionRequest) -> Generator:
        """Fill the pod's missing requests and limits from each LimitRange."""
        changed = False
        for limit_range in (yield from self._limit_ranges(request)):
            changed = apply_defaults(limit_range, request.obj) or changed
        if changed:
            request.patches.append(self.name)

    def validate(self, request: AdmissionRequest) -> Generator:
        """Refuse a pod outside a LimitRange's bounds (403, each complaint listed)."""
        for limit_range in (yield from self._limit_ranges(request)):
            errors = limit_errors(limit_range, request.obj)
            if errors:
                raise admission_forbidden(request, _aggregate(errors))
