"""A started host "cp-1", alone in a fresh simulation, for a binary's entrypoint to run on."""

import pytest

from k8slab.sim.host import Host
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

CP = "cp-1"


@pytest.fixture
def host() -> Host:
    started = Network(Simulation(1)).add_host(CP)
    started.start()
    return started
