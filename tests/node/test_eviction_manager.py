"""The kubelet's eviction manager and image GC on a running node: memory pressure raises the
Node's MemoryPressure condition and evicts the pod upstream's ranking picks; a full image disk
loses its least recently used unused images."""

from __future__ import annotations

from k8slab import Cluster
from k8slab.node import eviction_manager
from k8slab.node.image_catalogue import Image


def hog(name: str, megabytes: int, request: str | None = None) -> dict:
    container = {"name": "hog", "image": "polinux/stress", "command": ["stress"],
                 "args": ["--vm", "1", "--vm-bytes", f"{megabytes}M", "--vm-hang", "1"]}
    if request:
        container["resources"] = {"requests": {"memory": request}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [container]}}


def condition(c: Cluster, node: str, kind: str) -> str:
    return next(x["status"] for x in c.get("nodes", node, None)["status"]["conditions"]
                if x["type"] == kind)


def test_memory_pressure_evicts_the_pod_most_over_its_request_first():
    # kubeadm --skip-phases=addon: CoreDNS's replica would be one more pod in the ranking.
    c = Cluster(workers=1, worker_memory="1Gi", skip_phases=["addon"])
    c.apply([hog("within", 300, "400Mi"), hog("besteffort", 300), hog("burstable", 350, "100Mi")])
    c.run(40)
    [evicted] = c.trace.where(component="kubelet", kind="Evicted")
    assert evicted.obj == "pod/default/besteffort"  # 300Mi over a 0 request beats 250Mi over
    assert evicted.time == 10.0  # the first 10 s monitoring pass
    assert evicted.details["message"] == (
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: 74Mi. "
        "Container hog was using 300Mi, request is 0, has larger consumption of memory. ")
    status = c.get("pods", "besteffort")["status"]
    assert (status["phase"], status["reason"]) == ("Failed", "Evicted")
    target = next(x for x in status["conditions"] if x["type"] == "DisruptionTarget")
    assert target["reason"] == "TerminationByKubelet"
    assert condition(c, "worker-1", "MemoryPressure") == "True"
    # The other two fit once it is gone: nothing more is evicted, and nothing restarts it.
    assert [p["status"]["phase"] for p in (c.get("pods", "within"), c.get("pods", "burstable"))] \
        == ["Running", "Running"]
    assert len(c.trace.where(kind="ContainerStarted", obj="pod/default/besteffort")) == 1


def test_memory_pressure_lifts_five_minutes_after_the_last_breach():
    # kubeadm --skip-phases=addon: only the two hogs on the worker's memory.
    c = Cluster(workers=1, worker_memory="1Gi", skip_phases=["addon"])
    c.apply([hog("a", 500), hog("b", 500)])
    c.run(30)
    assert condition(c, "worker-1", "MemoryPressure") == "True"
    c.run(270)  # the last breach was at 10 s; evictionPressureTransitionPeriod is 5 min
    assert condition(c, "worker-1", "MemoryPressure") == "True"
    c.run(30)
    assert condition(c, "worker-1", "MemoryPressure") == "False"


def test_a_node_with_room_evicts_nothing():
    c = Cluster(workers=1)
    c.apply(hog("small", 100))
    c.run(60)
    assert c.trace.where(kind="Evicted") == []
    assert condition(c, "worker-1", "MemoryPressure") == "False"


def test_image_gc_removes_unused_images_least_recently_used_first(monkeypatch):
    monkeypatch.setattr(eviction_manager, "IMAGE_FS_BYTES", 2_000_000)
    # kubeadm --skip-phases=addon: a 2 MB image disk cannot hold kube-proxy's and CoreDNS's.
    c = Cluster(workers=1, skip_phases=["addon"])
    store = c.network.host("worker-1").memory["containerd"].image_store
    for i, size in enumerate((500_000, 500_000, 500_000)):
        store.preload(f"example.com/old-{i}:1", Image(f"example.com/old-{i}", ("1",), (size,)))
        store.find(f"example.com/old-{i}:1").last_used = float(i)
    c.run(310)  # one GC pass at 300 s: 1.82 MB of 2 MB used (91 %) is past 85 %
    left = [tag for stored in store.images.values() for tag in stored.repo_tags]
    assert "example.com/old-0:1" not in left  # the least recently used goes first...
    assert "example.com/old-1:1" in left and "example.com/old-2:1" in left  # ...and is enough
    assert "registry.k8s.io/pause:3.10.1" in left  # pinned
