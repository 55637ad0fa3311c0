"""Objects in etcd: one key each, JSON values, resourceVersion = the key's mod_revision, and
optimistic concurrency through etcd transactions."""

import json

import pytest

from k8slab.api.kinds import LEASE, POD
from k8slab.apiserver.storage import Storage, decode, encode, interpret_error
from k8slab.errors import (
    AlreadyExistsError,
    ConflictError,
    GoneError,
    NotFoundError,
    UnknownError,
)
from k8slab.etcd.errors import CompactedError, FutureRevisionError, RequestTimeoutError
from k8slab.etcd.wire import KeyValue
from k8slab.sim.errors import RefusedError

KEY = "/registry/pods/default/web"
CONFLICT = ('Operation cannot be fulfilled on pods "web": the object has been modified; '
            "please apply your changes to the latest version and try again")


@pytest.fixture
def storage(cp) -> Storage:
    return Storage(cp.etcd_client())


def mod_revision(cp, key: str = KEY) -> int:
    return cp.etcd.store.get(key).mod_revision


def relabel(value: str):
    def mutate(obj: dict) -> dict:
        obj["metadata"]["labels"] = {"v": value}
        return obj
    return mutate


def test_encode_leaves_out_the_resource_version_and_decode_puts_the_mod_revision_back(make_pod):
    obj = make_pod("web")
    obj["metadata"]["resourceVersion"] = "99"
    stored = encode(obj)
    assert "resourceVersion" not in json.loads(stored)["metadata"]
    assert obj["metadata"]["resourceVersion"] == "99"  # the caller's object is untouched
    back = decode(KeyValue(KEY, stored, 5, 7, 2))
    assert back["metadata"]["resourceVersion"] == "7"


def test_create_then_get_has_the_mod_revision_as_resource_version(cp, storage, make_pod):
    created = cp.ok(storage.create(POD, make_pod("web")))
    assert created["metadata"]["resourceVersion"] == str(mod_revision(cp))
    got = cp.ok(storage.get(POD, "default", "web"))
    assert got == created


def test_create_of_a_taken_name_is_already_exists(cp, storage, make_pod):
    cp.ok(storage.create(POD, make_pod("web")))
    error = cp.call(storage.create(POD, make_pod("web")))
    assert isinstance(error, AlreadyExistsError)
    assert error.message == 'pods "web" already exists' and error.code == 409


def test_update_moves_the_resource_version_to_the_new_mod_revision(cp, storage, make_pod):
    created = cp.ok(storage.create(POD, make_pod("web")))
    updated = cp.ok(storage.update(POD, created, relabel("2")))
    assert int(updated["metadata"]["resourceVersion"]) == mod_revision(cp)
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    assert cp.ok(storage.get(POD, "default", "web"))["metadata"]["labels"] == {"v": "2"}


def test_a_stale_resource_version_is_a_conflict_in_upstreams_words(cp, storage, make_pod):
    created = cp.ok(storage.create(POD, make_pod("web")))
    cp.ok(storage.update(POD, created, relabel("first")))
    error = cp.call(storage.update(POD, created, relabel("second")))
    assert isinstance(error, ConflictError)
    assert error.message == CONFLICT and error.code == 409
    assert cp.ok(storage.get(POD, "default", "web"))["metadata"]["labels"] == {"v": "first"}


def test_two_writers_reading_the_same_version_cannot_both_win(cp, storage, make_pod):
    cp.ok(storage.create(POD, make_pod("web")))
    outcomes = []

    def writer(value):
        try:
            yield from storage.update(POD, {"metadata": {"name": "web", "namespace": "default"}},
                                      relabel(value))
            outcomes.append((value, "won"))
        except ConflictError as error:
            outcomes.append((value, error.message))

    group = cp.worker.group("writers")
    group.spawn(writer("a"))
    group.spawn(writer("b"))
    cp.sim.run(1.0)
    assert sorted(outcomes) == [("a", "won"), ("b", CONFLICT)]


def test_list_returns_the_items_in_key_order_and_the_store_revision(cp, storage, make_pod):
    for name, namespace in (("b", "default"), ("a", "default"), ("c", "kube-system")):
        cp.ok(storage.create(POD, make_pod(name, namespace)))
    items, rv = cp.ok(storage.list(POD, None))
    assert [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in items] == [
        ("default", "a"), ("default", "b"), ("kube-system", "c")]
    assert rv == str(cp.etcd.store.revision)
    items, _ = cp.ok(storage.list(POD, "kube-system"))
    assert [o["metadata"]["name"] for o in items] == ["c"]


def test_delete_returns_the_object_and_then_it_is_not_found(cp, storage, make_pod):
    created = cp.ok(storage.create(POD, make_pod("web")))
    deleted = cp.ok(storage.delete(POD, "default", "web"))
    assert deleted["metadata"]["name"] == "web"
    assert deleted["spec"] == created["spec"]
    for again in (storage.get(POD, "default", "web"), storage.delete(POD, "default", "web"),
                  storage.update(POD, created, relabel("x"))):
        error = cp.call(again)
        assert isinstance(error, NotFoundError) and error.message == 'pods "web" not found'
    assert cp.etcd.store.get(KEY) is None


def test_errors_about_a_group_resource_name_the_group(cp, storage):
    error = cp.call(storage.get(LEASE, "kube-node-lease", "worker-1"))
    assert error.message == 'leases.coordination.k8s.io "worker-1" not found'


# -- etcd's errors in the API's words (storage/etcd3) -------------------------------------------


@pytest.mark.parametrize(("error", "kind", "code", "reason", "message"), [
    # etcd3/errors.go interpretListError: a compacted revision is 410 Gone, reason Expired.
    (CompactedError(), GoneError, 410, "Expired",
     "The resourceVersion for the provided list is too old."),
    # responsewriters.ErrorToAPIStatus: any other error is a 500 with no reason, in its words.
    (RequestTimeoutError(), UnknownError, 500, "", "etcdserver: request timed out"),
    (FutureRevisionError(), UnknownError, 500, "",
     "etcdserver: mvcc: required revision is a future revision"),
    (RefusedError("dial tcp control-plane:2379: connect: connection refused"), UnknownError,
     500, "", "dial tcp control-plane:2379: connect: connection refused"),
], ids=["compacted", "timeout", "future revision", "unreachable"])
def test_etcd_errors_become_status_errors_as_upstreams_etcd3_storage_says(
        error, kind, code, reason, message):
    status = interpret_error(error)
    assert type(status) is kind
    assert (status.code, status.reason, status.message) == (code, reason, message)


def test_an_etcd_that_does_not_answer_is_a_status_error_in_its_own_words(cp, storage):
    cp.etcd.group.stop()
    error = cp.call(storage.get(POD, "default", "web"))
    assert isinstance(error, UnknownError) and error.code == 500
    assert error.message == "dial tcp control-plane:2379: connect: connection refused"
