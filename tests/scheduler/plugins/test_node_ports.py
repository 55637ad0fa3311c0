"""NodePorts against the cases of kk .../nodeports/node_ports_test.go, in our words."""

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


CASES = [
    ("nothing running", [], [("", "UDP", 8080)], True),
    ("other port", [("", "UDP", 9090)], [("", "UDP", 8080)], True),
    ("same udp port", [("", "UDP", 8080)], [("", "UDP", 8080)], False),
    ("same tcp port", [("", "TCP", 8080)], [("", "TCP", 8080)], False),
    ("different host ip", [("127.0.0.2", "TCP", 8080)], [("127.0.0.1", "TCP", 8080)], True),
    ("different protocol", [("", "TCP", 8001)], [("", "UDP", 8001)], True),
    (
        "second udp port conflict",
        [("127.0.0.1", "UDP", 8081)],
        [("127.0.0.1", "TCP", 8001), ("127.0.0.1", "UDP", 8081)],
        False,
    ),
    (
        "first tcp port conflict due to 0.0.0.0 hostIP",
        [("0.0.0.0", "TCP", 8001)],
        [("10.0.10.10", "TCP", 8001), ("", "TCP", 8002)],
        False,
    ),
    (
        "TCP hostPort conflict due to 0.0.0.0 hostIP of the new pod",
        [("10.0.10.10", "TCP", 8001), ("", "TCP", 8002)],
        [("0.0.0.0", "TCP", 8001)],
        False,
    ),
    (
        "an empty protocol means TCP",
        [("", "", 8001)],
        [("", "TCP", 8001)],
        False,
    ),
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
