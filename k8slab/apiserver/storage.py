"""How the API server keeps objects in etcd: one key per object, JSON values, optimistic updates.

Keys look like `/registry/pods/<namespace>/<name>` (nodes live under `/registry/minions/`,
upstream's historic prefix). resourceVersion is not stored: it *is* the key's etcd mod_revision.
"""

from __future__ import annotations

import json
from collections.abc import Generator

from k8slab.api.kinds import Kind, registry_key, registry_prefix
from k8slab.errors import AlreadyExistsError, ConflictError, NotFoundError
from k8slab.etcd.client import EtcdClient
from k8slab.etcd.mvcc import Compare, KeyValue


def encode(obj: dict) -> str:
    """The value stored in etcd: the object without its resourceVersion."""
    meta = {k: v for k, v in obj.get("metadata", {}).items() if k != "resourceVersion"}
    return json.dumps(dict(obj, metadata=meta), separators=(",", ":"))


def decode(kv: KeyValue) -> dict:
    """An object read from etcd, with resourceVersion set to the key's mod_revision."""
    obj = json.loads(kv.value)
    obj["metadata"]["resourceVersion"] = str(kv.mod_revision)
    return obj


def qualified(kind: Kind) -> str:
    """The resource as errors name it: `pods`, or `leases.coordination.k8s.io` for a group."""
    return f"{kind.resource}.{kind.group}" if kind.group else kind.resource


def conflict_message(kind: Kind, name: str) -> str:
    """Upstream's words for a stale update (apimachinery errors.NewConflict + storage)."""
    return (
        f'Operation cannot be fulfilled on {qualified(kind)} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again"
    )


class Storage:
    """Create, read, update and delete objects of any kind in etcd."""

    def __init__(self, etcd: EtcdClient) -> None:
        self.etcd = etcd

    def get(self, kind: Kind, namespace: str | None, name: str) -> Generator:
        """The stored object, or NotFound."""
        key = registry_key(kind, namespace, name)
        answer = yield from self.etcd.range(key)
        if not answer["kvs"]:
            raise NotFoundError(f'{qualified(kind)} "{name}" not found')
        return decode(answer["kvs"][0])

    def list(self, kind: Kind, namespace: str | None) -> Generator:
        """Every object of `kind` (in `namespace`, or all): (items, list resourceVersion)."""
        answer = yield from self.etcd.range_prefix(registry_prefix(kind, namespace))
        return [decode(kv) for kv in answer["kvs"]], str(answer["revision"])

    def create(self, kind: Kind, obj: dict) -> Generator:
        """Store a new object; AlreadyExists if the key is taken (a Txn on create_revision == 0)."""
        meta = obj["metadata"]
        key = registry_key(kind, meta.get("namespace"), meta["name"])
        result = yield from self.etcd.txn(
            [Compare(key, "create", "=", 0)], [("put", key, encode(obj))], [], trace_key=key
        )
        if not result.succeeded:
            raise AlreadyExistsError(f'{qualified(kind)} "{meta["name"]}" already exists')
        return dict(obj, metadata=dict(meta, resourceVersion=str(result.revision)))

    def update(self, kind: Kind, obj: dict, mutate) -> Generator:
        """Replace an object with `mutate(current)`; a stale resourceVersion is a Conflict.

        `obj` names the object and may carry the resourceVersion the caller read; the write is a
        Txn guarded by the current mod_revision, so two writers can never both win.
        """
        meta = obj["metadata"]
        name, namespace = meta["name"], meta.get("namespace")
        current = yield from self.get(kind, namespace, name)
        wanted_rv = meta.get("resourceVersion")
        if wanted_rv and wanted_rv != current["metadata"]["resourceVersion"]:
            raise ConflictError(conflict_message(kind, name))
        updated = mutate(current)  # freshly decoded from etcd: ours to change
        key = registry_key(kind, namespace, name)
        mod = int(current["metadata"]["resourceVersion"])
        result = yield from self.etcd.txn(
            [Compare(key, "mod", "=", mod)], [("put", key, encode(updated))], [], trace_key=key
        )
        if not result.succeeded:
            raise ConflictError(conflict_message(kind, name))
        updated["metadata"]["resourceVersion"] = str(result.revision)
        return updated

    def delete(self, kind: Kind, namespace: str | None, name: str) -> Generator:
        """Remove an object; returns what was deleted."""
        current = yield from self.get(kind, namespace, name)
        key = registry_key(kind, namespace, name)
        mod = int(current["metadata"]["resourceVersion"])
        result = yield from self.etcd.txn(
            [Compare(key, "mod", "=", mod)], [("delete", key)], [], trace_key=key
        )
        if not result.succeeded:
            raise ConflictError(conflict_message(kind, name))
        return current
