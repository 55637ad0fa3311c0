"""The scale subresource of the built-in workloads (Deployments, ReplicaSets, StatefulSets,
ReplicationControllers): an autoscaling/v1 Scale read from, and written into, the object.

Upstream's registries (pkg/registry/apps/deployment/storage ScaleREST) read the object and
write spec.replicas back through the object's own update, with the Scale's resourceVersion as
the precondition. The simulated API server serves `scale` only for custom resources, so the
endpoint does the same read and update with the API client. Simplified: the authorizer sees
`get`/`update` on the workload rather than on `<resource>/scale`.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.client.rest import Client
from k8slab.errors import BadRequestError, ConflictError, InvalidError

UPDATE_ATTEMPTS = 5  # reads and writes a scale without a resourceVersion tries at most


def selector_text(selector: object) -> str:
    """A label selector as labels.Selector.String() prints it: requirements sorted by key,
    `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, comma-joined."""
    if not isinstance(selector, dict):
        return ""
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        selector = {"matchLabels": selector}  # a ReplicationController's map selector
    parts: list[tuple[str, str]] = [(key, f"{key}={value}") for key, value in
                                    (selector.get("matchLabels") or {}).items()]
    words = {"In": "in", "NotIn": "notin"}
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key", ""), expression.get("operator")
        if operator in words:
            values = ",".join(sorted(expression.get("values") or []))
            parts.append((key, f"{key} {words[operator]} ({values})"))
        elif operator == "Exists":
            parts.append((key, key))
        elif operator == "DoesNotExist":
            parts.append((key, f"!{key}"))
    return ",".join(text for _, text in sorted(parts))


def scale_of(obj: dict) -> dict:
    """The Scale of a workload: spec.replicas, status.replicas and the selector as text."""
    meta = obj["metadata"]
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    scale_status: dict = {"replicas": status.get("replicas", 0)}
    selector = selector_text(spec.get("selector"))
    if selector:
        scale_status["selector"] = selector
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {key: meta[key] for key in ("name", "namespace", "uid",
                                                     "resourceVersion", "creationTimestamp")
                         if key in meta},
            "spec": {"replicas": spec.get("replicas", 0)}, "status": scale_status}


def get_scale(client: Client, resource: str, namespace: str | None, name: str) -> Generator:
    """GET <resource>/<name>/scale."""
    return scale_of((yield from client.get(resource, name, namespace)))


def update_scale(client: Client, resource: str, namespace: str | None, name: str,
                 scale: object) -> Generator:
    """PUT <resource>/<name>/scale: spec.replicas into the object, under the Scale's
    resourceVersion when it carries one (a stale one is the object's 409 Conflict)."""
    if not isinstance(scale, dict):
        raise BadRequestError("the object provided is unrecognized (must be of type Scale)")
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        raise BadRequestError("json: cannot unmarshal into Go struct field ScaleSpec.spec."
                              f"replicas of type int32 (got {replicas!r})")
    if replicas < 0:
        # apis/autoscaling/validation ValidateScale.
        raise InvalidError(f'Scale.autoscaling "{name}" is invalid: spec.replicas: Invalid '
                           f"value: {replicas}: must be greater than or equal to 0",
                           ({"reason": "FieldValueInvalid", "field": "spec.replicas",
                             "message": f"Invalid value: {replicas}: must be greater than or "
                                        "equal to 0"},))
    version = (scale.get("metadata") or {}).get("resourceVersion")
    attempts = 0
    while True:
        obj = yield from client.get(resource, name, namespace)
        if version:
            obj["metadata"]["resourceVersion"] = version
        obj.setdefault("spec", {})["replicas"] = replicas
        try:
            return scale_of((yield from client.update(obj)))
        except ConflictError:
            # Without a precondition, GuaranteedUpdate reads again and retries.
            attempts += 1
            if version or attempts == UPDATE_ATTEMPTS:
                raise
