"""Backing up and restoring etcd on the Cluster facade, as kubeadm's docs do it: snapshot the
member, lose a pod, restore the snapshot into a new data dir, point etcd's static pod at it,
and the pod is back."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.lab.cluster import Cluster
from k8slab.lab.etcdctl import EtcdctlError
from k8slab.lab.static_pods import set_host_path

SNAPSHOT = "/var/lib/etcd-backup/snapshot.db"
RESTORE = (f"snapshot restore {SNAPSHOT} --data-dir /var/lib/etcd-from-backup "
           "--name control-plane --initial-cluster control-plane=https://control-plane:2380 "
           "--initial-advertise-peer-urls https://control-plane:2380")
WEB = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}


@pytest.fixture(scope="module")
def restored() -> tuple[Cluster, list[str]]:
    cluster = Cluster(workers=1)
    cluster.apply(WEB)
    cluster.run(5)
    said = [cluster.etcdctl(f"snapshot save {SNAPSHOT}")]
    cluster.delete("pod", "web")
    cluster.run(5)
    said.append(cluster.kubectl("get pods"))
    said.append(cluster.etcdutl(RESTORE))
    cluster.edit_static_pod("control-plane", "etcd.yaml",
                            set_host_path("etcd-data", "/var/lib/etcd-from-backup"))
    cluster.run(30)  # the kubelet checks its manifests every 20 s
    return cluster, said


def test_the_deleted_pod_is_back_after_the_restore(restored):
    cluster, said = restored
    assert said == [f"Snapshot saved at {SNAPSHOT}", "No resources found in default namespace.",
                    ""]
    assert cluster.get("pods", "web")["status"]["phase"] == "Running"


def test_the_kubelet_replaced_etcd_on_the_edited_manifest(restored):
    cluster, _ = restored
    kills = [r for r in cluster.trace_of("pod/kube-system/etcd-control-plane")
             if r.kind == "KillPod"]
    assert len(kills) == 1
    status = cluster.etcd_status()["control-plane"]
    assert status is not None and status.term == 2  # a new cluster's first election


def test_the_snapshot_reads_back_with_etcdutl(restored):
    cluster, _ = restored
    table = cluster.etcdutl(f"snapshot status {SNAPSHOT} -w table").split("\n")
    assert table[1].split() == ["|", "HASH", "|", "REVISION", "|", "TOTAL", "KEYS", "|", "TOTAL",
                                "SIZE", "|", "VERSION", "|"]
    assert table[3].split()[-2] == "3.6.0"


def test_restoring_into_the_same_dir_again_is_refused(restored):
    cluster, _ = restored
    with pytest.raises(EtcdctlError, match="not empty or could not be read"):
        cluster.etcdutl(RESTORE)


def test_a_bad_edit_leaves_the_manifest_as_it_was(restored):
    cluster, _ = restored
    with pytest.raises(K8sLabError, match="no hostPath volume 'etcd-dat'"):
        cluster.edit_static_pod("control-plane", "etcd.yaml",
                                set_host_path("etcd-dat", "/elsewhere"))
    with pytest.raises(K8sLabError, match="its static pod manifests are etcd.yaml"):
        cluster.edit_static_pod("control-plane", "etcd.yml", set_host_path("etcd-data", "/x"))


def test_an_edit_that_breaks_the_pod_or_is_no_function_is_refused(restored):
    cluster, _ = restored
    before = cluster.edit_static_pod("control-plane", "etcd.yaml", lambda manifest: None)

    def break_it(manifest):
        manifest["spec"]["containers"] = 5

    with pytest.raises(K8sLabError, match="cannot unmarshal number"):
        cluster.edit_static_pod("control-plane", "etcd.yaml", break_it)
    with pytest.raises(K8sLabError, match="edit must be a function"):
        cluster.edit_static_pod("control-plane", "etcd.yaml", "spec.volumes")
    assert cluster.edit_static_pod("control-plane", "etcd.yaml", lambda manifest: None) == before
