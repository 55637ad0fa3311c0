"""The LimitRanger admission plugin: defaults filled and annotated, min/max/ratio refused with
upstream's words (kk plugin/pkg/admission/limitranger/admission.go), through the API server."""

import pytest

from k8slab.apiserver.admission.limit_ranger import apply_defaults, limit_errors
from k8slab.errors import ForbiddenError


def limit_range(*limits: dict) -> dict:
    return {"apiVersion": "v1", "kind": "LimitRange",
            "metadata": {"name": "lr", "namespace": "default"}, "spec": {"limits": list(limits)}}


def pod(*containers: dict, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"containers": list(containers), **spec}}


def box(name: str = "app", **resources) -> dict:
    return {"name": name, "image": "nginx:1.27", "resources": resources}


DEFAULTS = limit_range({"type": "Container", "default": {"cpu": "500m", "memory": "128Mi"},
                        "defaultRequest": {"cpu": "250m", "memory": "64Mi"}})


@pytest.mark.parametrize(("containers", "init", "annotation", "resources"), [
    ([box()], [], "LimitRanger plugin set: cpu, memory request for container app; cpu, memory "
     "limit for container app",
     {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "250m", "memory": "64Mi"}}),
    ([box(requests={"cpu": "100m"})], [], "LimitRanger plugin set: memory request for container "
     "app; cpu, memory limit for container app",
     {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}}),
    ([box(requests={"cpu": "1", "memory": "1Gi"}, limits={"cpu": "1", "memory": "1Gi"})], [],
     None, {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}),
    ([box(requests={"cpu": "1", "memory": "1Gi"}, limits={"cpu": "1", "memory": "1Gi"})],
     [box("init")], "LimitRanger plugin set: cpu, memory request for init container init; cpu, "
     "memory limit for init container init", None),
], ids=["nothing-stated", "request-stated", "all-stated", "init-container"])
def test_defaults_and_the_annotation(containers, init, annotation, resources):
    obj = pod(*containers, initContainers=init) if init else pod(*containers)
    changed = apply_defaults(DEFAULTS, obj)
    assert changed is (annotation is not None)
    assert (obj["metadata"].get("annotations") or {}).get("kubernetes.io/limit-ranger") == \
        annotation
    if resources is not None:
        assert obj["spec"]["containers"][0]["resources"] == resources


BOUNDS = limit_range(
    {"type": "Container", "min": {"cpu": "100m"}, "max": {"cpu": "500m", "memory": "256Mi"},
     "maxLimitRequestRatio": {"memory": "2"}},
    {"type": "Pod", "max": {"cpu": "800m"}})


@pytest.mark.parametrize(("containers", "errors"), [
    ([box(requests={"cpu": "200m", "memory": "100Mi"}, limits={"cpu": "400m", "memory": "200Mi"})],
     []),
    ([box(requests={"cpu": "200m", "memory": "100Mi"}, limits={"cpu": "1", "memory": "200Mi"})],
     ["maximum cpu usage per Container is 500m, but limit is 1",
      "maximum cpu usage per Pod is 800m, but limit is 1"]),
    ([box(requests={"cpu": "50m", "memory": "100Mi"}, limits={"cpu": "400m", "memory": "200Mi"})],
     ["minimum cpu usage per Container is 100m, but request is 50m"]),
    ([box(limits={"cpu": "400m", "memory": "200Mi"})],
     ["minimum cpu usage per Container is 100m.  No request is specified",
      "memory max limit to request ratio per Container is 2, but no request is specified or "
      "request is 0"]),
    ([box(requests={"cpu": "200m", "memory": "64Mi"}, limits={"cpu": "400m", "memory": "200Mi"})],
     ["memory max limit to request ratio per Container is 2, but provided ratio is 3.125000"]),
    ([box(requests={"cpu": "200m", "memory": "100Mi"})],
     ["maximum cpu usage per Container is 500m.  No limit is specified",
      "maximum memory usage per Container is 256Mi.  No limit is specified",
      "memory max limit to request ratio per Container is 2, but no limit is specified or limit "
      "is 0",
      "maximum cpu usage per Pod is 800m.  No limit is specified"]),
    ([box("a", requests={"cpu": "200m", "memory": "100Mi"},
          limits={"cpu": "450m", "memory": "200Mi"}),
      box("b", requests={"cpu": "200m", "memory": "100Mi"},
          limits={"cpu": "450m", "memory": "200Mi"})],
     ["maximum cpu usage per Pod is 800m, but limit is 900m"]),
], ids=["within", "limit-above-max", "request-below-min", "no-request", "ratio-too-high",
        "no-limit", "pod-sum-above-max"])
def test_bounds(containers, errors):
    assert limit_errors(BOUNDS, pod(*containers)) == errors


def test_the_api_server_fills_defaults_and_refuses_with_a_403(cp, make_pod):
    client = cp.client()
    cp.ok(client.create(limit_range({"type": "Container", "max": {"cpu": "500m"}})))
    cp.sim.run(1)  # the watch cache has the LimitRange
    created = cp.ok(client.create(make_pod("web")))
    # max became the default limit and the default request (LimitRange defaulting).
    assert created["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m"}, "requests": {"cpu": "500m"}}
    assert created["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu request for container app; cpu limit for container app")
    assert created["status"]["qosClass"] == "Burstable"
    big = make_pod("big")
    big["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1"}}
    refused = cp.call(client.create(big))
    assert isinstance(refused, ForbiddenError)
    assert refused.message == (
        'pods "big" is forbidden: maximum cpu usage per Container is 500m, but limit is 1')
    assert isinstance(cp.call(client.get("pods", "big", "default")), Exception)


def test_another_namespace_is_not_limited(cp, make_pod):
    client = cp.client()
    cp.ok(client.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "free"}}))
    cp.ok(client.create(limit_range({"type": "Container", "max": {"cpu": "500m"}})))
    cp.sim.run(1)
    big = make_pod("big", "free")
    big["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1"}}
    assert cp.ok(client.create(big))["spec"]["containers"][0]["resources"]["limits"] == {
        "cpu": "1"}
