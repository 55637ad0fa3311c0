"""What admission plugins read: the watch cache once it is filled, etcd before it is, and etcd
for an object the cache has not seen yet when the plugin asks for that (PodSecurity)."""

from __future__ import annotations

from k8slab.api.kinds import NAMESPACE, PRIORITY_CLASS
from k8slab.apiserver.admission.listers import Lister
from k8slab.apiserver.watch import WatchCache


def test_a_filled_cache_answers_and_copies(cp):
    lister = Lister(cp.apiserver.storage, cp.apiserver.cache, lambda: True)
    classes = cp.ok(lister.list(PRIORITY_CLASS), host="control-plane")
    assert [pc["metadata"]["name"] for pc in classes] == [
        "system-cluster-critical", "system-node-critical"]
    classes[0]["value"] = 1
    again = cp.ok(lister.get(PRIORITY_CLASS, None, "system-cluster-critical"),
                  host="control-plane")
    assert again["value"] == 2000000000


def test_before_the_cache_is_filled_etcd_answers(cp):
    lister = Lister(cp.apiserver.storage, cp.apiserver.cache, lambda: False)
    found = cp.ok(lister.get(NAMESPACE, None, "kube-system"), host="control-plane")
    assert found["metadata"]["name"] == "kube-system"
    assert cp.ok(lister.get(NAMESPACE, None, "nope"), host="control-plane") is None


def test_a_miss_in_the_cache_is_read_live_only_when_asked(cp):
    lagging = WatchCache()  # a filled cache that has not seen the new namespace yet
    lister = Lister(cp.apiserver.storage, lagging, lambda: True)
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "fresh"}}
    cp.ok(cp.apiserver.storage.create(NAMESPACE, body), host="control-plane")
    assert cp.ok(lister.get(NAMESPACE, None, "fresh"), host="control-plane") is None
    live = cp.ok(lister.get(NAMESPACE, None, "fresh", live_on_miss=True), host="control-plane")
    assert live["metadata"]["name"] == "fresh"
