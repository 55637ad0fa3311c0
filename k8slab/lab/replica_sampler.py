"""Replicas over time: a Deployment's ReplicaSets, read through the API server while the cluster
runs, as `kubectl get rs -w` would show them, one sample a simulated second.

A sample holds what each ReplicaSet's object says: `spec.replicas` (what the Deployment
controller asks of it), `status.replicas` (the pods it has), `readyReplicas` and
`availableReplicas`. The sampler reads nothing else: no component's memory, only the API.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.errors import K8sLabError, NotFoundError
from k8slab.lab import arguments

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

REVISION = "deployment.kubernetes.io/revision"
MAX_SAMPLES_PER_RUN = 3600
# Upstream's defaults for a RollingUpdate Deployment (kk pkg/apis/apps/v1/defaults.go).
DEFAULT_SURGE = DEFAULT_UNAVAILABLE = "25%"


@dataclass(frozen=True)
class ReplicaSample:
    """One ReplicaSet at one instant: its revision, and its replicas asked, present, ready and
    available, as its object in the API server says (a field the API omits counts 0)."""

    time: float
    replica_set: str
    revision: int
    desired: int
    current: int
    ready: int
    available: int


@dataclass(frozen=True)
class DeploymentSample:
    """The Deployment at one instant: `spec.replicas`, and the bounds a rolling update keeps to:
    at most `desired + max_surge` pods, at least `desired - max_unavailable` available."""

    time: float
    desired: int
    max_surge: int
    max_unavailable: int

    @property
    def most_pods(self) -> int:
        return self.desired + self.max_surge

    @property
    def least_available(self) -> int:
        return max(self.desired - self.max_unavailable, 0)


def scaled_value(value: int | str, total: int, *, round_up: bool) -> int:
    """An int-or-percent field as a number of pods of `total`: "25%" of 10 is 3 rounded up,
    2 rounded down (apimachinery's GetScaledValueFromIntOrPercent)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise K8sLabError(f"expected a whole number or a percentage such as \"25%\", "
                          f"got {value!r}")
    if isinstance(value, int):
        return value
    digits = value.removesuffix("%")
    if not value.endswith("%") or not digits.isdigit():
        raise K8sLabError(f"invalid value for IntOrString: invalid type: string is not a "
                          f"percentage: {value!r} (expected a whole number or e.g. \"25%\")")
    share = int(digits) * total / 100
    return math.ceil(share) if round_up else math.floor(share)


def resolve_fenceposts(max_surge: int | str, max_unavailable: int | str, desired: int
                       ) -> tuple[int, int]:
    """(surge, unavailable) in pods: maxSurge rounds up, maxUnavailable down, and if both come
    to 0 maxUnavailable becomes 1 so the rollout can move (kk deployment_util.go
    ResolveFenceposts)."""
    surge = scaled_value(max_surge, desired, round_up=True)
    unavailable = scaled_value(max_unavailable, desired, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _count(obj: dict, *path: str) -> int:
    value: object = obj
    for key in path:
        value = (value or {}).get(key) if isinstance(value, dict) else None
    return value if isinstance(value, int) else 0


def owned_by(replica_set: dict, deployment: str) -> bool:
    """Whether the ReplicaSet's controller owner reference names the Deployment `deployment`."""
    owners = (replica_set.get("metadata") or {}).get("ownerReferences") or []
    return any(o.get("kind") == "Deployment" and o.get("name") == deployment
               and o.get("controller") for o in owners)


def replica_samples(replica_sets: list[dict], deployment: str, now: float) -> list[ReplicaSample]:
    """The samples of the ReplicaSets in `replica_sets` that `deployment` owns, oldest revision
    first (ties by name)."""
    samples = []
    for rs in replica_sets:
        if not owned_by(rs, deployment):
            continue
        meta = rs["metadata"]
        revision = str((meta.get("annotations") or {}).get(REVISION, "0"))
        samples.append(ReplicaSample(
            now, meta["name"], int(revision) if revision.isdigit() else 0,
            _count(rs, "spec", "replicas"), _count(rs, "status", "replicas"),
            _count(rs, "status", "readyReplicas"), _count(rs, "status", "availableReplicas")))
    return sorted(samples, key=lambda s: (s.revision, s.replica_set))


def deployment_sample(deployment: dict, now: float) -> DeploymentSample:
    """The Deployment's desired replicas and its resolved rolling-update bounds (a Recreate
    Deployment surges none and may have all unavailable)."""
    spec = deployment.get("spec") or {}
    desired = _count(deployment, "spec", "replicas")
    strategy = spec.get("strategy") or {}
    if strategy.get("type") == "Recreate":
        return DeploymentSample(now, desired, 0, desired)
    rolling = strategy.get("rollingUpdate") or {}
    surge, unavailable = resolve_fenceposts(rolling.get("maxSurge", DEFAULT_SURGE),
                                            rolling.get("maxUnavailable", DEFAULT_UNAVAILABLE),
                                            desired)
    return DeploymentSample(now, desired, surge, unavailable)


class ReplicaSampler:
    """Samples the ReplicaSets of Deployment `deployment` in `namespace` through the API server.

    `run(seconds)` advances the cluster a second at a time and samples after each step;
    `sample()` reads once, now. Until the Deployment exists there is nothing to sample.
    """

    def __init__(self, cluster: Cluster, deployment: str, namespace: str = "default") -> None:
        self.cluster = cluster
        self.deployment = arguments.text(deployment, "the Deployment's name", "a name")
        self.namespace = arguments.text(namespace, "the namespace", "a namespace name")
        self.samples: list[ReplicaSample] = []
        self.bounds: list[DeploymentSample] = []

    def sample(self) -> list[ReplicaSample]:
        """Read the Deployment and its ReplicaSets now; keep and return this instant's samples
        (a second read at the same instant replaces the first)."""
        now = self.cluster.now
        if self.bounds and self.bounds[-1].time == now:  # read again at the same instant
            self.bounds.pop()
            self.samples = [s for s in self.samples if s.time != now]
        try:
            deployment = self.cluster.get("deployments", self.deployment, self.namespace)
        except NotFoundError:
            return []
        self.bounds.append(deployment_sample(deployment, now))
        taken = replica_samples(self.cluster.list("replicasets", self.namespace),
                                self.deployment, now)
        self.samples.extend(taken)
        return taken

    def run(self, seconds: float, every: float = 1.0) -> None:
        """Run the cluster `seconds`, sampling every `every` seconds (and once at the start)."""
        seconds = arguments.number(seconds, "run()'s seconds", high=86_400.0)
        every = arguments.number(every, "run()'s every", low=0.001, high=3600.0)
        if seconds / every > MAX_SAMPLES_PER_RUN:
            raise K8sLabError(f"{seconds:g} s every {every:g} s is more than "
                              f"{MAX_SAMPLES_PER_RUN} samples; sample less often")
        end = self.cluster.now + seconds
        self.sample()
        while self.cluster.now < end - 1e-9:
            self.cluster.run(min(every, end - self.cluster.now))
            self.sample()

    def replica_sets(self) -> list[str]:
        """The ReplicaSets seen so far, oldest revision first."""
        order = {s.replica_set: (s.revision, s.replica_set) for s in self.samples}
        return sorted(order, key=order.__getitem__)

    def rows(self) -> list[dict]:
        """The samples as table rows: time, ReplicaSet, revision, desired, current, ready,
        available."""
        return [{"time": round(s.time, 3), "replica set": s.replica_set, "revision": s.revision,
                 "desired": s.desired, "current": s.current, "ready": s.ready,
                 "available": s.available} for s in self.samples]
