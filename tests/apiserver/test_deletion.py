"""DELETE through the API server: graceful deletion of pods on a node, finalizers that hold an
object, the garbage collector's finalizers chosen by propagationPolicy, preconditions, and the
pods/eviction subresource (upstream's store.Delete and BeforeDelete, as the client sees them)."""

import pytest

from k8slab.api.kinds import DEPLOYMENT, EVENT, JOB, LEASE, POD, REPLICATION_CONTROLLER
from k8slab.api.timestamps import from_time, to_time
from k8slab.apiserver.deletion import (
    DeleteOptions,
    before_delete,
    gc_finalizers,
    parse_options,
)
from k8slab.errors import BadRequestError, ConflictError, InvalidError, NotFoundError


def create(cp, pod: dict) -> dict:
    return cp.ok(cp.client().create(pod))


def get(cp, name: str = "web"):
    return cp.call(cp.client().get("pods", name, "default"))


def watch_pods(cp) -> list[tuple[str, str, str | None]]:
    """(type, name, deletionTimestamp) of every pod event from now on."""
    seen: list = []
    cp.client(host="worker-2").watch(
        "pods", "", lambda e: seen.append((e["type"], e["object"]["metadata"]["name"],
                                           e["object"]["metadata"].get("deletionTimestamp"))),
        lambda reason: None, namespace="default")
    cp.sim.run(cp.sim.now + 0.5)
    seen.clear()  # the ADDED of what exists
    return seen


# -- graceful deletion of a pod on a node -------------------------------------------------------


def test_a_bound_pod_lingers_with_a_deletion_timestamp_grace_from_its_spec(cp, make_pod):
    create(cp, make_pod("web", node="worker-1", terminationGracePeriodSeconds=45))
    at = cp.sim.now
    answer = cp.ok(cp.client().delete("pods", "web", "default"))
    meta = answer["metadata"]
    assert meta["deletionGracePeriodSeconds"] == 45
    assert meta["deletionTimestamp"] == to_time(at + 45)
    assert get(cp)["metadata"]["deletionTimestamp"] == meta["deletionTimestamp"]


def test_the_default_grace_period_is_thirty_seconds(cp, make_pod):
    create(cp, make_pod("web", node="worker-1"))
    answer = cp.ok(cp.client().delete("pods", "web", "default"))
    assert answer["metadata"]["deletionGracePeriodSeconds"] == 30


