"""controller_utils: active/ready/available pods, the scale-down ranking rule by rule, pods
from templates, template hashes, and slow-start batches."""

import pytest

from k8slab.controllers.controller_utils import (
    compare_for_deletion,
    compute_hash,
    filter_active_pods,
    is_pod_available,
    is_pod_ready,
    pod_from_template,
    pods_on_same_node_ranks,
    rank_pods_for_deletion,
)
from k8slab.controllers.pod_control import slow_start_batch
from k8slab.errors import K8sLabError
from tests.controllers.helpers import fake_world, names, pod, replica_set

NOW = 10_000.0

# Each case: two pods (and their ranks) that differ in one rule only; the first must go first.
# Upstream: kk pkg/controller/controller_utils.go ActivePodsWithRanks.Less, rules 1-8.
RANKING = [
    ("1 unscheduled before scheduled",
     pod("a", node="", phase="Pending", ready=False), pod("b", node="n1", phase="Pending",
                                                          ready=False), 0, 0),
    ("2 Pending before Unknown", pod("a", node="n1", phase="Pending", ready=False),
     pod("b", node="n1", phase="Unknown", ready=False), 0, 0),
    ("2 Unknown before Running", pod("a", node="n1", phase="Unknown", ready=False),
     pod("b", node="n1", phase="Running", ready=False), 0, 0),
    ("3 not ready before ready", pod("a", node="n1", ready=False), pod("b", node="n1"), 0, 0),
    ("4 lower deletion cost first", pod("a", node="n1", cost=-5), pod("b", node="n1", cost=10),
     0, 0),
    ("5 doubled-up node first", pod("a", node="n1"), pod("b", node="n2"), 2, 1),
    ("6 ready for a shorter time first", pod("a", node="n1", ready_at=NOW - 100),
     pod("b", node="n1", ready_at=NOW - 5000), 0, 0),
    ("7 more restarts first", pod("a", node="n1", restarts=3), pod("b", node="n1", restarts=1),
     0, 0),
    ("8 newer first", pod("a", node="n1", created=NOW - 10), pod("b", node="n1",
                                                                   created=NOW - 5000), 0, 0),
]


@pytest.mark.parametrize("first, second, rank_first, rank_second",
                         [case[1:] for case in RANKING], ids=[case[0] for case in RANKING])
def test_each_ranking_rule_decides_alone(first, second, rank_first, rank_second):
    assert compare_for_deletion(first, second, rank_first, rank_second, NOW) < 0
    assert compare_for_deletion(second, first, rank_second, rank_first, NOW) > 0
    ranked = rank_pods_for_deletion([second, first], [rank_second, rank_first], NOW)
    assert names(ranked) == ["a", "b"]


def test_an_earlier_rule_beats_every_later_one():
    # b is better on rules 4-8 (cheaper, doubled up, newer, restarting) but a is not ready.
    a = pod("a", node="n1", ready=False, cost=100, created=NOW - 5000)
    b = pod("b", node="n1", cost=-100, restarts=9, created=NOW - 1)
    assert compare_for_deletion(a, b, 0, 5, NOW) < 0


def test_same_log2_bucket_is_a_tie_broken_by_uid():
    # 1050 s and 600 s ago: both in the 2^39..2^40 ns bucket (550 s..1100 s), so the UID
    # decides, not the newer creation.
    a = pod("a", node="n1", created=NOW - 1050, uid="uid-1")
    b = pod("b", node="n1", created=NOW - 600, uid="uid-2")
    assert compare_for_deletion(a, b, 0, 0, NOW) < 0
    assert compare_for_deletion(b, a, 0, 0, NOW) > 0
    # Without a reference time the plain order applies: newer first.
    assert compare_for_deletion(b, a, 0, 0, None) < 0


def test_identical_pods_tie_and_keep_their_order():
    a, b = pod("a", node="n1", uid="same"), pod("b", node="n1", uid="same")
    assert compare_for_deletion(a, b, 0, 0, NOW) == 0
    assert names(rank_pods_for_deletion([b, a], [0, 0], NOW)) == ["b", "a"]


