"""The real kubectl's --dry-run=server and diff against a served cluster: each command prints
what the server would have done, and the cluster is unchanged afterwards (not one etcd write).
The official Python client's dry_run="All" too."""

import pytest

from k8slab.lab.real_kubectl import RealKubectlError
from tests.lab.serving.real_kubectl_cluster import CONFIG, needs_kubectl, rows, served_cluster

pytestmark = needs_kubectl

WEB_THREE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""


@pytest.fixture(scope="module")
def cluster():
    made = served_cluster(seed=4)
    yield made
    made.stop_serving()


def etcd_revision(cluster) -> int:
    """etcd's revision: it grows with every write. (Stepped mode: a command that does not wait
    for the cluster moves no simulated time, so no lease renewal writes in between.)"""
    return cluster.etcd_status()["control-plane"].header.revision


def web_pods(cluster) -> list[str]:
    return sorted(p["metadata"]["name"] for p in cluster.list("pods", "default")
                  if p["metadata"]["name"].startswith("web-"))


SETTINGS = CONFIG.format(mode="fast")


@pytest.mark.parametrize(("command", "stdin", "printed"), [
    ("create deployment dry --image=nginx:1.27 --dry-run=server -o name", "",
     "deployment.apps/dry\n"),
    ("apply -f - --dry-run=server", SETTINGS, "configmap/settings created (server dry run)\n"),
    ("apply --server-side -f - --dry-run=server", SETTINGS,
     "configmap/settings serverside-applied (server dry run)\n"),
    ("scale deployment web --replicas=5 --dry-run=server", "",
     "deployment.apps/web scaled (server dry run)\n"),
    ("label deployment web team=blue --dry-run=server", "",
     "deployment.apps/web labeled (server dry run)\n"),
    ("annotate deployment web note=hi --dry-run=server", "",
     "deployment.apps/web annotated (server dry run)\n"),
    ("delete deployment web --dry-run=server", "",
     'deployment.apps "web" deleted from default namespace (server dry run)\n'),
])
def test_a_server_dry_run_prints_the_outcome_and_changes_nothing(cluster, command, stdin,
                                                                 printed):
    before = etcd_revision(cluster)
    assert cluster.kubectl_real(command, stdin=stdin) == printed
    assert etcd_revision(cluster) == before


def test_the_cluster_after_the_dry_runs_is_as_it_was(cluster):
    table = rows(cluster.kubectl_real("get deployments --show-labels"))
    assert [row[0] for row in table[1:]] == ["web"]
    assert table[1][1] == "2/2" and table[1][-1] == "<none>"
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real("get configmap settings")
    assert caught.value.message == 'Error from server (NotFound): configmaps "settings" not found'


def test_a_dry_run_delete_of_a_pod_and_a_drain_leave_every_pod_running(cluster):
    pods = web_pods(cluster)
    assert cluster.kubectl_real(f"delete pod {pods[0]} --dry-run=server") == (
        f'pod "{pods[0]}" deleted from default namespace (server dry run)\n')
    lines = cluster.kubectl_real("drain worker-1 --ignore-daemonsets --dry-run=server",
                                 timeout=60).splitlines()
    assert lines[0] == "node/worker-1 cordoned (server dry run)"
    assert lines[-1] == "node/worker-1 drained (server dry run)"
    evicted = [line for line in lines if line.startswith("evicting pod ")]
    assert evicted and all(line.endswith(" (server dry run)") for line in evicted)
    assert web_pods(cluster) == pods
    assert not cluster.get("nodes", "worker-1", None)["spec"].get("unschedulable")


def test_diff_shows_what_an_apply_would_change_and_exits_1(cluster):
    before = etcd_revision(cluster)
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real("diff -f -", stdin=WEB_THREE)
    assert caught.value.exit_code == 1  # kubectl diff: 1 means "there are differences"
    changed = [line for line in caught.value.message.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-  generation: 1", "+  generation: 2", "-  replicas: 2",
                       "+  replicas: 3"]
    assert etcd_revision(cluster) == before
    same = WEB_THREE.replace("replicas: 3", "replicas: 2")
    assert cluster.kubectl_real("diff -f -", stdin=same) == ""  # no differences: exit 0


def test_the_python_clients_dry_run_creates_nothing(cluster):
    from kubernetes import client, config

    api = client.CoreV1Api(config.new_client_from_config(str(cluster.serving.kubeconfig)))
    before = etcd_revision(cluster)
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "probe"},
            "data": {"a": "b"}}
    answer = api.create_namespaced_config_map("default", body, dry_run="All")
    assert answer.metadata.name == "probe" and answer.metadata.uid
    assert answer.metadata.resource_version is None
    assert etcd_revision(cluster) == before
    assert "probe" not in [c.metadata.name for c in api.list_namespaced_config_map(
        "default").items]
