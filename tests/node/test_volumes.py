"""Volumes the kubelet sets up: configMap keys as files (FailedMount until the ConfigMap
exists), emptyDir shared by a pod's containers."""

from k8slab import Cluster
from k8slab.node.volumes import configmap_files, downward_api_files

CONFIG = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "app-config", "namespace": "default"},
          "data": {"greeting": "hello\n", "mode": "fast\n"}}
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"}, "spec": {
    "containers": [{"name": "app", "image": "busybox:1.36", "command": ["sleep", "3600"],
                    "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}]}],
    "volumes": [{"name": "config", "configMap": {"name": "app-config"}}]}}


def test_configmap_items_choose_keys_and_paths():
    source = {"name": "app-config", "items": [{"key": "mode", "path": "conf/mode.txt"}]}
    assert configmap_files(CONFIG, source) == {"/conf/mode.txt": "fast\n"}
    assert configmap_files(CONFIG, {"name": "app-config"}) == {
        "/greeting": "hello\n", "/mode": "fast\n"}


def test_downward_api_files_show_the_pods_fields():
    pod = {"metadata": {"name": "web", "namespace": "team", "uid": "u-1",
                        "labels": {"tier": "front", "app": "web"}}}
    source = {"items": [
        {"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
        {"path": "cpu", "resourceFieldRef": {"resource": "limits.cpu"}}]}
    assert downward_api_files(pod, source) == {
        "/namespace": "team", "/labels": 'app="web"\ntier="front"\n'}


def test_a_missing_configmap_holds_the_pod_until_it_exists():
    c = Cluster(workers=1)
    c.apply(POD)
    c.run(5)
    assert c.get("pods", "app")["status"]["phase"] == "Pending"
    [failed] = c.trace.where(component="kubelet", kind="FailedMount", obj="pod/default/app")
    assert failed.details["message"] == ('MountVolume.SetUp failed for volume "config" : '
                                         'configmap "app-config" not found')
    c.apply(CONFIG)
    c.run(20)  # the next sync after the 10-15 s back-off mounts it
    assert c.get("pods", "app")["status"]["phase"] == "Running"
    assert c.kubectl("exec app -- cat /etc/app/greeting") == "hello"
