"""Pod update validation: which pod spec fields may change after creation (ValidatePodUpdate)."""

from __future__ import annotations

from k8slab.errors import InvalidError

# Upstream's list of pod spec fields that may change after creation (pkg/apis/core/validation).
MUTABLE_POD_FIELDS = (
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)


def check_pod_update(current: dict, new: dict) -> None:
    """Reject a pod update that changes spec fields other than images and tolerations
    (checked after mutating admission, which fills in what creation set, e.g. the priority)."""

    def without_mutable(spec: dict) -> dict:
        stripped = dict(spec)
        stripped.pop("tolerations", None)
        stripped.pop("activeDeadlineSeconds", None)
        stripped.pop("nodeName", None)
        for field in ("containers", "initContainers"):
            if field in stripped:
                stripped[field] = [
                    {k: v for k, v in c.items() if k != "image"} for c in stripped[field]
                ]
        return stripped

    if without_mutable(current.get("spec", {})) != without_mutable(new.get("spec", {})):
        name = current["metadata"]["name"]
        raise InvalidError(
            f'Pod "{name}" is invalid: spec: Forbidden: pod updates may not change fields other '
            f"than {MUTABLE_POD_FIELDS}"
        )


def check_node_name(current: dict, new: dict) -> None:
    """Reject an update that sets another node: only the binding subresource binds a pod."""
    if new["spec"].get("nodeName") and new["spec"]["nodeName"] != current["spec"].get("nodeName"):
        raise InvalidError(
            f'Pod "{current["metadata"]["name"]}" is invalid: spec.nodeName: Forbidden: '
            "set it through the binding subresource (pods/binding)"
        )
