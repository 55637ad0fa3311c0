"""The scheduling.k8s.io group: PriorityClass, checked as kubernetes pkg/apis/scheduling/
validation ValidatePriorityClass and ValidatePriorityClassUpdate check it.

Names starting "system-" are kept for the two classes the API server creates (with their
exact value and globalDefault, pkg/apis/scheduling/v1 IsKnownSystemPriorityClass); any other
class is at most 1000000000 (HighestUserDefinablePriority). Value and preemptionPolicy never
change.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.validation.core_affinity import PREEMPTION_POLICIES
from k8slab.api.validation.field import FieldError, forbidden, invalid, not_supported

SYSTEM_PREFIX = "system-"  # scheduling.SystemPriorityClassPrefix
HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000  # scheduling.HighestUserDefinablePriority
SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY  # SystemCriticalPriority
SYSTEM_NODE_CRITICAL = "system-node-critical"
SYSTEM_CLUSTER_CRITICAL = "system-cluster-critical"
# pkg/apis/scheduling/v1/helpers.go systemPriorityClasses: name -> (value, description).
SYSTEM_PRIORITY_CLASSES = {
    SYSTEM_NODE_CRITICAL: (
        SYSTEM_CRITICAL_PRIORITY + 1000,
        "Used for system critical pods that must not be moved from their current node.",
    ),
    SYSTEM_CLUSTER_CRITICAL: (
        SYSTEM_CRITICAL_PRIORITY,
        "Used for system critical pods that must run in the cluster, but can be moved to "
        "another node if necessary.",
    ),
}
IMMUTABLE = "field is immutable"


def _known_system_class(name: str, value: object, global_default: bool) -> str:
    """Why a "system-" class is not one of the system classes ("" when it is)."""
    if name not in SYSTEM_PRIORITY_CLASSES:
        return f"{name} is not a known system priority class"
    if value != SYSTEM_PRIORITY_CLASSES[name][0]:
        return f"value of {name} PriorityClass must be {SYSTEM_PRIORITY_CLASSES[name][0]}"
    if global_default:
        return f"globalDefault of {name} PriorityClass must be false"
    return ""


def priority_class_errors(obj: dict) -> list[FieldError]:
    """Every problem with a PriorityClass beyond its metadata."""
    errors: list[FieldError] = []
    name = (obj.get("metadata") or {}).get("name") or ""
    value = obj.get("value") or 0
    if name.startswith(SYSTEM_PREFIX):
        why = _known_system_class(name, value, bool(obj.get("globalDefault")))
        if why:
            errors.append(forbidden("metadata.name", f"priority class names with "
                                    f"'{SYSTEM_PREFIX}' prefix are reserved for system use "
                                    f"only. error: {why}"))
    elif value > HIGHEST_USER_DEFINABLE_PRIORITY:
        errors.append(forbidden("value", "maximum allowed value of a user defined priority is "
                                f"{HIGHEST_USER_DEFINABLE_PRIORITY}"))
    policy = obj.get("preemptionPolicy")
    if policy is not None and policy not in PREEMPTION_POLICIES:
        errors.append(not_supported("preemptionPolicy", policy, PREEMPTION_POLICIES))
    return errors


def priority_class_update_errors(old: dict, new: dict) -> list[FieldError]:
    """value and preemptionPolicy are fixed once the class exists."""
    errors: list[FieldError] = []
    if (new.get("value") or 0) != (old.get("value") or 0):
        errors.append(forbidden("value", "may not be changed in an update."))
    if new.get("preemptionPolicy") != old.get("preemptionPolicy"):
        errors.append(invalid("preemptionPolicy", new.get("preemptionPolicy"), IMMUTABLE))
    return errors


SCHEDULING_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "PriorityClass.scheduling.k8s.io": priority_class_errors,
}
