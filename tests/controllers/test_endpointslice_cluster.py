"""The EndpointSlice controller in a real cluster: a Deployment and a Service through the API
server become a slice listing the pods' IPs, kept up to date as a pod is replaced."""

from __future__ import annotations

from k8slab import Cluster

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{
                                        "name": "web", "image": "nginx:1.27",
                                        "ports": [{"name": "http", "containerPort": 80}]}]}}}}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"selector": {"app": "web"},
                    "ports": [{"port": 8000, "targetPort": "http"}]}}


def web_slices(cluster: Cluster) -> list[dict]:
    """The slices of Service web (not those the API server keeps for `kubernetes`)."""
    return [s for s in cluster.list("endpointslices")
            if s["metadata"]["labels"].get("kubernetes.io/service-name") == "web"]


def slice_ips(cluster: Cluster) -> list[str]:
    [found] = web_slices(cluster)
    return sorted(ep["addresses"][0] for ep in found.get("endpoints") or []
                  if ep["conditions"]["ready"])


def pod_ips(cluster: Cluster) -> list[str]:
    return sorted(p["status"]["podIP"] for p in cluster.list("pods")
                  if p["metadata"]["labels"].get("app") == "web"
                  and not p["metadata"].get("deletionTimestamp"))


def test_a_deployment_behind_a_service_gets_a_slice_of_its_pod_ips():
    cluster = Cluster(workers=2, seed=5)
    cluster.apply(DEPLOYMENT)
    cluster.apply(SERVICE)
    cluster.run(60)
    [found] = web_slices(cluster)
    assert found["metadata"]["name"].startswith("web-") and len(found["metadata"]["name"]) == 9
    assert found["ports"] == [{"name": "", "protocol": "TCP", "port": 80}]
    assert len(pod_ips(cluster)) == 3
    assert slice_ips(cluster) == pod_ips(cluster)
    victim = next(p for p in cluster.list("pods") if p["metadata"]["labels"].get("app") == "web")
    cluster.delete("pods", victim["metadata"]["name"])
    cluster.run(60)
    assert victim["status"]["podIP"] not in slice_ips(cluster)
    assert slice_ips(cluster) == pod_ips(cluster) and len(pod_ips(cluster)) == 3


def test_scaled_to_zero_the_same_slice_stays_as_an_empty_placeholder():
    cluster = Cluster(workers=2, seed=5)
    cluster.apply(DEPLOYMENT)
    cluster.apply(SERVICE)
    cluster.run(30)
    [before] = web_slices(cluster)
    cluster.apply({**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": 0}})
    cluster.run(60)
    [after] = web_slices(cluster)
    assert after["metadata"]["name"] == before["metadata"]["name"]
    assert not after.get("endpoints") and not after.get("ports")
    assert not [e for e in cluster.list("events") if e["reason"] == "FailedToUpdateEndpointSlices"]
