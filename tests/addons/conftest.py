"""A started host alone in a fresh simulation, for an add-on to run on."""

import pytest

from k8slab.sim.host import Host
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network


@pytest.fixture
def host() -> Host:
    started = Network(Simulation(1)).add_host("worker-1")
    started.start()
    return started
