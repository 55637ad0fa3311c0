"""The framework runtime (kk pkg/scheduler/framework/runtime/framework.go) with plugins of our own:
how a profile is put together, and how each extension point's runner merges and stops.
"""

import random

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.diagnosis import Rejection
from k8slab.scheduler.framework.interface import (
    SKIP_STATUS,
    UNRESOLVABLE,
    UNSCHEDULABLE,
    Plugin,
    PreFilterResult,
    Status,
    unschedulable,
)
from k8slab.scheduler.framework.runtime import Framework
from k8slab.scheduler.plugins import default_binder
from k8slab.scheduler.plugins.registry import default_profile
from k8slab.scheduler.scheduler import scheduling_cycle
from k8slab.scheduler.snapshot import Snapshot

# --- the framework itself -----------------------------------------------------------------------


class Counting(Plugin):
    name = "Counting"

    def score(self, state, pod, node_info):
        return node_info.pod_count


class Broken(Plugin):
    name = "Broken"

    def score(self, state, pod, node_info):
        return 500


class ByName(Plugin):
    name = "ByName"

    def filter(self, state, pod, node_info):
        return ["not", "a", "tuple"] if node_info.name == "bad" else None


class Recorder(Plugin):
    """Records every extension point call; filters out nodes whose name starts with "x"."""

    name = "Recorder"

    def __init__(self, pre_filter=None, pre_score=None):
        self.calls = []
        self.pre_filter_answer = pre_filter
        self.pre_score_answer = pre_score

    def pre_filter(self, state, pod, nodes):
        self.calls.append(("pre_filter", len(nodes)))
        return self.pre_filter_answer

    def filter(self, state, pod, node_info):
        self.calls.append(("filter", node_info.name))
        return "starts with x" if node_info.name.startswith("x") else None

    def pre_score(self, state, pod, nodes):
        self.calls.append(("pre_score", len(nodes)))
        return self.pre_score_answer

    def score(self, state, pod, node_info):
        self.calls.append(("score", node_info.name))
        return 0

    def reserve(self, state, pod, node):
        self.calls.append(("reserve", node))

    def unreserve(self, state, pod, node):
        self.calls.append(("unreserve", node))

    def permit(self, state, pod, node):
        self.calls.append(("permit", node))
        return unschedulable("not today") if node == "deny" else None


def test_plugins_declare_extension_points_by_defining_methods():
    assert Counting().extension_points() == ("score",)
    assert ByName().extension_points() == ("filter",)
    assert Recorder().extension_points() == (
        "pre_filter",
        "filter",
        "pre_score",
        "score",
        "reserve",
        "permit",
    )
    with pytest.raises(K8sLabError, match="unknown extension point"):
        Counting().implements("wait_on_permit")


def test_default_normalize_is_identity_and_weights_default_to_one(make_pod, make_node_infos):
    framework = Framework([Counting()])
    assert framework.weights == {"Counting": 1}
    nodes = make_node_infos(("a", {}), ("b", {}))
    nodes[1].add_pod(make_pod("x"))
    decision = scheduling_cycle(framework, Snapshot(nodes), make_pod("p"), random.Random(0))
    assert [s.total for s in decision.scores] == [0, 1]
    assert decision.node == "b"


def test_normalized_scores_must_be_in_0_to_100(make_pod, make_node_infos):
    # kk pkg/scheduler/framework/runtime/framework.go RunScorePlugins
    with pytest.raises(K8sLabError, match="'Broken' returns an invalid score 500 for node a"):
        scheduling_cycle(
            Framework([Broken()]),
            Snapshot(make_node_infos(("a", {}), ("b", {}))),
            make_pod("p"),
            random.Random(0),
        )


def test_filter_results_must_be_reasons(make_pod, make_node_infos):
    with pytest.raises(K8sLabError, match="filter of plugin ByName returned"):
        Framework([ByName()]).run_filters(
            CycleState(), make_pod("p"), make_node_infos(("bad", {}))[0]
        )


@pytest.mark.parametrize(
    ("plugins", "weights", "message"),
    [
        ([Counting(), Counting()], None, "listed twice"),
        ([Counting()], {"ByName": 2}, "not a score plugin"),
        ([Counting()], {"Counting": 0}, "positive integer"),
        ([Counting()], {"Counting": 1.5}, "positive integer"),
        ([Plugin()], None, "no name"),
    ],
)
def test_bad_profiles_are_clear_errors(plugins, weights, message):
    with pytest.raises(K8sLabError, match=message):
        Framework(plugins, weights)


def test_points_choose_where_each_plugin_runs(make_pod):
    recorder = Recorder()
    framework = Framework([recorder, Counting()], points={"filter": ["Recorder"]})
    assert [p.name for p in framework.filter_plugins] == ["Recorder"]
    assert framework.score_plugins == ()
    with pytest.raises(K8sLabError, match="'Counting' does not extend filter"):
        Framework([Counting()], points={"filter": ["Counting"]})
    with pytest.raises(K8sLabError, match="'Nope' is listed at score"):
        Framework([Counting()], points={"score": ["Nope"]})


# --- the cycle with plugins of our own -----------------------------------------------------------


