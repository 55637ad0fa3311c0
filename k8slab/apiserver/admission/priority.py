"""The Priority admission plugin: a pod's priority comes from its PriorityClass, never from the
pod itself (kk plugin/pkg/admission/priority/admission.go).

On a pod's CREATE it resolves spec.priorityClassName (or, with none, the globalDefault class,
else priority 0) to spec.priority and copies the class's preemptionPolicy; a pod that states a
different priority or preemptionPolicy itself is refused. On UPDATE it keeps what creation set.
It also validates PriorityClasses: only one may be the globalDefault.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.kinds import POD, PRIORITY_CLASS
from k8slab.api.validation.scheduling import SYSTEM_PRIORITY_CLASSES
from k8slab.apiserver.admission import CREATE, UPDATE, AdmissionPlugin, AdmissionRequest
from k8slab.apiserver.admission.forbidden import admission_forbidden
from k8slab.apiserver.admission.listers import Lister

# scheduling.DefaultPriorityWhenNoDefaultClassExists; a class's preemptionPolicy default.
DEFAULT_PRIORITY = 0
PREEMPT_LOWER_PRIORITY = "PreemptLowerPriority"


def default_class(classes: list[dict]) -> dict | None:
    """The globalDefault class; with several (a race upstream allows), the lowest value."""
    defaults = [pc for pc in classes if pc.get("globalDefault")]
    return min(defaults, key=lambda pc: pc.get("value") or 0, default=None)


class Priority(AdmissionPlugin):
    """Fills spec.priority and spec.preemptionPolicy from the pod's PriorityClass."""

    name = "Priority"
    mutating = True
    validating = True

    def __init__(self, lister: Lister) -> None:
        self.lister = lister

    def mutate(self, request: AdmissionRequest) -> Generator:
        """Resolve a new pod's priority; keep an updated pod's."""
        if request.kind is not POD or request.attributes.subresource:
            return
        spec = (request.obj or {}).get("spec")
        if not isinstance(spec, dict):
            return
        if request.operation == UPDATE:
            old_spec = (request.old or {}).get("spec") or {}
            for field in ("priority", "preemptionPolicy"):
                if spec.get(field) is None and old_spec.get(field) is not None:
                    spec[field] = old_spec[field]
                    if self.name not in request.patches:
                        request.patches.append(self.name)
            return
        if request.operation != CREATE:
            return
        class_name = spec.get("priorityClassName") or ""
        if class_name:
            chosen = yield from self.lister.get(PRIORITY_CLASS, None, class_name)
            if chosen is None:
                raise admission_forbidden(
                    request, f"no PriorityClass with name {class_name} was found")
        else:
            chosen = default_class((yield from self.lister.list(PRIORITY_CLASS)))
        priority = (chosen.get("value") or 0) if chosen else DEFAULT_PRIORITY
        policy = (chosen.get("preemptionPolicy") if chosen else PREEMPT_LOWER_PRIORITY)
        if spec.get("priority") is not None and spec["priority"] != priority:
            raise admission_forbidden(
                request, f"the integer value of priority ({spec['priority']}) must not be "
                f"provided in pod spec; priority admission controller computed {priority} "
                "from the given PriorityClass name")
        if policy is not None and spec.get("preemptionPolicy") not in (None, policy):
            raise admission_forbidden(
                request, f"the string value of PreemptionPolicy ({spec['preemptionPolicy']}) "
                f"must not be provided in pod spec; priority admission controller computed "
                f"{policy} from the given PriorityClass name")
        if not class_name and chosen:
            spec["priorityClassName"] = chosen["metadata"]["name"]
        spec["priority"] = priority
        if policy is not None:
            spec["preemptionPolicy"] = policy
        request.patches.append(self.name)

    def validate(self, request: AdmissionRequest) -> Generator:
        """Refuse a second globalDefault PriorityClass."""
        if (request.kind is not PRIORITY_CLASS or request.operation not in (CREATE, UPDATE)
                or request.attributes.subresource or not (request.obj or {}).get("globalDefault")):
            return
        current = default_class((yield from self.lister.list(PRIORITY_CLASS)))
        if current is None:
            return
        current_name = current["metadata"]["name"]
        if request.operation == CREATE or current_name != request.obj["metadata"].get("name"):
            raise admission_forbidden(
                request, f"PriorityClass {current_name} is already marked as default. "
                "Only one default can exist")


def system_priority_classes() -> list[dict]:
    """The two classes kube-apiserver creates at start (its scheduling/bootstrap-system-
    priority-classes post-start hook): system-node-critical and system-cluster-critical."""
    return [
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
         "metadata": {"name": name}, "value": value, "description": description}
        for name, (value, description) in SYSTEM_PRIORITY_CLASSES.items()
    ]
