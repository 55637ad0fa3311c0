"""The informer: list, then watch from the list's resourceVersion, keep a cache, call handlers;
when the watch breaks, list again until the cache matches the server."""

import pytest

from k8slab.client.informer import BACKOFF_INITIAL, Informer, cache_key
from k8slab.errors import UnavailableError


def start_informer(cp, **kwargs) -> tuple[Informer, list[tuple]]:
    informer = Informer(cp.client("informer"), "pods", **kwargs)
    log: list[tuple] = []
    informer.on_add.append(lambda obj: log.append(("add", obj["metadata"]["name"])))
    informer.on_update.append(lambda old, new: log.append(
        ("update", new["metadata"]["name"], old["spec"].get("nodeName"),
         new["spec"].get("nodeName"))))
    informer.on_delete.append(lambda obj: log.append(("delete", obj["metadata"]["name"])))
    informer.start()
    cp.sim.run(1.0)
    return informer, log


def server_pods(cp) -> dict[str, str]:
    items, _ = cp.ok(cp.client(host="control-plane").list("pods"), host="control-plane")
    return {cache_key(o): o["metadata"]["resourceVersion"] for o in items}


def cached_pods(informer: Informer) -> dict[str, str]:
    return {cache_key(o): o["metadata"]["resourceVersion"] for o in informer.list()}


def test_cache_key_is_namespace_slash_name_or_just_name():
    assert cache_key({"metadata": {"name": "web", "namespace": "dev"}}) == "dev/web"
    assert cache_key({"metadata": {"name": "worker-1"}}) == "worker-1"


def test_an_informer_lists_then_watches_and_calls_its_handlers(cp, make_pod):
    cp.ok(cp.client().create(make_pod("web")))
    informer, log = start_informer(cp)
    assert informer.synced and log == [("add", "web")]
    cp.ok(cp.client().create(make_pod("db")))
    cp.ok(cp.client().bind("default", "db", "worker-1"))
    cp.ok(cp.client().delete("pods", "web", "default"))
    cp.sim.run(0.1)
    # An unbound pod goes at once, yet its deletionTimestamp is written first (an update).
    assert log[1:] == [("add", "db"), ("update", "db", None, "worker-1"),
                       ("update", "web", None, None), ("delete", "web")]
    assert cached_pods(informer) == server_pods(cp)
    # One watch, the informer's (the control plane's serviceaccount controller has its own).
    assert [(r.details["user"], r.obj) for r in cp.sim.trace.where(kind="watch")
            if r.details["user"] == "informer"] == [("informer", "pods")]


def test_an_informer_with_a_field_selector_sees_only_its_nodes_pods(cp, make_pod):
    informer, log = start_informer(cp, field_selector="spec.nodeName=worker-1")
    for name in ("a", "b"):
        cp.ok(cp.client().create(make_pod(name)))
    cp.ok(cp.client().bind("default", "a", "worker-1"))
    cp.ok(cp.client().bind("default", "b", "worker-2"))
    cp.sim.run(0.1)
    assert log == [("add", "a")]
    assert list(informer.cache) == ["default/a"]


def test_an_informer_relists_after_a_partition_heals_and_converges(cp, make_pod):
    for name in ("old", "kept"):
        cp.ok(cp.client().create(make_pod(name)))
    informer, log = start_informer(cp)
    assert log == [("add", "kept"), ("add", "old")]
    cp.network.partition(["worker-1"], ["control-plane", "worker-2"])
    cp.sim.run(0.1)
    admin = cp.client("admin", host="worker-2")
    cp.ok(admin.create(make_pod("new")), host="worker-2")
    cp.ok(admin.delete("pods", "old", "default"), host="worker-2")
    cp.ok(admin.bind("default", "kept", "worker-2"), host="worker-2")
    cp.sim.run(5.0)
    assert cached_pods(informer) != server_pods(cp)  # cut off: the cache is stale
    cp.network.heal()
    cp.sim.run(30.0)
    assert cached_pods(informer) == server_pods(cp)
    assert sorted(log[2:]) == [("add", "new"), ("delete", "old"),
                               ("update", "kept", None, "worker-2")]
    assert len(cp.sim.trace.where(kind="watch")) >= 2


def test_an_informer_keeps_retrying_while_the_server_is_down(cp, make_pod):
    cp.network.crash("control-plane")
    informer, log = start_informer(cp)
    cp.sim.run(20.0)
    assert not informer.synced and log == []
    error = cp.call(cp.client().list("pods"), limit=60)
    assert isinstance(error, UnavailableError)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_relist_backoff_is_at_least_the_initial_backoff(control_plane_factory, seed):
    cp = control_plane_factory(seed)
    informer, _ = start_informer(cp)
    cp.network.partition(["worker-1"], ["control-plane"])
    cp.network.heal()
    def pod_watches() -> int:  # the informer's (the fixture's controller watches other kinds)
        return len([r for r in cp.sim.trace.where(kind="watch") if r.obj == "pods"])

    before = pod_watches()
    cp.sim.run(BACKOFF_INITIAL - 0.01)
    assert pod_watches() == before
    cp.sim.run(BACKOFF_INITIAL + 0.1)
    assert pod_watches() == before + 1
    assert informer.synced
