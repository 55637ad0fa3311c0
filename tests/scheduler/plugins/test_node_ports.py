"""NodePorts against the cases of kk .../nodeports/node_ports_test.go."""

import pytest

from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import UNSCHEDULABLE
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.node_ports import ERR_REASON, NodePorts


def with_ports(make_pod, name, *ports):
    """A pod whose one container has these (hostIP, protocol, hostPort) ports."""
    pod = make_pod(name, [None])
    pod["spec"]["containers"][0]["ports"] = [
        {"hostIP": ip, "protocol": protocol, "hostPort": port, "containerPort": port}
        for ip, protocol, port in ports
    ]
    return pod


L1, L2 = "127.0.0.1", "127.0.0.2"
ANY = "0.0.0.0"

# TestNodePorts (node_ports_test.go): (name, the ports of the pod on the node, the new pod's ports,
# fits), each port (hostIP, protocol, hostPort). Upstream's "skip filter" and sidecar cases are
# the tests below the table.
CASES = [
    ("other port", [(L1, "UDP", 9090)], [(L1, "UDP", 8080)], True),
    ("same udp port", [(L1, "UDP", 8080)], [(L1, "UDP", 8080)], False),
    ("same tcp port", [(L1, "TCP", 8080)], [(L1, "TCP", 8080)], False),
    ("different host ip", [(L2, "TCP", 8080)], [(L1, "TCP", 8080)], True),
    ("different protocol", [(L1, "TCP", 8080)], [(L1, "UDP", 8080)], True),
    (
        "second udp port conflict",
        [(L1, "UDP", 8080)],
        [(L1, "UDP", 8000), (L1, "UDP", 8080)],
        False,
    ),
    (
        "first tcp port conflict",
        [(L1, "TCP", 8001), (L1, "UDP", 8081)],
        [(L1, "TCP", 8001), (L1, "UDP", 8080)],
        False,
    ),
    (
        "first tcp port conflict due to 0.0.0.0 hostIP",
        [(L1, "TCP", 8001)],
        [(ANY, "TCP", 8001)],
        False,
    ),
    (
        "TCP hostPort conflict due to 0.0.0.0 hostIP",
        [(L1, "TCP", 8001)],
        [("10.0.10.10", "TCP", 8001), (ANY, "TCP", 8001)],
        False,
    ),
    (
        "second tcp port conflict to 0.0.0.0 hostIP",
        [(ANY, "TCP", 8001)],
        [(L1, "TCP", 8001)],
        False,
    ),
    ("second different protocol", [(ANY, "TCP", 8001)], [(L1, "UDP", 8001)], True),
    (
        "UDP hostPort conflict due to 0.0.0.0 hostIP",
        [(ANY, "TCP", 8001), (ANY, "UDP", 8001)],
        [(L1, "UDP", 8001)],
        False,
    ),
    ("k8slab: nothing running", [], [("", "UDP", 8080)], True),
    ("k8slab: an empty hostIP means 0.0.0.0", [(L1, "TCP", 8001)], [("", "TCP", 8001)], False),
    ("k8slab: an empty protocol means TCP", [("", "", 8001)], [("", "TCP", 8001)], False),
]


@pytest.mark.parametrize(
    ("existing", "wanted", "fits"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_filter(make_pod, make_node, filter_status, existing, wanted, fits):
    info = NodeInfo(make_node("n"), [with_ports(make_pod, "old", *existing)] if existing else [])
    status = filter_status(NodePorts(), with_ports(make_pod, "new", *wanted), info)
    if fits:
        assert status is None
    else:
        assert (status.code, status.reasons) == (UNSCHEDULABLE, (ERR_REASON,))


def test_a_pod_without_host_ports_skips_the_plugin(make_pod):
    assert NodePorts().pre_filter(CycleState(), make_pod("p", [None]), []).code == "Skip"


def test_sidecar_ports_count_and_other_init_container_ports_do_not(
    make_pod, make_node, filter_status
):
    existing = make_pod("old")
    existing["spec"]["initContainers"] = [
        {
            "name": "sidecar",
            "restartPolicy": "Always",
            "ports": [{"hostPort": 80, "containerPort": 80}],
        },
        {"name": "setup", "ports": [{"hostPort": 81, "containerPort": 81}]},
    ]
    info = NodeInfo(make_node("n"), [existing])
    assert filter_status(NodePorts(), with_ports(make_pod, "a", ("", "TCP", 80)), info) is not None
    assert filter_status(NodePorts(), with_ports(make_pod, "b", ("", "TCP", 81)), info) is None


def test_reason_is_upstreams():
    assert ERR_REASON == "node(s) didn't have free ports for the requested pod ports"
