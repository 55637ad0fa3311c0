"""`kubectl label` and `kubectl annotate` on a running Cluster: a merge patch through the API
server's PATCH, with admission and validation, as a reader types them."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.lab.kubectl.output import KubectlError


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(workers=1, seed=5)
    c.apply([{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}])
    c.run(5)
    return c


def test_label_and_annotate_write_through_the_api_server(cluster: Cluster) -> None:
    assert cluster.kubectl("label pod web tier=front") == "pod/web labeled"
    assert cluster.kubectl("annotate pod/web note=hello") == "pod/web annotated"
    meta = cluster.get("pods", "web", "default")["metadata"]
    assert meta["labels"]["tier"] == "front" and meta["annotations"]["note"] == "hello"
    assert cluster.kubectl("label pod web tier=front") == "pod/web not labeled"
    assert cluster.kubectl("label pod web tier-") == "pod/web unlabeled"
    assert "tier" not in (cluster.get("pods", "web", "default")["metadata"].get("labels") or {})
    patches = [r for r in cluster.trace.where(component="apiserver", kind="patch")]
    assert len(patches) == 3


def test_the_api_server_validates_the_patched_labels(cluster: Cluster) -> None:
    with pytest.raises(KubectlError) as caught:
        cluster.kubectl("label pod web bad/key/x=1")
    assert caught.value.error.startswith('The Pod "web" is invalid: metadata.labels: Invalid '
                                         'value: "bad/key/x"')
