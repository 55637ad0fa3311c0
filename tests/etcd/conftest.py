"""A running single-member etcd on host "db", and a client host "app" to talk to it from."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import pytest

from k8slab.errors import K8sLabError
from k8slab.etcd.client import EtcdClient
from k8slab.etcd.member import EtcdMember
from k8slab.sim.host import Host
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network


@dataclass
class EtcdLab:
    sim: Simulation
    network: Network
    db: Host
    app: Host
    member: EtcdMember

    def client(self) -> EtcdClient:
        return EtcdClient(self.app.group("client"), "db")

    def call(self, steps: Generator, limit: float = 30.0):
        """Run `steps` on the app host to the end: its value, or the K8sLabError it raised."""
        try:
            return self.sim.run_process(self.app.group("call").spawn(steps), limit)
        except K8sLabError as error:
            return error

    def restart_member(self) -> EtcdMember:
        """Crash host db, power it on again and start a new member from what is on its disk."""
        self.network.crash("db")
        self.network.restart("db")
        self.member = EtcdMember(self.db.group("etcd"), "db")
        self.member.start()
        return self.member


def build(elect: bool = True) -> EtcdLab:
    sim = Simulation(1)
    network = Network(sim)
    db, app = network.add_host("db"), network.add_host("app")
    db.start()
    app.start()
    member = EtcdMember(db.group("etcd"), "db")
    member.start()
    if elect:
        sim.run(2.0)
    return EtcdLab(sim, network, db, app, member)


@pytest.fixture
def etcd() -> EtcdLab:
    return build()


@pytest.fixture
def unelected() -> EtcdLab:
    return build(elect=False)


@pytest.fixture
def write_history():
    """Five writes to a fresh store, at revisions 2 to 6: /a=1, /b=1, /a=2, /b deleted, /c=1."""

    def write(store):
        store.put("/a", "1")  # 2
        store.put("/b", "1")  # 3
        store.put("/a", "2")  # 4
        store.delete_range("/b")  # 5
        store.put("/c", "1")  # 6
        return store

    return write
