"""The controller toolkit over a bare API server: a reconcile per change (not per event), owned
objects queue their owner, requeue_after, status written with conflict retry, a raising reconcile
retried with back-off, and workers that run only while their replica leads."""

import pytest

from k8slab.client.controller import Controller, Result, contains, owner_reference
from k8slab.errors import K8sLabError


def config_map(name: str, owner: dict | None = None, **data) -> dict:
    meta = {"name": name, "namespace": "default"}
    if owner is not None:
        meta["ownerReferences"] = [owner_reference(owner)]
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def test_contains_ignores_what_the_wanted_object_leaves_out():
    have = {"spec": {"replicas": 2, "strategy": {"type": "RollingUpdate"}, "ports": [{"p": 1,
                                                                                     "q": 2}]}}
    assert contains(have, {"spec": {"replicas": 2, "ports": [{"p": 1}]}})
    assert not contains(have, {"spec": {"replicas": 3}})
    assert not contains(have, {"spec": {"ports": [{"p": 1}, {"p": 2}]}})


def test_an_owner_reference_names_its_controller():
    owner = {"apiVersion": "example.com/v1", "kind": "WebApp",
             "metadata": {"name": "web", "uid": "u-1"}}
    assert owner_reference(owner) == {"apiVersion": "example.com/v1", "kind": "WebApp",
                                      "name": "web", "uid": "u-1", "controller": True,
                                      "blockOwnerDeletion": True}


def test_reconcile_runs_for_the_primary_and_for_what_it_owns(cp):
    seen: list[str] = []

    def reconcile(ctl, key):
        seen.append(key)
        obj = ctl.get(key)
        if obj is not None and key == "default/app":
            yield from ctl.ensure(obj, config_map("app-child", x="1"))

    ctl = Controller(cp.client("operator"), "configmaps", reconcile, watches=["pods"])
    ctl.start()
    cp.sim.run(1.0)
    app = cp.ok(cp.client().create(config_map("app", a="1")))
    cp.sim.run(1.0)
    assert "default/app" in seen and "default/app-child" in seen
    child = cp.ok(cp.client().get("configmaps", "app-child", "default"))
    assert child["metadata"]["ownerReferences"][0]["uid"] == app["metadata"]["uid"]
    before = ctl.reconciles
    cp.sim.run(5.0)
    assert ctl.reconciles == before  # level-triggered, but no change: no work
    assert ctl.errors == []


def test_a_result_requeues_after_its_delay(cp):
    times: list[float] = []

    def reconcile(_ctl, _key):
        times.append(cp.sim.now)
        return Result(requeue_after=2.0) if len(times) < 3 else None

    Controller(cp.client("operator"), "namespaces", reconcile,
               enqueue_if=lambda ns: ns["metadata"]["name"] == "default").start()
    cp.sim.run(10.0)
    assert len(times) == 3
    assert [round(b - a, 1) for a, b in zip(times, times[1:], strict=False)] == [2.0, 2.0]


def test_status_is_written_with_conflict_retry(cp):
    cp.ok(cp.client().create({"apiVersion": "apps/v1", "kind": "Deployment",
                              "metadata": {"name": "web", "namespace": "default"},
                              "spec": {"selector": {"matchLabels": {"a": "b"}},
                                       "template": {"metadata": {"labels": {"a": "b"}},
                                                    "spec": {"containers": [
                                                        {"name": "c", "image": "nginx"}]}}}}))

    def reconcile(ctl, key):
        stale = ctl.get(key)
        fresh = yield from ctl.client.get("deployments", "web", "default")
        fresh["metadata"]["labels"] = {"touched": "yes"}  # an update that changes nothing
        yield from ctl.client.update(fresh)  # would write nothing; this one makes stale stale
        yield from ctl.update_status(stale, {"observedGeneration": 1, "replicas": 0})

    ctl = Controller(cp.client("operator"), "deployments", reconcile)
    ctl.start()
    cp.sim.run(2.0)
    assert ctl.errors == []
    stored = cp.ok(cp.client().get("deployments", "web", "default"))
    assert stored["status"] == {"observedGeneration": 1, "replicas": 0}
    conflicts = cp.sim.trace.where(component="apiserver", kind="update_status failed")
    assert conflicts and conflicts[0].details["code"] == 409


def test_a_raising_reconcile_is_traced_and_retried(cp):
    def reconcile(_ctl, key):
        raise ValueError(f"cannot reconcile {key}")

    ctl = Controller(cp.client("operator"), "namespaces", reconcile,
                     enqueue_if=lambda ns: ns["metadata"]["name"] == "default")
    ctl.start()
    cp.sim.run(1.0)
    assert ctl.errors[0][1:] == ("default", "ValueError: cannot reconcile default")
    assert len(ctl.errors) > 3
    records = cp.sim.trace.where(component="controller", kind="reconcile error")
    assert records[0].details["requeues"] == 1 and records[-1].details["requeues"] > 3


def test_only_the_leader_reconciles(cp):
    calls: list[str] = []
    replicas = [Controller(cp.client(f"operator-{i}", host), "namespaces",
                           lambda _ctl, key, i=i: calls.append(f"{i}:{key}"),
                           name="ns-operator", leader_election=True,
                           enqueue_if=lambda ns: ns["metadata"]["name"] == "default")
                for i, host in enumerate(("worker-1", "worker-2"))]
    for replica in replicas:
        replica.start()
    cp.sim.run(5.0)
    leaders = [r for r in replicas if r.leading]
    assert len(leaders) == 1 and len(calls) == 1
    assert calls[0].startswith(str(replicas.index(leaders[0])))


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"reconcile": 3}, "reconcile must be a function"),
    ({"watches": "pods"}, "watches is a list of resources"),
    ({"workers": 0}, "workers must be a whole number of at least 1"),
])
def test_bad_arguments_are_refused(cp, kwargs, words):
    arguments = {"reconcile": lambda _c, _k: None, **kwargs}
    with pytest.raises(K8sLabError, match=words):
        Controller(cp.client("operator"), "pods", **arguments)
