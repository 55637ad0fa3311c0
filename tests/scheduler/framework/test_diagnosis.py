"""A Decision read on its own: built directly, frozen, its FitError histogram
(kk pkg/scheduler/framework/types.go)."""

import dataclasses
import random

import pytest

from k8slab.scheduler.framework.diagnosis import Decision, Rejection
from k8slab.scheduler.framework.interface import UNSCHEDULABLE
from k8slab.scheduler.plugins.registry import default_profile
from k8slab.scheduler.scheduler import scheduling_cycle
from k8slab.scheduler.snapshot import Snapshot


def test_decision_is_frozen(make_pod, make_node_infos):
    decision = scheduling_cycle(
        default_profile(), Snapshot(make_node_infos(("n1", {}))), make_pod("p"), random.Random(0)
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.node = "other"


def test_decision_can_be_built_and_read_directly():
    decision = Decision(
        pod="default/p",
        nodes=("a", "b"),
        filtered={
            "a": Rejection("X", ("r1", "r2"), UNSCHEDULABLE),
            "b": Rejection("Y", ("r1",), UNSCHEDULABLE),
        },
        scores=(),
        score_plugins=(),
        node=None,
    )
    assert decision.reason_histogram() == ["1 r2", "2 r1"]
    assert decision.message == "0/2 nodes are available: 1 r2, 2 r1."
    assert decision.feasible == ()
