"""The load balancer's stats, as HAProxy's stats page shows them: a row per API server, UP or
DOWN, and "UP 1/2" / "DOWN 1/2" while health checks are moving a server between the two."""

import dataclasses

import pytest

from k8slab.apiserver.loadbalancer import BACKEND, CHECK_INTERVAL, LoadBalancer, ServerStats
from k8slab.apiserver.server import APIServer
from tests.pki_fixtures import trusting_test_ca


def balancer(cp) -> LoadBalancer:
    """A second API server on worker-2 (same etcd), and a load balancer on a new host 'lb'."""
    APIServer(cp.network.host("worker-2").group("kube-apiserver"), "control-plane",
              authenticator=trusting_test_ca(cp.sim)).start()
    host = cp.network.add_host("lb")
    host.start()
    lb = LoadBalancer(host.group("haproxy"), ["control-plane", "worker-2"])
    lb.start()
    cp.sim.run(1)
    return lb


def statuses_of(cp, lb: LoadBalancer, server: str, seconds: float) -> list[str]:
    """Every status `server` shows over `seconds`, looked at each half second, repeats dropped."""
    seen: list[str] = []
    for _ in range(int(seconds * 2)):
        cp.sim.run(0.5)
        [row] = [row for row in lb.stats() if row.server == server]
        if not seen or seen[-1] != row.status:
            seen.append(row.status)
    return seen


def test_every_backend_starts_up(cp):
    assert balancer(cp).stats() == (ServerStats(BACKEND, "control-plane", "UP"),
                                    ServerStats(BACKEND, "worker-2", "UP"))


def test_a_dead_server_goes_down_one_failed_check_at_a_time_and_comes_back_the_same_way(cp):
    lb = balancer(cp)
    cp.network.crash("worker-2")
    assert statuses_of(cp, lb, "worker-2", 3 * CHECK_INTERVAL) == ["UP", "UP 1/2", "DOWN"]
    [control_plane, worker] = lb.stats()
    assert (control_plane.up, worker.up) == (True, False)
    assert lb.healthy == {"control-plane": True, "worker-2": False}
    cp.network.restart("worker-2")
    APIServer(cp.network.host("worker-2").group("kube-apiserver"), "control-plane",
              authenticator=trusting_test_ca(cp.sim)).start()
    assert statuses_of(cp, lb, "worker-2", 2 * CHECK_INTERVAL) == ["DOWN", "DOWN 1/2", "UP"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        worker.status = "UP"
