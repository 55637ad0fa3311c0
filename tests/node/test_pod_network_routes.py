"""What moves a route: only a Node's podCIDR and InternalIP, so the status heartbeats every node
posts do not make every other node recompute its routes."""

from k8slab.node.pod_network import route_fields


def node(cidr: str | None, ip: str, ready: str = "True") -> dict:
    return {"metadata": {"name": "worker-1"}, "spec": {"podCIDR": cidr} if cidr else {},
            "status": {"addresses": [{"type": "InternalIP", "address": ip},
                                     {"type": "Hostname", "address": "worker-1"}],
                       "conditions": [{"type": "Ready", "status": ready}]}}


def test_a_heartbeat_leaves_the_route_fields_alone_a_cidr_or_address_changes_them():
    before = node("10.244.1.0/24", "10.0.0.21")
    assert route_fields(before) == ("10.244.1.0/24", ("10.0.0.21",))
    assert route_fields(node("10.244.1.0/24", "10.0.0.21", ready="False")) == route_fields(before)
    assert route_fields(node("10.244.9.0/24", "10.0.0.21")) != route_fields(before)
    assert route_fields(node("10.244.1.0/24", "10.0.0.99")) != route_fields(before)
    assert route_fields(node(None, "10.0.0.21")) == (None, ("10.0.0.21",))