def test_a_later_delete_may_only_shorten_the_grace_period(cp, make_pod):
    create(cp, make_pod("web", node="worker-1"))
    first = cp.ok(cp.client().delete("pods", "web", "default"))
    started = first["metadata"]["deletionTimestamp"]
    longer = cp.ok(cp.client().delete("pods", "web", "default", grace_period_seconds=60))
    assert longer["metadata"]["deletionTimestamp"] == started
    assert longer["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    shorter = cp.ok(cp.client().delete("pods", "web", "default", grace_period_seconds=10))
    # BeforeDelete: the new timestamp counts from when the deletion began, not from now.
    assert shorter["metadata"]["deletionGracePeriodSeconds"] == 10
    began = from_time(started) - 30
    assert shorter["metadata"]["deletionTimestamp"] == to_time(began + 10)


def test_grace_zero_removes_a_terminating_pod(cp, make_pod):
    create(cp, make_pod("web", node="worker-1"))
    cp.ok(cp.client().delete("pods", "web", "default"))
    seen = watch_pods(cp)
    cp.ok(cp.client().delete("pods", "web", "default", grace_period_seconds=0))
    cp.sim.run(cp.sim.now + 0.5)
    assert isinstance(get(cp), NotFoundError)
    assert [(kind, dts is not None) for kind, _, dts in seen] == [("MODIFIED", True),
                                                                   ("DELETED", True)]


@pytest.mark.parametrize("case", ["unbound", "succeeded", "force"])
def test_a_pod_is_deleted_at_once_watches_see_modified_then_deleted(cp, make_pod, case):
    node = None if case == "unbound" else "worker-1"
    created = create(cp, make_pod("web", node=node))
    if case == "succeeded":
        created["status"] = {"phase": "Succeeded"}
        cp.ok(cp.client().update_status(created))
    seen = watch_pods(cp)
    grace = 0 if case == "force" else None
    answer = cp.ok(cp.client().delete("pods", "web", "default", grace_period_seconds=grace))
    cp.sim.run(cp.sim.now + 0.5)
    assert answer["metadata"]["deletionGracePeriodSeconds"] == 0
    assert isinstance(get(cp), NotFoundError)
    assert [kind for kind, _, _ in seen] == ["MODIFIED", "DELETED"]


def test_a_pod_without_a_node_deleted_with_a_grace_period_still_goes_at_once(cp, make_pod):
    create(cp, make_pod("web"))
    cp.ok(cp.client().delete("pods", "web", "default", grace_period_seconds=30))
    assert isinstance(get(cp), NotFoundError)


# -- preconditions ------------------------------------------------------------------------------


def test_a_uid_precondition_that_does_not_match_is_a_conflict_and_changes_nothing(cp, make_pod):
    created = create(cp, make_pod("web", node="worker-1"))
    revision = cp.etcd.store.revision
    error = cp.call(cp.client().delete("pods", "web", "default", uid="not-the-uid"))
    assert isinstance(error, ConflictError)
    assert error.message == (
        'Operation cannot be fulfilled on Pod "web": the UID in the precondition (not-the-uid) '
        f'does not match the UID in record ({created["metadata"]["uid"]}). The object might '
        "have been deleted and then recreated")
    assert cp.etcd.store.revision == revision
    assert "deletionTimestamp" not in get(cp)["metadata"]


def test_a_matching_uid_precondition_deletes(cp, make_pod):
    created = create(cp, make_pod("web"))
    cp.ok(cp.client().delete("pods", "web", "default", uid=created["metadata"]["uid"]))
    assert isinstance(get(cp), NotFoundError)


def test_storage_checks_the_uid_again_when_it_deletes(cp, make_pod):
    created = create(cp, make_pod("web"))
    storage = cp.apiserver.storage
    error = cp.call(storage.delete(POD, "default", "web", uid="other"))
    assert isinstance(error, ConflictError)
    assert error.message == (
        'Operation cannot be fulfilled on pods "web": Precondition failed: UID in precondition: '
        f'other, UID in object meta: {created["metadata"]["uid"]}')


# -- bad DeleteOptions --------------------------------------------------------------------------


def test_an_unknown_propagation_policy_is_invalid_and_changes_nothing(cp, make_pod):
    create(cp, make_pod("web"))
    error = cp.call(cp.client().delete("pods", "web", "default", propagation_policy="Later"))
    assert isinstance(error, InvalidError)
    assert error.message == (
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Later": '
        'supported values: "Foreground", "Background", "Orphan", "nil"')
    assert "deletionTimestamp" not in get(cp)["metadata"]


@pytest.mark.parametrize("body", [[1], {"gracePeriodSeconds": "30"},
                                  {"gracePeriodSeconds": True}, {"preconditions": "x"}])
def test_malformed_delete_options_are_a_bad_request(body):
    with pytest.raises(BadRequestError):
        parse_options(body)


def test_a_negative_grace_period_counts_as_one_second():
    pod = {"metadata": {"name": "p"}, "spec": {"nodeName": "n"}, "status": {}}
    assert before_delete(POD, pod, DeleteOptions(grace_period_seconds=-5), 100.0) == (True, False)
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 1


# -- finalizers ---------------------------------------------------------------------------------


def lease(name: str = "l", finalizers=None) -> dict:
    meta = {"name": name, "namespace": "default"}
    if finalizers:
        meta["finalizers"] = finalizers
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta,
            "spec": {"holderIdentity": "x"}}


def test_finalizers_hold_an_object_until_an_update_removes_the_last(cp):
    cp.ok(cp.client().create(lease(finalizers=["example.com/a", "example.com/b"])))
    answer = cp.ok(cp.client().delete("leases", "l", "default"))
    assert answer["metadata"]["deletionGracePeriodSeconds"] == 0
    assert answer["metadata"]["deletionTimestamp"] == to_time(cp.sim.now)
    held = cp.ok(cp.client().get("leases", "l", "default"))
    held["metadata"]["finalizers"] = ["example.com/b"]
    held = cp.ok(cp.client().update(held))
    assert held["metadata"]["finalizers"] == ["example.com/b"]
    assert cp.ok(cp.client().get("leases", "l", "default"))
    held["metadata"]["finalizers"] = []
    cp.ok(cp.client().update(held))
    assert isinstance(cp.call(cp.client().get("leases", "l", "default")), NotFoundError)


