"""How ResourceQuota measures usage: what one object costs, which quotas it falls under, and
resource lists added, masked and compared as upstream's quota helpers do.

The evaluators of kubernetes pkg/quota/v1/evaluator/core (pods.go, services.go) and
apiserver pkg/quota/v1 (resources.go, generic/evaluator.go): a pod costs `pods` 1 and its
PodRequests/PodLimits as cpu, memory, requests.*, limits.* unless it is terminal; a Service
costs `services`, `services.nodeports`, `services.loadbalancers`; every object costs
`count/<resource>[.<group>]`, and configmaps, secrets, replicationcontrollers and
resourcequotas also under their legacy bare names. Both quota admission (in the API server) and
the resource quota controller use this module.
"""

from __future__ import annotations

from fractions import Fraction

from k8slab.api.amounts import ZERO, Amount, pod_totals, resource_list
from k8slab.api.kinds import Kind
from k8slab.api.qos import get_pod_qos
from k8slab.api.timestamps import from_time

ResourceList = dict[str, Amount]

# pods.go validationSet: a quota on these makes every container state them ("a mistake").
VALIDATION_SET = ("cpu", "limits.cpu", "limits.memory", "memory", "requests.cpu",
                  "requests.memory")
POD_RESOURCES = ("count/pods", "cpu", "memory", "ephemeral-storage", "requests.cpu",
                 "requests.memory", "requests.ephemeral-storage", "limits.cpu",
                 "limits.memory", "limits.ephemeral-storage", "pods")
SERVICE_RESOURCES = ("count/services", "services", "services.nodeports",
                     "services.loadbalancers")
# core/registry.go: object-count evaluators that also answer to a legacy bare name.
LEGACY_COUNT_NAMES = {"configmaps": "configmaps", "secrets": "secrets",
                      "replicationcontrollers": "replicationcontrollers",
                      "resourcequotas": "resourcequotas",
                      "persistentvolumeclaims": "persistentvolumeclaims"}
ONE = Amount(Fraction(1))


def count_name(kind: Kind) -> str:
    """ObjectCountQuotaResourceNameFor: `count/pods`, `count/deployments.apps`."""
    return f"count/{kind.resource}.{kind.group}" if kind.group else f"count/{kind.resource}"


def matching_resources(kind: Kind, names: list[str]) -> list[str]:
    """The quota resource names among `names` that objects of `kind` consume (sorted)."""
    if kind.resource == "pods":
        known = POD_RESOURCES
        extra = [n for n in names if n.startswith(("hugepages-", "requests.hugepages-"))
                 or (n.startswith("requests.") and "/" in n)]
    elif kind.resource == "services":
        known, extra = SERVICE_RESOURCES, []
    else:
        known = (count_name(kind),) + tuple(
            v for k, v in LEGACY_COUNT_NAMES.items() if k == kind.resource)
        extra = []
    return sorted({n for n in names if n in known} | set(extra))


def handles(kind: Kind, operation: str, subresource: str = "") -> bool:
    """Evaluator.Handles: a pod is charged on CREATE only (a resize is not modelled); a
    Service on CREATE and UPDATE (its type may change); any other object on CREATE."""
    if subresource:
        return False
    if kind.resource == "services":
        return operation in ("CREATE", "UPDATE")
    return operation == "CREATE"


def pod_charged(pod: dict, now: float) -> bool:
    """QuotaV1Pod: not terminal, and not past deletionTimestamp + its grace period (a pod
    stuck terminating on a lost node stops counting)."""
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return False
    meta = pod.get("metadata") or {}
    grace = meta.get("deletionGracePeriodSeconds")
    if meta.get("deletionTimestamp") and grace is not None:
        return now <= from_time(meta["deletionTimestamp"]) + grace
    return True


def _compute_usage(requests: ResourceList, limits: ResourceList) -> ResourceList:
    """podComputeUsageHelper: pods 1, requests as cpu/requests.cpu..., limits as limits.*."""
    result: ResourceList = {"pods": ONE}
    for name in ("cpu", "memory", "ephemeral-storage"):
        if name in requests:
            result[name] = requests[name]
            result[f"requests.{name}"] = requests[name]
        if name in limits:
            result[f"limits.{name}"] = limits[name]
    for name, value in requests.items():
        if name.startswith("hugepages-"):
            result[name] = value
            result[f"requests.{name}"] = value
        elif "/" in name and "kubernetes.io/" not in name:
            result[f"requests.{name}"] = value
    return result


def pod_usage(pod: dict, now: float) -> ResourceList:
    """PodUsageFunc: count/pods always; the compute resources while the pod is charged."""
    result: ResourceList = {"count/pods": ONE}
    if pod_charged(pod, now):
        result.update(_compute_usage(pod_totals(pod, "requests"), pod_totals(pod, "limits")))
    return result


def service_usage(service: dict) -> ResourceList:
    """The service evaluator: one Service; NodePort and LoadBalancer types also take one
    node port per port, and a LoadBalancer one load balancer."""
    spec = service.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    ports = Amount(Fraction(len(spec.get("ports") or [])))
    return {"count/services": ONE, "services": ONE,
            "services.nodeports": ports if kind in ("NodePort", "LoadBalancer") else ZERO,
            "services.loadbalancers": ONE if kind == "LoadBalancer" else ZERO}


