"""`kubectl exec` and the official Python client's exec against a served cluster: output and
exit codes, -c, a missing pod, a user RBAC does not let `create pods/exec`, and the refusal of
-i; the request goes through the simulated API server like the lab's own exec."""

import pytest

from k8slab.lab.real_kubectl import RealKubectlError
from tests.lab.serving.real_kubectl_cluster import needs_kubectl, served_cluster

pytestmark = needs_kubectl

TWO = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "two"},
       "spec": {"containers": [
           {"name": "first", "image": "nginx:1.27", "env": [{"name": "WHO", "value": "one"}]},
           {"name": "second", "image": "busybox:1.36", "command": ["sleep", "3600"],
            "env": [{"name": "WHO", "value": "two"}]}]}}
JANE_VIEWS = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
              "metadata": {"name": "jane-view", "namespace": "default"},
              "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                          "name": "view"},
              "subjects": [{"kind": "User", "name": "jane",
                            "apiGroup": "rbac.authorization.k8s.io"}]}


@pytest.fixture(scope="module")
def cluster():
    made = served_cluster(seed=4)
    made.apply(TWO)
    made.apply(JANE_VIEWS)
    made.run(10)
    yield made
    made.stop_serving()


def web_pod(cluster) -> str:
    return sorted(p["metadata"]["name"] for p in cluster.list("pods", "default")
                  if p["metadata"]["name"].startswith("web-"))[0]


def test_exec_prints_the_commands_output_and_exits_0(cluster):
    pod = web_pod(cluster)
    assert cluster.kubectl_real(f"exec {pod} -- cat /etc/hostname") == f"{pod}\n"


def test_a_non_zero_exit_is_kubectls_exit_code_with_stdout_and_stderr(cluster):
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real(f"exec {web_pod(cluster)} -- sh -c 'echo out; echo err >&2; "
                             "exit 3'")
    assert caught.value.exit_code == 3
    # kubectl copies the remote stdout and stderr in two goroutines, so which line reaches
    # the shared pipe first is kubectl's race, not the server's: compare them unordered.
    *printed, last = caught.value.message.split("\n")
    assert sorted(printed) == ["err", "out"]
    assert last == "command terminated with exit code 3"


def test_c_chooses_the_container(cluster):
    assert cluster.kubectl_real("exec two -c second -- sh -c 'echo $WHO'") == "two\n"
    assert cluster.kubectl_real("exec two -c first -- sh -c 'echo $WHO'") == "one\n"
    # Without -c, kubectl picks the first container and says so on stderr.
    assert cluster.kubectl_real("exec two -- sh -c 'echo $WHO'") == (
        'Defaulted container "first" out of: first, second\none\n')


def test_exec_into_a_missing_pod_is_upstreams_not_found(cluster):
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real("exec nope -- ls")
    assert caught.value.exit_code == 1
    assert caught.value.message == 'Error from server (NotFound): pods "nope" not found'


def test_a_user_without_create_pods_exec_is_forbidden(cluster, tmp_path):
    pod = web_pod(cluster)
    jane = cluster.serving.pki.write_kubeconfig(cluster.serving.url, "jane", (),
                                                tmp_path / "jane")
    assert cluster.kubectl_real(f"get pod {pod} -o name --kubeconfig={jane}") == f"pod/{pod}\n"
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real(f"exec {pod} --kubeconfig={jane} -- ls")
    # kubectl tried the WebSocket, then SPDY, and prints the second refusal as 1.36 does.
    assert caught.value.message == (
        f'error: unable to upgrade connection: pods "{pod}" is forbidden: User "jane" cannot '
        'create resource "pods/exec" in API group "" in the namespace "default"')


def test_stdin_is_refused_with_a_clear_status(cluster):
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real(f"exec -i {web_pod(cluster)} -- cat")
    assert "stdin=true (kubectl exec -i) is not supported" in caught.value.message


def test_the_official_python_clients_stream(cluster):
    kubernetes = pytest.importorskip("kubernetes")
    from kubernetes.stream import stream

    api = kubernetes.client.CoreV1Api(
        kubernetes.config.new_client_from_config(cluster.serving.kubeconfig))
    pod = web_pod(cluster)
    assert stream(api.connect_get_namespaced_pod_exec, pod, "default",
                  command=["cat", "/etc/hostname"], stdout=True, stderr=True, stdin=False,
                  tty=False) == f"{pod}\n"
    session = stream(api.connect_get_namespaced_pod_exec, pod, "default",
                     command=["sh", "-c", "echo out; exit 2"], stdout=True, stderr=True,
                     stdin=False, tty=False, _preload_content=False)
    session.run_forever(timeout=10)
    assert session.subprotocol == "v5.channel.k8s.io"
    assert session.returncode == 2
    assert session.read_stdout() == "out\n"