def test_unparsable_deletion_cost_counts_as_zero():
    bad = pod("a", node="n1")
    bad["metadata"]["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": "cheap"}
    assert compare_for_deletion(bad, pod("b", node="n1", cost=1), 0, 0, NOW) < 0
    assert compare_for_deletion(bad, pod("b", node="n1", cost=-1), 0, 0, NOW) > 0


def test_ranks_count_active_related_pods_on_the_same_node():
    pods = [pod("a", node="n1"), pod("b", node="n2"), pod("c", node="n1", deleting=True)]
    related = pods + [pod("d", node="n1"), pod("e", node="n2", phase="Succeeded")]
    assert pods_on_same_node_ranks(pods, related) == [2, 1, 2]


def test_active_ready_and_available():
    pods = [pod("a"), pod("b", phase="Failed"), pod("c", phase="Succeeded"),
            pod("d", deleting=True)]
    assert names(filter_active_pods(pods)) == ["a"]
    assert is_pod_ready(pod("a")) and not is_pod_ready(pod("a", ready=False))
    ready_at_100 = pod("a", ready_at=100)
    assert is_pod_available(ready_at_100, 0, 100)
    assert not is_pod_available(ready_at_100, 10, 110)  # strictly after minReadySeconds
    assert is_pod_available(ready_at_100, 10, 110.5)
    assert not is_pod_available(pod("b", ready=False), 0, 1000)


def test_pod_from_template_copies_labels_and_spec_and_names_the_owner():
    rs = replica_set("web")
    rs["spec"]["template"]["metadata"]["annotations"] = {"note": "x"}
    made = pod_from_template(rs["spec"]["template"], rs)
    assert made["metadata"] == {
        "namespace": "default", "labels": {"app": "web"}, "generateName": "web-",
        "annotations": {"note": "x"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                             "uid": "uid-web", "controller": True, "blockOwnerDeletion": True}]}
    assert made["spec"] == rs["spec"]["template"]["spec"]
    made["spec"]["containers"].append({})
    assert len(rs["spec"]["template"]["spec"]["containers"]) == 1  # a copy, not shared
    named = pod_from_template(rs["spec"]["template"], rs, name="web-0")
    assert named["metadata"]["name"] == "web-0" and "generateName" not in named["metadata"]


def test_compute_hash_is_stable_safe_and_changes_with_the_template():
    template = replica_set()["spec"]["template"]
    first = compute_hash(template)
    assert first == compute_hash(dict(reversed(list(template.items()))))
    assert set(first) <= set("bcdfghjklmnpqrstvwxz2456789") and 1 <= len(first) <= 10
    changed = replica_set()["spec"]["template"]
    changed["spec"]["containers"][0]["image"] = "nginx:1.27"
    assert compute_hash(changed) != first
    assert compute_hash(template, 1) != first


@pytest.mark.parametrize("count, fail_at, calls, successes", [
    (10, None, 10, 10),   # batches 1, 2, 4, 3
    (10, 1, 1, 0),        # the first call fails: nothing more is tried
    (10, 2, 3, 2),        # batch 1 ok; batch of 2 has one failure; stop (2 successes)
    (10, 5, 7, 6),        # 1 + 2 ok; batch of 4 has one failure
    (0, None, 0, 0),
])
def test_slow_start_batches_double_and_stop_at_the_first_failing_batch(count, fail_at, calls,
                                                                         successes):
    fake = fake_world()
    made = []

    def call():
        made.append(len(made) + 1)
        number = len(made)
        yield fake.group.env.timeout(0.01)
        if number == fail_at:
            raise K8sLabError("exceeded quota")
        return number

    done, error = fake.group.sim.run_process(
        fake.group.spawn(slow_start_batch(fake.group, count, call)), 10)
    assert len(made) == calls and done == successes
    assert (error is None) == (fail_at is None)
