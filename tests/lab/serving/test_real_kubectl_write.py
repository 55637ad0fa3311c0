"""The real kubectl changing a served cluster: create, apply (client-side and server-side),
delete with each cascade, scale, rollout status/history/undo, label, annotate, cordon,
uncordon, drain, logs (and -f), 401 and 403; each checked for exit code and output."""

import pytest
import yaml

from k8slab.errors import NotFoundError
from k8slab.lab.real_kubectl import RealKubectlError
from tests.lab.serving.real_kubectl_cluster import CONFIG, needs_kubectl, rows, served_cluster

pytestmark = needs_kubectl

JOB_POD = """apiVersion: v1
kind: Pod
metadata:
  name: counter
spec:
  restartPolicy: Never
  containers:
  - name: counter
    image: busybox:1.36
    command: ["sh", "-c", "echo one; sleep 3; echo two"]
"""


@pytest.fixture(scope="module")
def cluster():
    made = served_cluster(seed=2)
    yield made
    made.stop_serving()


def test_create_from_stdin_and_imperatively(cluster):
    assert cluster.kubectl_real("create -f -", stdin=CONFIG.format(mode="a")) == \
        "configmap/settings created\n"
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real("create -f -", stdin=CONFIG.format(mode="a"))
    assert caught.value.message == \
        'Error from server (AlreadyExists): error when creating "STDIN": configmaps ' \
        '"settings" already exists'
    assert cluster.kubectl_real("create namespace team") == "namespace/team created\n"
    assert cluster.kubectl_real("create deployment api --image=nginx:1.27 -n team") == \
        "deployment.apps/api created\n"
    assert cluster.get("deployments", "api", "team")["spec"]["template"]["spec"][
        "containers"][0]["image"] == "nginx:1.27"


def test_apply_client_side(cluster):
    manifest = CONFIG.format(mode="b").replace("settings", "applied")
    assert cluster.kubectl_real("apply -f -", stdin=manifest) == "configmap/applied created\n"
    assert cluster.kubectl_real("apply -f -", stdin=manifest) == \
        "configmap/applied unchanged\n"
    changed = manifest.replace("mode: b", "mode: c")
    assert cluster.kubectl_real("apply -f -", stdin=changed) == \
        "configmap/applied configured\n"
    live = cluster.get("configmaps", "applied")
    assert live["data"] == {"mode": "c"}
    assert "kubectl.kubernetes.io/last-applied-configuration" in live["metadata"]["annotations"]


def test_apply_server_side(cluster):
    manifest = CONFIG.format(mode="d").replace("settings", "server-side")
    assert cluster.kubectl_real("apply --server-side -f -", stdin=manifest) == \
        "configmap/server-side serverside-applied\n"
    live = cluster.get("configmaps", "server-side")
    assert live["data"] == {"mode": "d"}
    managers = [(entry["manager"], entry["operation"])
                for entry in live["metadata"].get("managedFields", [])]
    assert ("kubectl", "Apply") in managers
    taken = CONFIG.format(mode="e").replace("settings", "server-side")
    refused = cluster.kubectl_real  # another manager changing kubectl's field conflicts
    with pytest.raises(RealKubectlError, match='conflict with "kubectl"'):
        refused("apply --server-side --field-manager=other -f -", stdin=taken)
    assert refused("apply --server-side --field-manager=other --force-conflicts -f -",
                   stdin=taken) == "configmap/server-side serverside-applied\n"
    assert cluster.get("configmaps", "server-side")["data"] == {"mode": "e"}


def test_scale_and_rollout_status_history_undo(cluster):
    assert cluster.kubectl_real("scale deployment web --replicas=3") == \
        "deployment.apps/web scaled\n"
    assert cluster.kubectl_real("rollout status deployment/web --timeout=60s").endswith(
        'deployment "web" successfully rolled out\n')
    assert cluster.get("deployments", "web")["status"]["readyReplicas"] == 3
    assert cluster.kubectl_real("set image deployment/web web=nginx:1.28") == \
        "deployment.apps/web image updated\n"
    cluster.kubectl_real("rollout status deployment/web --timeout=60s")
    history = rows(cluster.kubectl_real("rollout history deployment/web"))
    assert history[0] == ["deployment.apps/web"]
    assert [row[0] for row in history[2:]] == ["1", "2"]
    assert cluster.kubectl_real("rollout undo deployment/web") == \
        "deployment.apps/web rolled back\n"
    cluster.kubectl_real("rollout status deployment/web --timeout=60s")
    image = cluster.get("deployments", "web")["spec"]["template"]["spec"]["containers"][0]
    assert image["image"] == "nginx:1.27"


