"""`kubectl describe namespace`, in kubectl v1.35's layout (pkg/describe/describe.go
describeNamespace): name, labels, annotations, the phase, the namespace controller's deletion
conditions while it is Terminating, then its ResourceQuotas and LimitRanges.
Simplified: the lab models neither ResourceQuota nor LimitRange, so a namespace has none and
describe says so, as kubectl does for a namespace without them.
"""

from __future__ import annotations

from k8slab.lab.kubectl.describe_text import (
    DescribeWriter,
    annotations_block,
    labels_block,
    rfc1123z,
)


def describe_namespace(namespace: dict) -> str:
    """The text of `kubectl describe namespace NAME`."""
    metadata = namespace.get("metadata", {})
    status = namespace.get("status") or {}
    w = DescribeWriter()
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    labels_block(w, "Labels", metadata.get("labels"))
    annotations_block(w, "Annotations", metadata.get("annotations"))
    w.write(0, f"Status:\t{status.get('phase', '')}\n")
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for condition in conditions:
            when = rfc1123z(condition.get("lastTransitionTime"), "lastTransitionTime")
            w.write(1, f"{condition.get('type', '')}\t{condition.get('status', '')}\t{when}\t"
                       f"{condition.get('reason', '')}\t{condition.get('message', '')}\n")
    w.flush()
    w.write(0, "\nNo resource quota.\n")
    w.flush()
    w.write(0, "\nNo LimitRange resource.\n")
    return w.text()
