"""pods/log and pods/exec: the API server picks the container and forwards to the kubelet."""

import pytest

from k8slab.apiserver.node_proxy import chosen_container, kubelet_address
from k8slab.errors import BadRequestError, K8sLabError
from k8slab.node.kubelet_server import KubeletServer, log_directory


def node_object(name: str = "worker-1", ip: str = "10.0.0.11") -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "status": {"addresses": [{"type": "InternalIP", "address": ip},
                                     {"type": "Hostname", "address": name}]}}


class OneKubelet:
    def __init__(self, pod: dict, statuses: dict) -> None:
        self.pods = {f"default/{pod['metadata']['name']}": pod}
        self.statuses = {f"default/{pod['metadata']['name']}": statuses}

    def exec_sync(self, pod_key, container, argv, timeout):
        yield from ()
        return (0, " ".join(argv[1:]) + "\n", "")


@pytest.fixture
def bound_pod(cp, make_pod):
    client = cp.client()
    cp.ok(client.create(node_object()))
    pod = cp.ok(client.create(make_pod("web", node="worker-1")))
    statuses = {"containerStatuses": [{"name": "app", "restartCount": 0, "containerID": "c://1",
                                       "state": {"running": {}}}]}
    KubeletServer(cp.worker.group("kubelet"), OneKubelet(pod, statuses)).start()
    directory = log_directory("default", "web", pod["metadata"]["uid"], "app")
    cp.worker.disk[f"{directory}/0.log"] = ["2026-01-01T00:00:01Z stdout F hello",
                                            "2026-01-01T00:00:02Z stdout F world"]
    return client


def test_logs_come_from_the_pods_kubelet(cp, bound_pod):
    answer = cp.ok(bound_pod.request("log", "pods", namespace="default", name="web",
                                     options={"tailLines": 1, "timestamps": True}))
    assert answer == "2026-01-01T00:00:02Z world"


def test_exec_comes_back_with_the_exit_code_and_output(cp, bound_pod):
    answer = cp.ok(bound_pod.request("exec", "pods", namespace="default", name="web",
                                     argv=["echo", "hi", "there"]))
    assert answer == {"exitCode": 0, "stdout": "hi there\n", "stderr": ""}


def test_a_kubelet_that_is_down_is_the_dial_error(cp, bound_pod):
    cp.network.crash("worker-1")
    client = cp.client(host="worker-2")
    error = cp.call(client.request("log", "pods", namespace="default", name="web"),
                    host="worker-2")
    assert isinstance(error, K8sLabError)
    assert error.message.startswith(
        'Get "https://10.0.0.11:10250/containerLogs/default/web/app": dial tcp 10.0.0.11:10250:')


def test_a_pod_on_no_node_has_empty_logs_and_cannot_be_execd(cp, make_pod):
    client = cp.client()
    cp.ok(client.create(make_pod("idle")))
    assert cp.ok(client.request("log", "pods", namespace="default", name="idle")) == ""
    error = cp.call(client.request("exec", "pods", namespace="default", name="idle",
                                   argv=["ls"]))
    assert error.message == "pod idle does not have a host assigned"


def test_the_container_is_chosen_or_checked():
    pod = {"metadata": {"name": "p"},
           "spec": {"initContainers": [{"name": "init"}],
                    "containers": [{"name": "a"}, {"name": "b"}]}}
    assert chosen_container(pod, "b") == "b"
    assert chosen_container(pod, "init") == "init"
    with pytest.raises(BadRequestError) as caught:
        chosen_container(pod, None)
    assert caught.value.message == ("a container name must be specified for pod p, "
                                    "choose one of: [init a b]")
    with pytest.raises(BadRequestError, match="^container x is not valid for pod p$"):
        chosen_container(pod, "x")
    single = {"metadata": {"name": "q"}, "spec": {"containers": [{"name": "only"}]}}
    assert chosen_container(single, "") == "only"


def test_the_address_follows_kubeadms_preference():
    node = node_object()
    assert kubelet_address(node) == ("10.0.0.11", "worker-1", 10250)
    node["status"]["addresses"] = [{"type": "Hostname", "address": "worker-1"}]
    node["status"]["daemonEndpoints"] = {"kubeletEndpoint": {"Port": 10255}}
    assert kubelet_address(node) == ("worker-1", "worker-1", 10255)
