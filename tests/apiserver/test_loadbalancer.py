"""The load balancer spreads requests over healthy API servers and routes around a dead one."""

from k8slab.apiserver.authentication import Authenticator
from k8slab.apiserver.loadbalancer import CHECK_INTERVAL, FALL, LoadBalancer
from k8slab.apiserver.server import APIServer
from k8slab.client.informer import Informer
from k8slab.client.rest import Client
from k8slab.errors import UnavailableError
from tests.pki_fixtures import SYSTEM_MASTERS, TEST_CA, credentials


def with_two_apiservers(cp):
    """A second API server on worker-2 (same etcd), and a load balancer on a new host 'lb'."""
    second = APIServer(cp.network.host("worker-2").group("kube-apiserver"), "control-plane",
                       authenticator=Authenticator(lambda: cp.sim.now, TEST_CA))
    second.start()
    lb_host = cp.network.add_host("lb")
    lb_host.start()
    lb = LoadBalancer(lb_host.group("haproxy"), ["control-plane", "worker-2"])
    lb.start()
    cp.sim.run(1)
    return lb


def lb_client(cp, user="tester"):
    # A TEST_CA certificate for `user` in system:masters: not an authz test.
    return Client(cp.network.host("worker-1").group(f"lb-client/{user}"),
                  credentials(user, (SYSTEM_MASTERS,)), "lb")


def served_by(cp, since):
    return [r.host for r in cp.sim.trace.since(since) if r.component == "apiserver"
            and r.kind == "create"]


def test_requests_alternate_between_healthy_servers(cp, make_pod):
    with_two_apiservers(cp)
    mark = len(cp.sim.trace) - 1
    for i in range(4):
        cp.ok(lb_client(cp).create(make_pod(f"p{i}")))
    assert served_by(cp, mark) == ["control-plane", "worker-2", "control-plane", "worker-2"]


def test_a_dead_server_is_skipped_at_once_and_marked_down_after_failed_checks(cp, make_pod):
    lb = with_two_apiservers(cp)
    cp.network.host("worker-2").crash()
    mark = len(cp.sim.trace) - 1
    for i in range(2):
        result = cp.call(lb_client(cp).create(make_pod(f"q{i}")))
        assert not isinstance(result, UnavailableError) or "timed out" in str(result)
    cp.sim.run(CHECK_INTERVAL * (FALL + 1))
    assert lb.healthy == {"control-plane": True, "worker-2": False}
    down = [r for r in cp.sim.trace.since(mark) if r.component == "loadbalancer"]
    assert [(r.kind, r.obj) for r in down] == [("down", "worker-2")]
    mark = len(cp.sim.trace) - 1
    for i in range(3):
        cp.ok(lb_client(cp).create(make_pod(f"r{i}")))
    assert served_by(cp, mark) == ["control-plane"] * 3


def test_watches_pass_through_the_load_balancer(cp, make_pod):
    with_two_apiservers(cp)
    informer = Informer(lb_client(cp, "watcher"), "pods")
    informer.start()
    cp.sim.run(1)
    cp.ok(cp.client().create(make_pod("seen")))
    cp.sim.run(1)
    assert "default/seen" in informer.cache
