"""InterPodAffinity against the cases of kk .../interpodaffinity/filtering_test.go and
scoring_test.go, in our words."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import UNRESOLVABLE, UNSCHEDULABLE
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.inter_pod_affinity import (
    ERR_REASON_AFFINITY_RULES_NOT_MATCH,
    ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
    ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
    InterPodAffinity,
)
from k8slab.scheduler.snapshot import Snapshot

REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"
SECURITY_S1 = {"matchExpressions": [{"key": "security", "operator": "In", "values": ["S1"]}]}
SERVICE = {
    "matchExpressions": [{"key": "service", "operator": "In", "values": ["securityscan", "value2"]}]
}


def term(selector, key="region", **extra):
    return {"labelSelector": selector, "topologyKey": key, **extra}


def affinity(kind, *terms, preferred=()):
    return {kind: {REQUIRED: list(terms), PREFERRED: list(preferred)}}


def node(make_node, name, **labels):
    return make_node(name, labels=labels)


def decide(plugin, pod, infos):
    """PreFilter over all nodes, then Filter each: node -> None or (code, reason)."""
    state = CycleState(Snapshot(infos))
    answer = plugin.pre_filter(state, pod, infos)
    if answer is not None and answer.code == "Skip":
        return {info.name: None for info in infos}
    out = {}
    for info in infos:
        status = plugin.filter(state, pod, info)
        out[info.name] = None if status is None else (status.code, status.reasons[0])
    return out


AFFINITY_MISS = (UNRESOLVABLE, ERR_REASON_AFFINITY_RULES_NOT_MATCH)
ANTI_HIT = (UNSCHEDULABLE, ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH)
EXISTING_ANTI_HIT = (UNSCHEDULABLE, ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH)


def test_no_affinity_no_existing_pods_skips(make_pod, make_node):
    infos = [NodeInfo(node(make_node, "m1", region="r1"))]
    assert (
        InterPodAffinity().pre_filter(CycleState(Snapshot(infos)), make_pod("p"), infos).code
        == "Skip"
    )


def test_affinity_in_matches_an_existing_pod(make_pod, make_node):
    existing = make_pod("e", labels={"service": "securityscan"})
    infos = [NodeInfo(node(make_node, "m1", region="r1"), [existing])]
    pod = make_pod("p", affinity=affinity("podAffinity", term(SERVICE)))
    assert decide(InterPodAffinity(), pod, infos) == {"m1": None}


def test_affinity_that_no_existing_pod_matches_fails(make_pod, make_node):
    infos = [
        NodeInfo(node(make_node, "m1", region="r1"), [make_pod("e", labels={"service": "other"})])
    ]
    pod = make_pod("p", labels={"x": "y"}, affinity=affinity("podAffinity", term(SERVICE)))
    assert decide(InterPodAffinity(), pod, infos) == {"m1": AFFINITY_MISS}


def test_affinity_to_a_pod_in_the_same_topology_domain(make_pod, make_node):
    # TestRequiredAffinityMultipleNodes: the matching pod is on m1 (region r1); m2 shares r1
    infos = [
        NodeInfo(
            node(make_node, "m1", region="r1"), [make_pod("e", labels={"service": "securityscan"})]
        ),
        NodeInfo(node(make_node, "m2", region="r1")),
        NodeInfo(node(make_node, "m3", region="r2")),
        NodeInfo(node(make_node, "m4")),
    ]
    pod = make_pod("p", affinity=affinity("podAffinity", term(SERVICE)))
    assert decide(InterPodAffinity(), pod, infos) == {
        "m1": None,
        "m2": None,
        "m3": AFFINITY_MISS,
        "m4": AFFINITY_MISS,
    }


def test_the_first_pod_of_a_self_affine_group_may_go_anywhere_with_the_key(make_pod, make_node):
    infos = [NodeInfo(node(make_node, "m1", region="r1")), NodeInfo(node(make_node, "m2"))]
    pod = make_pod(
        "p", labels={"service": "securityscan"}, affinity=affinity("podAffinity", term(SERVICE))
    )
    assert decide(InterPodAffinity(), pod, infos) == {"m1": None, "m2": AFFINITY_MISS}


def test_anti_affinity_keeps_away_from_matching_pods(make_pod, make_node):
    infos = [
        NodeInfo(node(make_node, "m1", zone="z1"), [make_pod("e", labels={"security": "S1"})]),
        NodeInfo(node(make_node, "m2", zone="z1")),
        NodeInfo(node(make_node, "m3", zone="z2")),
    ]
    pod = make_pod("p", affinity=affinity("podAntiAffinity", term(SECURITY_S1, "zone")))
    assert decide(InterPodAffinity(), pod, infos) == {"m1": ANTI_HIT, "m2": ANTI_HIT, "m3": None}


def test_existing_pods_anti_affinity_keeps_the_new_pod_away(make_pod, make_node):
    guard = make_pod(
        "guard", affinity=affinity("podAntiAffinity", term(SECURITY_S1, "kubernetes.io/hostname"))
    )
    infos = [
        NodeInfo(node(make_node, "m1", **{"kubernetes.io/hostname": "m1"}), [guard]),
        NodeInfo(node(make_node, "m2", **{"kubernetes.io/hostname": "m2"})),
    ]
    pod = make_pod("p", labels={"security": "S1"})
    assert decide(InterPodAffinity(), pod, infos) == {"m1": EXISTING_ANTI_HIT, "m2": None}
    other = make_pod("q", labels={"security": "S2"})
    assert decide(InterPodAffinity(), other, infos) == {"m1": None, "m2": None}


def test_terms_look_in_the_pods_namespace_unless_told_otherwise(make_pod, make_node):
    existing = make_pod("e", namespace="ns1", labels={"service": "securityscan"})
    infos = [NodeInfo(node(make_node, "m1", region="r1"), [existing])]
    same_default = make_pod("p", affinity=affinity("podAffinity", term(SERVICE)))
    assert decide(InterPodAffinity(), same_default, infos) == {"m1": AFFINITY_MISS}
    listed = make_pod("q", affinity=affinity("podAffinity", term(SERVICE, namespaces=["ns1"])))
    assert decide(InterPodAffinity(), listed, infos) == {"m1": None}
    everywhere = make_pod(
        "r", affinity=affinity("podAffinity", term(SERVICE, namespaceSelector={}))
    )
    assert decide(InterPodAffinity(), everywhere, infos) == {"m1": None}
    by_label = make_pod(
        "s",
        affinity=affinity(
            "podAffinity", term(SERVICE, namespaceSelector={"matchLabels": {"team": "a"}})
        ),
    )
    assert decide(InterPodAffinity(), by_label, infos) == {"m1": AFFINITY_MISS}
    labelled = InterPodAffinity(namespace_labels=lambda ns: {"team": "a"} if ns == "ns1" else {})
    assert decide(labelled, by_label, infos) == {"m1": None}


def test_preemption_can_take_an_anti_affine_pod_away(make_pod, make_node):
    victim = make_pod("e", labels={"security": "S1"})
    infos = [NodeInfo(node(make_node, "m1", zone="z1"), [victim])]
    pod = make_pod("p", affinity=affinity("podAntiAffinity", term(SECURITY_S1, "zone")))
    plugin, state = InterPodAffinity(), CycleState(Snapshot(infos))
    plugin.pre_filter(state, pod, infos)
    trial = state.clone()
    plugin.pre_filter_remove_pod(trial, pod, victim, infos[0])
    assert plugin.filter(trial, pod, infos[0]) is None
    assert plugin.filter(state, pod, infos[0]) is not None


# --- Score -------------------------------------------------------------------------------------


@pytest.fixture
def regions(make_node, make_pod):
    """machine1 in China with an S1 pod, machine2 in India with an S2 pod, machine3 in az1."""
    return [
        NodeInfo(
            node(make_node, "machine1", region="China"), [make_pod("a", labels={"security": "S1"})]
        ),
        NodeInfo(
            node(make_node, "machine2", region="India"), [make_pod("b", labels={"security": "S2"})]
        ),
        NodeInfo(node(make_node, "machine3", az="az1")),
    ]


def weighted(weight, selector, key="region"):
    return {"weight": weight, "podAffinityTerm": term(selector, key)}


def test_preferred_affinity_favours_the_domain_with_matching_pods(make_pod, scores_of, regions):
    pod = make_pod("p", affinity=affinity("podAffinity", preferred=[weighted(5, SECURITY_S1)]))
    assert scores_of(InterPodAffinity(), pod, regions) == {
        "machine1": 100,
        "machine2": 0,
        "machine3": 0,
    }


def test_preferred_anti_affinity_avoids_it(make_pod, scores_of, regions):
    pod = make_pod("p", affinity=affinity("podAntiAffinity", preferred=[weighted(5, SECURITY_S1)]))
    assert scores_of(InterPodAffinity(), pod, regions) == {
        "machine1": 0,
        "machine2": 100,
        "machine3": 100,
    }


def test_affinity_and_anti_affinity_add_up(make_pod, scores_of, regions):
    s2 = {"matchLabels": {"security": "S2"}}
    pod = make_pod(
        "p",
        affinity={
            "podAffinity": {PREFERRED: [weighted(8, SECURITY_S1)]},
            "podAntiAffinity": {PREFERRED: [weighted(4, s2)]},
        },
    )
    # raw: China 8, India −4, machine3 0 → (raw + 4) / 12 × 100
    assert scores_of(InterPodAffinity(), pod, regions) == {
        "machine1": 100,
        "machine2": 0,
        "machine3": 33,
    }


def test_existing_pods_required_affinity_attracts_at_the_hard_weight(
    make_pod, make_node, scores_of
):
    attracted = make_pod("e", affinity=affinity("podAffinity", term(SECURITY_S1)))
    infos = [
        NodeInfo(node(make_node, "machine1", region="China"), [attracted]),
        NodeInfo(node(make_node, "machine2", region="India")),
    ]
    pod = make_pod("p", labels={"security": "S1"})
    assert scores_of(InterPodAffinity(), pod, infos) == {"machine1": 100, "machine2": 0}
    assert scores_of(InterPodAffinity(hard_pod_affinity_weight=0), pod, infos) is None


def test_nothing_to_score_skips(make_pod, scores_of, regions):
    assert scores_of(InterPodAffinity(), make_pod("p"), regions) is None
    plugin = InterPodAffinity(ignore_preferred_terms_of_existing_pods=True)
    assert scores_of(plugin, make_pod("q"), regions) is None


def test_hard_pod_affinity_weight_is_0_to_100():
    with pytest.raises(
        K8sLabError,
        match=r"hardPodAffinityWeight: Invalid value: 101: not in valid range \[0, 100\]",
    ):
        InterPodAffinity(hard_pod_affinity_weight=101)


def test_reasons_are_upstreams():
    assert ERR_REASON_AFFINITY_RULES_NOT_MATCH == "node(s) didn't match pod affinity rules"
    assert (
        ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH == "node(s) didn't match pod anti-affinity rules"
    )
    assert (
        ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH
        == "node(s) didn't satisfy existing pods anti-affinity rules"
    )
