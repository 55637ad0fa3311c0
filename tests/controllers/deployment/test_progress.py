"""Conditions and the progress deadline (progress.go), and the Recreate strategy (recreate.go)."""

from .conftest import Harness, deployment, replica_set


def set_image(image):
    return lambda spec: spec["template"]["spec"]["containers"][0].update(image=image)


def test_a_rollout_without_progress_exceeds_its_deadline_exactly():
    d = deployment(replicas=2, surge=1, unavailable=0, progressDeadlineSeconds=30)
    h = Harness(d, replica_set(d, "nginx:1.27", 2, revision=1))
    first = h.replica_sets()[0]["metadata"]["name"]
    assert h.condition("Progressing")["message"] == f'ReplicaSet "{first}" has successfully ' \
                                                    "progressed."
    assert h.condition("Available")["reason"] == "MinimumReplicasAvailable"
    h.update(set_image("nginx:bad"))  # at t=1
    new = h.replica_sets()[1]["metadata"]["name"]
    progressing = h.condition("Progressing")
    assert (progressing["reason"], progressing["message"]) == (
        "NewReplicaSetCreated", f'Created new replica set "{new}"')
    assert progressing["lastUpdateTime"] == "2026-01-01T00:00:01Z"
    h.sim.run_until(20)
    h.settle(available={new: 0})  # its pod exists, never ready: that is progress (updated 0 -> 1)
    progressing = h.condition("Progressing")
    assert (progressing["reason"], progressing["message"]) == (
        "ReplicaSetUpdated", f'ReplicaSet "{new}" is progressing.')
    assert progressing["lastUpdateTime"] == "2026-01-01T00:00:20Z"
    # The deadline is 20 + 30 = 50 s; the controller looks again a second later, by itself.
    h.sim.run_until(50.5)
    assert h.condition("Progressing")["reason"] == "ReplicaSetUpdated"
    h.sim.run_until(51.5)
    progressing = h.condition("Progressing")
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "False", "ProgressDeadlineExceeded", f'ReplicaSet "{new}" has timed out progressing.')
    assert progressing["lastTransitionTime"] == "2026-01-01T00:00:51Z"


def test_available_turns_false_below_replicas_minus_max_unavailable():
    d = deployment(replicas=4, surge=1, unavailable=1)
    h = Harness(d, replica_set(d, "nginx:1.27", 4, revision=1))
    name = h.replica_sets()[0]["metadata"]["name"]
    h.settle(available={name: 3})
    assert h.condition("Available")["status"] == "True"
    h.settle(available={name: 2})
    available = h.condition("Available")
    assert (available["status"], available["reason"], available["message"]) == (
        "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")
    assert h.deployment()["status"]["unavailableReplicas"] == 2


def pod(rs, i):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{rs['metadata']['name']}-{i}", "namespace": "default",
                         "labels": dict(rs["spec"]["template"]["metadata"]["labels"]),
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": rs["metadata"]["name"],
                                              "uid": rs["metadata"]["uid"],
                                              "controller": True}]},
            "spec": {}, "status": {"phase": "Running"}}


def test_recreate_waits_for_every_old_pod_to_be_gone():
    d = deployment(replicas=3, strategy={"type": "Recreate"})
    old = replica_set(d, "nginx:1.27", 3, revision=1)
    pods = [pod(old, i) for i in range(3)]
    h = Harness(d, old, *pods)
    h.update(set_image("nginx:1.28"))
    assert h.events() == [f"Scaled down replica set {old['metadata']['name']} from 3 to 0"]
    h.settle()  # the old ReplicaSet reports 0 pods, but two are still terminating
    h.fake.group.sim.run_process(h.fake.group.spawn(h.fake.delete(
        "pods", pods[0]["metadata"]["name"], "default")), 1)
    h.run()
    assert len(h.replica_sets()) == 1
    for gone in pods[1:]:
        h.fake.group.sim.run_process(h.fake.group.spawn(h.fake.delete(
            "pods", gone["metadata"]["name"], "default")), 1)
    h.run()
    new = h.replica_sets()[1]["metadata"]["name"]
    assert h.events()[1:] == [f"Scaled up replica set {new} from 0 to 3"]
    assert h.sizes() == (3, 0)
