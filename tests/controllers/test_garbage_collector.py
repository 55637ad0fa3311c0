"""The garbage collector against a real API server: pods owning pods, deleted in the background,
in the foreground (blockOwnerDeletion holds the owner) and with their dependents orphaned."""

from __future__ import annotations

import pytest

from k8slab.client.informer import SharedInformerFactory
from k8slab.client.rest import Client
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.garbage_collector import GarbageCollector
from k8slab.errors import NotFoundError
from tests.pki_fixtures import SYSTEM_MASTERS, credentials


@pytest.fixture
def gc(cp):
    group = cp.control_plane.group("kube-controller-manager")
    # system:masters: these tests are about the controllers, not their RBAC roles.
    client = Client(group, credentials("kubernetes-super-admin", (SYSTEM_MASTERS,)),
                    "control-plane")
    collector = GarbageCollector(ControllerContext(group, client, SharedInformerFactory(client)),
                                 resources=("pods",))
    collector.start()
    cp.sim.run(cp.sim.now + 1)
    return collector


def create(cp, name: str, owners: list[dict] = (), block: bool = False,
           finalizers: list[str] = ()) -> dict:
    meta: dict = {"name": name, "namespace": "default"}
    if owners:
        meta["ownerReferences"] = [
            {"apiVersion": "v1", "kind": "Pod", "name": o["metadata"]["name"],
             "uid": o["metadata"]["uid"], **({"blockOwnerDeletion": True} if block else {})}
            for o in owners]
    if finalizers:
        meta["finalizers"] = list(finalizers)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
           "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}
    return cp.ok(cp.client().create(pod))


def exists(cp, name: str) -> dict | None:
    found = cp.call(cp.client().get("pods", name, "default"))
    return None if isinstance(found, NotFoundError) else found


def settle(cp, seconds: float = 2.0) -> None:
    cp.sim.run(cp.sim.now + seconds)


def test_background_deletes_dependents_whose_owners_are_all_gone(cp, gc):
    owner, other = create(cp, "owner"), create(cp, "other")
    create(cp, "a", [owner])
    create(cp, "b", [owner])
    create(cp, "shared", [owner, other])
    settle(cp)
    cp.ok(cp.client().delete("pods", "owner", "default"))
    settle(cp)
    assert (exists(cp, "a"), exists(cp, "b")) == (None, None)
    shared = exists(cp, "shared")
    assert [r["name"] for r in shared["metadata"]["ownerReferences"]] == ["other"]
    assert [r.details["propagation_policy"] for r in cp.sim.trace.where(
        kind="GarbageCollect")] == ["Background", "Background"]


def test_a_dependent_of_an_owner_that_never_existed_is_collected(cp, gc):
    ghost = {"metadata": {"name": "ghost", "uid": "00000000-0000-4000-8000-000000000000"}}
    create(cp, "orphaned", [ghost])
    settle(cp)
    assert exists(cp, "orphaned") is None


def test_an_owner_present_keeps_its_dependents(cp, gc):
    owner = create(cp, "owner")
    create(cp, "a", [owner])
    settle(cp, 5)
    assert exists(cp, "a") is not None


def test_foreground_deletes_dependents_first_and_a_blocking_one_holds_the_owner(cp, gc):
    owner = create(cp, "owner")
    create(cp, "free", [owner])
    create(cp, "held", [owner], block=True, finalizers=["example.com/hold"])
    settle(cp)
    answer = cp.ok(cp.client().delete("pods", "owner", "default",
                                      propagation_policy="Foreground"))
    assert answer["metadata"]["finalizers"] == ["foregroundDeletion"]
    settle(cp)
    assert exists(cp, "free") is None
    held = exists(cp, "held")
    assert held["metadata"]["deletionTimestamp"]  # deleted, waiting on its own finalizer
    assert exists(cp, "owner")["metadata"]["finalizers"] == ["foregroundDeletion"]
    held["metadata"]["finalizers"] = []
    cp.ok(cp.client().update(held))
    settle(cp)
    assert (exists(cp, "held"), exists(cp, "owner")) == (None, None)


def test_foreground_without_blocking_dependents_releases_the_owner(cp, gc):
    owner = create(cp, "owner")
    create(cp, "a", [owner])
    settle(cp)
    cp.ok(cp.client().delete("pods", "owner", "default", propagation_policy="Foreground"))
    settle(cp)
    assert (exists(cp, "a"), exists(cp, "owner")) == (None, None)


def test_orphan_strips_the_owner_from_dependents_then_removes_the_owner(cp, gc):
    owner, other = create(cp, "owner"), create(cp, "other")
    create(cp, "a", [owner])
    create(cp, "shared", [owner, other])
    settle(cp)
    answer = cp.ok(cp.client().delete("pods", "owner", "default", propagation_policy="Orphan"))
    assert answer["metadata"]["finalizers"] == ["orphan"]
    settle(cp)
    assert exists(cp, "owner") is None
    assert "ownerReferences" not in exists(cp, "a")["metadata"]
    assert [r["name"] for r in exists(cp, "shared")["metadata"]["ownerReferences"]] == ["other"]
    assert cp.sim.trace.where(kind="GarbageCollect") == []


def test_cascading_background_deletion_goes_down_a_chain(cp, gc):
    top = create(cp, "top")
    middle = create(cp, "middle", [top])
    create(cp, "bottom", [middle])
    settle(cp)
    cp.ok(cp.client().delete("pods", "top", "default"))
    settle(cp)
    assert (exists(cp, "middle"), exists(cp, "bottom")) == (None, None)
