"""RollingUpdate step by step: after each round the test reports the pods available, as the
kubelets and the ReplicaSet controller would, and the sizes must follow upstream's arithmetic
(rolling.go: reconcileNewReplicaSet, then reconcileOldReplicaSets)."""

import pytest

from .conftest import Harness, deployment, replica_set


def roll(replicas, surge, unavailable):
    d = deployment(replicas=replicas, surge=surge, unavailable=unavailable)
    h = Harness(d, replica_set(d, "nginx:1.27", replicas, revision=1))
    h.update(lambda spec: spec["template"]["spec"]["containers"][0].update(image="nginx:1.28"))
    steps = [h.sizes()]
    while h.sizes()[1] > 0 or h.sizes()[0] < replicas:
        h.settle()
        steps.append(h.sizes())
        assert len(steps) < 20, steps
    return h, steps


@pytest.mark.parametrize(("replicas", "surge", "unavailable", "want"), [
    # 10 replicas 25%/25%: surge 3, unavailable 2. New 3 (13 pods); old 10 -> 8 (13 - 8 min
    # available - 3 new unavailable = 2); new 3 -> 5, since sizes count spec.replicas, not the
    # pods still terminating. Once the 5 are available: old -5, new +5; then old -3.
    (10, "25%", "25%", [(5, 8), (10, 3), (10, 0)]),
    # surge 1, unavailable 0: one new pod, then an old one goes once it is available.
    (3, 1, 0, [(1, 3), (2, 2), (3, 1), (3, 0)]),
    # surge 0, unavailable 1: an old pod goes first, then a new one takes its place.
    (4, 0, 1, [(1, 3), (2, 2), (3, 1), (4, 0)]),
    # 1 replica, 0% / 1%: both resolve to 0, so maxUnavailable is 1: old -1, then new +1.
    (1, "0%", "1%", [(1, 0)]),
    # Everything at once: surge 100% and unavailable 100%.
    (4, "100%", "100%", [(4, 0)]),
], ids=["10-25%-25%", "3-surge1-unavail0", "4-surge0-unavail1", "1-rounded-to-0-0", "100%"])
def test_the_rollout_sequence(replicas, surge, unavailable, want):
    h, steps = roll(replicas, surge, unavailable)
    assert steps == want
    h.settle()
    status = h.deployment()["status"]
    assert (status["replicas"], status["updatedReplicas"], status["availableReplicas"]) == (
        replicas, replicas, replicas)
    new = h.replica_sets()[-1]["metadata"]["name"]
    progressing = h.condition("Progressing")
    assert progressing["message"] == f'ReplicaSet "{new}" has successfully progressed.'


def test_scaling_replica_set_events_say_from_and_to():
    h, _ = roll(10, "25%", "25%")
    old, new = (rs["metadata"]["name"] for rs in h.replica_sets())
    assert h.events() == [
        f"Scaled up replica set {new} from 0 to 3", f"Scaled down replica set {old} from 10 to 8",
        f"Scaled up replica set {new} from 3 to 5", f"Scaled down replica set {old} from 8 to 3",
        f"Scaled up replica set {new} from 5 to 10", f"Scaled down replica set {old} from 3 to 0",
    ]
    [record] = h.sim.trace.where(kind="ScalingReplicaSet")[:1]
    assert (record.component, record.obj) == ("kube-controller-manager", "deployment/default/web")
    assert record.details["source"] == "deployment-controller"


def test_order_of_moves_when_both_fenceposts_round_to_zero():
    h, _ = roll(1, "0%", "1%")
    old, new = (rs["metadata"]["name"] for rs in h.replica_sets())
    assert h.events() == [f"Scaled down replica set {old} from 1 to 0",
                          f"Scaled up replica set {new} from 0 to 1"]


def test_the_new_replica_set_is_named_labelled_annotated_and_owned():
    h, _ = roll(10, "25%", "25%")
    _, new = h.replica_sets()
    pod_hash = new["metadata"]["labels"]["pod-template-hash"]
    assert new["metadata"]["name"] == f"web-{pod_hash}"
    assert new["spec"]["selector"] == {"matchLabels": {"app": "web", "pod-template-hash":
                                                       pod_hash}}
    assert new["spec"]["template"]["metadata"]["labels"] == {"app": "web",
                                                             "pod-template-hash": pod_hash}
    assert new["metadata"]["annotations"] == {"deployment.kubernetes.io/revision": "2",
                                              "deployment.kubernetes.io/desired-replicas": "10",
                                              "deployment.kubernetes.io/max-replicas": "13"}
    [owner] = new["metadata"]["ownerReferences"]
    assert owner == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                     "uid": "uid-web", "controller": True, "blockOwnerDeletion": True}
    assert h.deployment()["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"


def test_unavailable_old_replicas_are_removed_first():
    # cleanupUnhealthyReplicas: 2 of the old set's 10 pods are not available; they go without
    # waiting for the new pods, since removing them cannot lower availability.
    d = deployment(replicas=10, surge=0, unavailable=1)
    h = Harness(d, replica_set(d, "nginx:1.27", 10, revision=1, available=8))
    h.update(lambda spec: spec["template"]["spec"]["containers"][0].update(image="nginx:1.28"))
    old, new = (rs["metadata"]["name"] for rs in h.replica_sets())
    assert h.events()[0] == f"Scaled down replica set {old} from 10 to 9"
    assert h.sizes() == (1, 9)
    assert h.events()[1] == f"Scaled up replica set {new} from 0 to 1"


def test_no_old_replica_goes_while_new_ones_are_unavailable():
    h, _ = roll(10, "25%", "25%")
    h.settle()
    d = h.deployment()
    h.update(lambda spec: spec["template"]["spec"]["containers"][0].update(image="nginx:1.29"))
    assert h.sizes() == (5, 8)
    for _ in range(3):  # the new pods never become available: the rollout holds there
        h.settle(available={rs["metadata"]["name"]: 0 for rs in h.replica_sets()
                            if rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                            == "3"})
        assert h.sizes() == (5, 8)
    assert d["metadata"]["uid"] == h.deployment()["metadata"]["uid"]
