"""The scale subresource of the built-in workloads: <kind>/<name>/scale as an autoscaling/v1
Scale, the small object `kubectl scale` and the HorizontalPodAutoscaler read and write.

Deployments, ReplicaSets, StatefulSets and ReplicationControllers serve it (upstream's
pkg/registry/apps/*/storage ScaleREST and core/replicationcontroller/storage): GET builds a
Scale from the object (spec.replicas, status.replicas, the selector as a string); PUT or PATCH
of a Scale writes only spec.replicas back, through the object's own update path. A Scale that
carries a resourceVersion is a precondition on the object's.
"""

from __future__ import annotations

from k8slab.api.kinds import DEPLOYMENT, REPLICA_SET, REPLICATION_CONTROLLER, STATEFUL_SET, Kind
from k8slab.errors import BadRequestError, InvalidError, NotFoundError

SCALABLE = (DEPLOYMENT, REPLICA_SET, STATEFUL_SET, REPLICATION_CONTROLLER)
# What a Scale's metadata copies of its object (scaleFromDeployment and its siblings).
SCALE_METADATA = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
# The 404 of a subresource the resource does not serve (no route is installed for it).
NO_SUCH_RESOURCE = "the server could not find the requested resource"


def scale_kind(kind: Kind) -> Kind:
    """The Scale a `kind`'s scale subresource serves, scoped as the kind is (never stored)."""
    return Kind("Scale", "autoscaling/v1", kind.resource, kind.namespaced, kind.storage_prefix)


def check_scalable(kind: Kind) -> None:
    """404, as upstream answers a subresource path it never installed, for other kinds."""
    if kind not in SCALABLE:
        raise NotFoundError(NO_SUCH_RESOURCE)


def selector_string(selector: dict | None, plain_map: bool = False) -> str:
    """A label selector as labels.Selector.String() prints it: requirements sorted by key,
    `app=web,tier in (a,b),!canary`. `plain_map`: a ReplicationController's map of labels."""
    if not selector:
        return ""
    labels = selector if plain_map else selector.get("matchLabels") or {}
    parts = [(key, f"{key}={value}") for key, value in labels.items()]
    if not plain_map:
        for requirement in selector.get("matchExpressions") or []:
            key, op = requirement.get("key", ""), requirement.get("operator", "")
            values = ",".join(sorted(requirement.get("values") or []))
            parts.append((key, {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                                "Exists": key, "DoesNotExist": f"!{key}"}.get(op, key)))
    return ",".join(text for _, text in sorted(parts, key=lambda part: part[0]))


def scale_of(kind: Kind, obj: dict) -> dict:
    """The autoscaling/v1 Scale of a workload object as it is served."""
    meta, spec, status = obj["metadata"], obj.get("spec") or {}, obj.get("status") or {}
    scale_status: dict = {"replicas": status.get("replicas", 0)}
    selector = selector_string(spec.get("selector"), plain_map=kind is REPLICATION_CONTROLLER)
    if selector:
        scale_status["selector"] = selector
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in SCALE_METADATA if k in meta},
            "spec": {"replicas": spec.get("replicas", 0)}, "status": scale_status}


def scaled(kind: Kind, obj: dict, scale: object) -> dict:
    """`obj` with the Scale's spec.replicas (and its resourceVersion, a precondition the update
    checks); a Scale that is not one, or asks for fewer than 0 replicas, is refused."""
    if not isinstance(scale, dict) or not isinstance(scale.get("spec", {}), dict):
        raise BadRequestError(f"a Scale is a JSON object with a spec, got {scale!r}")
    replicas = scale.get("spec", {}).get("replicas", 0)
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        raise BadRequestError(f"a Scale's spec.replicas is a whole number, got {replicas!r}")
    name = obj["metadata"]["name"]
    if replicas < 0:  # autoscaling validation ValidateScale
        raise InvalidError(f'Scale.autoscaling "{name}" is invalid: spec.replicas: Invalid '
                           f"value: {replicas}: must be greater than or equal to 0")
    updated = dict(obj, spec=dict(obj.get("spec") or {}, replicas=replicas))
    wanted = (scale.get("metadata") or {}).get("resourceVersion")
    if wanted:
        updated["metadata"] = dict(obj["metadata"], resourceVersion=wanted)
    return updated