def test_a_pod_with_a_finalizer_outlives_the_kubelets_final_delete(cp, make_pod):
    pod = make_pod("web", node="worker-1")
    pod["metadata"]["finalizers"] = ["example.com/keep"]
    create(cp, pod)
    cp.ok(cp.client().delete("pods", "web", "default"))
    cp.ok(cp.client().delete("pods", "web", "default", grace_period_seconds=0))
    held = get(cp)
    assert held["metadata"]["deletionGracePeriodSeconds"] == 0
    held["metadata"]["finalizers"] = []
    cp.ok(cp.client().update(held))
    assert isinstance(get(cp), NotFoundError)


def test_an_object_without_finalizers_goes_at_once_with_no_modified(cp):
    cp.ok(cp.client().create(lease()))
    revision = cp.etcd.store.revision
    cp.ok(cp.client().delete("leases", "l", "default"))
    assert cp.etcd.store.revision == revision + 1  # one write: the delete


# -- propagation policy -------------------------------------------------------------------------


@pytest.mark.parametrize("policy, finalizer", [("Orphan", ["orphan"]),
                                               ("Foreground", ["foregroundDeletion"])])
def test_orphan_and_foreground_add_the_garbage_collectors_finalizer(cp, policy, finalizer):
    cp.ok(cp.client().create(lease()))
    answer = cp.ok(cp.client().delete("leases", "l", "default", propagation_policy=policy))
    assert answer["metadata"]["finalizers"] == finalizer
    assert answer["metadata"]["deletionGracePeriodSeconds"] == 0


def test_background_adds_nothing(cp):
    cp.ok(cp.client().create(lease()))
    cp.ok(cp.client().delete("leases", "l", "default", propagation_policy="Background"))
    assert isinstance(cp.call(cp.client().get("leases", "l", "default")), NotFoundError)


@pytest.mark.parametrize("kind, options, before, after", [
    (LEASE, DeleteOptions(), [], []),
    (DEPLOYMENT, DeleteOptions(), [], []),
    (REPLICATION_CONTROLLER, DeleteOptions(), [], ["orphan"]),
    (JOB, DeleteOptions(), [], ["orphan"]),
    (JOB, DeleteOptions(propagation_policy="Background"), [], []),
    (LEASE, DeleteOptions(), ["orphan"], ["orphan"]),
    (LEASE, DeleteOptions(propagation_policy="Foreground"), ["x", "orphan"],
     ["x", "foregroundDeletion"]),
    (EVENT, DeleteOptions(propagation_policy="Orphan"), [], []),
], ids=["lease", "deployment", "rc-orphans", "job-orphans", "job-background", "kept",
        "switched", "event-unsupported"])
def test_gc_finalizers_follow_options_then_existing_then_the_kinds_default(kind, options,
                                                                            before, after):
    assert gc_finalizers(kind, {"finalizers": before}, options) == after


# -- eviction -----------------------------------------------------------------------------------


def test_eviction_deletes_through_the_same_path_and_answers_201(cp, make_pod):
    create(cp, make_pod("web", node="worker-1"))
    answer = cp.ok(cp.client().evict("default", "web"))
    assert answer == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                      "code": 201}
    assert get(cp)["metadata"]["deletionGracePeriodSeconds"] == 30
    cp.ok(cp.client().evict("default", "web", grace_period_seconds=0))
    assert isinstance(get(cp), NotFoundError)


def test_eviction_of_a_missing_pod_is_not_found(cp):
    error = cp.call(cp.client().evict("default", "nope"))
    assert isinstance(error, NotFoundError)
    assert error.message == 'pods "nope" not found'


def test_eviction_whose_name_differs_from_the_url_is_a_bad_request(cp, make_pod):
    create(cp, make_pod("web", node="worker-1"))
    body = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "other"}}
    error = cp.call(cp.client().request("evict", "pods", namespace="default", name="web",
                                        body=body))
    assert isinstance(error, BadRequestError)
    assert error.message == "name in URL does not match name in Eviction object"
    assert "deletionTimestamp" not in get(cp)["metadata"]