def test_label_and_annotate(cluster):
    assert cluster.kubectl_real("label configmap settings tier=front") == \
        "configmap/settings labeled\n"
    assert cluster.kubectl_real("annotate configmap settings owner=ops") == \
        "configmap/settings annotated\n"
    metadata = cluster.get("configmaps", "settings")["metadata"]
    assert metadata["labels"] == {"tier": "front"}
    assert metadata["annotations"]["owner"] == "ops"
    with pytest.raises(RealKubectlError, match="already has a value"):
        cluster.kubectl_real("label configmap settings tier=back")
    assert cluster.kubectl_real("label configmap settings tier-") == \
        "configmap/settings unlabeled\n"


@pytest.mark.parametrize(("cascade", "replica_sets_left"), [
    ("background", 0), ("foreground", 0), ("orphan", 1)])
def test_delete_with_each_cascade(cluster, cascade, replica_sets_left):
    name = f"gone-{cascade}"
    cluster.kubectl_real(f"create deployment {name} --image=nginx:1.27")
    cluster.kubectl_real(f"rollout status deployment/{name} --timeout=60s")
    assert cluster.kubectl_real(f"delete deployment {name} --cascade={cascade}") == \
        f'deployment.apps "{name}" deleted from default namespace\n'
    with pytest.raises(NotFoundError):
        cluster.get("deployments", name)
    cluster.run(10)  # the garbage collector's turn
    left = [rs for rs in cluster.list("replicasets", "default")
            if rs["metadata"]["name"].startswith(name)]
    assert len(left) == replica_sets_left


def test_cordon_uncordon_drain(cluster):
    assert cluster.kubectl_real("cordon worker-1") == "node/worker-1 cordoned\n"
    assert cluster.get("nodes", "worker-1", None)["spec"]["unschedulable"] is True
    assert cluster.kubectl_real("uncordon worker-1") == "node/worker-1 uncordoned\n"
    with pytest.raises(RealKubectlError) as caught:  # cordoned, then refused
        cluster.kubectl_real("drain worker-1")
    assert caught.value.message.startswith("node/worker-1 cordoned\nerror: unable to drain "
                                           "node \"worker-1\" due to error: cannot delete "
                                           "DaemonSet-managed Pods")
    output = cluster.kubectl_real("drain worker-1 --ignore-daemonsets", timeout=120)
    lines = output.splitlines()
    assert lines[0] == "node/worker-1 already cordoned"
    assert lines[-1] == "node/worker-1 drained"
    assert any(line.startswith("evicting pod ") for line in lines)
    left = [p for p in cluster.list("pods", None) if p["spec"].get("nodeName") == "worker-1"
            and not p["metadata"]["name"].startswith("kube-proxy")]
    assert left == []
    cluster.kubectl_real("uncordon worker-1")


def test_logs_and_a_followed_log_that_ends_with_its_container(cluster):
    cluster.kubectl_real("apply -f -", stdin=JOB_POD)
    while cluster.get("pods", "counter")["status"].get("phase") != "Running":
        cluster.run(0.5)
    assert cluster.kubectl_real("logs counter") == "one\n"
    assert cluster.kubectl_real("logs -f counter", timeout=60) == "one\ntwo\n"
    assert cluster.get("pods", "counter")["status"]["phase"] == "Succeeded"
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real("logs nope")
    # kubectl logs words a missing pod itself (it resolves the pod before reading its log).
    assert caught.value.message == \
        'error: error from server (NotFound): pods "nope" not found in namespace "default"'


def test_a_wrong_token_is_401_and_a_user_without_rbac_is_403(cluster, tmp_path):
    config = yaml.safe_load(open(cluster.serving.kubeconfig))
    config["users"][0]["user"] = {"token": "not-a-token"}
    wrong = tmp_path / "wrong-token"
    wrong.write_text(yaml.safe_dump(config))
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real(f"get pods --kubeconfig={wrong}")
    assert caught.value.message == \
        "error: You must be logged in to the server (Unauthorized)"
    jane = cluster.serving.pki.write_kubeconfig(cluster.serving.url, "jane", (),
                                                tmp_path / "jane")
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real(f"get pods --kubeconfig={jane}")
    assert caught.value.message == \
        'Error from server (Forbidden): pods is forbidden: User "jane" cannot list ' \
        'resource "pods" in API group "" in the namespace "default"'
