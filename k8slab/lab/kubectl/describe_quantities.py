"""What `kubectl describe node` adds up: every pod's requests and limits (k8slab.api.amounts
adds them as Go's resource.Quantity does), and the whole percent of what the node can
allocate, as kubectl's describeNodeResource computes them.
"""

from __future__ import annotations

from k8slab.api.amounts import Amount, add_into, milli_value, pod_totals, whole_value


def percent(part: Amount, whole: Amount, resource: str) -> int:
    """int64(float64(part) / float64(whole) * 100): cpu in millis, others in units; truncated.

    Upstream divides by zero for a pod row on a node that reports no allocatable amount;
    the lab prints 0 there, as upstream's totals do.
    """
    scale = milli_value if resource == "cpu" else whole_value
    denominator = scale(whole)
    if denominator == 0:
        return 0
    return int(float(scale(part)) / float(denominator) * 100)


def node_totals(pods: list[dict], field: str) -> dict[str, Amount]:
    """getPodsTotalRequestsAndLimits: every pod's totals added, in list order."""
    total: dict[str, Amount] = {}
    for pod in pods:
        add_into(total, pod_totals(pod, field))
    return total