def usage(kind: Kind, obj: dict, now: float) -> ResourceList:
    """What one object costs, by quota resource name."""
    if kind.resource == "pods":
        return pod_usage(obj, now)
    if kind.resource == "services":
        return service_usage(obj)
    result = {count_name(kind): ONE}
    if kind.resource in LEGACY_COUNT_NAMES:
        result[LEGACY_COUNT_NAMES[kind.resource]] = ONE
    return result


def scope_selectors(quota: dict) -> list[dict]:
    """getScopeSelectorsFromQuota: spec.scopes as Exists requirements, then scopeSelector's."""
    spec = quota.get("spec") or {}
    selectors = [{"scopeName": scope, "operator": "Exists"} for scope in spec.get("scopes") or []]
    return selectors + list((spec.get("scopeSelector") or {}).get("matchExpressions") or [])


def pod_matches_scope(selector: dict, pod: dict) -> bool:
    """podMatchesScopeFunc: Terminating is a pod with activeDeadlineSeconds; BestEffort its QoS
    class; PriorityClass its priorityClassName against the selector's values."""
    spec = pod.get("spec") or {}
    scope = selector.get("scopeName")
    deadline = spec.get("activeDeadlineSeconds")
    terminating = deadline is not None and deadline >= 0
    best_effort = get_pod_qos(pod) == "BestEffort"
    if scope in ("Terminating", "NotTerminating"):
        return terminating == (scope == "Terminating")
    if scope in ("BestEffort", "NotBestEffort"):
        return best_effort == (scope == "BestEffort")
    if scope == "PriorityClass":
        name = spec.get("priorityClassName") or ""
        operator, values = selector.get("operator"), selector.get("values") or []
        if operator == "Exists":
            return bool(name)
        if operator == "DoesNotExist":
            return not name
        return (bool(name) and name in values) == (operator == "In")
    return False


def matches(quota: dict, hard: list[str], kind: Kind, obj: dict) -> bool:
    """generic.Matches: the quota limits (`hard`: its status.hard names in admission, its
    spec.hard in the controller) something `kind` consumes, and the object is in every one of
    its scopes (objects other than pods are in no scope)."""
    if not matching_resources(kind, hard):
        return False
    selectors = scope_selectors(quota)
    if kind.resource != "pods":
        return not selectors
    return all(pod_matches_scope(selector, obj) for selector in selectors)


def constraints(required: list[str], pod: dict) -> str:
    """The pod evaluator's Constraints: "" when every container states what the quota tracks,
    else `must specify limits.cpu for: web; requests.memory for: web,side`."""
    wanted = sorted(set(required) & set(VALIDATION_SET))
    missing: dict[str, set[str]] = {}
    spec = pod.get("spec") or {}
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        resources = container.get("resources") or {}
        has = _compute_usage(resource_list(resources.get("requests"), "requests"),
                             resource_list(resources.get("limits"), "limits"))
        for name in wanted:
            if name not in has:
                missing.setdefault(name, set()).add(container.get("name", ""))
    parts = [f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing)]
    return f"must specify {'; '.join(parts)}" if parts else ""


def add(a: ResourceList, b: ResourceList) -> ResourceList:
    """quota.Add: every resource of either, summed."""
    result = dict(a)
    for name, value in b.items():
        result[name] = result[name] + value if name in result else value
    return result


def subtract_non_negative(a: ResourceList, b: ResourceList) -> ResourceList:
    """quota.SubtractWithNonNegativeResult: a - b per resource of a, never below zero."""
    return {name: Amount(max(value.value - b.get(name, ZERO).value, 0), value.format)
            for name, value in a.items()}


def mask(values: ResourceList, names: list[str]) -> ResourceList:
    """quota.Mask: only the named resources."""
    return {name: value for name, value in values.items() if name in names}


def remove_zeros(values: ResourceList) -> ResourceList:
    """quota.RemoveZeros."""
    return {name: value for name, value in values.items() if value.value != 0}


def exceeded(values: ResourceList, hard: ResourceList) -> list[str]:
    """quota.LessThanOrEqual's second answer: the resources of `values` above `hard`."""
    return sorted(name for name, value in values.items()
                  if name in hard and value.value > hard[name].value)


def pretty(values: ResourceList) -> str:
    """prettyPrint: `limits.cpu=1,pods=2`, keys sorted."""
    return ",".join(f"{name}={values[name]}" for name in sorted(values))


def parse_list(quantities: dict | None) -> ResourceList:
    """A stored ResourceList ({"pods": "2"}) as Amounts."""
    return resource_list(quantities, "quota")


def to_strings(values: ResourceList) -> dict[str, str]:
    """A ResourceList as the API stores it, keys sorted."""
    return {name: str(values[name]) for name in sorted(values)}


def calculate_usage(hard: list[str], selectors: list[dict],
                    objects: list[tuple[Kind, list[dict]]], now: float) -> ResourceList:
    """quota.CalculateUsage: for each kind whose usage the quota limits, the cost of every
    object in its scopes, added; each limited resource is present, zero when nothing uses it."""
    used: ResourceList = {}
    for kind, items in objects:
        names = matching_resources(kind, hard)
        for name in names:
            used.setdefault(name, ZERO)
        if not names or (selectors and kind.resource != "pods"):
            continue
        for obj in items:
            if all(pod_matches_scope(selector, obj) for selector in selectors):
                used = add(used, mask(usage(kind, obj, now), names))
    return used
