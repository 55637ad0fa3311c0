"""Informers share one read-only copy of each object version; nobody may change it.

The watch cache hands every informer's list and every watcher of a change the same copy
(`WatchCache.shared_copy`). If a component changed a cached object in place, every other
process's informer would see it: these tests run a busy cluster and check every shared copy
still equals the object the API server cached.
"""

from __future__ import annotations

from k8slab import Cluster


def _watch_caches(cluster: Cluster) -> list:
    servers = (cluster.network.host(h).memory.get("kube-apiserver") for h in cluster.hosts)
    return [server.cache for server in servers if server is not None]


def test_informers_on_every_node_hold_the_same_node_object():
    cluster = Cluster(workers=3, seed=4)
    cluster.run(30)
    cache = _watch_caches(cluster)[0]
    key = "/registry/minions/worker-1"
    assert key in cache._shared, "the route learners' informers listed or watched worker-1"
    assert cache._shared[key] == cache.objects[key]
    assert cache._shared[key] is not cache.objects[key], "readers never hold the cache's own"


def test_no_component_changes_a_shared_copy_through_rollouts_failures_and_services():
    cluster = Cluster(workers=3, seed=7)
    cluster.apply("""
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        readinessProbe: {httpGet: {path: /, port: 80}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
""")
    cluster.run(60)
    cluster.kubectl("set image deployment/web web=nginx:1.28")
    cluster.kubectl("scale deployment/web --replicas=6")
    cluster.run(60)
    cluster.kill_node("worker-2")
    cluster.run(400)
    cluster.kubectl("cordon worker-1")
    cluster.kubectl("delete service web")
    cluster.run(60)
    caches = _watch_caches(cluster)
    assert caches
    for cache in caches:
        assert len(cache._shared) > 10
        assert cache.changed_shared_copies() == []