def test_rejected_nodes_count_as_processed_for_the_next_start(make_pod, make_node_infos):
    names = [f"x{i}" for i in range(3)] + [f"n{i:03}" for i in range(200)]
    nodes = make_node_infos(*[(name, {}) for name in names])
    framework = Framework([Recorder(), Counting()])
    decision = scheduling_cycle(
        framework, Snapshot(nodes), make_pod("p"), random.Random(0), start_index=1
    )
    # x1, x2 rejected, then 100 feasible: 102 processed from index 1
    assert list(decision.filtered) == ["x1", "x2"]
    assert decision.next_start_index == 103
    assert decision.unexamined[0] == "x0"


def test_without_score_plugins_the_first_feasible_node_is_enough(
    make_pod, make_node_infos, never_used_random
):
    recorder = Recorder()
    framework = Framework([recorder], points={"filter": ["Recorder"]})
    nodes = make_node_infos(("x0", {}), ("x1", {}), ("a", {}), ("b", {}))
    decision = scheduling_cycle(framework, Snapshot(nodes), make_pod("p"), never_used_random)
    assert decision.node == "a"
    assert decision.unexamined == ("b",)


# --- PreFilter, PreScore, and the later extension points ---------------------------------------


def test_pre_filter_skip_switches_the_filter_off(make_pod, make_node_infos):
    recorder = Recorder(pre_filter=SKIP_STATUS)
    decision = scheduling_cycle(
        Framework([recorder]),
        Snapshot(make_node_infos(("x1", {}), ("a", {}))),
        make_pod("p"),
        random.Random(0),
    )
    assert decision.filtered == {}
    assert recorder.calls[:1] == [("pre_filter", 2)]
    assert ("filter", "x1") not in recorder.calls


def test_pre_filter_rejection_rejects_every_node_with_its_message(make_pod, make_node_infos):
    recorder = Recorder(pre_filter=Status(UNSCHEDULABLE, ("no room at all",)))
    decision = scheduling_cycle(
        Framework([recorder]),
        Snapshot(make_node_infos(("a", {}), ("b", {}))),
        make_pod("p"),
        random.Random(0),
    )
    assert decision.filtered["a"] == Rejection("Recorder", ("no room at all",), UNSCHEDULABLE)
    assert decision.message == "0/2 nodes are available: no room at all."
    assert ("filter", "a") not in recorder.calls


def test_pre_filter_results_narrow_the_nodes(make_pod, make_node_infos):
    recorder = Recorder(pre_filter=PreFilterResult(frozenset({"b"})))
    decision = scheduling_cycle(
        Framework([recorder]),
        Snapshot(make_node_infos(("a", {}), ("b", {}), ("c", {}))),
        make_pod("p"),
        random.Random(0),
    )
    assert decision.node == "b"
    assert decision.filtered["a"] == Rejection(
        "Recorder", ("node(s) didn't satisfy plugin(s) [Recorder]",), UNRESOLVABLE
    )


def test_pre_filter_results_that_share_no_node_reject_the_pod(make_pod, make_node_infos):
    class Other(Recorder):
        name = "Other"

    first = Recorder(pre_filter=PreFilterResult(frozenset({"a"})))
    second = Other(pre_filter=PreFilterResult(frozenset({"b"})))
    decision = scheduling_cycle(
        Framework([first, second]),
        Snapshot(make_node_infos(("a", {}), ("b", {}))),
        make_pod("p"),
        random.Random(0),
    )
    assert decision.message == (
        "0/2 nodes are available: node(s) didn't satisfy plugin(s) [Other Recorder] simultaneously."
    )


def test_pre_score_skip_switches_the_score_off(make_pod, make_node_infos):
    recorder = Recorder(pre_score=SKIP_STATUS)
    decision = scheduling_cycle(
        Framework([recorder, Counting()]),
        Snapshot(make_node_infos(("a", {}), ("b", {}))),
        make_pod("p"),
        random.Random(0),
    )
    assert ("score", "a") not in recorder.calls
    assert decision.score_plugins == ("Counting",)
    assert decision.skipped_score_plugins == ("Recorder",)


def test_reserve_permit_and_bind_run_in_order(make_pod):
    recorder = Recorder()
    bound = []
    binder = default_binder.DefaultBinder(lambda pod, node: bound.append(node) or "bound")
    framework = Framework([recorder, binder])
    state = CycleState()
    pod = make_pod("p")
    assert framework.run_reserve(state, pod, "a") is None
    assert framework.run_permit(state, pod, "a") is None
    assert framework.run_pre_bind(state, pod, "a") is None
    assert framework.run_bind(state, pod, "a") == "bound"
    assert bound == ["a"]
    denied = framework.run_permit(state, pod, "deny")
    assert (denied.code, denied.reasons, denied.plugin) == (
        UNSCHEDULABLE,
        ("not today",),
        "Recorder",
    )
    framework.run_unreserve(state, pod, "deny")
    assert recorder.calls[-1] == ("unreserve", "deny")


def test_the_default_binder_needs_a_callback(make_pod):
    with pytest.raises(K8sLabError, match="DefaultBinder has no bind callback"):
        default_profile().run_bind(CycleState(), make_pod("p"), "a")
