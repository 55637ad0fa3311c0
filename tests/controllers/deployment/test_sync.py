"""Scaling mid-rollout, pause, history cleanup, rollback and adoption (sync.go, rollback by
kubectl's template copy), against a fake API."""

import copy

from .conftest import Harness, deployment, replica_set


def set_image(image):
    return lambda spec: spec["template"]["spec"]["containers"][0].update(image=image)


def with_replica_annotations(rs, desired, most):
    rs = copy.deepcopy(rs)
    rs["metadata"]["annotations"].update({"deployment.kubernetes.io/desired-replicas": str(desired),
                                          "deployment.kubernetes.io/max-replicas": str(most)})
    return rs


def stuck_rollout():
    # The documentation's example: 10 replicas, maxSurge 3, maxUnavailable 2, a rollout to an
    # image that never starts, holding at 8 old and 5 new pods.
    d = deployment(replicas=10, surge=3, unavailable=2, image="nginx:bad")
    old = with_replica_annotations(replica_set(d, "nginx:1.27", 8, revision=1), 10, 13)
    new = with_replica_annotations(replica_set(d, "nginx:bad", 5, revision=2, available=0,
                                               created="2025-12-31T01:00:00Z"), 10, 13)
    h = Harness(d, old, new)
    return h, old["metadata"]["name"], new["metadata"]["name"]


def test_a_stuck_rollout_holds():
    h, _, _ = stuck_rollout()
    assert h.sizes() == (5, 8) and h.events() == []


def test_scaling_mid_rollout_is_proportional():
    h, old, new = stuck_rollout()
    h.update(lambda spec: spec.update(replicas=15))
    # 15 + 3 = 18 allowed, 13 there: 5 to add. The old set had 8 of 13, so round(8*18/13) = 11
    # (+3); the new one gets the 2 left.
    assert h.events() == [f"Scaled up replica set {old} from 8 to 11",
                          f"Scaled up replica set {new} from 5 to 7"]
    annotations = h.replica_sets()[0]["metadata"]["annotations"]
    assert annotations["deployment.kubernetes.io/desired-replicas"] == "15"
    assert annotations["deployment.kubernetes.io/max-replicas"] == "18"
    h.update(lambda spec: spec.update(replicas=5))
    # Down to 5 + 3 = 8: the larger, then older, first: round(11*8/18) = 5 (-6), 7 -> 3 (-4).
    assert h.events()[2:] == [f"Scaled down replica set {old} from 11 to 5",
                              f"Scaled down replica set {new} from 7 to 3"]


def test_a_paused_deployment_scales_but_does_not_roll_out():
    d = deployment(replicas=3, paused=True)
    h = Harness(d, replica_set(d, "nginx:1.27", 3, revision=1))
    h.update(set_image("nginx:1.28"))
    assert len(h.replica_sets()) == 1
    progressing = h.condition("Progressing")
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "Unknown", "DeploymentPaused", "Deployment is paused")
    h.update(lambda spec: spec.update(replicas=5))
    old = h.replica_sets()[0]["metadata"]["name"]
    assert h.events() == [f"Scaled up replica set {old} from 3 to 5"]
    h.update(lambda spec: spec.update(paused=False))
    assert len(h.replica_sets()) == 2
    assert h.condition("Progressing")["reason"] == "NewReplicaSetCreated"


def test_old_replica_sets_beyond_the_history_limit_are_deleted_lowest_revision_first():
    d = deployment(replicas=3, image="nginx:5", revisionHistoryLimit=2)
    olds = [replica_set(d, f"nginx:{i}", 0, revision=i, created=f"2025-12-31T0{i}:00:00Z")
            for i in range(1, 5)]
    h = Harness(d, *olds, replica_set(d, "nginx:5", 3, revision=5))
    deleted = [a[2] for a in h.fake.writes() if a[0] == "delete"]
    assert deleted == [f"default/{olds[0]['metadata']['name']}",
                       f"default/{olds[1]['metadata']['name']}"]
    assert [rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
            for rs in h.replica_sets()] == ["3", "4", "5"]


def test_a_replica_set_its_controller_has_not_caught_up_with_is_kept():
    d = deployment(replicas=3, image="nginx:3", revisionHistoryLimit=0)
    not_observed = replica_set(d, "nginx:1", 0, revision=1)
    not_observed["metadata"]["generation"] = 2  # scaled to 0, not yet seen by its controller
    h = Harness(d, not_observed, replica_set(d, "nginx:2", 0, revision=2),
                replica_set(d, "nginx:3", 3, revision=3))
    assert [rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
            for rs in h.replica_sets()] == ["1", "3"]


def test_rollback_makes_the_old_replica_set_new_with_the_next_revision():
    d = deployment(replicas=3, image="nginx:2")
    h = Harness(d, replica_set(d, "nginx:1", 0, revision=1),
                replica_set(d, "nginx:2", 3, revision=2))
    h.update(set_image("nginx:1"))  # what kubectl rollout undo does: copy revision 1's template
    back = next(rs for rs in h.replica_sets()
                if rs["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1")
    annotations = back["metadata"]["annotations"]
    assert annotations["deployment.kubernetes.io/revision"] == "3"
    assert annotations["deployment.kubernetes.io/revision-history"] == "1"
    assert [rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
            for rs in h.replica_sets()] == ["2", "3"]  # revision 1 is gone from the history
    assert h.deployment()["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert h.events()[0] == f"Scaled up replica set {back['metadata']['name']} from 0 to 1"


def test_an_orphan_replica_set_that_matches_is_adopted():
    d = deployment(replicas=2)
    h = Harness(d, replica_set(d, "nginx:1.27", 2, revision=1, owned=False))
    [rs] = h.replica_sets()
    [owner] = rs["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["uid"], owner["controller"]) == ("Deployment", "uid-web", True)
    assert ("create", "replicasets") not in [a[:2] for a in h.fake.writes()]


def test_a_replica_set_whose_labels_no_longer_match_is_released():
    d = deployment(replicas=2)
    rs = replica_set(d, "nginx:1.27", 2, revision=1)
    rs["metadata"]["labels"] = {"app": "other"}
    h = Harness(d, rs)
    released = next(r for r in h.fake.stored("replicasets") if r["metadata"]["labels"] == {
        "app": "other"})
    assert released["metadata"]["ownerReferences"] == []
    assert len(h.replica_sets()) == 2  # and a new one made for the template
