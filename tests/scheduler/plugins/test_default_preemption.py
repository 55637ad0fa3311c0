"""DefaultPreemption against basic cases of kk .../defaultpreemption/default_preemption_test.go,
through scheduling_cycle, as the scheduler runs it."""

import random

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.default_preemption import (
    DefaultPreemption,
    more_important_first,
    pick_one_node_for_preemption,
)
from k8slab.scheduler.plugins.registry import default_profile
from k8slab.scheduler.scheduler import scheduling_cycle
from k8slab.scheduler.snapshot import Snapshot


def pod(make_pod, name, cpu, priority=0, start=None, **spec):
    created = make_pod(name, [{"cpu": cpu}], priority=priority, **spec)
    if start is not None:
        created["status"] = {"startTime": f"2026-01-01T00:00:{start:02}Z"}
    return created


def test_evicting_a_lower_priority_pod_makes_room(make_pod, make_node):
    nodes = [NodeInfo(make_node("node1", cpu="1"), [pod(make_pod, "low", "1", priority=1)])]
    decision = scheduling_cycle(
        default_profile(),
        Snapshot(nodes),
        pod(make_pod, "high", "1", priority=10),
        random.Random(0),
    )
    assert decision.node is None
    assert decision.nominated_node == "node1"
    assert [v["metadata"]["name"] for v in decision.victims] == ["low"]
    # preemption succeeded, so FitError carries no PostFilter message
    assert decision.message == "0/1 nodes are available: 1 Insufficient cpu."


def test_no_lower_priority_pods_means_no_victims(make_pod, make_node):
    nodes = [NodeInfo(make_node("node1", cpu="1"), [pod(make_pod, "peer", "1", priority=10)])]
    decision = scheduling_cycle(
        default_profile(), Snapshot(nodes), pod(make_pod, "p", "1", priority=10), random.Random(0)
    )
    assert decision.nominated_node is None
    assert decision.message == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
        "1 No preemption victims found for incoming pod."
    )


def test_unresolvable_nodes_are_not_candidates(make_pod, make_node):
    taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    nodes = [
        NodeInfo(make_node("tainted", taints=[taint]), [pod(make_pod, "low", "1")]),
        NodeInfo(make_node("small", cpu="500m")),
    ]
    decision = scheduling_cycle(
        default_profile(), Snapshot(nodes), pod(make_pod, "p", "1", priority=10), random.Random(0)
    )
    assert decision.nominated_node is None
    assert decision.post_filter_message == (
        "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, "
        "1 Preemption is not helpful for scheduling."
    )


def test_a_node_where_even_evicting_everyone_is_not_enough_is_out(make_pod, make_node):
    nodes = [NodeInfo(make_node("node1", cpu="1"), [pod(make_pod, "low", "500m")])]
    decision = scheduling_cycle(
        default_profile(), Snapshot(nodes), pod(make_pod, "p", "2", priority=10), random.Random(0)
    )
    assert decision.post_filter_message == (
        "preemption: 0/1 nodes are available: 1 Insufficient cpu."
    )


def test_preemption_policy_never(make_pod, make_node):
    nodes = [NodeInfo(make_node("node1", cpu="1"), [pod(make_pod, "low", "1")])]
    never = pod(make_pod, "p", "1", priority=10, preemptionPolicy="Never")
    decision = scheduling_cycle(default_profile(), Snapshot(nodes), never, random.Random(0))
    assert decision.nominated_node is None
    assert decision.message.endswith(" preemption: not eligible due to preemptionPolicy=Never.")


def test_the_node_needing_fewest_victims_wins(make_pod, make_node):
    nodes = [
        NodeInfo(make_node("two", cpu="2"), [pod(make_pod, "a", "1"), pod(make_pod, "b", "1")]),
        NodeInfo(make_node("one", cpu="2"), [pod(make_pod, "c", "2")]),
    ]
    decision = scheduling_cycle(
        default_profile(), Snapshot(nodes), pod(make_pod, "p", "2", priority=10), random.Random(0)
    )
    # the top victims tie (priority 0); the sum of shifted priorities is lower with one victim
    assert decision.nominated_node == "one"


