"""A running etcd member and kube-apiserver on host "control-plane", and a worker host to call
them from, built the way kubeadm would: one process group each, started, then a second or two
of simulated time so etcd elects itself and the system namespaces exist.

Shared by the tests of the API server and of its clients (tests/apiserver, tests/client)."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import pytest

from k8slab.apiserver.server import APIServer
from k8slab.client.rest import Client
from k8slab.errors import K8sLabError
from k8slab.etcd.client import EtcdClient
from k8slab.etcd.member import EtcdMember
from k8slab.sim.host import Host
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

CONTROL_PLANE = "control-plane"


def pod_manifest(name: str, namespace: str = "default", node: str | None = None, **spec) -> dict:
    """A minimal Pod manifest, as a user would write it."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], **spec},
    }
    if node:
        pod["spec"]["nodeName"] = node
    return pod


@dataclass
class ControlPlane:
    sim: Simulation
    network: Network
    control_plane: Host
    worker: Host
    etcd: EtcdMember
    apiserver: APIServer

    def client(self, user: str = "tester", host: str = "worker-1") -> Client:
        return Client(self.network.host(host).group(f"client/{user}"), user, CONTROL_PLANE)

    def etcd_client(self) -> EtcdClient:
        return EtcdClient(self.worker.group("etcd-client"), CONTROL_PLANE)

    def call(self, steps: Generator, limit: float = 30.0, host: str = "worker-1"):
        """Run `steps` on `host` to the end: its value, or the K8sLabError it raised."""
        process = self.network.host(host).group("call").spawn(steps)
        try:
            return self.sim.run_process(process, limit)
        except K8sLabError as error:
            return error

    def ok(self, steps: Generator, host: str = "worker-1"):
        """Like call, but an error fails the test."""
        value = self.call(steps, host=host)
        assert not isinstance(value, K8sLabError), value
        return value


@pytest.fixture
def make_pod():
    """The builder of minimal Pod manifests: make_pod("web", "default", node=None, **spec)."""
    return pod_manifest


def build_control_plane(seed: int = 1) -> ControlPlane:
    """Hosts control-plane, worker-1 and worker-2; etcd and the API server running on the first."""
    sim = Simulation(seed)
    network = Network(sim)
    control_plane = network.add_host(CONTROL_PLANE)
    worker = network.add_host("worker-1")
    network.add_host("worker-2")
    for host in network.hosts():
        host.start()
    etcd = EtcdMember(control_plane.group("etcd"), CONTROL_PLANE)
    apiserver = APIServer(control_plane.group("kube-apiserver"), CONTROL_PLANE)
    etcd.start()
    apiserver.start()
    sim.run(2.0)
    return ControlPlane(sim, network, control_plane, worker, etcd, apiserver)


@pytest.fixture
def cp() -> ControlPlane:
    return build_control_plane()


@pytest.fixture
def control_plane_factory():
    """build_control_plane(seed), for tests that need two worlds."""
    return build_control_plane
