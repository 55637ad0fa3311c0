"""A watch through the API server from a resourceVersion: replayed events, or 410 when too old."""

import pytest

from k8slab import Cluster
from k8slab.errors import K8sLabError
from k8slab.lab.watching import watch

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(workers=1, seed=1)
    c.apply(POD)
    return c


def test_a_recent_version_replays_the_changes_after_it(cluster):
    rv = cluster.get("pods", "web")["metadata"]["resourceVersion"]
    cluster.run(5)
    events = watch(cluster, "pods", rv, namespace="default")
    assert events and all(e["type"] == "MODIFIED" for e in events)
    assert all(int(e["object"]["metadata"]["resourceVersion"]) > int(rv) for e in events)


def test_a_version_older_than_the_watch_cache_is_410_expired(cluster):
    cluster.run(300)
    [event] = watch(cluster, "pods", "18")
    status = event["object"]
    assert event["type"] == "ERROR" and status["code"] == 410 and status["reason"] == "Expired"
    assert status["message"].startswith("too old resource version: 18 (")


@pytest.mark.parametrize("rv, seconds, words", [
    (18, 1.0, "a resourceVersion is a string of digits"),
    ("x", 1.0, "a resourceVersion is a string of digits"),
    ("1", 0, "a watch here stays open 0 to 60 s"),
])
def test_bad_arguments_are_refused(cluster, rv, seconds, words):
    with pytest.raises(K8sLabError, match=words):
        watch(cluster, "pods", rv, seconds=seconds)
