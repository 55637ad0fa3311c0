"""Errors belong to their layer, and every one of them is a K8sLabError a notebook can catch."""

import inspect

import pytest

from k8slab import errors
from k8slab.etcd import errors as etcd_errors
from k8slab.raft import errors as raft_errors
from k8slab.sim import errors as sim_errors

LAYERS = [errors, sim_errors, raft_errors, etcd_errors]


def error_classes(module) -> list[type]:
    return [cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Exception) and cls.__module__ == module.__name__]


@pytest.mark.parametrize("module", LAYERS, ids=[m.__name__ for m in LAYERS])
def test_every_error_of_every_layer_is_a_k8slab_error_with_a_message(module):
    classes = error_classes(module)
    assert classes
    for cls in classes:
        assert issubclass(cls, errors.K8sLabError), cls
        assert cls("what went wrong").message == "what went wrong"


@pytest.mark.parametrize(("cls", "text", "grpc_code"), [
    (etcd_errors.CompactedError, "etcdserver: mvcc: required revision has been compacted",
     "OutOfRange"),
    (etcd_errors.FutureRevisionError,
     "etcdserver: mvcc: required revision is a future revision", "OutOfRange"),
    (etcd_errors.LeaseNotFoundError, "etcdserver: requested lease not found", "NotFound"),
    (etcd_errors.RequestTimeoutError, "etcdserver: request timed out", "Unavailable"),
    (etcd_errors.TooManyOpsError, "etcdserver: too many operations in txn request",
     "InvalidArgument"),
    (etcd_errors.EmptyKeyError, "etcdserver: key is not provided", "InvalidArgument"),
    (etcd_errors.DuplicateKeyError, "etcdserver: duplicate key given in txn request",
     "InvalidArgument"),
])
def test_etcd_errors_say_what_an_etcd_client_receives(cls, text, grpc_code):
    # api/v3rpc/rpctypes/error.go: the text and gRPC code of each ErrGRPC... error.
    error = cls()
    assert (error.message, str(error), error.grpc_code) == (text, text, grpc_code)


def test_a_status_error_comes_back_as_the_same_class():
    for cls in (errors.GoneError, errors.UnavailableError, errors.UnknownError):
        status = cls("words").to_status()
        again = errors.error_from_status(status)
        assert type(again) is cls and (again.code, again.message) == (status["code"], "words")
    assert errors.UnknownError("x").to_status()["reason"] == ""
