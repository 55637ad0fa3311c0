"""`kubectl scale TYPE NAME --replicas=N [--current-replicas=M] [--resource-version=V]`, in
kubectl v1.35's words (staging/src/k8s.io/kubectl/pkg/cmd/scale/scale.go, pkg/scale/scale.go).

kubectl writes the scale subresource. For the built-in kinds the lab's API server has none, so
the lab reads the object, sets spec.replicas and writes it back (again each second on a
Conflict, as kubectl retries), which a controller sees exactly as it would see the
subresource's write; a custom kind's scale subresource (its CRD's specReplicasPath) is read and
written as kubectl does.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass

from k8slab.api.kinds import (
    DEPLOYMENT,
    REPLICA_SET,
    REPLICATION_CONTROLLER,
    STATEFUL_SET,
    Kind,
)
from k8slab.errors import BadRequestError, ConflictError, NotFoundError
from k8slab.lab.kubectl.api import Api
from k8slab.lab.kubectl.flags import NAMESPACE, Flag
from k8slab.lab.kubectl.output import KubectlError, KubectlNotFoundError
from k8slab.lab.kubectl.targets import Target, parse_targets

RETRY_INTERVAL = 1.0
RETRY_TIMEOUT = 300.0

USAGE = ("usage: kubectl scale (TYPE NAME | TYPE/NAME) --replicas=COUNT [--current-replicas=N] "
         "[--resource-version=V] [-n NAMESPACE]; TYPE one of deployments, replicasets, "
         "replicationcontrollers, statefulsets")
FLAGS = (
    NAMESPACE,
    Flag("replicas", "int"),
    Flag("current-replicas", "int"),
    Flag("resource-version"),
)
SCALABLE = (DEPLOYMENT, REPLICA_SET, REPLICATION_CONTROLLER, STATEFUL_SET)


@dataclass(frozen=True)
class ScaleRequest:
    """A parsed `kubectl scale`: which objects, the replicas wanted, and the preconditions."""

    targets: tuple[Target, ...]
    replicas: int
    current_replicas: int  # -1: no precondition
    resource_version: str


def parse(flags: dict, args: list[str], namespace: str,
          custom: Sequence[Kind] = ()) -> ScaleRequest:
    """Check a `kubectl scale` as kubectl's Validate does, before any request."""
    replicas = flags.get("replicas", -1)
    if replicas < 0:
        raise BadRequestError("error: The --replicas=COUNT flag is required, and COUNT must be "
                              f"greater than or equal to 0\n{USAGE}")
    current = flags.get("current-replicas", -1)
    if current < -1:
        raise BadRequestError(
            "error: The --current-replicas must specify an integer of -1 or greater")
    if replicas >= 2**31:
        raise BadRequestError(f"error: --replicas={replicas} is more than an int32 holds")
    targets = parse_targets(args, namespace, USAGE, custom)
    version = flags.get("resource-version", "")
    if version and len(targets) > 1:
        raise BadRequestError("error: cannot use --resource-version with multiple resources")
    for target in targets:
        if target.info not in SCALABLE and target.info not in custom:
            raise BadRequestError(
                f"error: {target.resource_string} have no scale subresource; "
                f"{USAGE.partition('; ')[2]}")
    return ScaleRequest(tuple(targets), replicas, current, version)


def steps(api: Api, request: ScaleRequest) -> Generator:
    """Scale each object in turn and print `deployment.apps/web scaled` for each."""
    lines: list[str] = []
    for target in request.targets:
        try:
            yield from _scale_with_retries(api, target, request)
        except NotFoundError:
            raise KubectlNotFoundError(lines, target.not_found) from None
        except KubectlError as error:
            raise KubectlError(lines, error.error) from None
        lines.append(f"{target.object_name} scaled")
    return "\n".join(lines)


def _scale_with_retries(api: Api, target: Target, request: ScaleRequest) -> Generator:
    # pkg/scale ScaleWithRetries with NewRetryParams(1s, 5m): a Conflict (someone wrote in
    # between) is tried again every second, for five minutes at most.
    waited = 0.0
    while True:
        try:
            return (yield from _scale_one(api, target, request))
        except ConflictError:
            if waited >= RETRY_TIMEOUT:
                raise
        yield from api.sleep(RETRY_INTERVAL)
        waited += RETRY_INTERVAL


def _scale_one(api: Api, target: Target, request: ScaleRequest) -> Generator:
    if target.info not in SCALABLE:  # a custom kind: its scale subresource, as kubectl writes
        yield from _scale_subresource(api, target, request)
        return
    obj = yield from api.get(target.info.resource, target.name, target.namespace)
    spec = obj.setdefault("spec", {})
    _check_preconditions(request, spec.get("replicas", 1),
                         obj["metadata"].get("resourceVersion", ""))
    spec["replicas"] = request.replicas
    yield from api.update(obj)


def _scale_subresource(api: Api, target: Target, request: ScaleRequest) -> Generator:
    resource = target.resource_string
    scale = yield from api.get_scale(resource, target.name, target.namespace)
    _check_preconditions(request, scale["spec"].get("replicas", 0),
                         scale["metadata"].get("resourceVersion", ""))
    yield from api.update_scale(resource, target.name, target.namespace, request.replicas)


def _check_preconditions(request: ScaleRequest, have: int, version: str) -> None:
    """--current-replicas and --resource-version: kubectl's ScalePrecondition.validate."""
    if request.current_replicas != -1 and have != request.current_replicas:
        raise KubectlError([], "error: Expected replicas to be "
                               f"{request.current_replicas}, was {have}")
    if request.resource_version and version != request.resource_version:
        raise KubectlError([], "error: Expected resource version to be "
                               f"{request.resource_version}, was {version}")
