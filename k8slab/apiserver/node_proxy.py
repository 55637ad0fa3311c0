"""pods/log and pods/exec: the API server finds the pod's node and forwards to its kubelet.

kubernetes pkg/registry/core/pod/strategy.go LogLocation and ExecLocation: the container is
checked (or chosen, when the pod has one) here, the node's address is taken from its Node
object by kubeadm's --kubelet-preferred-address-types (InternalIP,ExternalIP,Hostname), and the
request goes to the kubelet's port (status.daemonEndpoints.kubeletEndpoint.Port, 10250). The
kubelet's refusals come back unchanged; a kubelet that cannot be reached is the dial error.
Simplified: the simulated network routes by host name, so the request is carried to the host
named by the Node's Hostname address, the machine that owns the chosen IP.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.kinds import resource_info
from k8slab.apiserver.storage import Storage
from k8slab.errors import BadRequestError, UnknownError
from k8slab.sim.errors import RefusedError, UnreachableError
from k8slab.sim.host import ProcessGroup

KUBELET_PORT = 10250
# kubeadm's kube-apiserver flag --kubelet-preferred-address-types.
PREFERRED_ADDRESS_TYPES = ("InternalIP", "ExternalIP", "Hostname")
# kube-apiserver --kubelet-timeout default 5s; an exec is answered when the command ends,
# which the kubelet bounds at 2 minutes.
KUBELET_TIMEOUT = 5.0
EXEC_WAIT = 130.0
LOG_OPTIONS = ("previous", "tailLines", "timestamps", "sinceSeconds")


def chosen_container(pod: dict, container: str | None) -> str:
    """strategy.go validateContainer: the container named, or the pod's only one."""
    spec, name = pod.get("spec") or {}, pod["metadata"]["name"]
    every = [c.get("name") for key in ("initContainers", "containers")
             for c in spec.get(key) or []]
    if not container:
        containers = spec.get("containers") or []
        if len(containers) == 1:
            return containers[0]["name"]
        if not containers:
            raise BadRequestError(f"a container name must be specified for pod {name}")
        raise BadRequestError(f"a container name must be specified for pod {name}, choose one "
                              f"of: [{' '.join(every)}]")
    if container not in every:
        raise BadRequestError(f"container {container} is not valid for pod {name}")
    return container


def kubelet_address(node: dict) -> tuple[str, str, int]:
    """(the address dialled, the host that owns it, the kubelet's port) for a Node."""
    addresses = (node.get("status") or {}).get("addresses") or []
    by_type = {}
    for address in addresses:
        by_type.setdefault(address.get("type"), address.get("address", ""))
    chosen = next((by_type[t] for t in PREFERRED_ADDRESS_TYPES if by_type.get(t)), "")
    if not chosen:
        raise BadRequestError(f'no preferred addresses found; known addresses: '
                              f'{[a.get("address") for a in addresses]}')
    host = by_type.get("Hostname") or node["metadata"]["name"]
    endpoints = (node.get("status") or {}).get("daemonEndpoints") or {}
    port = (endpoints.get("kubeletEndpoint") or {}).get("Port") or KUBELET_PORT
    return chosen, host, port


class NodeProxy:
    """The API server's side of `kubectl logs` and `kubectl exec`."""

    def __init__(self, group: ProcessGroup, storage: Storage) -> None:
        self.group = group
        self.storage = storage

    def logs(self, namespace: str, name: str, options: dict) -> Generator:
        """GET pods/<name>/log: the container's log text, read by its node's kubelet."""
        pod = yield from self.storage.get(resource_info("pods"), namespace, name)
        container = chosen_container(pod, options.get("container"))
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name:
            return ""  # LogLocation: a pod on no node has no logs yet (an empty stream)
        request = {"verb": "containerLogs", "namespace": namespace, "pod": name,
                   "container": container,
                   **{_snake(key): options[key] for key in LOG_OPTIONS if key in options}}
        path = f"containerLogs/{namespace}/{name}/{container}"
        return (yield from self._to_kubelet(node_name, request, path, "Get", KUBELET_TIMEOUT))

    def exec(self, namespace: str, name: str, container: str | None,
             argv: list[str] | None) -> Generator:
        """POST pods/<name>/exec: {"exitCode", "stdout", "stderr"} of the command.

        With `argv` None, only ExecLocation's part: the pod and container are checked and
        {"node", "container"} answered, nothing runs (what a streaming upgrade the endpoint
        then refuses has been through: the same 403, 404 or 400 as a real exec)."""
        pod = yield from self.storage.get(resource_info("pods"), namespace, name)
        container = chosen_container(pod, container)
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name:
            raise BadRequestError(f"pod {name} does not have a host assigned")
        if argv is None:
            return {"node": node_name, "container": container}
        request = {"verb": "exec", "namespace": namespace, "pod": name, "container": container,
                   "argv": list(argv)}
        path = f"exec/{namespace}/{name}/{container}"
        return (yield from self._to_kubelet(node_name, request, path, "Post", EXEC_WAIT))

    def _to_kubelet(self, node_name: str, request: dict, path: str, method: str,
                    timeout: float) -> Generator:
        node = yield from self.storage.get(resource_info("nodes"), None, node_name)
        address, host, port = kubelet_address(node)
        url = f'{method} "https://{address}:{port}/{path}"'
        network = self.group.host.network
        try:
            return (yield from network.rpc(self.group.host.name, host, port, request, timeout))
        except RefusedError:
            raise UnknownError(f"{url}: dial tcp {address}:{port}: connect: connection refused")\
                from None
        except UnreachableError:
            raise UnknownError(f"{url}: dial tcp {address}:{port}: i/o timeout") from None


def _snake(key: str) -> str:
    """PodLogOptions' JSON name as the kubelet request's field: tailLines -> tail_lines."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)
