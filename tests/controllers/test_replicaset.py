"""The ReplicaSet and ReplicationController sync against the fake API: seeded state in, exact
writes and Events out (kk pkg/controller/replicaset/replica_set_test.go's shape)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab.client.fake import FakeClient
from k8slab.controllers.replicaset import ReplicaSetController, ReplicationManager
from k8slab.errors import APIError
from tests.controllers.helpers import advance, fake_world, names, pod, replica_set, start


def pod_writes(fake):
    return [w for w in fake.writes() if w[1] == "pods"]


def events(fake, reason=None):
    return [(r.kind, r.details["message"]) for r in fake.group.sim.trace
            if r.component == "kube-controller-manager" and (reason is None or r.kind == reason)]


def owned_active(fake, owner_uid):
    return [p for p in fake.stored("pods")
            if any(r["uid"] == owner_uid for r in p["metadata"].get("ownerReferences", []))
            and not p["metadata"].get("deletionTimestamp")
            and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]


def test_creates_the_missing_pods_in_slow_start_batches_with_events():
    fake = fake_world()
    fake.add(replica_set(replicas=4))
    start(fake, ReplicaSetController)
    assert pod_writes(fake) == [("create", "pods", f"default/web-0000{i}") for i in range(1, 5)]
    made = fake.stored("pods")
    assert all(p["metadata"]["ownerReferences"][0]["uid"] == "uid-web" for p in made)
    assert events(fake, "SuccessfulCreate") == [
        ("SuccessfulCreate", f"Created pod: web-0000{i}") for i in range(1, 5)]
    record = next(r for r in fake.group.sim.trace if r.kind == "SuccessfulCreate")
    assert record.obj == "replicaset/default/web"
    assert record.details["controller"] == "replicaset-controller"
    status = fake.stored("replicasets")[0]["status"]
    assert status == {"replicas": 4, "fullyLabeledReplicas": 4, "readyReplicas": 0,
                      "availableReplicas": 0, "observedGeneration": 1}


class ForbiddenError(APIError):
    code = 403
    reason = "Forbidden"


class QuotaClient(FakeClient):
    """A fake API whose pod quota is full after `allowed` creates."""

    allowed = 2

    def create(self, obj):
        if obj["kind"] == "Pod" and len(self.stored("pods")) >= self.allowed:
            self.actions.append(("create", "pods", "refused"))
            raise ForbiddenError('pods "web-x" is forbidden: exceeded quota: q')
        return super().create(obj)


def test_a_failing_create_stops_the_slow_start_and_sets_replica_failure():
    network_fake = fake_world()
    fake = QuotaClient(network_fake.group)
    fake.add(replica_set(replicas=10))
    controller = start(fake, ReplicaSetController, seconds=0.15)
    first_sync = fake.writes()[:fake.writes().index(("update_status", "replicasets",
                                                      "default/web"))]
    # Batches: 1 (ok), then 2 (one ok, one refused); the other seven are never tried.
    assert [w for w in first_sync if w[1] == "pods"] == [
        ("create", "pods", "default/web-00001"), ("create", "pods", "default/web-00002"),
        ("create", "pods", "refused")]
    assert events(fake, "FailedCreate")[0] == (
        "FailedCreate", 'Error creating: pods "web-x" is forbidden: exceeded quota: q')
    status = fake.stored("replicasets")[0]["status"]
    failure = status["conditions"][0]
    assert (failure["type"], failure["reason"]) == ("ReplicaFailure", "FailedCreate")
    assert controller.expectations.pending("default/web") == (0, 0)  # no phantom waits
    # The failed sync is retried with back-off (5 ms, 10 ms, 20 ms...), one create each.
    refused = len([w for w in fake.writes() if w[2] == "refused"])
    advance(fake, 1)
    assert 1 <= len([w for w in fake.writes() if w[2] == "refused"]) - refused <= 8


def test_expectations_hold_a_second_sync_until_the_creations_are_seen():
    fake = fake_world()
    fake.add(replica_set(replicas=3))
    controller = start(fake, ReplicaSetController, seconds=0)
    controller.expectations.expect_creations("default/web", 3)
    fake.group.sim.run_process(fake.group.spawn(controller.sync("default/web")), 1)
    assert pod_writes(fake) == []  # waiting for 3 pods it believes are on their way
    advance(fake, 301)  # ExpectationsTimeout: 5 minutes, then it acts again
    fake.group.sim.run_process(fake.group.spawn(controller.sync("default/web")), 1)
    assert len(fake.stored("pods")) == 3


def test_scale_down_deletes_the_least_established_pods_first():
    fake = fake_world()
    rs = replica_set(replicas=2)
    fake.add(rs)
    for seeded in [pod("old", owner=rs, node="n1", created=10),
                   pod("pending", owner=rs, node="n2", phase="Pending", ready=False, created=5),
                   pod("unscheduled", owner=rs, phase="Pending", ready=False, created=1),
                   pod("mid", owner=rs, node="n3", created=500)]:
        fake.add(seeded)
    start(fake, ReplicaSetController)
    assert pod_writes(fake) == [("delete", "pods", "default/unscheduled"),
                                ("delete", "pods", "default/pending")]
    assert events(fake, "SuccessfulDelete") == [("SuccessfulDelete", "Deleted pod: unscheduled"),
                                                ("SuccessfulDelete", "Deleted pod: pending")]
    assert names(fake.stored("pods")) == ["mid", "old"]


def test_doubled_up_nodes_count_only_for_a_replica_set_with_a_controller():
    deployment_ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                      "uid": "uid-deploy", "controller": True}
    for owner_ref, victim in [(None, "c"), (deployment_ref, "a")]:
        fake = fake_world()
        rs = replica_set(replicas=2, owner=owner_ref)
        fake.add(rs)
        # a and b share n1; c is alone on n2 but newest (rule 8 decides without rule 5).
        for seeded in [pod("a", owner=rs, node="n1", created=0, uid="uid-a"),
                       pod("b", owner=rs, node="n1", created=0, uid="uid-b"),
                       pod("c", owner=rs, node="n2", created=5000)]:
            fake.add(seeded)
        start(fake, ReplicaSetController)
        assert pod_writes(fake) == [("delete", "pods", f"default/{victim}")], owner_ref


def test_adopts_matching_orphans_releases_mismatches_and_leaves_others_alone():
    fake = fake_world()
    rs = replica_set(replicas=2)
    # other's pods also match web's selector; owned by other, web must leave them alone.
    other = replica_set("other", labels={"app": "web", "tier": "x"}, uid="uid-other",
                        replicas=1)
    fake.add(rs)
    fake.add(other)
    fake.add(pod("orphan"))
    fake.add(pod("theirs", owner=other, labels={"app": "web", "tier": "x"}))
    fake.add(pod("relabelled", owner=rs, labels={"app": "db"}))
    fake.add(pod("finished", phase="Succeeded"))
    start(fake, ReplicaSetController)
    stored = {p["metadata"]["name"]: p for p in fake.stored("pods")}
    assert stored["orphan"]["metadata"]["ownerReferences"][0]["uid"] == "uid-web"
    assert stored["theirs"]["metadata"]["ownerReferences"][0]["uid"] == "uid-other"
    assert stored["relabelled"]["metadata"]["ownerReferences"] == []
    assert "ownerReferences" not in stored["finished"]["metadata"]
    # web now owns the orphan and needs one more; other's pod was never touched.
    assert len(owned_active(fake, "uid-web")) == 2
    assert ("update", "pods", "default/theirs") not in fake.writes()
    assert ("delete", "pods", "default/theirs") not in fake.writes()


def test_does_not_adopt_for_an_owner_being_deleted():
    fake = fake_world()
    rs = replica_set(replicas=2)
    rs["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    fake.add(rs)
    fake.add(pod("orphan"))
    start(fake, ReplicaSetController)
    assert pod_writes(fake) == []


def test_available_replicas_wait_for_min_ready_seconds():
    fake = fake_world()
    rs = replica_set(replicas=1, min_ready=10)
    fake.add(rs)
    fake.add(pod("a", owner=rs, node="n1", ready_at=0))
    start(fake, ReplicaSetController, seconds=1)
    status = fake.stored("replicasets")[0]["status"]
    assert (status["readyReplicas"], status["availableReplicas"]) == (1, 0)
    advance(fake, 12)  # the controller re-checks after minReadySeconds by itself
    assert fake.stored("replicasets")[0]["status"]["availableReplicas"] == 1


def test_a_deleted_pod_is_replaced():
    fake = fake_world()
    fake.add(replica_set(replicas=2))
    start(fake, ReplicaSetController)
    fake.group.sim.run_process(fake.group.spawn(fake.delete("pods", "web-00001", "default")), 1)
    advance(fake, 1)
    assert names(fake.stored("pods")) == ["web-00002", "web-00003"]


def test_replication_controller_uses_a_label_map_and_its_own_event_source():
    fake = fake_world()
    rc = {"apiVersion": "v1", "kind": "ReplicationController",
          "metadata": {"name": "nginx", "namespace": "default", "uid": "uid-rc", "generation": 1},
          "spec": {"replicas": 2, "selector": {"app": "nginx"},
                   "template": {"metadata": {"labels": {"app": "nginx"}},
                                "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    fake.add(rc)
    fake.add(pod("stray", labels={"app": "nginx"}))
    start(fake, ReplicationManager)
    assert [p["metadata"]["ownerReferences"][0]["kind"] for p in fake.stored("pods")] == [
        "ReplicationController"] * 2
    record = next(r for r in fake.group.sim.trace if r.kind == "SuccessfulCreate")
    assert record.details["source"] == "replication-controller"
    assert record.obj == "replicationcontroller/default/nginx"
    assert fake.stored("replicationcontrollers")[0]["status"]["replicas"] == 2


POD_STATES = st.fixed_dictionaries({
    "owner": st.sampled_from(["web", "other", None]),
    "labels": st.sampled_from([{"app": "web"}, {"app": "db"}]),
    "phase": st.sampled_from(["Pending", "Running", "Unknown", "Succeeded", "Failed"]),
    "node": st.sampled_from(["", "n1", "n2"]),
    "ready": st.booleans(),
    "deleting": st.booleans(),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replicas=st.integers(0, 12), seeded=st.lists(POD_STATES, max_size=12))
def test_property_syncs_converge_owned_active_pods_and_spare_other_owners(replicas, seeded):
    fake = fake_world()
    rs = replica_set(replicas=replicas)
    other = replica_set("other", labels={"app": "web"}, uid="uid-other", replicas=0)
    fake.add(rs)
    owners = {"web": rs, "other": other}
    for index, state in enumerate(seeded):
        fake.add(pod(f"p{index}", labels=state["labels"],
                     owner=owners.get(state["owner"]) if state["owner"] else None,
                     node=state["node"], phase=state["phase"], ready=state["ready"],
                     deleting=state["deleting"]))
    before_other = {p["metadata"]["name"]: p for p in fake.stored("pods")
                    if p["metadata"].get("ownerReferences", [{}])[0].get("uid") == "uid-other"}
    start(fake, ReplicaSetController, seconds=5)
    assert len(owned_active(fake, "uid-web")) == replicas
    after = {p["metadata"]["name"]: p for p in fake.stored("pods")}
    for name, original in before_other.items():
        assert after[name]["metadata"]["ownerReferences"] == \
            original["metadata"]["ownerReferences"]
    assert all(w[2].split("/")[1] not in before_other for w in fake.writes() if w[1] == "pods")
