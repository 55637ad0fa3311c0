"""`kubectl get` and `kubectl describe` of ResourceQuotas and LimitRanges, in kubectl v1.35's
words (kk pkg/printers/internalversion/printers.go printResourceQuota and printLimitRange;
kubectl pkg/describe/describe.go describeQuota and describeLimitRange).

A quota's row shows `resource: used/hard` for each resource of status.hard, the `limits.*`
ones under LIMIT and the rest under REQUEST. A LimitRange's table has NAME and CREATED AT.
Describe writes a quota's scopes with their help text and a Resource/Used/Hard table, and a
LimitRange's items one resource per row (upstream walks a Go map there; the lab sorts).
"""

from __future__ import annotations

from fractions import Fraction

from k8slab.api.amounts import Amount, amount, whole_value
from k8slab.lab.kubectl.describe_text import DescribeWriter
from k8slab.lab.kubectl.durations import age
from k8slab.lab.kubectl.printers import name_of

SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited "
                   "lifespan on a node before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually "
                      "include long running pods whose container command is not expected to "
                      "terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods "
                  "have a best effort quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These "
                     "pods have a burstable or guaranteed quality of service.",
}
LIMIT_FIELDS = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")


def _quantity(text: object, field: str) -> str:
    return str(amount(text, field)) if text is not None else "0"


def resource_quota_cells(item: dict, now: float) -> list[str]:
    """NAME AGE REQUEST LIMIT."""
    status = item.get("status") or {}
    hard, used = status.get("hard") or {}, status.get("used") or {}
    request, limit = [], []
    for name in sorted(hard):
        column = limit if name.split(".")[0] == "limits" and "." in name else request
        column.append(f"{name}: {_quantity(used.get(name), 'used')}/"
                      f"{_quantity(hard[name], 'hard')}")
    created = (item.get("metadata") or {}).get("creationTimestamp")
    return [name_of(item), age(created, now, "metadata.creationTimestamp"),
            ", ".join(request), ", ".join(limit)]


def limit_range_cells(item: dict, now: float) -> list[str]:
    """NAME CREATED AT: the creation time as RFC 3339 text."""
    return [name_of(item), (item.get("metadata") or {}).get("creationTimestamp") or ""]


def describe_quota(item: dict) -> str:
    """The text of `kubectl describe quota NAME`."""
    meta, spec, status = item.get("metadata") or {}, item.get("spec") or {}, \
        item.get("status") or {}
    w = DescribeWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    scopes = sorted(spec.get("scopes") or [])
    if scopes:
        w.write(0, f"Scopes:\t{', '.join(scopes)}\n")
        for scope in scopes:
            if scope in SCOPE_HELP:
                w.write(0, f" * {SCOPE_HELP[scope]}\n")
    w.write(0, "Resource\tUsed\tHard\n")
    w.write(0, "--------\t----\t----\n")
    hard, used = status.get("hard") or {}, status.get("used") or {}
    for name in sorted(hard):
        w.write(0, f"{name}\t{_used_as_hard(used.get(name), hard[name])}\t"
                   f"{_quantity(hard[name], 'hard')}\n")
    return w.text()


def _used_as_hard(used: object, hard: object) -> str:
    """describeQuota: a used value in another format than hard is shown in hard's format."""
    hard_amount = amount(hard, "hard")
    used_amount = amount(used if used is not None else "0", "used")
    if used_amount.format != hard_amount.format:
        used_amount = Amount(Fraction(whole_value(used_amount)), hard_amount.format)
    return str(used_amount)


def describe_limit_range(item: dict) -> str:
    """The text of `kubectl describe limitrange NAME`."""
    meta = item.get("metadata") or {}
    w = DescribeWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\t"
               "Max Limit/Request Ratio\n")
    w.write(0, "----\t--------\t---\t---\t---------------\t-------------\t"
               "-----------------------\n")
    for limit in (item.get("spec") or {}).get("limits") or []:
        names = sorted({name for field in LIMIT_FIELDS for name in (limit.get(field) or {})})
        for name in names:
            cells = [_quantity(limit[f][name], f) if name in (limit.get(f) or {}) else "-"
                     for f in LIMIT_FIELDS]
            w.write(0, "\t".join([limit.get("type", ""), name, *cells]) + "\n")
    return w.text()
