"""The coordination.k8s.io group: Lease, the object leader election and node heartbeats renew.

kubernetes pkg/apis/coordination/validation/validation.go ValidateLeaseSpec: a positive
leaseDurationSeconds, non-negative leaseTransitions, and times in RFC 3339 with microseconds.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.timestamps import from_time
from k8slab.api.validation.field import FieldError, invalid


def lease_errors(obj: dict) -> list[FieldError]:
    """Every problem with a Lease's spec, with spec.* paths."""
    spec = obj.get("spec") or {}
    errors: list[FieldError] = []
    for field, minimum in (("leaseDurationSeconds", 1), ("leaseTransitions", 0)):
        value = spec.get(field)
        if value is not None and value < minimum:
            bound = "greater than 0" if minimum == 1 else "greater than or equal to 0"
            errors.append(invalid(f"spec.{field}", value, f"must be {bound}"))
    for field in ("acquireTime", "renewTime"):
        value = spec.get(field)
        if value is None:
            continue
        try:
            from_time(value)
        except ValueError:
            detail = "must be an RFC 3339 time such as '2026-01-01T00:00:00.000000Z'"
            errors.append(invalid(f"spec.{field}", value, detail))
    return errors


COORDINATION_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "Lease.coordination.k8s.io": lease_errors,
}
