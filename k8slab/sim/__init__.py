"""The foundation every component runs on: a clock, seeded randomness, hosts, network, trace."""

from k8slab.sim.host import Host, ProcessGroup
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network, Stream
from k8slab.sim.trace import Record, Trace

__all__ = ["Host", "Network", "ProcessGroup", "Record", "Simulation", "Stream", "Trace"]