def test_the_node_whose_victims_matter_least_wins(make_pod, make_node):
    nodes = [
        NodeInfo(make_node("important", cpu="1"), [pod(make_pod, "a", "1", priority=5)]),
        NodeInfo(make_node("cheap", cpu="1"), [pod(make_pod, "b", "1", priority=1)]),
    ]
    decision = scheduling_cycle(
        default_profile(), Snapshot(nodes), pod(make_pod, "p", "1", priority=10), random.Random(0)
    )
    assert decision.nominated_node == "cheap"


def test_more_important_pods_are_reprieved_first(make_pod, make_node):
    # evicting either pod is enough: the lower-priority one goes
    pods = [pod(make_pod, "keep", "1", priority=5), pod(make_pod, "go", "1", priority=1)]
    nodes = [NodeInfo(make_node("node1", cpu="2"), pods)]
    decision = scheduling_cycle(
        default_profile(), Snapshot(nodes), pod(make_pod, "p", "1", priority=10), random.Random(0)
    )
    assert [v["metadata"]["name"] for v in decision.victims] == ["go"]


def test_pick_one_node_rules_in_order(make_pod):
    old, new = (
        pod(make_pod, "old", "1", priority=3, start=1),
        pod(make_pod, "new", "1", priority=3, start=9),
    )
    low = pod(make_pod, "low", "1", priority=1)
    assert pick_one_node_for_preemption([("a", [old]), ("b", [low])]) == ("b", [low])
    assert pick_one_node_for_preemption([("a", [old, low]), ("b", [new])]) == ("b", [new])
    # same priorities and counts: the node whose top victims started latest
    assert pick_one_node_for_preemption([("a", [old]), ("b", [new])]) == ("b", [new])
    assert pick_one_node_for_preemption([("a", [new]), ("b", [new])])[0] == "a"


def test_more_important_first_orders_by_priority_then_age(make_pod):
    pods = [
        pod(make_pod, "young", "1", priority=1, start=9),
        pod(make_pod, "boss", "1", priority=9),
        pod(make_pod, "old", "1", priority=1, start=1),
    ]
    assert [p["metadata"]["name"] for p in more_important_first(pods)] == ["boss", "old", "young"]


def test_the_nominated_pod_lands_once_the_victims_are_gone(make_pod, make_node):
    victim = pod(make_pod, "low", "1", priority=1)
    node = NodeInfo(make_node("node1", cpu="1"), [victim])
    high = pod(make_pod, "high", "1", priority=10)
    decision = scheduling_cycle(default_profile(), Snapshot([node]), high, random.Random(0))
    node.remove_pod(victim)
    high["status"] = {"nominatedNodeName": decision.nominated_node}
    # meanwhile a lower-priority pod must not take the room nominated for `high`
    sneaky = pod(make_pod, "sneaky", "1", priority=1)
    blocked = scheduling_cycle(
        default_profile(),
        Snapshot([node]),
        sneaky,
        random.Random(0),
        nominated_pods={"node1": [high]},
    )
    assert blocked.node is None
    assert (
        scheduling_cycle(default_profile(), Snapshot([node]), high, random.Random(0)).node
        == "node1"
    )


def test_candidates_to_find_is_10_percent_at_least_100():
    plugin = DefaultPreemption()
    assert [plugin.candidates_to_find(n) for n in (5, 100, 1000, 5000)] == [5, 100, 100, 500]


def test_args_are_validated_with_upstreams_messages():
    with pytest.raises(
        K8sLabError,
        match=r"minCandidateNodesPercentage: Invalid value: 101: not in valid range \[0, 100\]",
    ):
        DefaultPreemption(101)
    with pytest.raises(K8sLabError, match="cannot be zero at the same time"):
        DefaultPreemption.from_args(
            {"minCandidateNodesPercentage": 0, "minCandidateNodesAbsolute": 0}
        )
