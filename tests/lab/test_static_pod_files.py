"""Static pods from files: a manifest dropped into a worker's manifest folder starts a pod and
its mirror; editing it replaces the pod; removing it stops the pod and deletes the mirror."""

import pytest

from k8slab import Cluster
from k8slab.errors import K8sLabError, NotFoundError

WEB = """
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27
"""


def test_add_edit_remove_a_static_pod_on_a_worker():
    c = Cluster(workers=1)
    c.write_static_pod("worker-1", "web.yaml", WEB)
    c.run(25)  # the next 20 s file check, then the pull and start
    mirror = c.get("pods", "web-worker-1")
    assert mirror["metadata"]["annotations"]["kubernetes.io/config.source"] == "file"
    assert mirror["status"]["phase"] == "Running"
    first = mirror["metadata"]["annotations"]["kubernetes.io/config.mirror"]

    c.edit_static_pod("worker-1", "web.yaml",
                      lambda m: m["spec"]["containers"][0].update(image="nginx:1.29"))
    c.run(25)
    edited = c.get("pods", "web-worker-1")
    assert edited["metadata"]["annotations"]["kubernetes.io/config.mirror"] != first
    assert edited["spec"]["containers"][0]["image"] == "nginx:1.29"
    assert c.trace.where(component="kubelet", kind="KillPod", obj="pod/default/web-worker-1")

    c.remove_static_pod("worker-1", "web.yaml")
    c.run(25)
    with pytest.raises(NotFoundError):
        c.get("pods", "web-worker-1")
    assert "/etc/kubernetes/manifests/web.yaml" not in c.node_files("worker-1", "/etc")


def test_a_file_that_is_not_one_pod_is_refused_and_nothing_is_written():
    c = Cluster(workers=1)
    with pytest.raises(K8sLabError, match="exactly one Pod"):
        c.write_static_pod("worker-1", "two.yaml", WEB + "---\n" + WEB)
    with pytest.raises(K8sLabError, match="ending in .yaml"):
        c.write_static_pod("worker-1", "../web", WEB)
    # what kubeadm join wrote, and no manifest
    assert not [f for f in c.node_files("worker-1", "/etc/kubernetes") if "manifests" in f]
