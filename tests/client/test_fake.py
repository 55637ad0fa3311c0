"""The fake client: an in-memory API that records actions, and a shared informer over it."""

import pytest

from k8slab.client.fake import FakeClient
from k8slab.client.informer import SharedInformerFactory
from k8slab.errors import ConflictError, NotFoundError
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network


@pytest.fixture
def fake():
    network = Network(Simulation(1))
    host = network.add_host("control-plane")
    host.start()
    return FakeClient(host.group("kube-controller-manager"))


def run(fake, steps):
    return fake.group.sim.run_process(fake.group.spawn(steps), 1)


def pod(name, owner=""):
    meta = {"name": name, "namespace": "default", "labels": {"app": "web"}}
    if owner:
        meta["ownerReferences"] = [{"kind": "ReplicaSet", "name": owner, "uid": owner,
                                    "controller": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {"containers": []}}


def test_actions_are_recorded_and_writes_listed_apart(fake):
    run(fake, fake.create(pod("a")))
    run(fake, fake.get("pods", "a", "default"))
    run(fake, fake.delete("pods", "a", "default"))
    assert fake.actions == [("create", "pods", "default/a"), ("get", "pods", "default/a"),
                            ("delete", "pods", "default/a")]
    assert fake.writes() == [("create", "pods", "default/a"), ("delete", "pods", "default/a")]
    with pytest.raises(NotFoundError):
        run(fake, fake.get("pods", "a", "default"))


def test_generate_name_uid_and_a_stale_update_conflicts(fake):
    made = run(fake, fake.create(dict(pod(""), metadata={"generateName": "web-",
                                                             "namespace": "default"})))
    assert made["metadata"]["name"] == "web-00001" and made["metadata"]["uid"]
    stale = dict(made, metadata=dict(made["metadata"], resourceVersion="0"))
    with pytest.raises(ConflictError):
        run(fake, fake.update(stale))


def test_a_spec_change_raises_generation_and_status_updates_keep_the_spec(fake):
    made = run(fake, fake.create(dict(pod("a"), status={"phase": "Pending"})))
    changed = dict(made, spec={"containers": [{"name": "x"}]})
    updated = run(fake, fake.update(changed))
    assert updated["metadata"]["generation"] == 2
    status = run(fake, fake.update_status(dict(updated, spec={}, status={"phase": "Running"})))
    assert status["spec"] == {"containers": [{"name": "x"}]}
    assert status["status"] == {"phase": "Running"}


def test_a_shared_informer_indexes_its_cache(fake):
    fake.add(pod("a", owner="rs-1"))
    factory = SharedInformerFactory(fake)
    pods = factory.informer("pods")
    assert factory.informer("pods") is pods
    pods.add_index("owner", lambda o: [r["uid"] for r in o["metadata"].get("ownerReferences", [])])
    factory.start()
    fake.group.sim.run(1)
    assert factory.synced()
    run(fake, fake.create(pod("b", owner="rs-1")))
    run(fake, fake.create(pod("c", owner="rs-2")))
    assert [p["metadata"]["name"] for p in pods.by_index("owner", "rs-1")] == ["a", "b"]
    run(fake, fake.delete("pods", "a", "default"))
    assert [p["metadata"]["name"] for p in pods.by_index("owner", "rs-1")] == ["b"]
    assert pods.get("default/c")["metadata"]["name"] == "c"
