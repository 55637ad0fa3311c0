"""etcd's own errors, in the words an etcd client receives them.

Each carries the gRPC status code and the text of etcd's api/v3rpc/rpctypes/error.go (ErrGRPC...):
the server's errors, such as the MVCC store's "mvcc: required revision has been compacted", reach
a client prefixed with "etcdserver: ". The API server's storage turns them into Kubernetes
`Status` errors; nothing above it sees these.
"""

from __future__ import annotations

from k8slab.errors import K8sLabError


class EtcdError(K8sLabError):
    """An error etcd answers a request with: a gRPC status code and etcd's text.

    A subclass with a fixed text (`text`) needs no message; one without is given it.
    """

    grpc_code = "Unknown"
    text = ""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.text)


class InvalidArgumentError(EtcdError):
    """The request itself is malformed (gRPC InvalidArgument); the message says how."""

    grpc_code = "InvalidArgument"


class EmptyKeyError(InvalidArgumentError):
    """A request, or a compare, names no key (ErrGRPCEmptyKey)."""

    text = "etcdserver: key is not provided"


class KeyNotFoundError(InvalidArgumentError):
    """A put with ignore_value or ignore_lease names a missing key (ErrGRPCKeyNotFound)."""

    text = "etcdserver: key not found"


class ValueProvidedError(InvalidArgumentError):
    """A put with ignore_value also gives a value (ErrGRPCValueProvided)."""

    text = "etcdserver: value is provided"


class LeaseProvidedError(InvalidArgumentError):
    """A put with ignore_lease also gives a lease (ErrGRPCLeaseProvided)."""

    text = "etcdserver: lease is provided"


class TooManyOpsError(InvalidArgumentError):
    """A txn has more compares, or ops in a branch, than --max-txn-ops (ErrGRPCTooManyOps)."""

    text = "etcdserver: too many operations in txn request"


class DuplicateKeyError(InvalidArgumentError):
    """A txn writes one key twice, or puts a key it also deletes (ErrGRPCDuplicateKey)."""

    text = "etcdserver: duplicate key given in txn request"


class CompactedError(EtcdError):
    """A read, watch or compaction asks for a revision compaction removed (ErrGRPCCompacted)."""

    grpc_code = "OutOfRange"
    text = "etcdserver: mvcc: required revision has been compacted"


class FutureRevisionError(EtcdError):
    """A read or compaction asks for a revision the store has not reached (ErrGRPCFutureRev)."""

    grpc_code = "OutOfRange"
    text = "etcdserver: mvcc: required revision is a future revision"


class LeaseNotFoundError(EtcdError):
    """No lease has that ID (ErrGRPCLeaseNotFound)."""

    grpc_code = "NotFound"
    text = "etcdserver: requested lease not found"


class LeaseExistsError(EtcdError):
    """A grant asks for an ID a live lease already has (ErrGRPCLeaseExist)."""

    grpc_code = "FailedPrecondition"
    text = "etcdserver: lease already exists"


class LeaseTTLTooLargeError(EtcdError):
    """A grant asks for a TTL above the maximum (ErrGRPCLeaseTTLTooLarge)."""

    grpc_code = "OutOfRange"
    text = "etcdserver: too large lease TTL"


class RequestTimeoutError(EtcdError):
    """The member could not commit the request, or confirm a read, in time (ErrGRPCTimeout).

    A write may still be applied later; a client retries only reads on another member.
    """

    grpc_code = "Unavailable"
    text = "etcdserver: request timed out"
