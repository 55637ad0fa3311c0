"""The replica sampler reads a Deployment and its ReplicaSets through the API as kubectl would,
and the rolling update's bounds follow upstream's rounding (ResolveFenceposts)."""


import pytest

from k8slab.errors import K8sLabError, NotFoundError
from k8slab.lab.replica_sampler import (
    ReplicaSampler,
    deployment_sample,
    replica_samples,
    resolve_fenceposts,
    scaled_value,
)


def rs(name: str, revision: int, desired: int, current: int, ready: int, available: int,
       owner: str = "web") -> dict:
    status = {"replicas": current, "readyReplicas": ready, "availableReplicas": available}
    return {"kind": "ReplicaSet", "metadata": {
        "name": name, "annotations": {"deployment.kubernetes.io/revision": str(revision)},
        "ownerReferences": [{"kind": "Deployment", "name": owner, "controller": True}]},
        "spec": {"replicas": desired}, "status": {k: v for k, v in status.items() if v}}


def deployment(replicas: int, surge="25%", unavailable="25%", kind="RollingUpdate") -> dict:
    strategy = {"type": kind}
    if kind == "RollingUpdate":
        strategy["rollingUpdate"] = {"maxSurge": surge, "maxUnavailable": unavailable}
    return {"kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "strategy": strategy}}


@pytest.mark.parametrize(("surge", "unavailable", "replicas", "expected"), [
    ("25%", "25%", 4, (1, 1)),
    ("25%", "25%", 10, (3, 2)),     # 2.5 rounds up for surge, down for unavailable
    ("25%", "25%", 1, (1, 0)),
    (0, 0, 5, (0, 1)),              # both 0: maxUnavailable forced to 1
    ("0%", "10%", 5, (0, 1)),       # 0.5 rounds down to 0: forced to 1 again
    (2, 1, 3, (2, 1)),
    ("100%", "0%", 3, (3, 0)),
], ids=["default-4", "default-10", "default-1", "both-zero", "percent-to-zero", "ints",
        "blue-green"])
def test_bounds_round_as_upstream(surge, unavailable, replicas, expected):
    assert resolve_fenceposts(surge, unavailable, replicas) == expected


@pytest.mark.parametrize("bad", ["25", "a%", "-5%", 1.5, True, None])
def test_a_value_that_is_neither_a_number_nor_a_percentage_is_refused(bad):
    with pytest.raises(K8sLabError, match="percentage"):
        scaled_value(bad, 10, round_up=True)


def test_a_recreate_deployment_surges_none_and_may_stop_every_pod():
    sample = deployment_sample(deployment(4, kind="Recreate"), 3.0)
    assert (sample.most_pods, sample.least_available) == (4, 0)


def test_only_the_deployments_own_replica_sets_are_sampled_oldest_revision_first():
    listed = [rs("web-new", 2, 2, 2, 1, 1), rs("other-a", 1, 3, 3, 3, 3, owner="other"),
              rs("web-old", 1, 3, 3, 3, 3)]
    samples = replica_samples(listed, "web", 7.0)
    assert [(s.replica_set, s.revision, s.desired, s.current, s.ready, s.available)
            for s in samples] == [("web-old", 1, 3, 3, 3, 3), ("web-new", 2, 2, 2, 1, 1)]
    assert {s.time for s in samples} == {7.0}


def test_fields_the_api_omits_count_zero():
    [sample] = replica_samples([rs("web-a", 1, 3, 0, 0, 0)], "web", 0.0)
    assert (sample.current, sample.ready, sample.available) == (0, 0, 0)


class FakeCluster:
    """What the sampler uses of a Cluster: now, run, get and list, over a scripted history."""

    def __init__(self, history: dict[float, list[dict]]) -> None:
        self.now = 0.0
        self.history = history
        self.runs: list[float] = []

    def run(self, seconds: float) -> None:
        self.runs.append(seconds)
        self.now += seconds

    def _at(self) -> list[dict]:
        return self.history[max(t for t in self.history if t <= self.now + 1e-9)]

    def get(self, resource, name, namespace):
        assert (resource, namespace) == ("deployments", "default")
        if not self._at():
            raise NotFoundError(f'deployments.apps "{name}" not found')
        return deployment(4)

    def list(self, resource, namespace):
        assert (resource, namespace) == ("replicasets", "default")
        return self._at()


def test_run_samples_once_a_second_and_at_the_start():
    cluster = FakeCluster({0.0: [], 1.0: [rs("web-a", 1, 4, 2, 0, 0)],
                           2.0: [rs("web-a", 1, 4, 4, 4, 4)]})
    sampler = ReplicaSampler(cluster, "web")
    sampler.run(3)
    assert cluster.runs == [1.0, 1.0, 1.0]
    assert [(s.time, s.current) for s in sampler.samples] == [(1.0, 2), (2.0, 4), (3.0, 4)]
    assert [b.time for b in sampler.bounds] == [1.0, 2.0, 3.0]  # none before it existed
    assert sampler.replica_sets() == ["web-a"]
    assert sampler.rows()[0] == {"time": 1.0, "replica set": "web-a", "revision": 1,
                                 "desired": 4, "current": 2, "ready": 0, "available": 0}


def test_a_last_step_shorter_than_every_ends_the_run_on_time():
    cluster = FakeCluster({0.0: [rs("web-a", 1, 4, 4, 4, 4)]})
    ReplicaSampler(cluster, "web").run(2.5, every=1)
    assert cluster.runs == [1.0, 1.0, 0.5]


@pytest.mark.parametrize(("args", "message"), [
    ((-1,), "run\\(\\)'s seconds must be a finite number from 0"),
    ((10, 0), "run\\(\\)'s every must be a finite number from 0.001"),
    ((86_400, 1), "more than 3600 samples"),
])
def test_bad_arguments_are_refused_before_anything_runs(args, message):
    cluster = FakeCluster({0.0: []})
    with pytest.raises(K8sLabError, match=message):
        ReplicaSampler(cluster, "web").run(*args)
    assert cluster.runs == []


def test_a_name_that_is_not_a_string_is_refused():
    with pytest.raises(K8sLabError, match="the Deployment's name must be a name, got 3"):
        ReplicaSampler(FakeCluster({0.0: []}), 3)


def test_reading_twice_at_one_instant_keeps_one_sample():
    cluster = FakeCluster({0.0: [rs("web-a", 1, 4, 4, 4, 4)]})
    sampler = ReplicaSampler(cluster, "web")
    sampler.sample()
    sampler.sample()
    assert len(sampler.samples) == len(sampler.bounds) == 1
